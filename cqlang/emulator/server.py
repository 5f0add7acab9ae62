"""The emulator's HTTP server: ``GET /voice_campaign/{id}/request`` on loopback.

Standard library only (:class:`http.server.ThreadingHTTPServer`, HTTP/1.1
with keep-alive). Record semantics come from :func:`cqlang.filterlists.compile_filters`
(the one implementation); this module only validates requests, pages, and
injects faults. Each record is serialized to JSON bytes once (per ``exclude``
set), and the records a filter matches are cached until the data changes, so
paging through 100,000 records costs little more than copying bytes.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import os
import socket
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .. import argcheck, jsonlimit
from ..encoding import MAX_PAGE_SIZE
from ..schema import DEFAULT_SCHEMA, Schema
from .data import (
    DEFAULT_API_KEY,
    DEFAULT_CAMPAIGN,
    DEFAULT_WINDOW_DAYS,
    checked_records,
)
from .faults import Decision, Fault, FaultPlan
from .options import (
    check_api_key,
    check_campaign,
    check_campaigns,
    check_data,
    check_host,
    check_ids,
    check_port,
    check_seed,
    check_window_days,
)
from .params import (
    MAX_PARAM_DEPTH,
    BadRequest,
    check_duplicates,
    exclude_param,
    int_param,
)
from .store import FILTER_CACHE_SIZE, Campaign, Store, build_datasets, check_campaign_ids

log = logging.getLogger("cqlang.emulator")

#: The largest ``limit`` the emulator takes: cqlang's own bound
#: (:data:`cqlang.encoding.MAX_PAGE_SIZE`), not a documented one of the API.
MAX_LIMIT = MAX_PAGE_SIZE
#: ``limit`` when the request names none (the API page's default).
DEFAULT_LIMIT = 1000
#: How many requests ``Emulator.log`` remembers (the latest).
LOG_SIZE = 100_000
#: The longest request line answered (longer: 414), as the standard library has it.
MAX_REQUEST_LINE = 65536
#: Connections waiting to be accepted (the listen backlog; the system may cap it).
LISTEN_BACKLOG = 1024

_PATH_PREFIX = "/voice_campaign/"
_PATH_SUFFIX = "/request"

MSG_400 = "Błędne dane"
MSG_403 = "Nie można wykonać takiej akcji"
MSG_404 = "Nie znaleziono zasobu"

_HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
    b"<body><h1>Session expired</h1><p>Please sign in again.</p></body></html>\n"
)


def _proxy_page(status: int, reason: str) -> bytes:
    return (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    ).encode()


@dataclass(frozen=True, slots=True)
class RequestLog:
    """One request the emulator answered (for tests and debugging)."""

    number: int
    method: str
    target: str
    status: int
    fault: str | None


@dataclass(slots=True)
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


def _error(status: int, message: str) -> _Reply:
    return _Reply(status, json.dumps({"error": message}, ensure_ascii=False).encode())


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog is 5: a burst of clients (a test
    # suite's parallel fetches) would see connections time out.
    request_queue_size = LISTEN_BACKLOG

    emulator: Emulator

    def __init__(self, addr: tuple[str, int], emulator: Emulator) -> None:
        self.emulator = emulator
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(addr, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-answer is routine here (timeouts, faults).
        log.debug("error serving %s", client_address, exc_info=True)

    def close_open_sockets(self) -> None:
        with self.sockets_lock:
            socks = list(self.open_sockets)
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cqlang-emulator/1"
    # Headers and body go out in two writes: without this, Nagle's algorithm
    # and the client's delayed ACK hold small answers back ~40 ms each.
    disable_nagle_algorithm = True
    timeout = 30
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def parse_request(self) -> bool:
        # The standard library closes the connection without a word for a
        # blank request line: answer it, as the API's server would.
        line: bytes = getattr(self, "raw_requestline", b"")
        if line and not line.strip(b"\r\n"):
            self.command, self.request_version, self.requestline = "", "", ""
            self.close_connection = True
            self.send_error(400, "empty request line")
            return False
        if len(line.split()) == 2:  # HTTP/0.9: "GET /path", no version, no headers
            # The standard library would go on to read headers that never
            # come, and hang up 30 s later without a word: refuse it now.
            self.command, self.request_version = "", ""
            self.requestline = line.decode("latin-1").rstrip("\r\n")
            self.close_connection = True
            self.send_error(400, "HTTP/0.9 is not supported: give the version (HTTP/1.1)")
            return False
        return bool(super().parse_request())

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What the standard library refuses itself (a request line too long,
        bad syntax, headers too large, an unknown method), with the API's
        JSON error body instead of an HTML page."""
        short = self.responses.get(code, ("Error", ""))[0]
        text = " ".join((message or short).split())[:200]
        reply = _error(code, f"{MSG_400}: {text}" if code == 400 else text)
        self.log_error("code %d, message %s", code, text)
        self.close_connection = True
        if self.request_version in ("", "HTTP/0.9"):  # refused before the version was read
            self.request_version = "HTTP/1.1"
        try:
            self.send_response(code, short)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)
        except OSError:  # the client went away
            pass

    def do_GET(self) -> None:
        self.server.emulator._handle(self, "GET")

    def do_HEAD(self) -> None:
        self.server.emulator._handle(self, "HEAD")

    def do_POST(self) -> None:
        self.server.emulator._handle(self, "POST")

    do_PUT = do_DELETE = do_PATCH = do_POST


class Emulator:
    """A loopback server that behaves like the documented endpoint.

    ``records`` generated records per campaign (deterministic from ``seed``),
    or the records of ``data`` (a JSON/JSONL file, a list of records, or a
    mapping of campaign id to records). ``faults`` are specs such as
    ``"500=2"`` (see :mod:`cqlang.emulator.faults`). With ``strict``, a
    filter with two objects on the same (property, key, operator) is refused
    with 400, as the API's behaviour for them is not documented. Use as a
    context manager, or call :meth:`start` and :meth:`stop`; ``port=0``
    picks a free port.
    """

    def __init__(
        self,
        records: int = 1000,
        seed: int | str = 1,
        api_key: str = DEFAULT_API_KEY,
        campaigns: str | Iterable[str] = (DEFAULT_CAMPAIGN,),
        faults: str | Iterable[str | Fault] = (),
        strict: bool = True,
        data: (
            str | os.PathLike[str] | Iterable[Mapping[str, Any]] | Mapping[str, Any] | None
        ) = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        window_days: float = DEFAULT_WINDOW_DAYS,
        schema: Schema | None = None,
        max_limit: int = MAX_LIMIT,
    ) -> None:
        # Types first (TypeError naming the parameter), then values.
        records = argcheck.count("records", records, least=0)
        seed = check_seed(seed)
        campaigns = check_campaigns(campaigns)
        self.strict = argcheck.flag("strict", strict)
        source = check_data(data)  # a path as a Path
        self.api_key = check_api_key(argcheck.text("api_key", api_key))
        check_host(argcheck.text("host", host))
        port = check_port(port)
        window_days = check_window_days(window_days)
        argcheck.instance("schema", schema, Schema, "a cqlang.Schema", optional=True)
        self.schema = schema or DEFAULT_SCHEMA
        self.max_limit = argcheck.count("max_limit", max_limit, least=1)
        self.seed = seed
        self._host = host
        self._port = port
        self._faults = FaultPlan(faults, seed)
        check_campaign_ids(campaigns)  # before any record is made
        datasets = build_datasets(records, seed, campaigns, source, window_days)
        check_campaign_ids(datasets)  # those a --data file names too
        self._store = Store(datasets or {DEFAULT_CAMPAIGN: []}, seed)
        self._store.warm()
        self._matchers: OrderedDict[str, tuple[str, Callable[[Mapping[str, Any]], bool]]] = (
            OrderedDict()
        )
        self._matchers_lock = threading.Lock()
        self._log: deque[RequestLog] = deque(maxlen=LOG_SIZE)
        self._log_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> Emulator:
        """Bind and serve in a background thread; returns ``self``."""
        if self._server is not None:
            return self
        server = _Server((self._host, self._port), self)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.name = f"cqlang-emulator:{self.port}"
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_open_sockets()
        server.server_close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start()")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321`` (what CONPEEK_URL holds)."""
        host = self._host if ":" not in self._host else f"[{self._host}]"
        return f"http://{host}:{self.port}"

    # ------------------------------------------------------------- the data

    @property
    def campaigns(self) -> list[str]:
        return list(self._store.campaigns)

    def records(self, campaign: str | None = None) -> list[dict[str, Any]]:
        """The campaign's records now, in the order served (do not mutate them)."""
        return self._store.records(self._campaign(campaign))

    # The methods below check their arguments as the constructor does:
    # TypeError for a wrong type, SettingError (a ValueError) for a value.

    def churn(self, n: int) -> None:
        """Create ``n`` records and close ``n`` open ones in every campaign, now."""
        self._store.churn(argcheck.count("n", n, least=0), bound=True)

    def close(self, ids: Iterable[str] | str, campaign: str | None = None) -> int:
        """Close the open records with these ids (as the churn fault does);
        returns how many were closed."""
        return self._store.close(self._campaign(campaign), check_ids(ids))

    def insert(
        self, index: int, records: Iterable[Mapping[str, Any]], campaign: str | None = None
    ) -> None:
        """Insert records before the record at ``index`` of the served
        order (0: first; the count of records: last)."""
        index = argcheck.count("index", index, least=0)
        cid = self._campaign(campaign)
        self._store.insert(cid, index, checked_records(records, "records", "records"))

    def remove(self, ids: Iterable[str] | str, campaign: str | None = None) -> int:
        """Delete the records with these ids; returns how many were deleted."""
        return self._store.remove(self._campaign(campaign), check_ids(ids))

    def _campaign(self, campaign: str | None) -> str:
        return check_campaign(campaign, self._store.campaigns)

    # ----------------------------------------------------------- the faults

    def inject(self, *specs: str | Fault) -> None:
        """Arm faults from the next request on (``@START`` counts from it)."""
        self._faults.add(specs)

    def clear_faults(self) -> None:
        self._faults.clear()

    @property
    def faults(self) -> list[Fault]:
        return self._faults.faults

    @property
    def request_count(self) -> int:
        """How many requests the server has received."""
        return self._faults.requests

    @property
    def log(self) -> list[RequestLog]:
        """The requests answered so far, in order (the latest 100,000)."""
        with self._log_lock:
            return list(self._log)

    # ------------------------------------------------------------- serving

    def _handle(self, h: _Handler, method: str) -> None:
        decision = self._faults.next()
        if decision.latency:
            time.sleep(decision.latency)
        if decision.churn:
            self._store.churn(decision.churn)
        if decision.answer == "reset":
            self._record(decision, method, h.path, 0)
            h.close_connection = True
            return
        if method != "GET":
            reply = _error(405, "method not allowed")
            reply.headers = (("Allow", "GET"),)
        else:
            try:
                reply = self._answer(h)
            except Exception:  # broad: a bug here must not look like a network fault; logged
                log.exception("the emulator failed to answer %s", h.path[:200])
                reply = _error(500, "internal emulator error")
        self._send(h, method, decision, reply)

    def _record(self, d: Decision, method: str, target: str, status: int) -> None:
        with self._log_lock:
            self._log.append(RequestLog(d.number, method, target, status, d.answer))

    def _answer(self, h: _Handler) -> _Reply:
        if not self._authorized(h.headers.get("Authorization")):
            return _error(403, MSG_403)
        parts = urlsplit(h.path)
        path = parts.path  # still percent-encoded: a %2F is no separator
        # Exactly /voice_campaign/{id}/request: a trailing slash, an empty
        # or a two-segment id is an unknown path (docs/emulator.md).
        segment = path[len(_PATH_PREFIX) : -len(_PATH_SUFFIX)]
        if not (
            path.startswith(_PATH_PREFIX)
            and path.endswith(_PATH_SUFFIX)
            and len(path) > len(_PATH_PREFIX) + len(_PATH_SUFFIX)
            and "/" not in segment
        ):
            return _error(404, MSG_404)
        campaign = self._store.campaigns.get(unquote(segment))
        if campaign is None:
            return _error(404, MSG_404)
        try:
            return self._page(campaign, parse_qs(parts.query, keep_blank_values=True))
        except BadRequest as exc:
            return _error(400, f"{MSG_400}: {exc}")

    def _authorized(self, given: str | None) -> bool:
        if given is None:
            return False
        # The blanks around a field value are no part of it (RFC 9110, 5.5).
        given = given.strip(" \t")
        return hmac.compare_digest(given.encode(), self.api_key.encode())

    def _page(self, campaign: Campaign, query: dict[str, list[str]]) -> _Reply:
        for name, values in query.items():
            if len(values) > 1:
                raise BadRequest(f"parameter {name!r} given more than once")
        limit = int_param(query, "limit", DEFAULT_LIMIT)
        offset = int_param(query, "offset", 0)
        if limit > self.max_limit:
            raise BadRequest(f"limit must be at most {self.max_limit}")
        exclude = exclude_param(query.get("exclude", [""])[0])
        key, matcher = self._matcher(query.get("filter", [""])[0])
        entries = self._store.matching(campaign, key, matcher)
        page = entries[offset : offset + limit]
        body = b'{"data":[' + b",".join(e.blob(exclude) for e in page) + b"]}"
        return _Reply(200, body)

    def _matcher(self, text: str) -> tuple[str, Callable[[Mapping[str, Any]], bool] | None]:
        """The cache key and matcher of a ``filter`` value (``None``: all).
        Cached by the value as sent, so that the pages of one query parse it
        once; the key is the canonical JSON, shared by equal filters."""
        stripped = text.strip()
        if not stripped or stripped == "null":
            return "", None
        with self._matchers_lock:
            cached = self._matchers.get(text)
        if cached is not None:
            return cached
        try:
            filters = jsonlimit.loads(text, MAX_PARAM_DEPTH)
        except jsonlimit.TooDeep as exc:
            raise BadRequest(f"filter is {exc}") from None
        except jsonlimit.BadNumber as exc:
            raise BadRequest(f"filter holds {exc}") from None
        except ValueError as exc:
            raise BadRequest(f"filter is not JSON: {exc}") from None
        if not isinstance(filters, list):
            raise BadRequest("filter must be a JSON list of objects")
        if not filters:
            return "", None
        key = json.dumps(filters, sort_keys=True, ensure_ascii=False)
        if self.strict:
            check_duplicates(filters)
        from ..filterlists import FilterError, compile_filters

        try:
            matcher = compile_filters(filters, self.schema)
        except FilterError as exc:
            raise BadRequest(str(exc)) from None
        with self._matchers_lock:
            self._matchers[text] = (key, matcher)
            if len(self._matchers) > FILTER_CACHE_SIZE:
                self._matchers.popitem(last=False)
        return key, matcher

    def _send(self, h: _Handler, method: str, d: Decision, reply: _Reply) -> None:
        body = reply.body
        status = reply.status
        ctype = reply.content_type
        headers = list(reply.headers)
        cut: int | None = None
        if d.answer == "drop":
            cut = len(body) // 2
        elif d.answer == "truncate":
            body = body[: max(1, len(body) // 2)]
        elif d.answer == "html":
            status, body, ctype = 200, _HTML_PAGE, "text/html; charset=utf-8"
        elif d.answer == "envelope":
            status, body = 200, b'{"items":[],"status":"ok"}'
        elif d.answer == "status" and d.status is not None:
            status = d.status
            reason = h.responses.get(status, ("Error",))[0]
            if status in (502, 503, 504):
                body, ctype = _proxy_page(status, reason), "text/html"
            else:
                body = json.dumps({"error": reason}).encode()
                ctype = "application/json"
            if status in (429, 503):
                headers.append(("Retry-After", str(d.retry_after)))
        self._record(d, method, h.path, status)
        try:
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                h.send_header(name, value)
            if cut is not None:
                h.send_header("Connection", "close")
            h.end_headers()
            if method == "HEAD":
                return
            if cut is not None:
                h.wfile.write(body[:cut])
                h.wfile.flush()
                h.close_connection = True
                h.connection.shutdown(socket.SHUT_RDWR)
            else:
                h.wfile.write(body)
        except OSError:  # the client went away (e.g. it timed out)
            h.close_connection = True
