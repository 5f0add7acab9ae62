"""Go to definition and find references of named queries.

Definition: ``@name`` goes to the ``[queries.NAME]`` table (or the short
``NAME = "..."`` line) in the config file whose definition is in effect.
References of a named query (asked on an ``@name``, or on the query's own
table in a config file): every ``@name`` in the queries of the config files
read, in the open query files, and in the ``.cql`` files of the workspace
folder holding the document (a document outside every folder: of its own
folder, not its subfolders), each read only if it is a regular file, the
search bounded (cqlang.lsp.files); the definition too when the client asks
for the declaration.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path

from .. import api, ast
from ..config.tomlscan import scan
from ..errors import CqlError
from ..queryfile import MAX_QUERY_FILE_BYTES
from .broken import broken_tables
from .documents import Document, LineIndex
from .files import MAX_BYTES, MAX_FILES, Unreadable, cql_files, read_text
from .hover import _walk, node_at
from .server import CqlangServer


def _name_at(ls: CqlangServer, doc: Document, offset: int) -> str | None:
    """The named query at ``offset``: an ``@name``, or (in a config file)
    the table or string that defines a query. Nothing in a document past
    the size limit, or in a TOML file that is no config file."""
    if doc.too_large or doc.ignored:
        return None
    found = doc.region_at(offset)
    if found is not None:
        region, at = found
        try:
            node = node_at(api.parse(region.text).expr, at)
        except CqlError:
            node = None
        if isinstance(node, ast.Ref):
            return node.name
    if doc.config_doc:
        head = (*doc.prefix, "queries")
        for stmt in scan(doc.text).statements:
            inside = stmt.start <= offset < stmt.end
            if inside and stmt.path[: len(head)] == head and len(stmt.path) > len(head):
                return stmt.path[len(head)]
    return None


def _definition_of(ls: CqlangServer, doc: Document, name: str) -> types.Location | None:
    config = ls.config_for(doc)
    named = config.queries.get(name)
    if named is not None:
        src = named.source
    else:  # a table with a mistake is still where the name is defined
        src = broken_tables(config).get(name, (None, None))[0]
    if src is None:
        return None
    path = (*src.prefix, "queries", name)
    statements = scan(src.text).statements
    stmt = next((s for s in statements if s.header and s.path == path), None)
    if stmt is None:
        stmt = next((s for s in statements if s.path[: len(path)] == path), None)
    if stmt is None:
        return None
    line_end = src.text.find("\n", stmt.start, stmt.end)
    end = line_end if line_end >= 0 else stmt.end
    index = LineIndex(src.text, ls.encoding)
    uri = from_fs_path(str(src.path)) or str(src.path)
    return types.Location(uri=uri, range=index.range(stmt.start, end))


def definition(ls: CqlangServer, params: types.DefinitionParams) -> types.Location | None:
    doc = ls.document(params.text_document.uri)
    name = _name_at(ls, doc, ls.index(doc).offset(params.position))
    return _definition_of(ls, doc, name) if name is not None else None


def _documents(ls: CqlangServer, doc: Document) -> Iterator[Document]:
    """The documents whose queries may refer to a named query of ``doc``'s
    configuration: its config files, open query files, workspace .cql files."""
    seen: set[str] = set()
    for f in ls.config_for(doc).files:
        uri = from_fs_path(str(f.path)) or str(f.path)
        seen.add(uri)
        yield ls.documents.get(uri) or Document(uri, f.path, f.text, None)
    for uri, open_doc in list(ls.documents.items()):
        if uri not in seen and not open_doc.config_doc:
            seen.add(uri)
            yield open_doc
    budget = MAX_BYTES
    count = 0
    for folder, recursive in ls.search_folders(doc):
        for path in cql_files(folder, recursive=recursive):
            uri = from_fs_path(str(path)) or str(path)
            if uri in seen:
                continue
            seen.add(uri)
            count += 1
            if count > MAX_FILES or budget <= 0:
                return
            try:
                text = read_text(path, min(MAX_QUERY_FILE_BYTES, budget))
            except Unreadable:
                continue
            budget -= len(text)
            yield Document(uri, path, text, None)


def references(ls: CqlangServer, params: types.ReferenceParams) -> list[types.Location]:
    doc = ls.document(params.text_document.uri)
    name = _name_at(ls, doc, ls.index(doc).offset(params.position))
    if name is None:
        return []
    out: list[types.Location] = []
    if params.context.include_declaration:
        where = _definition_of(ls, doc, name)
        if where is not None:
            out.append(where)
    for other in _documents(ls, doc):
        index = LineIndex(other.text, ls.encoding)
        for region in other.regions:
            try:
                expr = api.parse(region.text).expr
            except CqlError:
                continue
            for node in _walk(expr):
                if isinstance(node, ast.Ref) and node.name == name:
                    rng = index.range(region.to_file(node.start), region.to_file(node.end))
                    out.append(types.Location(uri=other.uri, range=rng))
    return out


FEATURES: list[tuple[str, Any, Any]] = [
    (types.TEXT_DOCUMENT_DEFINITION, None, definition),
    (types.TEXT_DOCUMENT_REFERENCES, None, references),
]
