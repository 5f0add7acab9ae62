"""The JSON-RPC side of the server: what pygls's protocol does, plus an
answer to every request, however it is written.

pygls reads each message with a ``json.loads`` object hook that builds the
lsprotocol type of its method; a request whose params do not fit (a
negative or huge ``character``, no ``position``, ``params: null``) makes
that hook raise, and pygls logs the failure and sends nothing, so the
client waits for ever. Here such a request is answered with the JSON-RPC
error -32602 (invalid params) and its id, what does not fit said in a few
words; a request whose id is not a string or an integer, or whose method
is not a string, with -32600 (invalid request) and a null id, as is a
message that is not a JSON object; a body that is not JSON with -32700
(parse error); a malformed notification is logged and dropped (a
notification is never answered).

A handler that fails with an unexpected exception is answered with -32603
(internal error) whose message names the method and the exception's type
and whose ``data`` is null: the traceback goes to the server's log
(standard error) and a one-line account to the client as
``window/logMessage``, never into the answer (docs/editors.md). Any other
internal error pygls itself would answer with a traceback as ``data`` is
stripped of it where every answer is sent (``_send_response``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Generator
from concurrent.futures import Future
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCNotification, JsonRPCRequestMessage
from pygls.protocol.language_server import lsp_method

log = logging.getLogger("cqlang.lsp")

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
SERVER_NOT_INITIALIZED = -32002
#: How much of what does not fit a request's error message tells.
_MAX_REASONS = 3
_MAX_REASON_CHARS = 200
_SNAKE = re.compile(r"_([a-z])")


class Malformed:
    """A request or notification whose params (or id) do not fit its method."""

    def __init__(
        self, msg_id: Any, method: Any, request: bool, reason: str, code: int = INVALID_PARAMS
    ) -> None:
        self.msg_id = msg_id
        self.method = method
        self.request = request
        self.reason = reason
        #: The error a request is answered with (when its id can be).
        self.code = code


def valid_id(msg_id: Any) -> bool:
    """Whether ``msg_id`` is a JSON-RPC request id this server answers to."""
    return isinstance(msg_id, str | int) and not isinstance(msg_id, bool)


def _has_id(kind: Any) -> bool:
    """Whether the message type ``kind`` is a request's (it has an id)."""
    import attrs

    return not attrs.has(kind) or "id" in attrs.fields_dict(kind)


def _camel_path(reason: str) -> str:
    what, at, where = reason.rpartition(" @ ")
    if not at:
        return reason
    return f"{what}{at}{_SNAKE.sub(lambda m: m.group(1).upper(), where)}"


def _reason(exc: Exception) -> str:
    """What does not fit, in a few words (cattrs's account of the fields)."""
    try:
        from cattrs.v import transform_error

        reasons = [str(r) for r in transform_error(exc)]
    except Exception:  # broad: a bug of the wording must not lose the reply it words; logged
        log.warning("cqlang lsp: internal error in the account of %r", exc, exc_info=True)
        reasons = [f"{type(exc).__name__}: {exc}"]
    # Field names as the protocol writes them: $.params.textDocument.
    reasons = [_camel_path(r) for r in reasons]
    text = "; ".join(r[:_MAX_REASON_CHARS] for r in reasons[:_MAX_REASONS])
    more = len(reasons) - _MAX_REASONS
    return text + (f"; and {more} more" if more > 0 else "")


class CqlangProtocol(LanguageServerProtocol):
    """pygls's language server protocol, answering every request."""

    def __init__(self, server: Any, converter: Any) -> None:
        super().__init__(server, converter)
        #: The method of each request being handled, by id (for its errors).
        self._methods: dict[Any, str] = {}
        #: The method of the notification being handled.
        self._notifying: str | None = None
        #: Whether ``initialize`` has come (requests before it are refused).
        self._initialize_seen = False

    # ------------------------------------------------------------- reading
    def structure_message(self, data: dict[str, Any]) -> Any:
        """A message as its lsprotocol type; a request or notification
        that does not fit its type is a :class:`Malformed` (pygls raises
        and the message is lost)."""
        if "jsonrpc" not in data or "method" not in data or "error" in data:
            return super().structure_message(data)
        method = data["method"]
        request = "id" in data
        if not isinstance(method, str) or (request and not valid_id(data["id"])):
            what = "a method name that is a string" if not isinstance(method, str) else "an id"
            return Malformed(
                data.get("id"), method, request, f"a request needs {what} (string or integer)"
            )
        if data["jsonrpc"] != "2.0":
            return Malformed(
                data.get("id"),
                method,
                request,
                'not JSON-RPC 2.0 ("jsonrpc" must be "2.0")',
                INVALID_REQUEST,
            )
        kind = self.get_message_type(method) or (
            JsonRPCRequestMessage if request else JsonRPCNotification
        )
        if request and not _has_id(kind):
            return Malformed(
                data["id"],
                method,
                True,
                f"{method} is a notification, sent without an id: this one is not acted on",
                METHOD_NOT_FOUND,
            )
        try:
            return self._converter.structure(data, kind)
        except Exception as exc:  # broad: cattrs' hooks raise any kind for JSON that does not fit
            return Malformed(data.get("id"), method, request, _reason(exc))

    def handle_message(self, message: Any) -> None:
        if isinstance(message, Malformed):
            if not self._out_of_turn(message.method, message.request, message.msg_id):
                self._malformed(message)
            return
        method = getattr(message, "method", None)
        if isinstance(method, str):
            request = hasattr(message, "id")
            if self._out_of_turn(method, request, getattr(message, "id", None)):
                return
            if method == types.INITIALIZE:
                self._initialize_seen = True
        if not isinstance(message, dict) and not hasattr(message, "jsonrpc"):
            # A batch (a JSON array: LSP has none), a number, a string...
            self._answer_error(None, INVALID_REQUEST, "a message is a JSON object")
            return
        if isinstance(message, dict) and "cqlangDropped" in message:  # cqlang.lsp.stdio
            from .stdio import MAX_MESSAGE_BYTES

            size = message["cqlangDropped"]
            self.refuse(
                f"a message of {size} bytes: larger than the {MAX_MESSAGE_BYTES} bytes read"
            )
            return
        if isinstance(message, dict):  # no "jsonrpc" member: not JSON-RPC 2.0
            msg_id = message.get("id")
            if "method" in message and valid_id(msg_id):
                self._answer_error(msg_id, INVALID_REQUEST, 'not JSON-RPC 2.0 (no "jsonrpc")')
            else:
                log.warning("cqlang lsp: ignored a message that is not JSON-RPC 2.0")
            return
        super().handle_message(message)

    def _out_of_turn(self, method: Any, request: bool, msg_id: Any) -> bool:
        """Refuse a message the server's state does not take (LSP's
        lifecycle): after ``shutdown`` only ``exit`` is taken, a request
        answered -32600 (invalid request); before ``initialize`` only
        ``initialize`` and ``exit``, a request answered -32002 (server not
        initialized). A notification refused so is dropped, logged.
        Whether it was refused."""
        if method == types.EXIT:
            return False
        if self._shutdown:
            code, why = INVALID_REQUEST, "the server is shut down: only exit is taken now"
        elif not self._initialize_seen and method != types.INITIALIZE:
            code, why = SERVER_NOT_INITIALIZED, "the server is not initialized yet"
        else:
            return False
        if request and valid_id(msg_id):
            self._answer_error(msg_id, code, f"{why} ({method})")
        else:
            log.warning("cqlang lsp: ignored %s: %s", method, why)
        return True

    def _malformed(self, message: Malformed) -> None:
        method = message.method if isinstance(message.method, str) else repr(message.method)
        if not message.request:
            log.warning("cqlang lsp: ignored notification %s: %s", method, message.reason)
            self._server.log(  # type: ignore[attr-defined]
                types.MessageType.Warning,
                f"cqlang: ignored a malformed {method} notification: {message.reason}",
            )
            return
        if not valid_id(message.msg_id) or not isinstance(message.method, str):
            log.warning("cqlang lsp: invalid request: %s", message.reason)
            self._answer_error(None, INVALID_REQUEST, message.reason)
            return
        if message.code != INVALID_PARAMS:
            log.warning("cqlang lsp: refused %s: %s", method, message.reason)
            self._answer_error(message.msg_id, message.code, message.reason)
            return
        log.warning("cqlang lsp: invalid params for %s: %s", method, message.reason)
        self._answer_error(
            message.msg_id, INVALID_PARAMS, f"invalid params for {method}: {message.reason}"
        )

    def refuse(self, reason: str) -> None:
        """A message that is not read (cqlang.lsp.stdio: too large, a
        length that cannot be one): -32600, a null id, ``reason`` logged."""
        log.error("cqlang lsp: %s", reason)
        self._answer_error(None, INVALID_REQUEST, reason)

    def unreadable(self, error: Exception) -> None:
        """A message that is not JSON (or not UTF-8): -32700, a null id."""
        log.warning("cqlang lsp: a message that is not JSON: %s", error)
        self._answer_error(None, PARSE_ERROR, f"not JSON: {error}"[:_MAX_REASON_CHARS])

    def _answer_error(self, msg_id: Any, code: int, message: str) -> None:
        """An error response (written out here: a null id must be sent)."""
        self._send_data(
            {"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}}
        )

    # ---------------------------------------------------------- documents
    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        """The server keeps its own texts (cqlang.lsp.publish.did_change
        applies each change, a range too): pygls's copy, which takes a
        range for the whole text when the server asked for whole texts,
        is not kept."""
        handler = self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)
        if handler is not None:
            yield handler, (params,), None

    # ------------------------------------------------------------ answering
    def _handle_request(self, msg_id: Any, method_name: str, params: Any) -> None:
        if method_name in self.fm.builtin_features or method_name in self.fm.features:
            self._methods[msg_id] = method_name  # popped when it is answered
        super()._handle_request(msg_id, method_name, params)

    def _send_handler_result(self, future: Future[Any], *, msg_id: Any) -> None:
        """A handler's result, or its error: an unexpected exception is
        answered without its traceback (logged instead)."""
        method = self._methods.pop(msg_id, "a request")
        error = None if future.cancelled() else future.exception()
        if error is None:
            super()._send_handler_result(future, msg_id=msg_id)
            return
        if isinstance(error, JsonRpcException):
            # An expected refusal (invalid params, a request that cannot be
            # served): answered with its error, logged in one line; pygls
            # would log its traceback as if it were a bug.
            self._request_futures.pop(msg_id, None)
            log.warning("cqlang lsp: %s refused: %s", method, error)
            self._send_response(msg_id, error=error.to_response_error())
            return
        self._request_futures.pop(msg_id, None)
        self._server.failed(error, method)  # type: ignore[attr-defined]
        self._answer_error(
            msg_id,
            INTERNAL_ERROR,
            f"cqlang: internal error in {method} ({type(error).__name__}); "
            "the server's log has the details",
        )

    def _send_response(
        self, msg_id: Any, result: Any | None = None, error: Any | None = None
    ) -> None:
        """Every answer passes here: an internal error raised on a path
        this class does not handle itself (pygls answers a handler that
        cannot even be started with the exception's text and its traceback
        as ``data``) is sent with neither, the details logged instead."""
        if error is not None and getattr(error, "code", None) == INTERNAL_ERROR:
            data = getattr(error, "data", None)
            if data is not None:
                log.error("cqlang lsp: internal error answering %r: %s %s", msg_id, error, data)
                error = types.ResponseError(
                    code=INTERNAL_ERROR,
                    message="cqlang: internal error; the server's log has the details",
                )
        super()._send_response(msg_id, result, error)

    def _handle_notification(self, method_name: str, params: Any) -> None:
        # The server's handlers are synchronous: one that fails is known
        # (_check_handler_result) before this returns.
        self._notifying = method_name
        try:
            super()._handle_notification(method_name, params)
        finally:
            self._notifying = None

    def _check_handler_result(self, future: Future[Any]) -> None:
        """A notification's handler failed: logged, never answered."""
        error = None if future.cancelled() else future.exception()
        if error is not None:
            what = self._notifying or "a notification"
            self._server.failed(error, what)  # type: ignore[attr-defined]
