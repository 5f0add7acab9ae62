"""The HTTP client of ``GET /voice_campaign/{id}/request``: :class:`Client`.

One job per module:

- :mod:`.connection`: :class:`Connection`, the base URL and the key as a
  checked value; the one place ``CONPEEK_URL``/``CONPEEK_KEY`` are read;
- :mod:`.fetch`: :class:`Client`, which runs a plan: one request per
  branch, the residual applied, excluded fields dropped;
- :mod:`.paging`: the paging algorithm, over a "fetch page" callable (no
  HTTP in it): pages that overlap, re-located when the results move,
  merged by ``id``, ``limit`` honoured;
- :mod:`.transport`: one page's GET (the session, the key, the client's
  own retry of a body cut short, the page checked), on :mod:`.exchange`
  (a deadline per try, the retry budget), :mod:`.retry` (urllib3's retries
  within the budget) and :mod:`.body` (a body read within a size cap);
- :mod:`.words`: what went wrong, in words (the errors built, scrubbed);
- :mod:`.scrub`: every form of a secret hidden from what is shown;
- :mod:`.errors`: :class:`ApiError` and its family.

Importing this package is light (the errors and :class:`Connection`):
:class:`Client` and what needs ``requests`` load on first use.
"""

from __future__ import annotations

from .connection import Connection
from .errors import (
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

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .exchange import ExchangeReport
    from .fetch import DEFAULT_MAX_RECORD_SIZE, PAGE_OVERHEAD, Client
    from .paging import MAX_PAGE_SIZE

_LAZY = {
    "Client": "fetch",
    "ExchangeReport": "exchange",
    "MAX_PAGE_SIZE": "paging",
    "DEFAULT_MAX_RECORD_SIZE": "fetch",
    "PAGE_OVERHEAD": "fetch",
}


def __getattr__(name: str) -> Any:
    from .._lazy import load  # on first use: importing the package stays light

    return load(__name__, _LAZY, globals(), name)


__all__ = [
    "DEFAULT_MAX_RECORD_SIZE",
    "MAX_PAGE_SIZE",
    "PAGE_OVERHEAD",
    "ApiError",
    "AuthError",
    "BadRequestError",
    "Client",
    "ConfigurationError",
    "Connection",
    "ExchangeReport",
    "NotFoundError",
    "RateLimitError",
    "ResponseFormatError",
    "ResponseTooLargeError",
    "ResultSetChangedError",
    "ServerError",
    "TransportError",
]
