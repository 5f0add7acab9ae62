"""What the environment changes about a request, named in its errors.

``requests`` reads a proxy for each request from ``http_proxy``,
``https_proxy`` and ``all_proxy`` (upper case too; ``no_proxy`` leaves
hosts out) and a CA bundle from ``REQUESTS_CA_BUNDLE`` or
``CURL_CA_BUNDLE``. When one of them is why a request failed (a proxy
that refuses connections, a proxy URL that cannot be read, a bundle that
is not there), the error names the variable, as curl names the proxy,
rather than blame the API or quote a class name (docs/client.md,
"Errors"). A proxy URL is only shown masked
(:func:`cqlang.encoding.masked_url`): it may hold a password.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from urllib3.exceptions import LocationValueError, NewConnectionError, ProxyError
from urllib3.util import parse_url

__all__ = [
    "CA_VARIABLES",
    "ca_bundle_problem",
    "proxy_note",
    "proxy_problem",
    "proxy_variable",
]

#: Where requests reads a CA bundle from, in its order.
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def proxy_variable(url: str) -> tuple[str, str] | None:
    """The variable whose proxy a request for ``url`` goes through, and
    its value, as requests chooses (the scheme's, else ``all_proxy``; the
    lower-case name first, as urllib reads them); ``None`` when there is
    none or ``no_proxy`` leaves the host out."""
    from requests.utils import should_bypass_proxies

    try:
        if should_bypass_proxies(url, no_proxy=None):
            return None
    except (ValueError, OSError):
        pass
    scheme = urlsplit(url).scheme.lower()
    for key in (scheme, "all"):
        for name in (f"{key}_proxy", f"{key.upper()}_PROXY"):
            value = os.environ.get(name)
            if value:
                return name, value
    return None


def proxy_problem(
    chain: list[BaseException], url: str, cause: str, connect: str | None
) -> str | None:
    """What a proxy did wrong, in words, when it is why a request for
    ``url`` failed (``chain``: the error and what it wraps; ``cause``:
    the innermost reason in words; ``connect``: why the connection could
    not be made, if that is it); ``None`` when no proxy is to blame."""
    from ..encoding import masked_url

    found = proxy_variable(url)
    if (
        found is not None
        and _unreadable(found[1])
        and any(isinstance(e, ValueError) for e in chain)  # urllib3's LocationParseError
    ):
        name, value = found
        return f"${name} is not a proxy URL that can be read: {masked_url(value)!r}"
    if not any(isinstance(e, ProxyError) for e in chain):
        return None
    where = _proxy_address(chain, found)
    source = ""
    if found is not None and (where is None or where == _address(found[1])):
        source = f" (from ${found[0]})"
    proxy = f"the proxy {where[0]} port {where[1]}" if where is not None else "the proxy"
    if connect is not None:
        return f"cannot connect to {proxy}{source}: {connect}"
    return f"{proxy}{source} failed: {cause}"


def proxy_note(url: str) -> str:
    """`` (through the proxy HOST port PORT from $VAR)`` when the
    environment sends a request for ``url`` through a proxy (a failure
    may be the proxy's: a connection it closed, an answer it cut);
    nothing otherwise."""
    found = proxy_variable(url)
    where = _address(found[1]) if found is not None else None
    if found is None or where is None:
        return ""
    return f" (through the proxy {where[0]} port {where[1]} from ${found[0]})"


def ca_bundle_problem(exc: BaseException) -> str | None:
    """``exc`` in words when it is requests refusing a CA bundle that a
    variable names and that is not there; else ``None``."""
    if not isinstance(exc, OSError) or "CA certificate bundle" not in str(exc):
        return None
    for name in CA_VARIABLES:
        value = os.environ.get(name)
        if value:  # the first one set is the one requests used
            if os.path.exists(value):
                return None
            return f"${name} names a CA bundle that is not there: {value!r}"
    return None


def _unreadable(value: str) -> bool:
    try:
        return parse_url(value).host is None
    except LocationValueError:
        return True


def _address(value: str) -> tuple[str, int] | None:
    """A proxy URL's host and port (the scheme's default when none)."""
    try:
        parts = parse_url(value if "://" in value else f"http://{value}")
    except LocationValueError:
        return None
    if parts.host is None:
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.host.strip("[]"), port


def _proxy_address(
    chain: list[BaseException], found: tuple[str, str] | None
) -> tuple[str, int] | None:
    """The proxy's host and port: the connection that failed, else the
    variable's URL."""
    for e in chain:
        conn = getattr(e, "conn", None) if isinstance(e, NewConnectionError) else None
        host, port = getattr(conn, "host", None), getattr(conn, "port", None)
        if isinstance(host, str) and isinstance(port, int):
            return host.strip("[]"), port
    return _address(found[1]) if found is not None else None
