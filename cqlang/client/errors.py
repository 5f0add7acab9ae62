"""The client's errors: :class:`ApiError` and its family, each with the
``status``, ``url`` and ``body`` of what went wrong (no secret in any).

Every module of the client imports its errors from here, so that where they
are defined can change in one line.
"""

from __future__ import annotations

from ..diagnostics import CqlError

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


class ApiError(CqlError):
    """An API or network failure. ``status`` (or ``None``), ``url`` (with
    no secrets) and ``body`` (a short excerpt) say what happened."""

    def __init__(
        self, message: str, *, status: int | None = None, url: str = "", body: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.url = url
        self.body = body


class BadRequestError(ApiError):
    """400: the API refused the request (its message is quoted)."""


class AuthError(ApiError):
    """401 or 403: a missing, wrong or insufficient API key."""


class NotFoundError(ApiError):
    """404: no such campaign (or endpoint)."""


class RateLimitError(ApiError):
    """429 that persisted through the retries."""


class ServerError(ApiError):
    """5xx that persisted through the retries."""


class TransportError(ApiError):
    """The connection failed, timed out, or kept breaking off."""


class ResponseFormatError(ApiError):
    """A 200 that is not ``{"data": [...]}`` of records with ids."""


class ResponseTooLargeError(ResponseFormatError):
    """A body larger than the page may be (``max_record_size`` per record
    asked for, plus ``PAGE_OVERHEAD``): not read past the cap."""


class ResultSetChangedError(ApiError):
    """The results moved under the pages in a way the client cannot follow
    without skipping or repeating a record."""


class ConfigurationError(ApiError):
    """No base URL, no API key, or a key that cannot be sent (it holds a
    control character)."""


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
