"""cqlang: a filter query language for Conpeek's voice campaign requests.

    >>> import cqlang
    >>> cqlang.compile('state = OPEN')
    [{'property': 'state', 'value': ['OPEN']}]

The public names below are stable. ``Client`` and ``Config`` are loaded on
first use, so that compiling a query never imports ``requests`` or the
config reader. Every error derives from :class:`CqlError` (cqlang/errors.py).
"""

from __future__ import annotations

from ._version import __version__ as __version__
from .api import check, compile, decompile, format, parse, plan
from .diagnostics import Diagnostic
from .encoding import encode
from .env import Env
from .errors import (
    ApiError,
    AuthError,
    BadRequestError,
    ConfigError,
    ConfigurationError,
    CqlError,
    CqlPlanError,
    CqlSyntaxError,
    CqlValidationError,
    NotFoundError,
    RateLimitError,
    ResponseFormatError,
    ResultSetChangedError,
    ServerError,
    TransportError,
)
from .planner import Plan, Residual
from .schema import DEFAULT_SCHEMA, Schema

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

    from .client import Client
    from .config import Config

_LAZY = {"Client": "client", "Config": "config"}


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
    "ConfigError",
    "ConfigurationError",
    "CqlError",
    "CqlPlanError",
    "CqlSyntaxError",
    "CqlValidationError",
    "Diagnostic",
    "Env",
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
