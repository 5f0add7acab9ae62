"""cqlang: a filter query language for Conpeek's voice campaign requests.

    >>> import cqlang
    >>> cqlang.compile('state = OPEN')
    [{'property': 'state', 'value': ['OPEN']}]

The public names below are stable. Each is loaded on first use, so that
compiling a query never imports ``requests`` or the config reader, and a
command that compiles nothing (``cqlang --help``) never loads the
compiler. Every error derives from :class:`CqlError` (cqlang/errors.py).
"""

from __future__ import annotations

from ._version import __version__ as __version__

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

    from .api import check, compile, decompile, format, parse, plan
    from .client import Client
    from .config import Config
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

#: Where each public name is defined: imported on first use (PEP 562), so
#: that ``import cqlang`` (which every ``cqlang`` command does first, the
#: console script being ``cqlang.launch``) costs nothing until a name is
#: used: ``cqlang --help`` never loads the compiler.
_LAZY = {
    "check": "api",
    "compile": "api",
    "decompile": "api",
    "format": "api",
    "parse": "api",
    "plan": "api",
    "Client": "client",
    "Config": "config",
    "Diagnostic": "diagnostics",
    "encode": "encoding",
    "Env": "env",
    "Plan": "planner",
    "Residual": "planner",
    "DEFAULT_SCHEMA": "schema",
    "Schema": "schema",
    **dict.fromkeys(
        (
            "ApiError",
            "AuthError",
            "BadRequestError",
            "ConfigError",
            "ConfigurationError",
            "CqlError",
            "CqlPlanError",
            "CqlSyntaxError",
            "CqlValidationError",
            "NotFoundError",
            "RateLimitError",
            "ResponseFormatError",
            "ResultSetChangedError",
            "ServerError",
            "TransportError",
        ),
        "errors",
    ),
}


def __getattr__(name: str) -> Any:
    import importlib

    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value  # found directly from now on
        return value
    # A submodule (``cqlang.parser`` after ``import cqlang``), as when this
    # package imported its modules eagerly.
    if not name.startswith("__"):
        try:
            return importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module 'cqlang' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
