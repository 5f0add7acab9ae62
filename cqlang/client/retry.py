"""Retries within a budget: urllib3's ``Retry``, told the page's budget.

:class:`BudgetRetry` gives up when the next wait would overrun the budget,
at once when the server's ``Retry-After`` asks for more than the budget has
left, and never retries a failure to connect (a refused connection, an
unknown host: retrying only delays the error).
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import time
from typing import TYPE_CHECKING, Any

from urllib3.exceptions import HTTPError, MaxRetryError, ReadTimeoutError, ResponseError
from urllib3.util.retry import Retry

from .exchange import EXCHANGE, Budget
from .words import describe, duration

if TYPE_CHECKING:
    from urllib3.connectionpool import ConnectionPool
    from urllib3.response import BaseHTTPResponse

log = logging.getLogger("cqlang.client")


def retry_after(value: str | None) -> float | None:
    """The seconds a ``Retry-After`` asks for (a number or an HTTP date);
    ``None`` when absent or unreadable. Not capped: a huge value stays huge."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(text) if len(text) < 16 else float("inf")
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


class BudgetRetry(Retry):
    """``Retry`` that gives up when the next wait would overrun the budget.

    The budget comes from the page's :class:`Exchange` or, for requests made
    outside one, is ``budget`` seconds from the first failure. The planned
    wait is computed once, in :meth:`increment`, so what is checked is what
    is slept.
    """

    def __init__(
        self,
        *args: Any,
        budget: float = 30.0,
        planned: float | None = None,
        own_budget: Budget | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.budget = budget
        self.planned = planned
        self.own_budget = own_budget

    def new(self, **kw: Any) -> BudgetRetry:
        kw.setdefault("budget", self.budget)
        kw.setdefault("own_budget", self.own_budget)
        kw.setdefault("planned", None)
        return super().new(**kw)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: Any = None,
    ) -> BudgetRetry:
        ex = EXCHANGE.get()
        if ex is not None:
            ex.end()  # this try is over
            if ex.expired and error is not None:  # the deadline cut it short
                error = ReadTimeoutError(
                    _pool,  # type: ignore[arg-type]
                    url or "",
                    f"no complete answer within {duration(ex.total)}",
                )
        new = super().increment(method, url, response, error, _pool, _stacktrace)
        if ex is not None and ex.url:
            url = ex.url  # the whole URL (urllib3 has the path), as the client shows it
        budget = ex.budget if ex is not None else (self.own_budget or Budget(self.budget))
        new.own_budget = budget
        cause = f"status {response.status}" if response is not None else describe(error)
        asked: float | None = None
        if (
            response is not None
            and self.respect_retry_after_header
            and response.status in self.RETRY_AFTER_STATUS_CODES
        ):
            asked = retry_after(response.headers.get("Retry-After"))
        if asked is not None and not budget.allows(asked):
            # The server says it will not answer within the budget: waiting
            # part of it and failing after one more try helps nobody.
            why = (
                f"the server asked to retry after {duration(asked)}, "
                "more than the retry budget left"
            )
            if ex is not None:
                ex.gave_up = why
            log.info("giving up on %s after %s: %s", url, cause, why)
            raise MaxRetryError(_pool, url or "", error or ResponseError(why))  # type: ignore[arg-type]
        wait = min(asked, self.retry_after_max) if asked is not None else new.get_backoff_time()
        if not budget.allows(wait):
            if ex is not None:
                ex.gave_up = "the retry budget is spent"
            log.info("giving up on %s after %s: retry budget spent", url, cause)
            reason = error or ResponseError(f"retry budget spent ({cause})")
            raise MaxRetryError(_pool, url or "", reason)  # type: ignore[arg-type]
        if response is not None:
            # Not drained: a hostile body could be endless. The connection
            # is closed instead, and the next try opens a new one.
            with contextlib.suppress(OSError, HTTPError):
                response.close()
        new.planned = wait
        if ex is not None:  # this exchange is over (the last one the client reports)
            ex.report(response.status if response is not None else 0)
        log.info("retrying %s in %s after %s", url, duration(wait), cause)
        return new

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        # What increment() planned (and checked against the budget).
        if self.planned is not None:
            if self.planned > 0:
                time.sleep(self.planned)
            return
        super().sleep(response)
