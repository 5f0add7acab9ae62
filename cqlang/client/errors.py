"""The client's errors: :class:`ApiError` and its family, each with the
``status``, ``url`` and ``body`` of what went wrong (no secret in any), and
:class:`ConfigurationError` (no base URL, no key, or a key that cannot be
sent: a ``ConfigError``, not an API failure).

They are defined in :mod:`cqlang.errors`, under the one root ``CqlError``;
every module of the client imports them from here. Here too: which class a
status gets (:data:`STATUS_ERRORS`) and :class:`ErrorCause`.
"""

from __future__ import annotations

from ..errors import (
    ApiError,
    AuthError,
    BadRequestError,
    ConfigurationError,
    NotFoundError,
    RateLimitError,
    ResponseFormatError,
    ResponseTooLargeError,
    ResultSetChangedError,
    ServerError,
    TransportError,
)

__all__ = [
    "STATUS_ERRORS",
    "ApiError",
    "AuthError",
    "BadRequestError",
    "ConfigurationError",
    "ErrorCause",
    "NotFoundError",
    "RateLimitError",
    "ResponseFormatError",
    "ResponseTooLargeError",
    "ResultSetChangedError",
    "ServerError",
    "TransportError",
]


STATUS_ERRORS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthError,
    403: AuthError,
    404: NotFoundError,
    429: RateLimitError,
}


class ErrorCause(Exception):
    """What an :class:`ApiError` came from, as text (scrubbed of secrets):
    the original ``requests``/``urllib3`` exception is not kept, as it holds
    the request and its ``Authorization`` header."""
