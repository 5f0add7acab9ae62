"""Where the client sends its requests, and with which key: :class:`Connection`.

A :class:`Connection` is a frozen value: the API's base URL and key, and
where each came from (``$CONPEEK_KEY``, a config file's line, an argument).
It is valid once made: the base URL is an ``http(s)`` URL (a
``user:password@`` in it is dropped, and the password kept only to be
hidden), the key is stripped of the blanks around it and holds nothing that
cannot be sent in a header. The key is never in its ``repr``.

The environment variables ``CONPEEK_URL`` and ``CONPEEK_KEY`` are read here
and nowhere else in cqlang: :func:`read_environment` (the config builds its
default connection from it; ``Client()`` without a connection uses
:meth:`Connection.from_environment`).

Importing this module is light (no ``requests``): the config imports it to
build the connections it resolves.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .. import argcheck
from ..encoding import base_url as checked_base_url
from ..encoding import key_problem, masked_repr
from .errors import ConfigurationError

#: The environment variables of the API's base URL and key.
URL_ENV = "CONPEEK_URL"
KEY_ENV = "CONPEEK_KEY"

__all__ = [
    "KEY_ENV",
    "URL_ENV",
    "Connection",
    "EnvironmentSettings",
    "check_key",
    "key_problem",
    "read_environment",
    "variable_name",
]


def variable_name(name: str) -> bool:
    """Whether ``name`` is an environment variable's name as a shell writes
    one (``[A-Za-z_][A-Za-z0-9_]*``): what a config's ``api_key_env`` must
    be, since ``fetch --dry-run`` writes it into a shell command."""
    word = name.replace("_", "a")  # ASCII letters, digits and _, not a digit first
    return word.isascii() and word.isalnum() and not word[0].isdigit()


def check_key(raw: str, origin: str) -> str:
    """An API key as read from ``origin`` (``$CONPEEK_KEY``, a config file's
    line, an argument): without the blanks and line breaks around it (the
    empty string when nothing is left). One still holding a character that
    cannot be sent in a header (a control character, one outside ASCII, a
    byte that is not UTF-8; :func:`key_problem`) is a
    :class:`ConfigurationError` that says where the key came from and which
    character is wrong, never the key."""
    key = raw.strip()
    problem = key_problem(key)
    if problem is None:
        return key
    what, hint = problem
    raise ConfigurationError(
        f"the API key from {origin} holds {what}, which cannot be sent in a "
        f"header; the key is not shown: set it again{hint}"
    )


class EnvironmentSettings:
    """What ``CONPEEK_URL`` and ``CONPEEK_KEY`` hold: ``base_url`` (``None``
    when unset or empty); ``api_key``, checked (``None`` when unset, blank
    or unusable); ``key_given``, whether ``CONPEEK_KEY`` holds more than
    blanks; and ``problem``, why a key that is given cannot be used (never
    the key)."""

    __slots__ = ("api_key", "base_url", "key_given", "problem")

    def __init__(
        self,
        base_url: str | None,
        api_key: str | None,
        key_given: bool,
        problem: str | None,
    ) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self.key_given = key_given
        self.problem = problem

    def __repr__(self) -> str:  # the key hidden, a password in the URL masked
        return masked_repr(self, ("base_url", "api_key", "key_given", "problem"))


def read_environment(env: Mapping[str, str] | None = None) -> EnvironmentSettings:
    """The base URL and the key that ``CONPEEK_URL`` and ``CONPEEK_KEY`` give
    in ``env`` (default: ``os.environ``): the one place cqlang reads them."""
    if env is None:
        env = os.environ
    raw = env.get(KEY_ENV) or ""
    key: str | None = None
    problem = None
    try:
        key = check_key(raw, f"${KEY_ENV}") or None
    except ConfigurationError as exc:
        problem = exc.message
    return EnvironmentSettings(env.get(URL_ENV) or None, key, bool(raw.strip()), problem)


class Connection:
    """The API's base URL and key, and where each came from.

    ``Connection(base_url, api_key)`` checks both: a base URL that is not
    ``http(s)://HOST[:PORT][/PATH]``, a missing key, or a key holding a
    character that cannot be sent is a :class:`ConfigurationError` (which
    names ``api_key_source``, never the key). ``base_url`` is kept without a
    trailing slash or a ``user:password@``; ``api_key`` stripped. Frozen,
    compared and hashed by value; ``repr`` shows ``api_key=<hidden>``.
    """

    __slots__ = ("_password", "api_key", "api_key_source", "base_url", "base_url_source")

    base_url: str
    api_key: str
    base_url_source: str
    api_key_source: str
    _password: str

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        base_url_source: str = "the base_url argument",
        api_key_source: str = "the api_key argument",
    ) -> None:
        argcheck.text("base_url", base_url)
        argcheck.text("api_key", api_key)  # its type named, never its value
        argcheck.text("base_url_source", base_url_source)
        argcheck.text("api_key_source", api_key_source)
        if not base_url.strip():
            raise ConfigurationError(f"no API base URL: pass base_url= or set {URL_ENV}")
        key = check_key(api_key, api_key_source)
        if not key:
            raise ConfigurationError(f"no API key: pass api_key= or set {KEY_ENV}")
        # A user:password@ in the URL is not used (the key is the auth) and
        # must not show anywhere: checked_base_url() drops it.
        try:
            url = checked_base_url(base_url)
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
        set_ = object.__setattr__
        set_(self, "base_url", url)
        set_(self, "api_key", key)
        set_(self, "base_url_source", base_url_source)
        set_(self, "api_key_source", api_key_source)
        set_(self, "_password", _password_of(base_url))

    @classmethod
    def from_environment(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
    ) -> Connection:
        """The connection of ``CONPEEK_URL`` and ``CONPEEK_KEY`` in ``env``
        (default: ``os.environ``); ``base_url`` or ``api_key``, when given,
        wins over its variable. What is missing or unusable is a
        :class:`ConfigurationError`."""
        argcheck.text("base_url", base_url, optional=True)
        argcheck.text("api_key", api_key, optional=True)
        argcheck.mapping("env", env, takes="a mapping of str to str", optional=True)
        url_source, key_source = "the base_url argument", "the api_key argument"
        if base_url is None or api_key is None:
            found = read_environment(env)
            if base_url is None:
                base_url, url_source = found.base_url, f"${URL_ENV}"
                if base_url is None:
                    raise ConfigurationError(f"no API base URL: pass base_url= or set {URL_ENV}")
            if api_key is None:
                if found.problem is not None:
                    raise ConfigurationError(found.problem)
                api_key, key_source = found.api_key, f"${KEY_ENV}"
                if api_key is None:
                    raise ConfigurationError(f"no API key: pass api_key= or set {KEY_ENV}")
        return cls(base_url, api_key, base_url_source=url_source, api_key_source=key_source)

    def secrets(self) -> tuple[str, ...]:
        """What the client hides from everything it shows: the key, and a
        password the base URL was given with."""
        return (self.api_key, self._password) if self._password else (self.api_key,)

    def _fields(self) -> tuple[str, str, str, str, str]:
        return (
            self.base_url,
            self.api_key,
            self.base_url_source,
            self.api_key_source,
            self._password,
        )

    def __repr__(self) -> str:
        return (
            f"Connection(base_url={self.base_url!r}, api_key=<hidden>, "
            f"base_url_source={self.base_url_source!r}, "
            f"api_key_source={self.api_key_source!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Connection):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a Connection is frozen: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Connection is frozen: cannot delete {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, self._fields())


def _restore(
    base_url: str, api_key: str, base_url_source: str, api_key_source: str, password: str
) -> Connection:
    """A :class:`Connection` from its fields, already checked (unpickling)."""
    conn = object.__new__(Connection)
    set_ = object.__setattr__
    set_(conn, "base_url", base_url)
    set_(conn, "api_key", api_key)
    set_(conn, "base_url_source", base_url_source)
    set_(conn, "api_key_source", api_key_source)
    set_(conn, "_password", password)
    return conn


def _password_of(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url.strip()).password or ""
    except ValueError:
        return ""
