"""Which base URL and which key a command uses, and where each comes from.

The base URL and the key are a pair: a key only ever goes to the host its
source names (docs/config.md, "Settings: who wins"):

- the **default connection** (no profile, or a profile that sets neither a
  ``base_url`` nor a key of its own): the arguments (command-line options),
  then ``CONPEEK_URL``/``CONPEEK_KEY``, then ``[connection]``;
- a **profile with a connection of its own** (it sets ``base_url``,
  ``api_key_env`` or ``api_key``): the environment is not read for it; the
  host is its ``base_url`` (else ``[connection]``'s), and the key comes from
  the table that names that host, so a profile's own ``base_url`` never gets
  ``CONPEEK_KEY`` or ``[connection]``'s key.

Keys are read through :func:`checked_key` (the client's check): stripped;
one with a control character inside is no key, and
``ConnectionSettings.missing`` says why without showing it (so only a
command that sends the key fails). ``CONPEEK_URL`` and ``CONPEEK_KEY`` are
read by the client's :func:`~cqlang.client.connection.read_environment`,
and what the settings give the client is its
:class:`~cqlang.client.connection.Connection` value
(:meth:`ConnectionSettings.for_client`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from ..client.connection import KEY_ENV, URL_ENV, Connection, check_key, read_environment
from ..errors import ConfigError, ConfigurationError

if TYPE_CHECKING:
    from .model import ConnectionTable, CqlangTable

__all__ = [
    "ConnectionSettings",
    "ConnectionSource",
    "checked_key",
    "mask",
    "resolve",
    "why_not",
]


class ConnectionSource(Protocol):
    """What the resolver reads of a :class:`~.core.Config`: the environment
    it was loaded with, its merged tables, and where each key is written."""

    @property
    def env(self) -> Mapping[str, str]: ...
    @property
    def merged(self) -> CqlangTable: ...
    def section(self, profile: str | None = None) -> tuple[ConnectionTable, dict[str, str]]: ...
    def where(self, table: tuple[str, ...], key: str) -> str: ...


def checked_key(raw: str, origin: str) -> str | None:
    """An API key as read from ``origin`` (an environment variable, a file),
    through the client's :func:`~cqlang.client.connection.check_key`:
    without its surrounding blanks and newlines, None when nothing is left.
    A character left inside it that cannot be sent (a line break, an
    escape, one outside ASCII) is a ``ConfigurationError`` (a
    ``ConfigError``) that says where the key came from, never the key."""
    return check_key(raw, origin) or None


def mask(secret: str) -> str:
    """A secret as shown: ``****`` and its last four characters, only when
    it is 12 characters or more and those four are printable ASCII (a key
    that can be sent); a control character (an escape sequence that would
    act on the terminal), a blank or any other character is never shown."""
    tail = secret[-4:]
    if len(secret) >= 12 and tail.isascii() and tail.isprintable() and " " not in tail:
        return "****" + tail
    return "****"


@dataclass(frozen=True)
class ConnectionSettings:
    """The resolved connection settings; ``sources`` says where each came
    from, ``missing`` why the base URL or the key has no value when the
    config can say (a key variable that is not set, a profile without a
    key, a key that cannot be sent), each a whole sentence, and ``notes``
    all that may be wrong, the key's reason first.
    :meth:`for_client` is the client's :class:`Connection`."""

    base_url: str | None = None
    api_key: str | None = None
    campaign: str | None = None
    timezone: str | None = None
    page_size: int | None = None
    max_branches: int | None = None
    profile: str | None = None
    sources: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    missing: Mapping[str, str] = field(default_factory=dict)
    #: The environment variable the key is read from (or would be, when it
    #: is not set): ``CONPEEK_KEY``, or the one ``api_key_env`` names; None
    #: when the key is written in a config file or given as an argument, or
    #: there is no source of a key at all (``sources["api_key"]`` says which).
    api_key_env: str | None = None

    def __repr__(self) -> str:  # the key hidden, a password in the base URL masked
        from dataclasses import fields

        from ..encoding import masked_repr

        return masked_repr(self, [f.name for f in fields(self) if f.repr])

    def shown(self) -> dict[str, Any]:
        """The settings with the key masked (and a base URL's password and
        ?query values)."""
        from ..encoding import masked_url

        out: dict[str, Any] = {
            "base_url": masked_url(self.base_url) if self.base_url else None,
            "api_key": mask(self.api_key) if self.api_key else None,
            "campaign": self.campaign,
            "timezone": self.timezone,
            "page_size": self.page_size,
            "max_branches": self.max_branches,
        }
        return {k: v for k, v in out.items() if v is not None}

    def why_not(self, name: str) -> str:
        """Why ``name`` (``"base_url"`` or ``"api_key"``) cannot be used: see
        :func:`why_not`."""
        return why_not(self.missing, name)

    def for_client(self) -> Connection:
        """The base URL and the key as the client's :class:`Connection`, with
        where each came from. A missing one is a ``ConfigurationError`` (a
        ``ConfigError``) that says why (``missing``), or where it could come
        from: the client never falls back to the environment's, which belong
        to another connection; so is a base URL that is not
        ``http(s)://HOST``."""
        if not self.base_url:
            raise ConfigurationError(self.why_not("base_url"))
        if not self.api_key:
            raise ConfigurationError(self.why_not("api_key"))
        return Connection(
            self.base_url,
            self.api_key,
            base_url_source=self.sources.get("base_url", "the config"),
            api_key_source=self.sources.get("api_key", "the config"),
        )


#: What to do about a base URL or a key that no source gives.
_WHERE = {
    "base_url": f"no API base URL: set ${URL_ENV}, give --base-url, or set base_url in the config",
    "api_key": f"no API key: set ${KEY_ENV}, or api_key_env in the config",
}


#: The same for the REPL, which takes no --base-url (only --profile and --config).
_WHERE_REPL = {
    **_WHERE,
    "base_url": f"no API base URL: set ${URL_ENV}, or set base_url in the config "
    "([connection], or the table of the --profile given)",
}


def why_not(missing: Mapping[str, str], name: str, *, front_end: str = "cli") -> str:
    """The sentence that says why the connection's ``name`` (``"base_url"``
    or ``"api_key"``) cannot be used: the resolver's (``missing``; a key
    that is not set says "no API key: ...", one that is set but cannot be
    sent says what is wrong with it), else where one could come from (the
    options named as ``front_end``, ``"cli"`` or ``"repl"``, has them). The
    one wording for the CLI, the REPL and :meth:`ConnectionSettings.for_client`."""
    return missing.get(name) or (_WHERE_REPL if front_end == "repl" else _WHERE)[name]


class _Resolver:
    def __init__(self, config: ConnectionSource) -> None:
        self.config = config
        self.env = config.env
        #: What CONPEEK_URL and CONPEEK_KEY hold (read by the client's module).
        self.environment = read_environment(config.env)
        self.sources: dict[str, str] = {}
        self.missing: dict[str, str] = {}
        #: What may be wrong with a value that is still used (a bad $CONPEEK_URL).
        self.notes: list[str] = []
        #: The variable the key comes from (ConnectionSettings.api_key_env).
        self.key_env: str | None = None

    def checked(self, raw: str, origin: str) -> str | None:
        """``raw`` through :func:`checked_key`; a bad key is no key, and
        ``missing`` says why (only a command that sends it fails)."""
        try:
            return checked_key(raw, origin)
        except ConfigError as exc:
            self.missing["api_key"] = exc.message
            return None

    def env_key(self, var: str, origin: str) -> tuple[str | None, bool]:
        """The key in the environment variable ``var``, checked, and whether
        the variable holds anything but blanks."""
        raw = self.env.get(var) or ""
        return self.checked(raw, origin), bool(raw.strip())

    def file_key(self, table: tuple[str, ...]) -> tuple[str | None, bool]:
        """The key that ``table`` gives (``api_key_env``'s variable before its
        ``api_key``), and whether the table names a key source at all (a
        named variable that is not set is noted in ``missing``)."""
        own = self.config.merged.connection_table(table[1] if len(table) > 1 else None)
        var = own.api_key_env
        if var:
            self.key_env = var
            origin = f"${var} (named by api_key_env, {self.config.where(table, 'api_key_env')})"
            key, given = self.env_key(var, origin)
            if key is not None:
                self.sources["api_key"] = origin
            if given:
                return key, True
        if own.api_key is not None:
            self.key_env = None
            where = self.config.where(table, "api_key")
            key = self.checked(own.api_key, where)
            if key is not None:
                self.sources["api_key"] = where
            return key, True
        if var:
            self.missing["api_key"] = (
                f"no API key: it should be in ${var} (named by api_key_env in "
                f"[{'.'.join(table)}]), which is not set"
            )
            return None, True
        return None, False

    def url_problem(self, url: str) -> None:
        """Note why ``$CONPEEK_URL``'s ``url`` cannot be used, in the words of
        :func:`cqlang.encoding.base_url` (the URL masked), as a bad key is
        noted: a config file's ``base_url`` is checked when the file is
        read, and only the commands that send a request fail on it."""
        from ..encoding import base_url

        try:
            base_url(url)
        except ValueError as exc:
            self.notes.append(f"${URL_ENV}: {exc}")

    def profile_pair(
        self,
        name: str,
        values: ConnectionTable,
        where: Mapping[str, str],
        url: str | None,
        want_key: bool,
    ) -> tuple[str | None, str | None]:
        """The host and key of a profile with a connection of its own (the
        key only when ``want_key``: none was given)."""
        own = self.config.merged.connection_table(name)
        if url is None:
            if values.base_url is not None:
                url, self.sources["base_url"] = values.base_url, where["base_url"]
            else:
                self.missing["base_url"] = (
                    f"no API base URL: --profile {name} has none; set base_url in "
                    f"[profiles.{name}] (${URL_ENV} is not used with a profile's own key)"
                )
        if not want_key:
            return url, None
        tables: list[tuple[str, ...]] = [("profiles", name)]
        if own.base_url is None and self.config.merged.connection.base_url is not None:
            tables.append(("connection",))  # the host is [connection]'s: so may the key be
        for table in tables:
            key, named = self.file_key(table)
            if named:
                return url, key
        self.missing["api_key"] = (
            f"no API key: [profiles.{name}] sets base_url but no key; set api_key_env (or api_key) "
            f"in it (${KEY_ENV} and [connection]'s key are not sent to a profile's own host)"
        )
        return url, None

    def default_pair(
        self,
        values: ConnectionTable,
        where: Mapping[str, str],
        url: str | None,
        want_key: bool,
    ) -> tuple[str | None, str | None]:
        """The host and key of the default connection: the environment
        overrides ``[connection]``."""
        found = self.environment
        if url is None:
            if found.base_url is not None:
                url, self.sources["base_url"] = found.base_url, f"${URL_ENV}"
                self.url_problem(url)
            elif values.base_url is not None:
                url, self.sources["base_url"] = values.base_url, where["base_url"]
        if not want_key:
            return url, None
        self.key_env = KEY_ENV
        if found.key_given:  # a bad CONPEEK_KEY is not replaced by the config's key
            if found.api_key is not None:
                self.sources["api_key"] = f"${KEY_ENV}"
            elif found.problem is not None:
                self.missing["api_key"] = found.problem
            return url, found.api_key
        key, named = self.file_key(("connection",))
        if not named:
            self.key_env = KEY_ENV  # where a key would be looked for
        return url, key


def resolve(
    config: ConnectionSource,
    profile: str | None,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    campaign: str | None = None,
    timezone: str | None = None,
    page_size: int | None = None,
    max_branches: int | None = None,
) -> ConnectionSettings:
    """The connection of ``config`` for ``profile`` (None: the default
    connection), the arguments (command-line options) winning; see the
    module docstring for the base URL and the key."""
    values, where = config.section(profile)
    r = _Resolver(config)
    notes: list[str] = []

    def pick(name: str, given: Any) -> Any:
        if given is not None:
            r.sources[name] = "command line"
            return given
        if name in values:
            r.sources[name] = where[name]
            return values.get(name)
        return None

    url: str | None = None
    if base_url is not None:
        url, r.sources["base_url"] = base_url, "command line"
    want_key = api_key is None
    if profile is not None and config.merged.connection_table(profile).own_connection:
        url, key = r.profile_pair(profile, values, where, url, want_key)
        found = r.environment
        given = ((URL_ENV, found.base_url is not None), (KEY_ENV, found.key_given))
        ignored = [f"${v}" for v, set_ in given if set_]
        if ignored:
            notes.append(
                f"{' and '.join(ignored)} set but not used: --profile {profile} has "
                "its own connection"
            )
    else:
        url, key = r.default_pair(values, where, url, want_key)
    if api_key is not None:
        key, r.sources["api_key"] = checked_key(api_key, "the api_key given"), "command line"
        r.key_env = None
    missing = r.missing
    return ConnectionSettings(
        base_url=url,
        api_key=key,
        campaign=pick("campaign", campaign),
        timezone=pick("timezone", timezone),
        page_size=pick("page_size", page_size),
        max_branches=pick("max_branches", max_branches),
        profile=profile,
        sources=MappingProxyType(r.sources),
        notes=(
            *(missing[k] for k in ("api_key", "base_url") if k in missing),
            *r.notes,
            *notes,
        ),
        missing=MappingProxyType(missing),
        api_key_env=r.key_env,
    )
