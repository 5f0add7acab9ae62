"""What ``cqlang config`` shows: the files read, the connection in effect
with where each setting comes from, and the merged configuration as TOML,
every secret masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from .connection import mask
from .discovery import user_config_file
from .locate import CONFIG_ENV, PROJECT_FILE, PYPROJECT_FILE

if TYPE_CHECKING:
    from ..errors import SkippedFile
    from .connection import ConnectionSettings
    from .files import ConfigFile
    from .model import CqlangTable

__all__ = ["Described", "describe", "shown"]


class Described(Protocol):
    """What :func:`describe` reads of a :class:`~.core.Config`."""

    @property
    def files(self) -> tuple[ConfigFile, ...]: ...
    @property
    def skipped(self) -> tuple[SkippedFile, ...]: ...
    @property
    def merged(self) -> CqlangTable: ...
    def connection(self) -> ConnectionSettings: ...
    def origin(self, *path: str) -> ConfigFile | None: ...


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# ----------------------------------------------------------------- display


def shown(data: Mapping[str, Any]) -> dict[str, Any]:
    """The merged configuration ``data`` with every api_key masked, and
    what a base_url could hide in it (a password, a ?query value)."""
    from ..encoding import masked_url

    out: dict[str, Any] = _copy(data)
    for table in [out.get("connection"), *out.get("profiles", {}).values()]:
        if isinstance(table, dict) and "api_key" in table:
            table["api_key"] = mask(str(table["api_key"]))
        if isinstance(table, dict) and isinstance(table.get("base_url"), str):
            table["base_url"] = masked_url(table["base_url"])
    return out


def describe(config: Described) -> str:
    """What ``cqlang config`` prints: the files read, the connection in
    effect (with where each setting comes from) and the merged
    configuration as TOML, secrets masked."""
    lines = ["# cqlang configuration"]
    if config.files:
        lines.append("# files read (an earlier file wins):")
        for i, f in enumerate(config.files, 1):
            lines.append(f"#   {i}. {f.display()}  ({f.origin})")
    else:
        lines.append("# no config file found; looked for:")
        lines.append(
            f"#   ${CONFIG_ENV}, {PROJECT_FILE} and {PYPROJECT_FILE} "
            "[tool.cqlang] from here upward,"
        )
        lines.append(f"#   {user_config_file() or '(none: no home folder)'}")
    if config.skipped:
        lines.append("# skipped, not trusted (someone else could have written them):")
        for sk in config.skipped:
            lines.append(f"#   {sk.path}  ({sk.origin}): {sk.reason}")
    conn = config.connection()
    lines.append(f"# profile: {conn.profile or '(none: [connection])'}")
    settings, unusable = in_effect(conn)
    if settings:
        lines.append("# connection in effect:")
        for key, value in settings.items():
            lines.append(f"#   {key} = {value!r}  ({conn.sources.get(key, '?')})")
    if unusable:
        lines.append("# not in effect (cannot be used: see the note below):")
        for key, value in unusable.items():
            lines.append(f"#   {key} = {value!r}  ({conn.sources.get(key, '?')})")
    for note in conn.notes:
        lines.append(f"# note: {note}")
    body = _dump_toml(shown(config.merged.to_table()), config)
    return "\n".join(lines) + ("\n\n" + body if body.strip() else "\n")


def in_effect(conn: ConnectionSettings) -> tuple[dict[str, Any], dict[str, Any]]:
    """The connection's settings as shown (masked), split into those in
    effect and those that cannot be used: a ``$CONPEEK_URL`` that is no
    http(s) URL (a note says why; a command that sends a request refuses
    it), which ``cqlang config`` must not list as in effect."""
    from ..encoding import base_url

    settings = conn.shown()
    unusable: dict[str, Any] = {}
    if conn.base_url:
        try:
            base_url(conn.base_url)
        except ValueError:
            unusable["base_url"] = settings.pop("base_url")
    return settings, unusable


def _dump_toml(data: Mapping[str, Any], config: Described) -> str:
    import tomlkit

    doc = tomlkit.document()
    for key, value in data.items():
        if key in ("profiles", "queries") and isinstance(value, dict):
            outer = tomlkit.table(is_super_table=True)
            for name, sub in value.items():
                t = tomlkit.table()
                _add_scalars(t, sub.items())
                if key == "queries":
                    f = config.origin("queries", name)
                    if f is not None and len(config.files) > 1:
                        t.comment(f"from {f.display()}")
                outer.add(name, t)
            doc.add(key, outer)
        elif isinstance(value, dict):
            t = tomlkit.table()
            if not any(isinstance(v, dict) for v in value.values()):
                _add_scalars(t, value.items())
                doc.add(key, t)
                continue
            for k, v in value.items():
                if isinstance(v, dict):
                    sub_t = tomlkit.table()
                    _add_scalars(sub_t, v.items())
                    t.add(k, sub_t)
                else:
                    t.add(k, _toml_item(v))
            doc.add(key, t)
    return tomlkit.dumps(doc)


def _add_scalars(table: Any, items: Any) -> None:
    """Add key/value items that are not tables (inline tables are not) to a
    tomlkit table made here. tomlkit looks for the last entry before a table
    on every add, which made `cqlang config` quadratic in the items (8,000
    custom fields: 15 s); marked as parsed, the table appends at the end,
    which is where that search puts an item in a table holding no tables."""
    body = table.value
    mark = getattr(body, "parsing", None)
    if mark is not None:
        mark(True)
    try:
        for k, v in items:
            table.add(k, _toml_item(v))
    finally:
        if mark is not None:
            mark(False)


def _toml_item(value: Any) -> Any:
    import tomlkit

    if isinstance(value, str) and "\n" in value:
        return tomlkit.string(value, multiline=True, literal="'''" not in value)
    if isinstance(value, dict):
        it = tomlkit.inline_table()
        it.update(value)
        return it
    return tomlkit.item(value)
