"""The server: its open documents, the configuration each is read with, and
its settings. The features register on it in cqlang/lsp/app.py.

Configuration, as the command line finds it (docs/config.md), from the
workspace folder that holds the document (a document outside every folder:
its own folder): ``--config FILE`` given to ``cqlang lsp`` (or the
``config`` initialization option) and ``$CQLANG_CONFIG`` name the only file;
otherwise the nearest ``cqlang.toml``, ``[tool.cqlang]`` of the nearest
``pyproject.toml`` and the user's file. A config file open in the editor is
read as the editor has it, saved or not, and counts as found (a new
``cqlang.toml`` not yet written to disk too); a file with mistakes still gives
what it holds without them. A config document itself is checked with the
files found from its folder when it is one of them, else on its own. A
discovered file that someone else could have written is skipped, as the
command line skips it (cqlang.config.discovery), with a warning logged once;
a config document open in the editor is still checked on its own.

Bad input never stops the server: a request that does not fit its method
is answered with an error (cqlang.lsp.protocol); a handler that fails is
logged (the traceback on stderr, one line as ``window/logMessage``) and
answered with an error without its traceback; the server goes on serving.
A document that is not open is read only if it is a regular file within
the command line's size limits (cqlang.lsp.files).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .._version import __version__
from ..config import (
    DISCOVERED,
    MAX_CONFIG_BYTES,
    Config,
    ConfigError,
    ConfigFile,
    check_text,
    discover,
)
from ..config.discovery import resolved, untrusted
from ..recordids import json_kind
from .documents import Document, LineIndex
from .files import Unreadable, read_text
from .protocol import CqlangProtocol

log = logging.getLogger("cqlang.lsp")

#: Where each diagnostic code is explained: docs/errors.md, one section a
#: code (``#cql101``). A stable address: the repository's docs on its
#: default branch.
ERRORS_URL = "https://github.com/conpeek/cqlang/blob/main/docs/errors.md"
#: Seconds a document's config files are trusted before they are looked
#: for again (edits in the editor and watched-file events refresh sooner).
CONFIG_TTL = 2.0
#: The longest account of a failure sent to the client as a log message.
_MAX_LOGGED = 500


class RequestFailed(JsonRpcException):
    """A well-formed request the server cannot serve (a document that is
    neither open nor a readable file): LSP's ``RequestFailed``."""

    CODE = int(types.LSPErrorCodes.RequestFailed)
    MESSAGE = "Request failed"


class CqlangServer(LanguageServer):
    """The language server, with cqlang's state beside pygls's."""

    def __init__(self, config_file: str | None = None) -> None:
        super().__init__(
            "cqlang",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Full,
            protocol_cls=CqlangProtocol,
        )
        self.config_file = config_file
        self.documents: dict[str, Document] = {}
        #: Milliseconds between the last change and the diagnostics.
        self.debounce = 0.05
        #: The widest line the formatter writes.
        self.width = 88
        #: The clock for relative times (None: the real one), for tests.
        self.now: datetime | None = None
        self.env: dict[str, str] = dict(os.environ)
        self._configs: dict[tuple[str, str], tuple[float, Config]] = {}
        #: Config files skipped as untrusted, each warned about once.
        self._untrusted_warned: set[tuple[str, str]] = set()
        self._pending: dict[str, asyncio.TimerHandle] = {}
        #: When each document last changed (the loop's clock), for the debounce.
        self._changed_at: dict[str, float] = {}
        #: The diagnostics last published, by document URI, with the text
        #: they are about.
        self.published: dict[str, tuple[str, list[Any]]] = {}
        #: Seconds the last diagnostics run took, for the benchmark.
        self.last_check_seconds = 0.0
        #: The options as the initialization left them (:meth:`reconfigure`).
        self._started: dict[str, Any] = {}

    def _start_io_async(self, stdin: Any = None, stdout: Any = None) -> None:
        """Every message read through the bounded reader of
        cqlang.lsp.stdio, whatever stdin is: by the event loop where it can
        watch stdin (no thread hop for each message), else by a thread."""
        from .stdio import serve

        serve(self, self.report_server_error, stdin, stdout)

    # ------------------------------------------------------------ errors
    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls reports an error (a request answered with a JSON-RPC error
        it raised, a message it could not read): log it, never pop it up;
        a message that is not JSON is answered (JSON-RPC's parse error)."""
        if isinstance(error, json.JSONDecodeError | UnicodeDecodeError):
            self.protocol.unreadable(error)  # type: ignore[attr-defined]
            return
        log.error("cqlang lsp: %s: %s", type(error).__name__, error)
        self.log(types.MessageType.Error, f"cqlang: {type(error).__name__}: {error}"[:_MAX_LOGGED])

    def failed(self, error: BaseException, what: str) -> None:
        """A handler raised ``error`` while serving ``what`` (a method):
        the traceback to the server's log, one line to the client."""
        log.error("cqlang lsp: %s failed", what, exc_info=error)
        line = f"cqlang: {what} failed: {type(error).__name__}: {error}".splitlines()
        self.log(types.MessageType.Error, (line[0] if line else what)[:_MAX_LOGGED])

    def log(self, kind: types.MessageType, message: str) -> None:
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except OSError:  # the client is gone (pygls raises BrokenPipeError, logs the rest)
            log.debug("cannot send a log message", exc_info=True)

    # ----------------------------------------------------- documents
    @property
    def encoding(self) -> str:
        """The position encoding agreed on: ``utf-16``, ``utf-8`` or ``utf-32``
        (the value: ``str()`` of the enum member is its name)."""
        try:
            chosen = self.workspace.position_encoding
        except RuntimeError:  # not initialized
            chosen = None
        value = getattr(chosen, "value", chosen)
        return str(value) if value else types.PositionEncodingKind.Utf16.value

    def document(self, uri: str) -> Document:
        """The open document ``uri``; a closed one is read from disk."""
        doc = self.documents.get(uri)
        if doc is not None:
            return doc
        path = _path(uri)
        if path is None:
            raise RequestFailed(f"{uri} is not open and not a file")
        try:
            text = read_text(path)
        except Unreadable as exc:
            raise RequestFailed(f"{uri} is not open and cannot be read: {exc}") from None
        doc = Document(uri, path, text, None)
        doc.ignored = self.ignores(doc)
        return doc

    def open(
        self, uri: str, text: str, version: int | None, language_id: str | None = None
    ) -> Document:
        """Open (or change: ``language_id`` None keeps the document's)
        ``uri``; its kind from its language id and name (docs/editors.md)."""
        old = self.documents.get(uri)
        if language_id is None and old is not None:
            language_id = old.language_id
        doc = Document(uri, _path(uri), text, version, language_id)
        doc.ignored = self.ignores(doc, old)
        self.documents[uri] = doc
        if doc.config_doc:
            self._configs.clear()
        return doc

    def ignores(self, doc: Document, old: Document | None = None) -> bool:
        """Whether nothing is served for ``doc``: the one rule, for open
        documents and files read from disk alike (docs/editors.md). Not
        cqlang's (another language, a name neither ``.cql`` nor ``.toml``);
        a TOML document that is no file, unless under a config file's name
        (a ``git:`` revision of one); a TOML file of another name, unless
        it is read as a config file (the user's ``config.toml``, a
        ``--config FILE``: ``Cargo.toml`` is not). ``old``: the document
        ``doc`` replaces, whose answer holds while its language id does
        (the config files are not looked for again at each change)."""
        if old is not None and old.language_id == doc.language_id:
            return old.ignored
        if doc.kind is None:
            return True
        if not doc.config_doc:
            return False
        if doc.path is None:
            return doc.source is None or not _config_name(doc.source)
        if _config_name(doc.path):
            return False
        try:
            found = self._discover(self.folder_of(doc), doc)
        except ConfigError:
            found = []
        return not any(_same(path, doc.path) for path, _ in found)

    def close(self, uri: str) -> None:
        doc = self.documents.pop(uri, None)
        self.published.pop(uri, None)
        handle = self._pending.pop(uri, None)
        self._changed_at.pop(uri, None)
        if handle is not None:
            handle.cancel()
        if doc is not None and doc.config_doc:
            self._configs.clear()

    def index(self, doc: Document) -> LineIndex:
        return doc.index(self.encoding)

    # ---------------------------------------------------- configuration
    def workspace_folders(self) -> list[Path]:
        """The workspace folders (the root URI, for an old client)."""
        try:
            folders = [f.uri for f in self.workspace.folders.values()]
            root = self.workspace.root_uri
        except RuntimeError:
            folders, root = [], None
        paths = [_path(uri) for uri in [*folders, *([root] if root else [])]]
        return [p for p in paths if p is not None]

    def workspace_folder(self, doc: Document) -> Path | None:
        """The workspace folder holding ``doc`` (the deepest), if any."""
        best: Path | None = None
        if doc.path is not None:
            for folder in self.workspace_folders():
                deeper = best is None or len(folder.parts) > len(best.parts)
                if deeper and doc.path.is_relative_to(folder):
                    best = folder
        return best

    def folder_of(self, doc: Document) -> Path:
        """The workspace folder holding ``doc`` (the deepest), else its own."""
        best = self.workspace_folder(doc)
        if best is None and doc.path is not None:
            best = doc.path.parent
        return best if best is not None else Path.cwd()

    def search_folders(self, doc: Document) -> list[tuple[Path, bool]]:
        """Where ``.cql`` files that may refer to ``doc``'s named queries are
        looked for, and whether in subfolders too: the workspace folder
        holding it; a document outside every folder: its own folder only;
        a document that is no file (``untitled:``): the workspace folders."""
        folder = self.workspace_folder(doc)
        if folder is not None:
            return [(folder, True)]
        if doc.path is not None:
            return [(doc.path.parent, False)]
        return [(f, True) for f in self.workspace_folders()]

    def config_for(self, doc: Document) -> Config:
        """The configuration ``doc`` is checked with (see the module)."""
        folder = self.folder_of(doc)
        key = (str(folder), doc.uri if doc.config_doc else "")
        cached = self._configs.get(key)
        if cached is not None and time.monotonic() - cached[0] < CONFIG_TTL:
            return cached[1]
        found: list[tuple[Path, str]] = []
        if not (doc.config_doc and doc.path is None):  # no file: on its own
            try:
                found = self._discover(folder)
            except ConfigError as exc:
                self.log(types.MessageType.Warning, f"cqlang: looking for config files: {exc}")
        files: list[ConfigFile] = []
        mine = False
        for path, origin in found:
            if doc.path is not None and _same(path, doc.path):
                mine = True
                if not doc.too_large:
                    files.append(check_text(doc.text, path, origin)[0])
                continue
            if self._untrusted(path, origin):
                continue
            text = self._config_text(path)
            if text is not None:
                files.append(check_text(text, path, origin)[0])
        if doc.config_doc and not mine and doc.source is not None:
            files = [] if doc.too_large else [check_text(doc.text, doc.source, "this document")[0]]
        config = Config(files, env=self.env)
        self._configs[key] = (time.monotonic(), config)
        return config

    def _discover(self, folder: Path, opening: Document | None = None) -> list[tuple[Path, str]]:
        """The config files found from ``folder``, as the command line finds
        them, except that a config file open in the editor (or ``opening``)
        is there, saved or not (a new ``cqlang.toml`` not yet written
        counts), and a ``pyproject.toml`` holds ``[tool.cqlang]`` as the
        editor has it."""
        docs = [*self.documents.values(), *([opening] if opening is not None else [])]
        overlay = {
            resolved(doc.path): doc.text for doc in docs if doc.config_doc and doc.path is not None
        }
        return discover(self.config_file, cwd=folder, env=self.env, overlay=overlay)

    def _untrusted(self, path: Path, origin: str) -> bool:
        """Whether the discovered file ``path`` is one the command line would
        skip (someone else could have written it); warned about once."""
        if origin not in DISCOVERED:
            return False
        try:
            reason = untrusted(os.stat(path))
        except OSError:
            return False  # read as any other file: its own error is logged then
        if reason is None:
            return False
        if (str(path), reason) not in self._untrusted_warned:
            self._untrusted_warned.add((str(path), reason))
            self.log(
                types.MessageType.Warning,
                f"cqlang: skipped the config file {path}: {reason} "
                "(as the command line skips it; see docs/config.md)",
            )
        return True

    def _config_text(self, path: Path) -> str | None:
        """A config file's text: as the editor has it if it is open, else
        from disk (None when it cannot be read)."""
        for doc in self.documents.values():
            if doc.path is not None and _same(doc.path, path):
                return None if doc.too_large else doc.text
        try:
            return read_text(path, MAX_CONFIG_BYTES)
        except Unreadable as exc:
            self.log(types.MessageType.Warning, f"cqlang: cannot read a config file: {exc}")
            return None

    def forget_configs(self) -> None:
        self._configs.clear()

    # ------------------------------------------------------- scheduling
    def later(self, uri: str, delay: float, job: Callable[[], None]) -> None:
        """Run ``job`` after ``delay`` seconds unless ``later`` is called for
        ``uri`` again first (a debounce); a failing job is logged."""

        def run() -> None:
            self._pending.pop(uri, None)
            try:
                job()
            except Exception as exc:  # broad: a bug in one job must not stop the others; logged
                self.failed(exc, f"a job for {uri}")

        old = self._pending.pop(uri, None)
        if old is not None:
            old.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called outside the server's loop (tests)
            run()
            return
        self._pending[uri] = loop.call_later(delay, run)

    def after_change(self, uri: str, job: Callable[[], None]) -> None:
        """Run ``job`` (the diagnostics) after a change of ``uri``: at once
        (once the messages already read are handled) when the document had
        not changed for ``debounce`` seconds and nothing waits, so that an
        idle server answers the first change of a burst without waiting;
        a change that follows within ``debounce`` waits ``debounce`` after
        the last one (a burst is checked once at its end)."""
        try:
            now = asyncio.get_running_loop().time()
        except RuntimeError:  # outside the server's loop (tests)
            now = time.monotonic()
        last = self._changed_at.get(uri)
        self._changed_at[uri] = now
        idle = uri not in self._pending and (last is None or now - last >= self.debounce)
        self.later(uri, 0 if idle else self.debounce, job)

    # ---------------------------------------------------------- options
    def configure(self, options: Any) -> None:
        """Read the ``initializationOptions`` (docs/editors.md). An option
        of the wrong type or out of range, and an unknown one (with the
        closest known name), is ignored with one ``window/logMessage``
        warning each; the server starts all the same. What they leave is
        what a setting set back to ``null`` returns to (:meth:`reconfigure`)."""
        if options is not None:
            self._read_options(
                options, "initializationOptions", lambda name: f"initialization option {name!r}"
            )
        self._started = self._options()

    def reconfigure(self, settings: Any) -> bool:
        """Apply the ``cqlang`` section of the settings of
        ``workspace/didChangeConfiguration``, as :meth:`configure` applies
        the initialization options: an option given changes, one left out
        keeps its value (LSP sends what changed), one given as ``null``
        (and every one, for a section of ``null``) is back to what the
        server started with. Settings without a ``cqlang`` section (other
        tools' settings; ``null``, which asks nothing) change nothing (one
        that holds cqlang's option names at the top is warned about).
        Whether an option changed."""
        if not isinstance(settings, dict):
            return False
        if "cqlang" not in settings:
            ours = [name for name in settings if name in _OPTIONS]
            if ours:  # cqlang's, most likely, not put in their section
                shown = json.dumps({"cqlang": {ours[0]: settings[ours[0]]}})[:80]
                self._option_warning(
                    f"setting{'s' if len(ours) > 1 else ''} {', '.join(map(repr, ours))} ignored: "
                    "cqlang's settings go "
                    f"in a cqlang section ({shown})"
                )
            return False
        section = settings["cqlang"]
        before = self._options()
        if section is None:
            section = dict.fromkeys(_OPTIONS)
        self._read_options(
            section, "settings.cqlang", lambda name: f"setting {'cqlang.' + str(name)!r}"
        )
        return self._options() != before

    def _read_options(self, options: Any, where: str, named: Callable[[str], str]) -> None:
        if not isinstance(options, dict):
            self._option_warning(f"{where}: expected an object, got {json_kind(options)}")
            return
        for name, value in options.items():
            reader = _OPTIONS.get(name)
            if reader is None:
                from ..diagnostics import suggest

                close = suggest(str(name), list(_OPTIONS))
                hint = f"; did you mean {close!r}?" if close else f" (known: {', '.join(_OPTIONS)})"
                self._option_warning(f"unknown {named(name)} ignored{hint}")
                continue
            if value is None and name in self._started:  # a setting back to the start
                setattr(self, _ATTRIBUTES[name], self._started[name])
                continue
            problem = reader(self, value)
            if problem is not None:
                self._option_warning(f"{named(name)} ignored: {problem}")

    def _options(self) -> dict[str, Any]:
        """The value of each option now."""
        return {name: getattr(self, attribute) for name, attribute in _ATTRIBUTES.items()}

    def _option_warning(self, message: str) -> None:
        log.warning("cqlang lsp: %s", message)
        self.log(types.MessageType.Warning, f"cqlang: {message}"[:_MAX_LOGGED])


def _number(value: Any) -> bool:
    """A JSON number (a boolean is none, though Python counts it an int)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _read_config(server: CqlangServer, value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return f"expected a file name (a string), got {json_kind(value)}"
    server.config_file = value
    return None


def _read_debounce(server: CqlangServer, value: Any) -> str | None:
    if not _number(value) or not 0 <= value <= 10_000:
        return f"expected milliseconds from 0 to 10000, got {json.dumps(value)[:40]}"
    server.debounce = value / 1000
    return None


def _read_width(server: CqlangServer, value: Any) -> str | None:
    if not _number(value) or value != int(value) or not 1 <= value <= 10_000:
        return f"expected a whole number of columns from 1 to 10000, got {json.dumps(value)[:40]}"
    server.width = int(value)
    return None


def _read_now(server: CqlangServer, value: Any) -> str | None:
    if not isinstance(value, str):
        return f"expected a date and time (a string), got {json_kind(value)}"
    from ..timeexpr import TimeError, parse_clock

    try:  # without an offset: wall time, read in the config's zone (publish.clock)
        server.now = parse_clock(value)
    except TimeError as exc:  # with its hint, as --now says it
        return str(exc) + (f" ({exc.hint})" if exc.hint else "")
    return None


#: Each initialization option (and setting) and how it is read: None, or
#: why it is not.
_OPTIONS: dict[str, Callable[[CqlangServer, Any], str | None]] = {
    "config": _read_config,
    "width": _read_width,
    "debounce": _read_debounce,
    "now": _read_now,
}
#: The server's attribute each option sets.
_ATTRIBUTES = {"config": "config_file", "width": "width", "debounce": "debounce", "now": "now"}


def _path(uri: str) -> Path | None:
    if not uri.startswith("file:"):
        return None
    fs = to_fs_path(uri)
    return Path(fs) if fs else None


def _config_name(path: Path) -> bool:
    return path.name in ("cqlang.toml", "pyproject.toml")


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a.absolute() == b.absolute()
