"""The checks of a config file's cqlang table: every mistake, not the first.

:func:`validate` walks the table that :mod:`tomllib` read and returns the
settings it keeps, as the typed model of :mod:`.model`
(:class:`~.model.CqlangTable`), together with a :class:`Problem` for each
mistake (an unknown key with a did-you-mean, a value of the wrong type, a
time zone that does not exist...). A problem names its key path; cqlang.config places it in
the file (``FILE:LINE:COL``) with :mod:`cqlang.config.tomlscan`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import kinds
from ..client.connection import key_problem, variable_name
from ..diagnostics import NAME_CHARS, NAME_RE, suggest
from ..encoding import exclude_problem
from ..env import FrozenDict
from ..errors import SchemaError
from ..schema import DEFAULT_SCHEMA
from .model import ConnectionTable, CqlangTable, Profile, QueryTable, SchemaTable

#: What a variable named by ``api_key_env`` must start with, except in the
#: user's own config file: a shared or downloaded file cannot make cqlang
#: send an unrelated secret (``GITHUB_TOKEN``) as the API key.
KEY_ENV_PREFIXES = ("CONPEEK_", "CQLANG_")

TOP_KEYS = ("connection", "profiles", "schema", "queries")
CONNECTION_KEYS: dict[str, type] = {
    "base_url": str,
    "api_key_env": str,
    "api_key": str,
    "campaign": str,
    "timezone": str,
    "page_size": int,
    "max_branches": int,
}
SCHEMA_KEYS = ("custom_fields", "strict")
QUERY_KEYS: dict[str, type] = {
    "query": str,
    "description": str,
    "campaign": str,
    "params": dict,
    "exclude": list,
    "timezone": str,
    "limit": int,
    "max_branches": int,
}
_TYPE_WORDS = {
    str: "a string",
    int: "an integer",
    dict: "a table",
    list: "an array",
    bool: "true or false",
}


@dataclass(frozen=True)
class Problem:
    """One mistake: ``where`` is the key path as shown (``connection.page_size``,
    empty for the top level), ``keys`` the raw path below the cqlang table
    that locates it, ``at_value`` whether the value (not the key) is wrong."""

    where: str
    message: str
    keys: tuple[str, ...]
    at_value: bool = False


def kind(value: Any) -> str:
    """A config value's kind in TOML's words (``true or false``, ``a
    table``, ``a date``): :func:`cqlang.kinds.kind` for TOML."""
    return kinds.kind(value, kinds.TOML)


def dotted(*parts: str) -> str:
    return ".".join(p if NAME_RE.match(p) else f'"{p}"' for p in parts if p)


def _under(where: str, *parts: str) -> str:
    """``parts`` (raw keys) below ``where`` (a path already written out)."""
    tail = dotted(*parts)
    return f"{where}.{tail}" if where and tail else where or tail


class _Checker:
    def __init__(self, base: str, own_file: bool) -> None:
        self.base = base
        self.own_file = own_file
        self.problems: list[Problem] = []

    def add(self, keys: tuple[str, ...], message: str, *, value: bool = True) -> None:
        """A mistake at ``keys`` (below the cqlang table): at its value, or
        (``value=False``) at the key itself."""
        self.problems.append(Problem(_under(self.base, *keys), message, keys, value))

    def unknown(self, keys: tuple[str, ...], allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        key = keys[-1]
        close = suggest(key, allowed)
        hint = f"did you mean '{close}'?" if close else "known keys: " + ", ".join(allowed)
        self.problems.append(
            Problem(_under(self.base, *keys[:-1]), f"unknown key {key!r} ({hint})", keys)
        )

    def expect(self, value: Any, typ: type, keys: tuple[str, ...]) -> bool:
        if isinstance(value, typ) and not (typ is int and isinstance(value, bool)):
            return True
        self.add(keys, f"expected {_TYPE_WORDS[typ]}, got {kind(value)}")
        return False

    def zone(self, name: str, keys: tuple[str, ...]) -> None:
        from ..timeexpr import TimeError, zone

        try:
            zone(name)
        except TimeError as exc:
            self.add(keys, f"{exc} (use an IANA name such as Europe/Warsaw)")

    def campaign(self, table: Mapping[str, Any], at: tuple[str, ...]) -> None:
        """A ``campaign`` that cannot be sent as an id (``..``)."""
        from ..encoding import campaign_problem

        if "campaign" in table:
            problem = campaign_problem(table["campaign"])
            if problem is not None:
                self.add((*at, "campaign"), problem)

    def base_url(self, table: Mapping[str, Any], at: tuple[str, ...]) -> None:
        """A ``base_url`` that no command could use (``?query``, a port out
        of range, no ``http(s)://``): the same check as ``--base-url``,
        ``CONPEEK_URL`` and ``Client(base_url=...)``, told when the file is
        read rather than at the first fetch. An empty one is no base URL."""
        from ..encoding import base_url

        text = table.get("base_url")
        if text is not None and text.strip():
            try:
                base_url(text)
            except ValueError as exc:
                self.add((*at, "base_url"), str(exc))

    # ------------------------------------------------------------ tables
    def top(self, raw: Mapping[str, Any]) -> CqlangTable:
        tables: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in TOP_KEYS:
                self.unknown((key,), TOP_KEYS)
                continue
            if not self.expect(value, dict, (key,)):
                continue
            if key == "connection":
                tables[key] = self.connection(value, (key,))
            elif key == "profiles":
                profiles: dict[str, Profile] = {}
                for name, spec in value.items():
                    if self.expect(spec, dict, (key, name)):
                        profiles[name] = Profile(name, self.connection(spec, (key, name)))
                tables[key] = FrozenDict(profiles)
            elif key == "schema":
                tables[key] = self.schema(value, (key,))
            else:
                queries: dict[str, QueryTable] = {}
                for name, spec in value.items():
                    query = self.query(name, spec, (key, name))
                    if query is not None:
                        queries[name] = query
                tables[key] = FrozenDict(queries)
        return CqlangTable(**tables, given=tuple(tables))

    def connection(self, raw: Mapping[str, Any], at: tuple[str, ...]) -> ConnectionTable:
        out: dict[str, Any] = {}
        for key, value in raw.items():
            typ = CONNECTION_KEYS.get(key)
            if typ is None:
                self.unknown((*at, key), CONNECTION_KEYS)
            elif self.expect(value, typ, (*at, key)):
                out[key] = value
        if "timezone" in out:
            self.zone(out["timezone"], (*at, "timezone"))
        self.campaign(out, at)
        self.base_url(out, at)
        for key in ("page_size", "max_branches"):
            if key in out and out[key] < 1:
                self.add((*at, key), "must be at least 1")
        var = out.get("api_key_env")
        if var is not None:
            if not var:
                self.add((*at, "api_key_env"), "names no variable")
            elif not variable_name(var):
                # The name is written into a shell command (fetch --dry-run):
                # `CONPEEK_$(cmd)` would run cmd when the command is pasted.
                self.add(
                    (*at, "api_key_env"),
                    f"{var!r} is not the name of an environment variable (letters, digits "
                    "and _, not starting with a digit)",
                )
            elif not self.own_file and not var.startswith(KEY_ENV_PREFIXES):
                self.add(
                    (*at, "api_key_env"),
                    f"may name only a variable that starts with {' or '.join(KEY_ENV_PREFIXES)}"
                    f" (not {var!r}), so that a shared file cannot send another secret as "
                    "the key; rename the variable, or set api_key_env in your own config file",
                )
        secret = out.get("api_key")
        # The client's check (check_key): a key it would refuse to send is
        # a mistake in the file, whatever character makes it so.
        problem = key_problem(secret.strip()) if secret is not None else None
        if problem is not None:
            what, hint = problem
            self.add(
                (*at, "api_key"),
                f"the key holds {what}, which cannot be sent in a header; it is not shown{hint}",
            )
        table: ConnectionTable = ConnectionTable.of(out)
        return table

    def schema(self, raw: Mapping[str, Any], at: tuple[str, ...]) -> SchemaTable:
        out: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in SCHEMA_KEYS:
                self.unknown((*at, key), SCHEMA_KEYS)
            elif key == "strict":
                if self.expect(value, bool, (*at, key)):
                    out[key] = value
            elif self.expect(value, dict, (*at, key)):
                out[key] = self.custom_fields(value, (*at, key))
        table: SchemaTable = SchemaTable.of(out)
        return table

    def custom_fields(self, raw: Mapping[str, Any], at: tuple[str, ...]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for name, spec in raw.items():
            here = (*at, name)
            if not name.strip():
                what = "empty" if not name else "only blanks"
                self.add(
                    here,
                    f"a custom field's key cannot be {what}: no query could name it "
                    '(custom[""] is error CQL119)',
                    value=False,
                )
                continue
            if isinstance(spec, dict):
                extra = [k for k in spec if k not in ("type", "values")]
                for k in extra:
                    self.unknown((*here, k), ("type", "values"))
                if extra:
                    continue
            try:
                DEFAULT_SCHEMA.with_custom_fields({name: spec})
            except SchemaError as exc:
                msg = str(exc).split(": ", 1)[-1]
                if exc.shape:  # how to write a declaration, not which values
                    msg += (
                        ' (write "string", "integer", "datetime", or '
                        '{ type = "enum", values = [...] })'
                    )
                self.add(here, msg)
                continue
            fields[name] = spec
        return fields

    def query(self, name: str, spec: Any, at: tuple[str, ...]) -> QueryTable | None:
        if not NAME_RE.match(name):
            self.add(
                at,
                f"a query's name is {NAME_CHARS}, so that @NAME can refer to it",
                value=False,
            )
            return None
        if isinstance(spec, str):
            return QueryTable(spec)
        if not isinstance(spec, dict):
            self.add(at, f"expected a table or a string, got {kind(spec)}")
            return None
        out: dict[str, Any] = {}
        before = len(self.problems)
        for key, value in spec.items():
            typ = QUERY_KEYS.get(key)
            if typ is None:
                self.unknown((*at, key), QUERY_KEYS)
            elif self.expect(value, typ, (*at, key)):
                out[key] = value
        if "query" not in out and "query" not in spec:
            self.add(at, 'a named query needs query = "..."', value=False)
        if "timezone" in out:
            self.zone(out["timezone"], (*at, "timezone"))
        self.campaign(out, at)
        for key in ("limit", "max_branches"):
            if key in out and out[key] < 1:
                self.add((*at, key), "must be at least 1")
        for i, item in enumerate(out.get("exclude", ())):
            here = (*at, "exclude", str(i))
            if not isinstance(item, str):
                self.problems.append(
                    Problem(
                        f"{_under(self.base, *at, 'exclude')}[{i}]",
                        f"expected strings, got {kind(item)}",
                        here,
                        True,
                    )
                )
            elif (problem := exclude_problem(item)) is not None:
                self.problems.append(
                    Problem(f"{_under(self.base, *at, 'exclude')}[{i}]", problem, here, True)
                )
        for pname, pvalue in out.get("params", {}).items():
            here = (*at, "params", pname)
            if not NAME_RE.match(pname):
                self.add(
                    here,
                    "a parameter's name is ASCII letters, digits and _ (write it without the $)",
                    value=False,
                )
            elif isinstance(pvalue, dict):
                self.add(
                    here,
                    "a parameter's value is a string, an integer, a datetime or an array, "
                    "not a table",
                )
        return QueryTable.of(out) if len(self.problems) == before else None


def validate(
    raw: Mapping[str, Any], base: str = "", *, own_file: bool = False
) -> tuple[CqlangTable, list[Problem]]:
    """The cqlang table ``raw`` checked: the settings (each table without a
    mistake; a named query with one is left out) and every mistake.
    ``base`` is the table's own path as shown (``tool.cqlang``); ``own_file``
    says the file is the user's own config (any ``api_key_env`` is allowed)."""
    checker = _Checker(base, own_file)
    data = checker.top(raw)
    return data, checker.problems
