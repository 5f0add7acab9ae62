"""The stand-in client of the REPL's tests: what ``\\fetch`` and ``\\count``
ask of it is recorded, and it yields canned records (no HTTP: tests of the
client itself run against the emulator)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


class FakeClient:
    """Records each call (``calls``: campaign, filters, exclude, page size,
    limit) when its records are read; yields ``records`` up to the limit."""

    def __init__(self, records: list[dict[str, Any]] | None = None) -> None:
        self.records = records if records is not None else []
        self.calls: list[dict[str, Any]] = []

    @property
    def limits(self) -> list[int | None]:
        """The ``limit`` of each call, in order."""
        return [call["limit"] for call in self.calls]

    def voice_campaign_requests(
        self,
        campaign_id: str,
        query: str = "",
        *,
        params: Mapping[str, Any] | None = None,
        tz: str | None = None,
        exclude: list[str] | None = None,
        page_size: int = 1000,
        limit: int | None = None,
        plan: Any = None,
    ) -> Iterator[dict[str, Any]]:
        self.calls.append(
            {
                "campaign": campaign_id,
                "filters": plan.branches,
                "exclude": exclude,
                "page_size": page_size,
                "limit": limit,
            }
        )
        yield from self.records[:limit]


def read_within(fd: int, size: int, seconds: float = 5.0) -> bytes:
    """Up to ``size`` bytes from ``fd``, waiting at most ``seconds`` in all
    (a pty passes data on asynchronously; a test must never block)."""
    import os
    import select
    import time

    got = b""
    end = time.monotonic() + seconds
    while len(got) < size:
        left = end - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        got += os.read(fd, size - len(got))
    return got
