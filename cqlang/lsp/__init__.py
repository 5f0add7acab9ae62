"""The cqlang language server (``cqlang lsp``), on pygls and lsprotocol.

It serves ``.cql`` query files (language id ``cqlang``) and the named
queries of config files (``cqlang.toml``, ``[tool.cqlang]`` of a
``pyproject.toml``), reusing the library for every feature: diagnostics
(cqlang.api.check, config.check_text), completion (cqlang.completion),
hover, formatting (cqlang.config.fmtfiles), code actions, definitions and
references of named queries, semantic tokens (the Pygments lexer) and the
plan of each query (cqlang.api.plan). docs/editors.md describes each.

One module per group of features, one handler per feature:

* :mod:`.server`: the server, its documents and their configuration;
* :mod:`.app`: every feature registered on a server, and serving it;
* :mod:`.documents`: a document's queries, and offsets <-> LSP positions;
* :mod:`.publish`: diagnostics, published (debounced) as documents change;
* :mod:`.complete`, :mod:`.hover`, :mod:`.formatting`, :mod:`.actions`,
  :mod:`.navigation`, :mod:`.tokens`, :mod:`.plans`: the other features.

Only ``cqlang lsp`` imports this package (it needs the ``lsp`` extra).
"""

from __future__ import annotations

from .app import create_server, serve
from .server import CqlangServer

__all__ = ["CqlangServer", "create_server", "serve"]
