"""Hover: on a property, its type, operators and values (the schema); on
``@name``, the named query's description and text; on a datetime or a
relative time (or a string compared with a datetime), the UTC interval it
means; on another value, what it is for its property (an enum value of
which property; a number or a string compared with it); on an operator,
what it means for that property and how it is sent; anywhere else in a
query (a value of no known property too), the query's plan."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from .. import api, ast
from ..errors import CqlError
from .about import default_doc, operator_doc, value_doc
from .broken import broken_tables, where_broken
from .complete import property_doc, query_doc
from .documents import Document, Region
from .plans import plan_of, summary
from .publish import query_env
from .server import CqlangServer


def _walk(expr: ast.Expr | None) -> list[Any]:
    """Every node of a tree, parents before children (iteratively)."""
    out: list[Any] = []
    stack: list[Any] = [expr] if expr is not None else []
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, ast.And | ast.Or):
            stack.extend(node.items)
        elif isinstance(node, ast.Not):
            stack.append(node.expr)
        elif isinstance(node, ast.Compare):
            stack.extend((node.field, node.value))
        elif isinstance(node, ast.In):
            stack.append(node.field)
            stack.extend((node.values,) if isinstance(node.values, ast.Param) else node.values)
        elif isinstance(node, ast.Between):
            stack.extend((node.field, node.low, node.high))
        elif isinstance(node, ast.IsNull):
            stack.append(node.field)
    return out


def node_at(expr: ast.Expr | None, at: int) -> Any:
    """The smallest node whose span holds the offset ``at``."""
    best: Any = None
    for node in _walk(expr):
        if node.start <= at <= node.end and (
            best is None or node.end - node.start < best.end - best.start
        ):
            best = node
    return best


def operator_of(node: Any) -> tuple[str, int, int] | None:
    """A predicate's operator as written in the language, and the span
    between its field and its (first) value."""
    if isinstance(node, ast.Compare):
        return node.op, node.field.end, node.value.start
    if isinstance(node, ast.In):
        first = node.values if isinstance(node.values, ast.Param) else None
        end = first.start if first is not None else node.end
        return ("not in" if node.negated else "in"), node.field.end, end
    if isinstance(node, ast.Between):
        return ("not between" if node.negated else "between"), node.field.end, node.low.start
    if isinstance(node, ast.IsNull):
        return ("is not null" if node.negated else "is null"), node.field.end, node.end
    return None


def _interval(ls: CqlangServer, doc: Document, region: Region, text: str) -> str:
    env = query_env(ls, doc, region).replace(queries={})
    try:
        filters = api.compile(f"created_date = {text}", env)
    except CqlError as exc:
        return str(exc.diagnostics[0].message if exc.diagnostics else exc)
    bounds = {f.get("operator"): f["value"] for f in filters}
    low, high = bounds.get("gte"), bounds.get("lte")
    zone = env.tz or "UTC"
    return f"`{text}` means, in UTC: from `{low}` to `{high}` (both included; zone {zone})"


def _predicate(ls: CqlangServer, doc: Document, region: Region, node: Any) -> str:
    op, _, _ = operator_of(node)  # type: ignore[misc]
    schema = ls.config_for(doc).schema
    lines = [operator_doc(schema, _field_name(node.field), op)]
    try:
        plan = api.plan(region.text[node.start : node.end], query_env(ls, doc, region))
    except CqlError as exc:
        lines.append(str(exc.diagnostics[0].message if exc.diagnostics else exc))
    else:
        lines.append(f"this predicate alone: {summary(plan)}")
        lines.append(f"```text\n{plan.explain()}\n```")
    return "\n\n".join(lines)


def describe(ls: CqlangServer, doc: Document, region: Region, at: int) -> tuple[str, Any] | None:
    """Markdown about what is at ``at`` in the region, and the node."""
    try:
        query = api.parse(region.text)
    except CqlError:
        return None
    config = ls.config_for(doc)
    node = node_at(query.expr, at)
    if isinstance(node, ast.Field):
        name = node.name if node.key is None else f"custom.{node.key}"
        return property_doc(config.schema, name) or f"unknown property `{node.name}`", node
    if isinstance(node, ast.Ref):
        return _ref_doc(ls, doc, region, node.name), node
    if isinstance(node, ast.DateTime | ast.RelTime):
        return _interval(ls, doc, region, region.text[node.start : node.end]), node
    if isinstance(node, ast.Param):
        bound = query_env(ls, doc, region).params.get(node.name)
        shown = "not bound here" if bound is None else f"default {default_doc(bound)}"
        return f"parameter `${node.name}`: {shown}", node
    if isinstance(node, ast.Str | ast.Int):
        field = getattr(parent_of(query.expr, node), "field", None)
        if isinstance(field, ast.Field):
            written = region.text[node.start : node.end]
            if _type_of(config.schema, field) == "datetime" and isinstance(node, ast.Str):
                return _interval(ls, doc, region, written), node
            about = value_doc(config.schema, _field_name(field), written)
            if about:
                return about, node
        # A value of no known property: the plan, as anywhere else.
    op = operator_of(node)
    if op is not None and op[1] <= at <= op[2]:
        return _predicate(ls, doc, region, node), node
    plan, why = plan_of(ls, doc, region)
    if plan is None:
        return why, None
    return f"**plan**: {summary(plan)}\n\n```text\n{plan.explain()}\n```", None


def _ref_doc(ls: CqlangServer, doc: Document, region: Region, name: str) -> str:
    """A reference's named query: its description and text, and the zone
    its dates are read in there (the checker's rule: the query's own
    ``timezone``, unless the query holding the reference has its own,
    which holds inside what it refers to); a query left out for a mistake
    in its table says where that table is."""
    config = ls.config_for(doc)
    named = config.queries.get(name)
    if named is None:
        broken = broken_tables(config).get(name)
        if broken is None:
            return f"unknown named query `@{name}`"
        table, _ = where_broken(*broken, name)
        return f"**@{name}**: left out, {table}"
    env = query_env(ls, doc, region)
    if env.override_tz or named.timezone is None:
        zone = f"`{env.tz or 'UTC'}`"
        if named.timezone is not None:
            zone += f" (the zone of the query it is in holds over its own `{named.timezone}`)"
    else:
        zone = f"`{named.timezone}` (its own)"
    return f"{query_doc(config, name)}\n\ndates read in zone {zone}"


def parent_of(expr: ast.Expr | None, child: Any) -> Any:
    """The predicate that holds the value node ``child``, if any."""
    for node in _walk(expr):
        if isinstance(node, ast.Compare) and node.value is child:
            return node
        if isinstance(node, ast.In) and (
            node.values is child or (isinstance(node.values, list | tuple) and child in node.values)
        ):
            return node
        if isinstance(node, ast.Between) and child in (node.low, node.high):
            return node
    return None


def _field_name(field: ast.Field) -> str:
    return field.name if field.key is None else f"custom.{field.key}"


def _type_of(schema: Any, field: ast.Field) -> str | None:
    if field.key is not None:
        declared = schema.custom_field(field.key)
        return declared.type if declared is not None else "string"
    prop = schema.lookup(field.name)
    return prop.type if prop is not None else None


def hover(ls: CqlangServer, params: types.HoverParams) -> types.Hover | None:
    doc = ls.document(params.text_document.uri)
    index = ls.index(doc)
    found = doc.region_at(index.offset(params.position))
    if found is None:
        return None
    region, at = found
    got = describe(ls, doc, region, at)
    if got is None:
        return None
    text, node = got
    rng = None
    if node is not None:
        rng = index.range(region.to_file(node.start), region.to_file(node.end))
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text), range=rng
    )


FEATURES: list[tuple[str, Any, Any]] = [(types.TEXT_DOCUMENT_HOVER, None, hover)]
