"""The plan of each query: a code lens above it ("2 requests + client-side
check"), and the ``cqlang.explain`` command, which returns the plan (what
``cqlang explain`` prints, and the same as data)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from .. import api
from ..diagnostics import NEVER_MATCHES, Diagnostic
from ..errors import CqlError
from ..planner import Plan
from .documents import Document, Region
from .publish import query_env
from .server import CqlangServer, RequestFailed

EXPLAIN = "cqlang.explain"


def summary(plan: Plan) -> str:
    """A plan in a few words: ``2 requests + client-side check``."""
    if plan.never_matches:
        return NEVER_MATCHES
    n = plan.requests
    text = f"{n} request{'s' if n != 1 else ''}"
    if n == 1 and not plan.filters[0]:
        text += " (no filter)"
    if plan.residual is not None:
        text += " + client-side check"
    return text


def plan_of(ls: CqlangServer, doc: Document, region: Region) -> tuple[Plan | None, str]:
    """The region's plan, or None and why there is none."""
    try:
        return api.plan(region.text, query_env(ls, doc, region)), ""
    except CqlError as exc:
        errors = [d for d in exc.diagnostics if d.severity == "error"] or exc.diagnostics
        count = len(errors)
        return None, f"no plan: {count} error{'s' if count != 1 else ''}" if count else str(exc)


def code_lens(ls: CqlangServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    doc = ls.document(params.text_document.uri)
    index = ls.index(doc)
    lenses: list[types.CodeLens] = []
    for region in doc.regions:
        plan, why = plan_of(ls, doc, region)
        title = summary(plan) if plan is not None else why
        at = index.position(region.span[0])
        lenses.append(
            types.CodeLens(
                range=types.Range(start=at, end=at),
                command=types.Command(
                    title=title, command=EXPLAIN, arguments=[doc.uri, region.name]
                ),
            )
        )
    return lenses


def explain(ls: CqlangServer, *args: Any) -> dict[str, Any]:
    """``cqlang.explain(uri, name=None)``: the plan of the document's query
    (the named query ``name`` of a config document): ``summary``, ``text``
    (as ``cqlang explain`` prints it) and ``plan`` (as ``--json``); for a
    query with errors, ``summary`` and ``diagnostics``. Each diagnostic
    (and each of the plan's ``warnings``) has its LSP ``range`` too
    (:func:`_placed`)."""
    if not args or not isinstance(args[0], str) or len(args) > 2:
        raise JsonRpcInvalidParams(
            "cqlang.explain takes a document URI and, in a config file, a query's name"
        )
    name = args[1] if len(args) > 1 else None
    if name is not None and not isinstance(name, str):
        raise JsonRpcInvalidParams("a query's name is a string")
    doc = ls.document(args[0])
    region = _region_asked(doc, name)
    try:
        plan = api.plan(region.text, query_env(ls, doc, region))
    except CqlError as exc:
        _, why = plan_of(ls, doc, region)
        return {"summary": why, "diagnostics": _placed(ls, doc, region, exc.diagnostics)}
    data = plan.to_json()
    data["warnings"] = _placed(ls, doc, region, plan.warnings)
    return {"summary": summary(plan), "text": plan.explain(), "plan": data}


def _region_asked(doc: Document, name: str | None) -> Region:
    """The query ``cqlang.explain`` is asked for: the query of a query
    file, the named query ``name`` of a config file; invalid params (said
    plainly) for a document that is neither, a config file without a name
    or without that query."""
    if doc.ignored:
        if doc.config_doc:
            raise JsonRpcInvalidParams(
                f"{doc.uri} is not a cqlang config file (cqlang.toml, pyproject.toml, the "
                "user's config.toml or the file --config names): no named queries to explain"
            )
        raise JsonRpcInvalidParams(
            f"{doc.uri} is not a cqlang file: cqlang.explain takes a query file (.cql) "
            "or a config file (cqlang.toml) and a query's name"
        )
    if doc.too_large:
        raise RequestFailed(f"{doc.uri} is past the size limit: no plan")
    if not doc.config_doc:
        return doc.regions[0]
    if name is None:
        names = ", ".join(r.name for r in doc.regions[:10] if r.name is not None)
        have = f"; its queries: {names}{', ...' if len(doc.regions) > 10 else ''}" if names else ""
        raise JsonRpcInvalidParams(
            f"{doc.uri} is a config file: cqlang.explain needs the name of one of its "
            f"queries as its second argument{have}"
        )
    region = doc.region_named(name)
    if region is None:
        raise JsonRpcInvalidParams(f"no query named {name!r} in {doc.uri}")
    return region


def _placed(
    ls: CqlangServer, doc: Document, region: Region, diagnostics: Iterable[Diagnostic]
) -> list[dict[str, Any]]:
    """Each diagnostic as the command line gives it (``start``, ``end``,
    ``line``, ``column``: code points of the query, from 1 for the line
    and column), and its ``range`` as LSP places it: in the document (a
    config file's line, not the query string's), in the negotiated
    position encoding, as ``publishDiagnostics`` gives it."""
    index = ls.index(doc)
    out = []
    for d in diagnostics:
        item = d.to_dict()
        rng = index.range(region.to_file(d.start), region.to_file(d.end))
        item["range"] = {
            "start": {"line": rng.start.line, "character": rng.start.character},
            "end": {"line": rng.end.line, "character": rng.end.character},
        }
        out.append(item)
    return out


FEATURES: list[tuple[str, Any, Any]] = [
    (types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False), code_lens),
]
COMMANDS: list[tuple[str, Any]] = [(EXPLAIN, explain)]
