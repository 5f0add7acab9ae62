"""Diagnostics: computed from cqlang.api (queries) and
cqlang.config.check_text (the config file's own mistakes), published when a
document opens, changes (at once after a quiet spell, else debounced: the
server's ``debounce`` after the last
change), is saved, or a config file it depends on changes.

Each LSP diagnostic has the cqlang code, a ``codeDescription`` linking to
the code's section of docs/errors.md, the severity, the hint as related
information (at the same place), and as ``data`` the structured
``suggestion`` a quick fix puts in place of its range.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from lsprotocol import types

from .. import api, timeexpr
from ..config import MAX_CONFIG_BYTES, Config, check_text
from ..config.tomlscan import Layout, scan
from ..diagnostics import Diagnostic, for_front_end
from ..env import Env, chosen_zone
from .broken import explain_broken
from .documents import Document, LineIndex, Region, apply_change
from .server import ERRORS_URL, CqlangServer


class ConfigMistake:
    """A config document's own mistake (a TOML or setting error, not a
    query's): what :func:`to_lsp` and the quick fixes read of a
    :class:`Diagnostic`, with no code (a Diagnostic's code is a CQL code)."""

    __slots__ = ("message",)
    code = ""
    severity = "error"
    hint: str | None = None
    suggestion: str | None = None

    def __init__(self, message: str) -> None:
        self.message = message


class Found:
    """One diagnostic of a document: where (file offsets) and what."""

    __slots__ = ("diagnostic", "end", "region", "start")

    def __init__(
        self, region: Region | None, diagnostic: Diagnostic | ConfigMistake, start: int, end: int
    ) -> None:
        self.region = region
        self.diagnostic = diagnostic
        self.start = start
        self.end = end


def query_env(ls: CqlangServer, doc: Document, region: Region) -> Env:
    """What a query of ``doc`` is checked and planned with: the config's
    schema, named queries and time zone; a named query's own parameter
    defaults and time zone."""
    config = ls.config_for(doc)
    named = config.queries.get(region.name) if region.name is not None else None
    params: Mapping[str, Any] | None = None
    own_zone = None  # a named query's own zone holds inside those it refers to
    if named is not None and named.source is not None and named.source.text == doc.text:
        params, own_zone = named.params, named.timezone
    tz, on_purpose = chosen_zone(own_zone, fallback=config.timezone)
    return Env(
        config.schema,
        params,
        tz,
        clock(ls, config),
        config.env_queries,
        override_tz=on_purpose,
        toml_params=params or (),  # defaults of a config file, not a caller's
    )


def clock(ls: CqlangServer, config: Config) -> datetime | None:
    """The ``now`` option as an instant: without an offset, its wall time in
    the config's zone, as ``--now`` is read in the run's zone (never a named
    query's own: the clock is one instant whatever the query). Where that
    zone cannot hold it (a clock at the calendar's very edge, checked in UTC
    when it was given) it is read in UTC rather than failing every
    request."""
    try:
        return timeexpr.clock_in(ls.now, config.timezone)
    except timeexpr.TimeError:
        return timeexpr.clock_in(ls.now, None)


def _too_large(doc: Document) -> list[Found]:
    """The one diagnostic of a document past the size limit: the checker's
    for a query (CQL006), and its like for a config document."""
    if not doc.config_doc:
        bom = 1 if doc.text.startswith("\ufeff") else 0
        region = Region(doc.text[bom:], None, None, (bom, len(doc.text)))
        diags = api.check(region.text)
        return [Found(None, d, region.to_file(d.start), region.to_file(d.end)) for d in diags]
    limit = MAX_CONFIG_BYTES // 2**20
    message = f"larger than {limit} MiB: not read as a config file"
    return [Found(None, ConfigMistake(message), 0, 0)]


def _narrowed(layout: Layout | None, start: int, end: int) -> tuple[int, int]:
    """A config mistake's span: the key it is about (a table's name in its
    header), the value it is about (a string with its quotes, a number, an
    array, an inline table; a comment after it left out); else the rest of
    the line."""
    if layout is None:
        return start, end
    for path, at in layout.keys.items():
        if at == start:
            return start, layout.key_ends[path]
    for path, at in layout.values.items():
        if at == start and path in layout.value_ends:
            return start, max(start, layout.value_ends[path])
    return start, end


def analyze(ls: CqlangServer, doc: Document) -> list[Found]:
    """Every diagnostic of ``doc``, placed in its text."""
    if doc.ignored:
        return []
    if doc.too_large:
        return _too_large(doc)
    if not doc.config_doc:
        region = doc.regions[0]
        # A .cql file's bound comes from the config: CQL204's hint says so.
        diags = for_front_end(api.check(region.text, query_env(ls, doc, region)), "config")
        diags = explain_broken(diags, ls.config_for(doc))
        return [Found(region, d, region.to_file(d.start), region.to_file(d.end)) for d in diags]
    found: list[Found] = []
    assert doc.source is not None  # a config document has one
    _, problems = check_text(doc.text, doc.source)
    layout = scan(doc.text) if problems else None
    for p in problems:
        start, end = _narrowed(layout, p.start, p.end)
        found.append(Found(None, ConfigMistake(p.message), start, end))
    config: Config = ls.config_for(doc)
    for finding in config.lint(now=clock(ls, config)):
        src = finding.query.source
        if src is None or src.text != doc.text or src.path != doc.source:
            continue
        named = doc.region_named(finding.query.name)
        if named is None:
            continue
        d = explain_broken((finding.diagnostic,), config)[0]
        at = _at_default(finding.query, d, doc)
        if at is not None:  # a default's mistake: at its value, in this file
            found.append(Found(None, d, at.start, at.end))
            continue
        found.append(Found(named, d, named.to_file(d.start), named.to_file(d.end)))
    return found


def _at_default(query: Any, d: Diagnostic, doc: Document) -> Diagnostic | None:
    """Where a mistake in a named query's parameter default is written in
    ``doc`` (the value in its ``params``), as the command line places it
    (:meth:`cqlang.config.NamedQuery.in_file`); ``None`` for any other
    diagnostic, or a default written in another file."""
    owner = query.default_owner(d)
    src = owner.source if owner is not None else None
    if src is None or src.text != doc.text or src.path != doc.source:
        return None
    placed = owner.at_default(d, d.message)
    return placed[0] if placed is not None else None


_SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning}


def to_lsp(uri: str, index: LineIndex, f: Found) -> types.Diagnostic:
    d = f.diagnostic
    rng = index.range(f.start, f.end)
    related = None
    if d.hint:
        where = types.Location(uri=uri, range=rng)
        related = [types.DiagnosticRelatedInformation(location=where, message=d.hint)]
    code = d.code if d.code.startswith("CQL") else None
    return types.Diagnostic(
        range=rng,
        message=d.message,
        severity=_SEVERITY.get(d.severity, types.DiagnosticSeverity.Error),
        code=code,
        code_description=(
            types.CodeDescription(href=f"{ERRORS_URL}#{code.lower()}") if code else None
        ),
        source="cqlang" if code else "cqlang config",
        related_information=related,
        data={"suggestion": d.suggestion} if d.suggestion is not None else None,
    )


def publish(ls: CqlangServer, uri: str) -> None:
    """Compute and send the diagnostics of the open document ``uri``."""
    doc = ls.documents.get(uri)
    if doc is None:
        return
    started = time.perf_counter()
    found = analyze(ls, doc)
    index = ls.index(doc)
    items = [to_lsp(uri, index, f) for f in found]
    ls.published[uri] = (doc.text, found)
    ls.last_check_seconds = time.perf_counter() - started
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=items, version=doc.version)
    )


def _republish_others(ls: CqlangServer, changed: Document) -> None:
    """A config document changed: the documents checked with it change too."""
    if not changed.config_doc:
        return
    ls.forget_configs()
    for uri in list(ls.documents):
        if uri != changed.uri:
            ls.later(uri, ls.debounce, lambda uri=uri: publish(ls, uri))  # type: ignore[misc]


# --------------------------------------------------------------- handlers


def initialize(ls: CqlangServer, params: types.InitializeParams) -> None:
    ls.configure(params.initialization_options)


def did_open(ls: CqlangServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    doc = ls.open(item.uri, item.text, item.version, item.language_id)
    publish(ls, item.uri)
    _republish_others(ls, doc)


def did_change(ls: CqlangServer, params: types.DidChangeTextDocumentParams) -> None:
    """Each change in turn: a whole text, or a range replaced (the server
    asks for whole texts, but a client may send ranges all the same)."""
    uri = params.text_document.uri
    doc = ls.documents.get(uri)
    if doc is None:
        ls.log(types.MessageType.Warning, f"cqlang: a change of {uri}, which is not open: ignored")
        return
    text = doc.text
    for change in params.content_changes:
        text = apply_change(text, change, ls.encoding)
    doc = ls.open(uri, text, params.text_document.version)
    ls.after_change(uri, lambda: publish(ls, uri))
    _republish_others(ls, doc)


def did_save(ls: CqlangServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.forget_configs()
    ls.later(params.text_document.uri, 0, lambda: publish(ls, params.text_document.uri))


def did_close(ls: CqlangServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    doc = ls.documents.get(uri)
    ls.close(uri)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
    if doc is not None:
        _republish_others(ls, doc)


#: The config files whose changes on disk re-check the open documents.
WATCHED = ("**/cqlang.toml", "**/pyproject.toml")
WATCH_ID = "cqlang-config-files"


def initialized(ls: CqlangServer, params: types.InitializedParams) -> None:
    """Ask the client to tell of changes to config files on disk
    (``workspace/didChangeWatchedFiles``), where it can be asked so: it
    registers that notification dynamically. A client that cannot is not
    asked (its documents are re-checked when they are saved or changed)."""
    caps = ls.client_capabilities
    watched = caps.workspace.did_change_watched_files if caps.workspace else None
    if watched is None or not watched.dynamic_registration:
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED]
    )
    registration = types.Registration(
        id=WATCH_ID, method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
    )
    future = ls.client_register_capability(types.RegistrationParams(registrations=[registration]))

    def refused(done: Any) -> None:
        error = None if done.cancelled() else done.exception()
        if error is not None:
            ls.log(
                types.MessageType.Warning,
                f"cqlang: the client did not watch the config files: {error}"[:500],
            )

    future.add_done_callback(refused)


def watched_files(ls: CqlangServer, params: types.DidChangeWatchedFilesParams) -> None:
    """A config file changed on disk: every open document is checked again
    with what it now says."""
    _recheck_all(ls)


def settings_changed(ls: CqlangServer, params: types.DidChangeConfigurationParams) -> None:
    """``workspace/didChangeConfiguration``: the ``cqlang`` section of the
    settings applied as the initialization options are
    (:meth:`CqlangServer.reconfigure`); when an option changed, every open
    document is checked again with it (another config file, another clock)."""
    if ls.reconfigure(params.settings):
        _recheck_all(ls)


def _recheck_all(ls: CqlangServer) -> None:
    ls.forget_configs()
    for uri in list(ls.documents):
        ls.later(uri, ls.debounce, lambda uri=uri: publish(ls, uri))  # type: ignore[misc]


FEATURES: list[tuple[str, Any, Any]] = [
    (types.INITIALIZE, None, initialize),
    (types.INITIALIZED, None, initialized),
    (types.TEXT_DOCUMENT_DID_OPEN, None, did_open),
    (types.TEXT_DOCUMENT_DID_CHANGE, None, did_change),
    (types.TEXT_DOCUMENT_DID_SAVE, None, did_save),
    (types.TEXT_DOCUMENT_DID_CLOSE, None, did_close),
    (types.WORKSPACE_DID_CHANGE_WATCHED_FILES, None, watched_files),
    (types.WORKSPACE_DID_CHANGE_CONFIGURATION, None, settings_changed),
]
