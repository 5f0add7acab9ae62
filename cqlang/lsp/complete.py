"""Completion, from cqlang.completion (the REPL's engine): properties,
operators, enum values, declared custom keys, ``@names`` and ``$params``,
each with its kind and documentation. A value is inserted as the query
needs it (``"Lower Silesia"``: cqlang.completion.value_literal) and
labelled as declared; in a config file the text inserted is escaped for the
TOML string it goes into (:func:`escape_for`)."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from ..completion import NULL_TESTS as _NULL_TESTS
from ..completion import Candidate, completions
from ..config import Config
from ..schema import Schema
from .about import default_doc, operator_doc, value_doc
from .documents import Document, Region
from .publish import query_env
from .server import CqlangServer

_KINDS = {
    "property": types.CompletionItemKind.Field,
    "custom": types.CompletionItemKind.Field,
    "operator": types.CompletionItemKind.Operator,
    "value": types.CompletionItemKind.EnumMember,
    "keyword": types.CompletionItemKind.Keyword,
    "query": types.CompletionItemKind.Reference,
    "param": types.CompletionItemKind.Variable,
}


def property_doc(schema: Schema, name: str) -> str:
    """Markdown about a property (or ``custom.KEY``) of ``schema``."""
    if name.startswith("custom"):
        key = name[7:] if name.startswith("custom.") else None
        if key is None or not key:
            return 'A custom field: `custom.KEY`, or `custom["KEY"]` for any key.'
        declared = schema.custom_field(key)
        if declared is None:
            return f"Custom field `{key}` (not declared: compared as a string)."
        values = f"; values: {', '.join(declared.values)}" if declared.values else ""
        return f"Custom field `{key}`, declared {declared.type}{values}."
    prop = schema.lookup(name)
    if prop is None:
        return ""
    lines = [
        f"**{prop.name}**: {prop.type}" + (f": {prop.description}" if prop.description else "")
    ]
    # Every property also takes the null tests (the completion offers them).
    ops = (*prop.language_operators(), *_NULL_TESTS)
    lines.append("operators: " + ", ".join(f"`{o}`" for o in ops))
    if prop.values:
        lines.append("values: " + ", ".join(f"`{v}`" for v in prop.values))
    return "\n\n".join(lines)


def query_doc(config: Config, name: str) -> str:
    named = config.queries.get(name)
    if named is None:
        return ""
    head = f"**@{name}**" + (f": {named.description}" if named.description else "")
    params = ", ".join(f"`${k}` = {default_doc(v)}" for k, v in named.params.items())
    tail = f"\n\ndefaults: {params}" if params else ""
    return f"{head}\n\n```cqlang\n{named.text.strip()}\n```{tail}"


def _documentation(c: Candidate, config: Config) -> str:
    if c.kind in ("property", "custom"):
        return property_doc(config.schema, c.field or c.text.rstrip("."))
    if c.kind == "query":
        return query_doc(config, c.text[1:])
    if c.kind == "operator":
        return operator_doc(config.schema, c.field, c.text)
    if c.kind == "value" and c.field:
        return value_doc(config.schema, c.field, c.text)
    return c.meta


def escape_for(region: Region, text: str) -> str:
    """``text`` (query text) as written inside the region's TOML string;
    unchanged in a query file. In a basic string (``"``, ``\"\"\"``) a
    backslash and a double quote are escaped; a literal string (``'``,
    ``'''``) has no escapes, so a ``'`` (which a candidate holds only
    inside a query string: ``"it's"``) is written as the query's own escape
    ``\\u0027``. A candidate never holds a line break or a control
    character (cqlang.parser.quote writes them as escapes)."""
    quote = region.opener
    if quote == "":
        return text
    if quote in ("'", "'''"):
        return text.replace("'", "\\u0027")
    return text.replace("\\", "\\\\").replace('"', '\\"')


def completion(ls: CqlangServer, params: types.CompletionParams) -> types.CompletionList | None:
    doc: Document = ls.document(params.text_document.uri)
    index = ls.index(doc)
    at = doc.region_at(index.offset(params.position))
    if at is None:
        return None
    region, cursor = at
    config = ls.config_for(doc)
    env = query_env(ls, doc, region)
    found = completions(
        region.text,
        cursor,
        schema=config.schema,
        queries=config.queries,
        params=list(env.params),
    )
    rng = index.range(region.to_file(found.start), region.to_file(cursor))
    items: list[types.CompletionItem] = []
    for rank, c in enumerate(found.items):
        new = escape_for(region, c.text)
        about = _documentation(c, config)
        items.append(
            types.CompletionItem(
                label=c.shown,
                kind=_KINDS.get(c.kind, types.CompletionItemKind.Text),
                detail=c.meta or c.kind,
                documentation=(
                    types.MarkupContent(kind=types.MarkupKind.Markdown, value=about)
                    if about
                    else None
                ),
                sort_text=f"{rank:05d}",
                filter_text=c.shown,
                text_edit=types.TextEdit(range=rng, new_text=new),
            )
        )
    return types.CompletionList(is_incomplete=False, items=items)


FEATURES: list[tuple[str, Any, Any]] = [
    (
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=[".", "@", "$", "["]),
        completion,
    ),
]
