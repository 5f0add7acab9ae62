"""A server that sends records of the page before again after the overlap
(the overlap still matching): the client stopped with nothing said and
delivered them twice (`--count` overcounted). The page before is held
anyway, so a record of it found again after the overlap is seen, as a
change of order: ResultSetChangedError. A repeat from further back is not
(docs/client.md, "The assumption"): that would take every id."""

from __future__ import annotations

import pytest

from cqlang.client import ResultSetChangedError
from cqlang.client.paging import FetchPage, pages

IDS = [f"r{i:02d}" for i in range(30)]


def repeating(shown: list[str]) -> list[str]:
    """The server's order: ``shown`` as it is, then its first 10 again."""
    return shown + shown[:10]


def fetch_from(order: list[str]) -> FetchPage[str]:
    def fetch(offset: int, limit: int) -> tuple[list[str], list[str]]:
        page = order[offset : offset + limit]
        return list(page), list(page)

    return fetch


def test_a_record_of_the_page_before_after_the_overlap_is_refused() -> None:
    # Pages of 10: r00-r09, then from offset 8: r08 r09 (the overlap) r00...
    order = IDS[:10] + IDS[:10]
    with pytest.raises(ResultSetChangedError, match="changed order"):
        list(pages(fetch_from(order), page_size=10))


def test_a_repeat_within_the_last_page_before_the_end_is_refused() -> None:
    order = [*IDS[:12], "r05"]  # the second page: r10 r11 (after r08 r09), then r05 again
    with pytest.raises(ResultSetChangedError, match="changed order"):
        list(pages(fetch_from(order), page_size=10))


def test_pages_in_order_are_delivered_once() -> None:
    got = [rid for _, ids in pages(fetch_from(IDS), page_size=10) for rid in ids]
    assert got == IDS


def test_a_repeat_from_two_pages_back_is_not_seen() -> None:
    """The documented limit: the client holds one page, not every id."""
    order = repeating(IDS)  # r00-r09 come again on the fourth page
    got = [rid for _, ids in pages(fetch_from(order), page_size=10) for rid in ids]
    assert got == order
