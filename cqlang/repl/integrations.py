"""What the REPL borrows from modules that may not be there: the config
files (:mod:`cqlang.config`: profiles, named queries, custom fields) and the
HTTP client (:class:`cqlang.Client`).

Each function turns "not available" into :class:`Unavailable` with a message
a user can act on, so the REPL works (without those features) on its own.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from types import ModuleType
from typing import Any, Protocol

from ..encoding import masked_repr
from ..schema import DEFAULT_SCHEMA, Schema

__all__ = ["ClientLike", "Environment", "Unavailable", "load_environment", "make_client"]


class Unavailable(Exception):
    """A feature the REPL cannot offer here; the message says why."""


class ClientLike(Protocol):
    """The part of :class:`cqlang.Client` the REPL uses."""

    def voice_campaign_requests(
        self,
        campaign_id: str,
        query: str = "",
        *,
        params: Mapping[str, Any] | None = None,
        tz: str | None = None,
        exclude: Sequence[str] | None = None,
        page_size: int = 1000,
        limit: int | None = None,
        plan: Any = None,
    ) -> Iterator[dict[str, Any]]: ...


@dataclass
class Environment:
    """What a profile brings: connection, defaults, named queries, schema."""

    base_url: str | None = None
    api_key: str | None = None
    campaign: str | None = None
    tz: str | None = None
    page_size: int | None = None
    max_branches: int | None = None
    queries: dict[str, Any] = field(default_factory=dict)
    schema: Schema = DEFAULT_SCHEMA
    notes: list[str] = field(default_factory=list)
    config: Any = None
    #: Why the base URL or the key has no value, when the resolver can say
    #: (a key holding a line break, a profile without a key of its own).
    missing: dict[str, str] = field(default_factory=dict)
    #: Where the base URL and the key came from, in the resolver's words
    #: (``$CONPEEK_KEY``): the client names it when the key is refused.
    sources: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # the key hidden, a password in the base URL masked
        return masked_repr(self, [f.name for f in fields(self) if f.repr])


def _config_module() -> ModuleType | None:
    try:
        return importlib.import_module("cqlang.config")
    except ImportError:
        return None


def load_environment(profile: str | None = None, path: str | None = None) -> Environment:
    """The connection, time zone, named queries and custom fields of
    ``profile`` (or of ``[connection]``) from the config files (``path``
    alone when given, as ``--config FILE``), resolved as
    :meth:`cqlang.config.Config.connection` does (``CONPEEK_URL``/
    ``CONPEEK_KEY`` first for the default connection; a profile with a
    connection of its own does not read them). Without :mod:`cqlang.config`, only the
    environment variables, and a note; a config file that cannot be read is
    a note too, unless ``profile`` or ``path`` was asked for: then, as for an
    unknown profile, :class:`Unavailable` is raised."""
    from ..client.connection import read_environment

    found = read_environment()
    env = Environment(base_url=found.base_url, api_key=found.api_key)
    from ..client.connection import KEY_ENV, URL_ENV

    env.sources = {"base_url": f"${URL_ENV}", "api_key": f"${KEY_ENV}"}
    mod = _config_module()
    if mod is None:
        if found.problem is not None:
            env.notes.append(found.problem)
        for option, value in (("--profile", profile), ("--config", path)):
            if value:
                env.notes.append(
                    f"{option} {value} ignored: this cqlang has no config support (cqlang.config)"
                )
        return env
    try:
        config = mod.Config.load(path, profile=profile)
        conn = config.connection(profile)
    except mod.ConfigError as exc:
        if profile or path:
            raise Unavailable(f"config: {exc}") from exc
        env.notes.append(f"config not loaded: {exc}")
        conn = mod.Config().connection()  # the environment's alone, its key checked
        env.base_url, env.api_key = conn.base_url, conn.api_key
        env.notes.extend(conn.notes)
        env.missing = dict(conn.missing)
        env.sources = dict(conn.sources)
        return env
    env.config = config
    env.notes.extend(str(skipped) for skipped in config.skipped)
    env.base_url = conn.base_url
    env.api_key = conn.api_key
    env.campaign = conn.campaign
    env.tz = conn.timezone
    env.page_size = conn.page_size
    env.max_branches = conn.max_branches
    env.notes.extend(conn.notes)
    env.missing = dict(conn.missing)
    env.sources = dict(conn.sources)
    env.queries = dict(config.queries)
    env.schema = config.schema
    return env


def save_query(
    name: str,
    text: str,
    *,
    params: Mapping[str, Any] | None = None,
    timezone: str | None = None,
    force: bool = False,
    path: str | None = None,
    max_branches: int | None = None,
) -> str:
    """Write the named query, with its parameter defaults, time zone and
    bound on requests, into the config file that ``cqlang queries save`` writes (``path`` as
    ``--config FILE``, else ``$CQLANG_CONFIG``, else the nearest
    cqlang.toml); returns that file. Raises :class:`Unavailable` without
    config support, and the config's own error when the file cannot take
    it."""
    mod = _config_module()
    if mod is None:
        raise Unavailable("this cqlang has no config support (cqlang.config) to save queries in")
    path = mod.target_file(path)
    mod.save_query(
        path,
        name,
        text,
        params=params,
        timezone=timezone,
        force=force,
        max_branches=max_branches,
    )
    return str(mod.display_path(path))


def make_client(
    base_url: str | None, api_key: str | None, sources: Mapping[str, str] | None = None
) -> ClientLike:
    """A :class:`cqlang.Client` for ``base_url`` with ``api_key``, made as
    the command line makes its own: from a ``Connection`` that says where
    each came from (``sources``, the resolver's: ``$CONPEEK_KEY``), which
    the client's errors name (a key refused: "the API key from
    $CONPEEK_KEY was refused")."""
    if not base_url or not api_key:
        from ..config.connection import why_not

        missing = "base_url" if not base_url else "api_key"
        raise Unavailable(f"cannot fetch: {why_not({}, missing, front_end='repl')}")
    try:
        from ..client import Client, ConfigurationError, Connection
    except ImportError as exc:
        raise Unavailable(f"the HTTP client is not available: {exc}") from exc
    where = sources or {}
    try:
        connection = Connection(
            base_url,
            api_key,
            base_url_source=where.get("base_url", "the config"),
            api_key_source=where.get("api_key", "the config"),
        )
        client: ClientLike = Client(connection)
    except ConfigurationError as exc:  # a base URL that is no URL, a bad key
        raise Unavailable(f"cannot fetch: {exc}") from None
    return client
