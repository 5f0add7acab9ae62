"""cqlang: a filter query language for Conpeek's voice campaign requests.

    >>> import cqlang
    >>> cqlang.compile('state = OPEN')
    [{'property': 'state', 'value': ['OPEN']}]

The public names below are stable. ``Client`` and the API errors are loaded
on first use, so that compiling a query never imports ``requests``.
"""

from __future__ import annotations

from .api import check, compile, decompile, format, parse, plan
from .diagnostics import (
    CqlError,
    CqlPlanError,
    CqlSyntaxError,
    CqlValidationError,
    Diagnostic,
)
from .encoding import encode
from .planner import Plan, Residual
from .schema import DEFAULT_SCHEMA, Schema
from .version import __version__ as __version__

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

    from .client import (
        ApiError,
        AuthError,
        BadRequestError,
        Client,
        ConfigurationError,
        NotFoundError,
        RateLimitError,
        ResponseFormatError,
        ResultSetChangedError,
        ServerError,
        TransportError,
    )
    from .config import Config


_LAZY = {
    "Client": "client",
    "ApiError": "client",
    "ConfigurationError": "client",
    "AuthError": "client",
    "BadRequestError": "client",
    "NotFoundError": "client",
    "RateLimitError": "client",
    "ResponseFormatError": "client",
    "ResultSetChangedError": "client",
    "ServerError": "client",
    "TransportError": "client",
    "Config": "config",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cqlang' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{module}", __name__), name)


__all__ = [
    "DEFAULT_SCHEMA",
    "ApiError",
    "AuthError",
    "BadRequestError",
    "Client",
    "Config",
    "ConfigurationError",
    "CqlError",
    "CqlPlanError",
    "CqlSyntaxError",
    "CqlValidationError",
    "Diagnostic",
    "NotFoundError",
    "Plan",
    "RateLimitError",
    "Residual",
    "ResponseFormatError",
    "ResultSetChangedError",
    "Schema",
    "ServerError",
    "TransportError",
    "check",
    "compile",
    "decompile",
    "encode",
    "format",
    "parse",
    "plan",
]
