"""The registration of every feature on a server (docs/editors.md), and
serving over standard input and output (``cqlang lsp``).

Each feature module (:mod:`.publish`, :mod:`.complete`, :mod:`.hover`,
:mod:`.formatting`, :mod:`.actions`, :mod:`.navigation`, :mod:`.tokens`,
:mod:`.plans`) lists its handlers in ``FEATURES`` and imports the server
class from :mod:`.server`; only this module knows them all, so imports
within the package go one way.
"""

from __future__ import annotations

import logging

from . import actions, complete, formatting, hover, navigation, plans, publish, tokens
from .server import CqlangServer


def create_server(config_file: str | None = None) -> CqlangServer:
    """A server with every feature registered (docs/editors.md)."""
    server = CqlangServer(config_file)
    for module in (publish, complete, hover, formatting, actions, navigation, tokens, plans):
        for method, options, handler in module.FEATURES:
            server.feature(method, options)(handler)
    for name, command in plans.COMMANDS:
        server.command(name)(command)
    return server


def serve(config_file: str | None = None) -> None:
    """Serve over standard input and output until the client says exit."""
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    create_server(config_file).start_io()
