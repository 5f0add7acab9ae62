"""Names kept for callers of old: :func:`client_from_config` (the client
side's :meth:`cqlang.Client.from_config`) and ``PreparedQuery`` (what
:class:`~.fetchspec.FetchSpec` was called). The only module of the config
that refers to the client proper, and that only when called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .fetchspec import FetchSpec

if TYPE_CHECKING:
    from ..client import Client
    from .core import Config

__all__ = ["PreparedQuery", "client_from_config"]

#: What ``Config.prepare`` returns (the name it had before FetchSpec).
PreparedQuery = FetchSpec


def client_from_config(config: Config, profile: str | None = None, **options: Any) -> Client:
    """A :class:`cqlang.Client` for the connection of ``config`` (``profile``
    or the loaded one): base URL and key resolved as
    :meth:`Config.connection` does (``CONPEEK_URL``/``CONPEEK_KEY`` before the
    file; a profile with a connection of its own ignores them).
    ``options`` go to the client (``timeout``, ``max_retries``...). A missing
    base URL or key is a :class:`ConfigError`: the client never falls back
    to the environment's, which belong to another connection. The same as
    ``Client.from_config(config, profile, **options)``, which does the work:
    this is its old name, and imports the client only when called."""
    from ..client import Client

    return Client.from_config(config, profile, **options)
