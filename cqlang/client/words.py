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
import math
import re
import socket
import ssl
import zlib
from typing import TYPE_CHECKING, Any

import urllib3.exceptions
from urllib3.exceptions import (
    ConnectTimeoutError,
    NameResolutionError,
    NewConnectionError,
    ProxyError,
)

from . import scrub
from .environ import ca_bundle_problem, proxy_note, proxy_problem
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

    __slots__ = ("connect_timeout", "key_source", "scrub", "where")

    def __init__(
        self,
        scrubber: scrub.Scrubber,
        where: tuple[str, int],
        connect_timeout: float,
        key_source: str = "",
    ) -> None:
        self.scrub = scrubber
        self.where = where
        self.connect_timeout = connect_timeout
        #: Where the key came from (``$CONPEEK_KEY``, a config file's line).
        self.key_source = key_source

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
        tries = tries_note(ex)
        if status == 400:
            said = server_message(body, self.scrub) or excerpt
            message = f"{head}: the API refused the request: {said}"
        elif status in (401, 403):
            source = f" from {self.key_source}" if self.key_source else ""
            message = f"{head}: the API key{source} was refused; body: {excerpt}"
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

    def retried(self, exc: ApiError, ex: Exchange) -> ApiError:
        """``exc``, the last error of a request that was retried (a body
        cut short, a connection dropped, a page not the envelope), saying
        how many tries it made, as :meth:`status_error` does: the note
        goes after the request (``GET URL, still after 3 tries: ...``).
        An error of a status carries it already."""
        note = tries_note(ex)
        if not note or exc.status not in (None, 200):
            return exc
        head = f"GET {exc.url}"
        at = exc.message.find(head)
        if at < 0:
            message = f"{exc.message}{note}"
        else:
            at += len(head)
            message = f"{exc.message[:at]}{note}{exc.message[at:]}"
        exc.message = message
        exc.args = (message, *exc.args[1:])
        return exc

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
        if not plain:
            # A proxy or a CA bundle the environment chose: named, not the API blamed.
            chain = error_chain(exc)
            proxied = proxy_problem(
                chain, url, describe(exc), _proxy_connect(chain, self.connect_timeout)
            )
            said = proxied or ca_bundle_problem(exc)
            if said is not None:
                return TransportError(f"{said} (GET {url})", url=url)
        if failed is not None:
            host, port = self.where
            message = f"cannot connect to {host} port {port}: {failed} (GET {url})"
            return TransportError(message, url=url)
        cause = describe(exc)
        through = proxy_note(url)  # what broke may be the proxy
        if plain and ("timed out" in what or cause == "timed out"):
            return TransportError(f"GET {url}: {what}{through}", url=url)
        return TransportError(f"GET {url}: {what}: {cause}{through}", url=url)

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


def tries_note(ex: Exchange) -> str:
    """How many tries a request made, for its error: ``, still after 3
    tries``, and why retrying stopped early (``(the retry budget is spent;
    not retried further)``); nothing for a request tried once."""
    tries = f", still after {ex.attempts} tries" if ex.attempts > 1 else ""
    if ex.gave_up:
        tries += f" ({ex.gave_up}; not retried further)" if tries else f" ({ex.gave_up})"
    return tries


def describe(exc: BaseException | None) -> str:
    """A one-line cause in words: the innermost reason of a requests or
    urllib3 error (class names only for what has no words here)."""
    if exc is None:
        return "an unknown error"
    chain = error_chain(exc)
    if any(_bad_chunk_size(e) for e in chain):  # under one IncompleteRead or two
        return "a malformed chunk of the body"
    for e in chain:
        said = _in_words(e)
        if said is not None:
            return said
    cur = chain[-1]
    text = " ".join(str(cur).split())
    # urllib3 prefixes messages with the connection or pool: drop it.
    text = _OWNER.sub("", text)
    kind = type(cur).__name__
    if "timed out" in text.lower() or "timeout" in kind.lower():
        if "handshake" in text.lower():
            return "timed out in the TLS handshake"
        return f"timed out ({text})" if text else "timed out"
    if isinstance(cur, OSError) and cur.strerror:
        return cur.strerror[:1].lower() + cur.strerror[1:]
    if type(cur) in (ValueError, UnicodeError, OSError) and text:  # its words say it all
        return text[:1].lower() + text[1:]
    return f"{kind}: {text}" if text else kind


def _in_words(e: BaseException) -> str | None:
    """What one exception of the chain means, when it has words here."""
    if isinstance(e, urllib3.exceptions.InvalidChunkLength):  # an IncompleteRead too
        return "a malformed chunk of the body"
    if isinstance(e, http.client.IncompleteRead | urllib3.exceptions.IncompleteRead):
        got = e.partial if isinstance(e.partial, int) else len(e.partial)
        more = f", {e.expected} more expected" if e.expected is not None else ""
        return f"the connection closed after {got} bytes of the body{more}"
    if isinstance(e, http.client.RemoteDisconnected):
        return "the server closed the connection without an answer"
    if isinstance(e, ConnectionResetError):
        return "the connection was reset"
    if isinstance(e, http.client.LineTooLong):
        # http.client says "got more than N bytes when reading LINE".
        m = _LINE_TOO_LONG.search(str(e))
        if m is None:
            return "a line of the answer too long to read"
        line = {"chunk size": "chunk size line"}.get(m[2], m[2])
        return f"a {line} longer than {size(int(m[1]))}"
    if isinstance(e, http.client.UnknownProtocol):
        return f"an answer in an unknown protocol ({_quoted(e.args[0] if e.args else '')})"
    if isinstance(e, http.client.BadStatusLine):
        return "a malformed status line"
    if type(e) is http.client.HTTPException:
        m = _TOO_MANY_HEADERS.search(str(e))
        if m is not None:
            return f"the server sent more than {m[1]} headers"
    if isinstance(e, urllib3.exceptions.InvalidHeader):
        text = str(e)
        if text.startswith("Content-Length contained multiple"):
            return "Content-Length headers that disagree" + text[text.find(" (") :]
        return f"an invalid header ({_quoted(text)})"
    if isinstance(e, zlib.error):
        # zlib says "Error -3 while decompressing data: incorrect header check".
        text = str(e)
        return text.rpartition(": ")[2] if ": " in text else "not valid compressed data"
    if isinstance(e, ssl.SSLCertVerificationError):
        why = e.verify_message or "it could not be verified"
        return f"the server's TLS certificate was not accepted: {why}"
    if isinstance(e, ssl.SSLError):
        why = (e.reason or "").replace("_", " ").lower()
        return f"the TLS connection failed{': ' + why if why else ''}"
    if isinstance(e, urllib3.exceptions.ProtocolError) and "ended prematurely" in str(e):
        return "the answer ended early"
    return None


def _bad_chunk_size(e: BaseException) -> bool:
    """http.client's IncompleteRead for a chunk size that is not hex (it
    raises it while handling int()'s ValueError)."""
    context = e.__context__
    return (
        isinstance(e, http.client.IncompleteRead)
        and type(context) is ValueError
        and "with base 16" in str(context)
    )


def _quoted(value: object) -> str:
    """A value a server sent, for a message: its repr, cut short."""
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:59] + "…"


_LINE_TOO_LONG = re.compile(r"more than (\d+) bytes when reading (.+)$")
_TOO_MANY_HEADERS = re.compile(r"got more than (\d+) headers")


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
                return f"timed out connecting (after {duration(connect_timeout)})"
            return "the connection could not be made"
    if any(isinstance(e, ConnectTimeoutError) for e in chain):
        return f"timed out connecting (after {duration(connect_timeout)})"
    return None


def _proxy_connect(chain: list[BaseException], connect_timeout: float) -> str | None:
    """Why the connection to a proxy could not be made (what urllib3's
    ProxyError wraps), in words; ``None`` when it was made."""
    for e in chain:
        if isinstance(e, ProxyError):
            inner = getattr(e, "original_error", None)
            if isinstance(inner, BaseException):
                return connect_failure(inner, connect_timeout)
    return None


def duration(seconds: float) -> str:
    """A span of time in words, rounded to what matters at its scale:
    ``0.25 s``, ``31 s``, ``2 min 5 s``, ``1 h 5 min``, ``3 days 4 h``,
    ``about 72 years``; never an exponent."""
    s = float(seconds)
    if math.isnan(s) or math.isinf(s):
        return "a very long time"
    s = max(0.0, s)
    if s < 9.995:
        return f"{round(s, 2):g} s"
    if s < 59.5:
        return f"{round(s)} s"
    if s < 3570:  # whole seconds up to an hour
        m, sec = divmod(round(s), 60)
        return f"{m} min {sec} s" if sec else f"{m} min"
    if s < 86_370:  # whole minutes up to a day
        h, m = divmod(round(s / 60), 60)
        return f"{h} h {m} min" if m else f"{h} h"
    if s < 2 * 365 * 86_400:  # whole hours up to two years
        d, h = divmod(round(s / 3600), 24)
        days = f"{d:,} day{'s' if d != 1 else ''}"
        return f"{days} {h} h" if h else days
    return f"about {round(s / (365.25 * 86_400)):,} years"


def json_problem(body: bytes, exc: ValueError, content_type: str) -> str | None:
    """What is wrong with a body that did not parse as JSON (``exc``, from
    ``json.loads(body)``), in words for a message: ``None`` when it is the
    start of some valid JSON, cut short (the parser ran out of input inside
    a string, a literal, a number, an escape, or where more had to follow),
    else why it is not valid JSON and where."""
    if isinstance(exc, UnicodeDecodeError):
        if exc.reason == "unexpected end of data":  # cut inside a character
            return None
        byte = exc.object[exc.start] if exc.start < len(exc.object) else 0
        return (
            "a body that is not valid JSON: a byte that is not UTF-8 "
            f"(0x{byte:02X}) at byte {exc.start + 1}"
        )
    if not isinstance(exc, json.JSONDecodeError):
        return f"a body that is not valid JSON ({exc})"
    doc = exc.doc
    end = len(doc.rstrip(" \t\r\n"))
    if end == 0:
        return "an empty body"
    rest = doc[exc.pos : end]
    if _ran_out(exc.msg, rest, doc[exc.pos - 1 : exc.pos]):
        return None
    if exc.pos == 0 or not doc.lstrip(" \t\r\n").startswith(("{", "[")):
        return f"a body that is not JSON ({content_type})"
    words = _JSON_WORDS.get(exc.msg, exc.msg[:1].lower() + exc.msg[1:])
    return f"a body that is not valid JSON: {words} at line {exc.lineno}, column {exc.colno}"


def _ran_out(msg: str, rest: str, before: str) -> bool:
    """Whether the parser's complaint ``msg``, about ``rest`` (from where it
    failed to the end of the text, ``before`` being the character before),
    means that the text is JSON cut short."""
    if msg.startswith("Unterminated string"):  # the end came inside a string
        return True
    if not rest:  # the end came where more had to follow
        return True
    if msg == "Expecting value":  # inside a literal, or after a minus
        return any(lit.startswith(rest) and lit != rest for lit in _LITERALS)
    if msg.startswith("Invalid \\uXXXX escape"):  # inside \uXXXX (or a surrogate pair)
        return _ESCAPE_PREFIX.fullmatch(rest) is not None
    if msg in ("Expecting ',' delimiter", "Extra data"):  # inside a number: 1. 1e 1e+
        return before.isdigit() and rest in _NUMBER_TAILS
    return False


_LITERALS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")
_NUMBER_TAILS = frozenset({".", "e", "E", "e+", "e-", "E+", "E-"})
_ESCAPE_PREFIX = re.compile(r"u[0-9a-fA-F]{0,4}(?:\\(?:u[0-9a-fA-F]{0,4})?)?")
_JSON_WORDS = {
    "Expecting value": "a value expected",
    "Expecting ',' delimiter": "',' expected",
    "Expecting ':' delimiter": "':' expected",
    "Expecting property name enclosed in double quotes": "a key in double quotes expected",
    "Extra data": "more text after the JSON value",
    "Invalid control character at": "a control character inside a string",
    "Invalid \\escape": "an invalid backslash escape",
    "Invalid \\uXXXX escape": "an invalid \\u escape",
    "Illegal trailing comma before end of object": "a comma before the end of an object",
    "Illegal trailing comma before end of array": "a comma before the end of a list",
}


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
