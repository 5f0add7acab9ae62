"""Code actions: every "did you mean" as a quick fix (the diagnostic's
structured ``suggestion`` put in place of its span), and "expand @name",
which writes a named query's text in place of the reference (in
parentheses where it needs them; its parameter defaults do not come along:
docs/editors.md). In a config file an edit rewrites the whole TOML string
of the query, so that the new text is escaped as that string needs."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from .. import api, ast
from ..config.fmtfiles import toml_literal
from ..diagnostics import Diagnostic
from ..errors import CqlError
from ..formatter import format_query
from .documents import Document, Region
from .hover import _walk
from .publish import Found, analyze
from .server import CqlangServer


def replace_in_query(
    ls: CqlangServer, doc: Document, region: Region, start: int, end: int, new: str
) -> types.TextEdit:
    """The edit that puts ``new`` in place of ``region.text[start:end]``."""
    index = ls.index(doc)
    if not doc.config_doc:
        return types.TextEdit(
            range=index.range(region.to_file(start), region.to_file(end)), new_text=new
        )
    value = region.text[:start] + new + region.text[end:]
    multi = region.opener in ('"""', "'''")
    literal = toml_literal(value, region.opener[:1], multi or "\n" in value)
    if "\r\n" in doc.text:
        literal = literal.replace("\n", "\r\n")
    return types.TextEdit(range=index.range(*region.span), new_text=literal)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _fix(ls: CqlangServer, doc: Document, f: Found) -> types.CodeAction | None:
    d = f.diagnostic
    if not isinstance(d, Diagnostic) or d.suggestion is None or f.region is None:
        return None
    edit = replace_in_query(ls, doc, f.region, d.start, d.end, d.suggestion)
    return types.CodeAction(
        title=f"Replace with '{d.suggestion}'",
        kind=types.CodeActionKind.QuickFix,
        is_preferred=True,
        diagnostics=[_lsp(ls, doc, f)],
        edit=types.WorkspaceEdit(changes={doc.uri: [edit]}),
    )


def _lsp(ls: CqlangServer, doc: Document, f: Found) -> types.Diagnostic:
    from .publish import to_lsp

    return to_lsp(doc.uri, ls.index(doc), f)


def expansion(ls: CqlangServer, doc: Document, name: str) -> str | None:
    """A named query's text as it replaces ``@name``: canonical, on one
    line, in parentheses unless it is one predicate."""
    named = ls.config_for(doc).queries.get(name)
    if named is None:
        return None
    try:
        query = api.parse(named.text)
    except CqlError:
        return None
    text = format_query(query, ls.config_for(doc).schema)
    if isinstance(query.expr, ast.And | ast.Or):
        return f"({text})"
    return text or "()"


def _expand(
    ls: CqlangServer, doc: Document, region: Region, ref: ast.Ref
) -> types.CodeAction | None:
    text = expansion(ls, doc, ref.name)
    if text is None or text == "()":
        return None
    edit = replace_in_query(ls, doc, region, ref.start, ref.end, text)
    return types.CodeAction(
        title=f"Expand @{ref.name}",
        kind=types.CodeActionKind.RefactorInline,
        edit=types.WorkspaceEdit(changes={doc.uri: [edit]}),
    )


def code_action(ls: CqlangServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    doc = ls.document(params.text_document.uri)
    index = ls.index(doc)
    want = (index.offset(params.range.start), index.offset(params.range.end))
    text, found = ls.published.get(doc.uri, ("", []))
    if text != doc.text or doc.uri not in ls.documents:  # not published yet
        found = analyze(ls, doc)
    out: list[types.CodeAction] = []
    for f in found:
        if _overlaps((f.start, f.end), want):
            action = _fix(ls, doc, f)
            if action is not None:
                out.append(action)
    for region in doc.regions:
        lo, hi = region.from_file(want[0]), region.from_file(want[1])
        if lo is None and hi is None:
            continue
        try:
            expr = api.parse(region.text).expr
        except CqlError:
            continue
        span = (lo if lo is not None else 0, hi if hi is not None else len(region.text))
        for node in _walk(expr):
            if isinstance(node, ast.Ref) and _overlaps((node.start, node.end), span):
                action = _expand(ls, doc, region, node)
                if action is not None:
                    out.append(action)
    return out


FEATURES: list[tuple[str, Any, Any]] = [
    (
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorInline]
        ),
        code_action,
    ),
]
