"""Formatting, whole document and range, with the formatter of ``cqlang
fmt`` (cqlang.config.fmtfiles): a query file is one query, formatted whole when
the range touches it; in a config file, the query strings the range touches
(the whole file: every one). A query that does not parse is left as it is.
The document's line ending is kept: its first line break (CRLF, a lone
CR or LF), as ``cqlang fmt --write`` keeps a file's. A config document that is not valid
TOML gets no edits (its diagnostic says what is wrong), nor does a document
past the size limit."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from ..config.fmtfiles import format_query_file, format_toml
from ..diagnostics import Diagnostic
from ..errors import CqlError
from ..visible import first_break
from .documents import Document
from .server import CqlangServer


def _valid_toml(text: str) -> bool:
    import tomllib

    from ..config.tomlread import loads

    try:
        loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return False
    return True


def edits(ls: CqlangServer, doc: Document, only: tuple[int, int] | None) -> list[types.TextEdit]:
    if not doc.regions or (doc.config_doc and not _valid_toml(doc.text)):
        # Where the strings of a text that is not TOML are is a guess, and
        # the edited text could not be read back.
        return []
    index = ls.index(doc)
    config = ls.config_for(doc)
    newline = first_break(doc.text)  # the document's own: CRLF, a lone CR or LF
    if not doc.config_doc:
        region = doc.regions[0]
        try:
            new = format_query_file(region.text, schema=config.schema, width=ls.width)
        except CqlError:
            return []
        if newline != "\n":
            new = new.replace("\n", newline)
        if new == region.text:
            return []
        return [types.TextEdit(range=index.range(region.span[0], len(doc.text)), new_text=new)]
    errors: list[Diagnostic] = []
    out = []
    for e in format_toml(
        doc.text,
        prefix=doc.prefix,
        schema=config.schema,
        width=ls.width,
        only=only,
        errors=errors,
    ):
        new = e.new.replace("\n", newline) if newline != "\n" else e.new
        out.append(types.TextEdit(range=index.range(e.start, e.end), new_text=new))
    return out


def formatting(ls: CqlangServer, params: types.DocumentFormattingParams) -> list[types.TextEdit]:
    return edits(ls, ls.document(params.text_document.uri), None)


def range_formatting(
    ls: CqlangServer, params: types.DocumentRangeFormattingParams
) -> list[types.TextEdit]:
    doc = ls.document(params.text_document.uri)
    index = ls.index(doc)
    start, end = index.offset(params.range.start), index.offset(params.range.end)
    if not doc.config_doc:
        if not doc.regions:
            return []
        region = doc.regions[0]
        if end < region.span[0]:
            return []
        return edits(ls, doc, None)
    return edits(ls, doc, (start, end))


FEATURES: list[tuple[str, Any, Any]] = [
    (types.TEXT_DOCUMENT_FORMATTING, None, formatting),
    (types.TEXT_DOCUMENT_RANGE_FORMATTING, None, range_formatting),
]
