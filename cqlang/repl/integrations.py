"""What the REPL borrows from the services: the config files
(:mod:`cqlang.config`: profiles, named queries, custom fields) and the HTTP
client (:class:`cqlang.Client`).

Each function turns what stops a feature (a config that cannot be read, a
profile that is not there, a connection without a base URL or a key) into
:class:`Unavailable` or a note, with a message a user can act on, so the
REPL still starts. The config is imported when it is first needed, not
when this module is (the REPL reads it once, at its start).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Protocol

from ..encoding import masked_repr
from ..schema import DEFAULT_SCHEMA, Schema

if TYPE_CHECKING:
    from ..config import Config, NamedQuery

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
    queries: dict[str, NamedQuery] = field(default_factory=dict)
    schema: Schema = DEFAULT_SCHEMA
    notes: list[str] = field(default_factory=list)
    #: The config read (``None`` when none could be).
    config: Config | None = None
    #: Why the base URL or the key has no value, when the resolver can say
    #: (a key holding a line break, a profile without a key of its own).
    missing: dict[str, str] = field(default_factory=dict)
    #: Where the base URL and the key came from, in the resolver's words
    #: (``$CONPEEK_KEY``): the client names it when the key is refused.
    sources: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # the key hidden, a password in the base URL masked
        return masked_repr(self, [f.name for f in fields(self) if f.repr])


def load_environment(profile: str | None = None, path: str | None = None) -> Environment:
    """The connection, time zone, named queries and custom fields of
    ``profile`` (or of ``[connection]``) from the config files (``path``
    alone when given, as ``--config FILE``), resolved as
    :meth:`cqlang.config.Config.connection` does (``CONPEEK_URL``/
    ``CONPEEK_KEY`` first for the default connection; a profile with a
    connection of its own does not read them). A config file that cannot
    be read is a note, unless ``profile`` or ``path`` was asked for: then,
    as for an unknown profile, :class:`Unavailable` is raised."""
    from ..client.connection import read_environment
    from ..config import Config, ConfigError

    found = read_environment()
    env = Environment(base_url=found.base_url, api_key=found.api_key)
    try:
        config = Config.load(path, profile=profile)
        conn = config.connection(profile)
    except ConfigError as exc:
        if profile or path:
            raise Unavailable(f"config: {exc}") from exc
        env.notes.append(f"config not loaded: {exc}")
        conn = Config().connection()  # the environment's alone, its key checked
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
    cqlang.toml); returns that file. Raises the config's own error when
    the file cannot take it."""
    from ..config import display_path, target_file
    from ..config import save_query as save_to

    target = target_file(path)
    save_to(
        target,
        name,
        text,
        params=params,
        timezone=timezone,
        force=force,
        max_branches=max_branches,
    )
    return str(display_path(target))


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
    from ..client import Client, ConfigurationError, Connection

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
