"""What went wrong, in words: the client's errors built from what happened,
every text scrubbed of secrets (see :mod:`.scrub`).

:class:`Reporter` words a status, a body that is not the envelope, or a
failure without an answer as an :class:`~.errors.ApiError`, quoting at most
:data:`EXCERPT_CHARS` characters of a body, and :meth:`Reporter.clean`
hides every secret in an error on its way out of the client.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
from typing import TYPE_CHECKING, Any

import urllib3.exceptions
from urllib3.exceptions import (
    ConnectTimeoutError,
    NameResolutionError,
    NewConnectionError,
    ProxyError,
)

from . import scrub
from .errors import (
    STATUS_ERRORS,
    ApiError,
    ErrorCause,
    ResponseFormatError,
    ServerError,
    TransportError,
)

if TYPE_CHECKING:
    import requests

    from .exchange import Exchange

#: How much of a response body an error message quotes.
EXCERPT_CHARS = 200
#: The most of an error answer's body that is read (the rest is left unread).
ERROR_BODY_MAX = 64 * 1024


class Reporter:
    """Words the errors of one client: ``scrubber`` hides its secrets, ``where``
    is its host and port, ``connect_timeout`` the seconds connecting may take."""

    __slots__ = ("connect_timeout", "scrub", "where")

    def __init__(
        self, scrubber: scrub.Scrubber, where: tuple[str, int], connect_timeout: float
    ) -> None:
        self.scrub = scrubber
        self.where = where
        self.connect_timeout = connect_timeout

    def quote(self, body: bytes, cut: bool = False) -> str:
        """A short excerpt of a body for a message: secrets hidden before it
        is cut short, so that no prefix of one survives the cut."""
        window = body[:ERROR_BODY_MAX]
        text = window.decode("utf-8", "replace")
        return scrub.excerpt(text, self.scrub, EXCERPT_CHARS, cut=cut or len(body) > len(window))

    def status_error(
        self,
        status: int,
        url: str,
        resp: requests.Response,
        body: bytes,
        cut: bool,
        ex: Exchange,
    ) -> ApiError:
        excerpt = self.quote(body, cut)
        cls = STATUS_ERRORS.get(status)
        if cls is None:
            cls = ServerError if status >= 500 else ApiError
        reason = scrub.excerpt(resp.reason or "", self.scrub, EXCERPT_CHARS)
        head = f"HTTP {status}{' ' + reason if reason else ''} from GET {url}"
        tries = ""
        if ex.attempts > 1:
            tries = f", still after {ex.attempts} tries"
        if ex.gave_up:
            tries += f" ({ex.gave_up}; not retried further)" if tries else f" ({ex.gave_up})"
        if status == 400:
            said = server_message(body, self.scrub) or excerpt
            message = f"{head}: the API refused the request: {said}"
        elif status in (401, 403):
            where = "check CONPEEK_KEY, or api_key in the config"
            message = f"{head}: the API key was refused ({where}); body: {excerpt}"
        elif status == 404:
            message = f"{head}: no such campaign or endpoint; body: {excerpt}"
        elif 300 <= status < 400:
            to = scrub.excerpt(resp.headers.get("Location") or "", self.scrub, EXCERPT_CHARS)
            message = (
                f"{head}: the API answers with a redirect"
                f"{' to ' + to if to else ''}, which the client does not follow "
                "(check the base URL)"
            )
        else:
            message = f"{head}{tries}; body: {excerpt}"
        return cls(message, status=status, url=url, body=excerpt)

    def format_error(self, url: str, body: bytes, what: str) -> ResponseFormatError:
        excerpt = self.quote(body)
        return ResponseFormatError(
            f"HTTP 200 from GET {url}, but {what}; body: {excerpt}",
            status=200,
            url=url,
            body=excerpt,
        )

    def transport_error(
        self,
        exc: BaseException,
        url: str,
        what: str = "the request failed",
        *,
        plain: bool = False,
    ) -> TransportError:
        """A failure without an answer, in words. ``plain``: ``what`` says
        it all (the cause only follows when it adds something)."""
        failed = None if plain else connect_failure(exc, self.connect_timeout)
        if failed is not None:
            host, port = self.where
            message = f"cannot connect to {host} port {port}: {failed} (GET {url})"
            return TransportError(message, url=url)
        cause = describe(exc)
        if plain and ("timed out" in what or cause == "timed out"):
            return TransportError(f"GET {url}: {what}", url=url)
        return TransportError(f"GET {url}: {what}: {cause}", url=url)

    def clean(self, exc: ApiError) -> ApiError:
        """``exc`` with every secret hidden, in every form: its message,
        body, URL and the chain it came from (replaced with text, as the
        original exceptions hold the request and its headers)."""
        s = self.scrub
        exc.message = s(exc.message)
        exc.args = tuple(s(a) if isinstance(a, str) else a for a in exc.args)
        exc.body = s(exc.body)
        exc.url = s(exc.url)
        cause = exc.__cause__
        if cause is not None and not isinstance(cause, ErrorCause):
            kind = type(cause)
            text = " ".join(str(cause).split())
            exc.__cause__ = ErrorCause(f"{kind.__module__}.{kind.__qualname__}: {s(text)}")
        exc.__context__ = None
        exc.__suppress_context__ = True
        return exc


# ------------------------------------------------------------------ helpers


def describe(exc: BaseException | None) -> str:
    """A one-line cause in words: the innermost reason of a requests or
    urllib3 error (class names only for what has no words here)."""
    if exc is None:
        return "an unknown error"
    chain = error_chain(exc)
    for e in chain:
        if isinstance(e, http.client.IncompleteRead | urllib3.exceptions.IncompleteRead):
            got = e.partial if isinstance(e.partial, int) else len(e.partial)
            more = f", {e.expected} more expected" if e.expected is not None else ""
            return f"the connection closed after {got} bytes of the body{more}"
        if isinstance(e, http.client.RemoteDisconnected):
            return "the server closed the connection without an answer"
        if isinstance(e, ConnectionResetError):
            return "the connection was reset"
        if isinstance(e, urllib3.exceptions.InvalidChunkLength):
            return "a malformed chunk of the body"
        if isinstance(e, http.client.BadStatusLine):
            return "a malformed status line"
    cur = chain[-1]
    text = " ".join(str(cur).split())
    # urllib3 prefixes messages with the connection or pool: drop it.
    text = _OWNER.sub("", text)
    kind = type(cur).__name__
    if "timed out" in text.lower() or "timeout" in kind.lower():
        return f"timed out ({text})" if text else "timed out"
    return f"{kind}: {text}" if text else kind


_OWNER = re.compile(r"^(?:<[^>]*>|\w+\((?:host|scheme)=[^)]*\)): ")


def error_chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it wraps (reasons, arguments, causes), outermost first."""
    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in chain and len(chain) < 16:
        chain.append(cur)
        nxt: Any = getattr(cur, "reason", None)
        if not isinstance(nxt, BaseException):
            nxt = next((a for a in cur.args if isinstance(a, BaseException)), None)
        cur = nxt or cur.__cause__ or cur.__context__
    return chain


def connect_failure(exc: BaseException, connect_timeout: float) -> str | None:
    """Why a connection could not be made, in words (``None``: it was made,
    or a proxy stood in the way)."""
    chain = error_chain(exc)
    if any(isinstance(e, ProxyError) for e in chain):
        return None
    if any(isinstance(e, NameResolutionError | socket.gaierror) for e in chain):
        return "host not found"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection refused"
    for e in chain:
        if isinstance(e, NewConnectionError):
            os_error = next((x for x in chain if isinstance(x, OSError) and x.strerror), None)
            if os_error is not None and os_error.strerror:
                text = os_error.strerror
                return text[:1].lower() + text[1:]
            if "timed out" in str(e).lower():
                return f"timed out connecting (after {connect_timeout:g} s)"
            return "the connection could not be made"
    if any(isinstance(e, ConnectTimeoutError) for e in chain):
        return f"timed out connecting (after {connect_timeout:g} s)"
    return None


def size(n: int) -> str:
    """A byte count in words: ``64 KiB``, ``65.0 MiB``."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.0f} KiB"
    return f"{n} bytes"


def server_message(body: bytes, scrubber: scrub.Scrubber) -> str:
    """The API's own message from a JSON error body (scrubbed, then cut
    short), else the empty string."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        return ""
    if isinstance(doc, dict):
        for key in ("error", "message", "detail", "errors"):
            value = doc.get(key)
            if isinstance(value, str) and value:
                return scrub.excerpt(value, scrubber, EXCERPT_CHARS)
    return ""
