"""The paging algorithm (cqlang.client.paging), property-tested without HTTP.

A simulated result set stands in for the API: every record ever has one
place in a stable order (a record never moves before or after another), and
between any two fetches records appear anywhere, go, and come back, as
Hypothesis decides. The documented promise, checked on every run:

- no record is delivered twice;
- the paging ends in success or ResultSetChangedError, nothing else;
- on success, every record in the results throughout (at every fetch) is
  delivered, once; under a limit, at most ``limit`` records are, and no
  record present throughout is skipped before the last one delivered;
- the records present throughout are delivered in the results' order;
- ``keep`` decides which are delivered; a record of several requests comes
  once, from the first.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, currently_in_test_context, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st

from cqlang.client import ResultSetChangedError
from cqlang.client.paging import MAX_PAGE_SIZE, pages, records

Record = dict[str, Any]
#: The most fetches one run may make: past it, the paging does not end.
MAX_FETCHES = 3000


def event(name: str) -> None:
    """A Hypothesis event (shown with --hypothesis-show-statistics), when
    under Hypothesis."""
    if currently_in_test_context():
        hypothesis_event(name)


class Results:
    """Results whose order is stable: ``order`` is every record there ever
    was, each in its one place; ``present`` the ones in the results now.
    Before every fetch but the first, ``change`` may move the results."""

    def __init__(
        self,
        size: int,
        *,
        seed: int = 0,
        requests: int = 1,
        change: Callable[[Results], None] | None = None,
    ) -> None:
        self.order = [f"r{i:04d}" for i in range(size)]
        self.present = set(self.order)
        self.born = size
        self.seed = seed
        self.requests = requests
        self.change = change
        self.fetches = 0
        #: Records present at every fetch so far.
        self.always = set(self.order)

    # -- the changes
    def insert(self, index: int) -> str:
        rid = f"n{self.born:04d}"
        self.born += 1
        self.order.insert(min(index, len(self.order)), rid)
        self.present.add(rid)
        return rid

    def remove(self, rid: str) -> None:
        self.present.discard(rid)

    def now(self) -> list[str]:
        return [r for r in self.order if r in self.present]

    # -- what a record is
    def member(self, rid: str, request: int) -> bool:
        """Whether ``rid`` is in the results of request ``request`` (each
        record is in one or more of them, fixed for its life)."""
        if self.requests == 1:
            return True
        mask = random.Random(f"{self.seed}:{rid}").randrange(1, 2**self.requests)
        return bool(mask >> request & 1)

    def kept(self, rid: str) -> bool:
        return random.Random(f"keep:{self.seed}:{rid}").random() < 0.6

    # -- the fetch
    def fetch(self, request: int = 0) -> Callable[[int, int], tuple[list[Record], list[str]]]:
        def fetch(offset: int, limit: int) -> tuple[list[Record], list[str]]:
            assert offset >= 0 and 1 <= limit <= MAX_PAGE_SIZE, (offset, limit)
            if self.fetches and self.change is not None:
                self.change(self)
            self.fetches += 1
            assert self.fetches <= MAX_FETCHES, "the paging does not end"
            self.always &= self.present
            ids = [r for r in self.now() if self.member(r, request)][offset : offset + limit]
            return [{"id": r} for r in ids], ids

        return fetch

    def rank(self, rid: str) -> int:
        return self.order.index(rid)


def churn_from(data: st.DataObject, budget: int, most: int) -> Callable[[Results], None]:
    """Changes drawn by Hypothesis: at most ``most`` between two fetches,
    ``budget`` in all (so that the paging ends)."""
    left = [budget]

    def change(res: Results) -> None:
        if left[0] <= 0:
            return
        n = data.draw(st.integers(0, min(most, left[0])), label="changes")
        left[0] -= n
        for _ in range(n):
            kind = data.draw(st.sampled_from(["insert", "remove", "return"]), label="kind")
            if kind == "insert":
                res.insert(data.draw(st.integers(0, len(res.order)), label="at"))
            elif kind == "remove" and res.present:
                res.remove(data.draw(st.sampled_from(sorted(res.present)), label="gone"))
            elif kind == "return":
                away = sorted(set(res.order) - res.present)
                if away:
                    res.present.add(data.draw(st.sampled_from(away), label="back"))

    return change


class Moves(logging.Handler):
    """Counts the paging's re-locations (its warnings)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += "re-located" in record.getMessage()


def run(res: Results, **kw: Any) -> tuple[list[str] | None, list[str]]:
    """(the ids delivered, or None when refused; the ids seen before that)."""
    got: list[str] = []
    keep = kw.pop("keep", None)
    reqs = [(res.fetch(n), f"request {n}") for n in range(res.requests)]
    moves = Moves()
    log = logging.getLogger("cqlang.client")
    log.addHandler(moves)
    try:
        for rec in records(reqs, keep=keep, **kw):
            got.append(rec["id"])
    except ResultSetChangedError as exc:
        assert "request " in str(exc) and exc.url.startswith("request ")
        return None, got
    finally:
        log.removeHandler(moves)
        event("re-located" if moves.count else "not moved")
    return got, got


def check(res: Results, got: list[str] | None, seen: list[str], limit: int | None) -> None:
    assert len(set(seen)) == len(seen), "a record was delivered twice"
    assert all(r in res.order for r in seen)
    throughout = [r for r in seen if r in res.always]
    assert throughout == sorted(throughout, key=res.rank), "out of the results' order"
    if got is None:
        event("refused")
        return
    event("right")
    if limit is not None:
        assert len(got) <= limit
    if limit is None or len(got) < limit:
        return  # checked by the callers: every record present throughout came


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    size=st.integers(0, 80),
    page_size=st.integers(1, 15),
    overlap=st.integers(1, 4),
    max_relocate=st.integers(0, 5),
    most=st.integers(0, 6),
    budget=st.integers(0, 60),
)
def test_one_request_delivers_every_record_present_throughout_once(
    data: st.DataObject,
    size: int,
    page_size: int,
    overlap: int,
    max_relocate: int,
    most: int,
    budget: int,
) -> None:
    res = Results(size, change=churn_from(data, budget, most))
    got, seen = run(res, page_size=page_size, overlap=overlap, max_relocate=max_relocate)
    check(res, got, seen, None)
    if got is not None:
        missing = res.always - set(got)
        assert not missing, f"skipped {sorted(missing)}"
    if budget == 0 or most == 0:
        # Results that do not move are delivered whole, in order, never refused.
        assert got == res.order


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    size=st.integers(0, 80),
    page_size=st.integers(1, 15),
    limit=st.integers(0, 90),
    most=st.integers(0, 6),
    budget=st.integers(0, 60),
)
def test_a_limit_is_honoured_and_skips_nothing_before_it(
    data: st.DataObject, size: int, page_size: int, limit: int, most: int, budget: int
) -> None:
    res = Results(size, change=churn_from(data, budget, most))
    got, seen = run(res, page_size=page_size, limit=limit)
    check(res, got, seen, limit)
    delivered = set(seen)
    last = max((res.rank(r) for r in seen if r in res.always), default=-1)
    # No record present throughout, up to the last one delivered, is skipped.
    skipped = [r for r in res.always if res.rank(r) < last and r not in delivered]
    assert not skipped
    if got is not None and len(got) < limit:
        assert res.always <= delivered
    if got is not None and len(got) == limit and (budget == 0 or most == 0):
        assert got == res.order[:limit]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    size=st.integers(0, 60),
    requests=st.integers(1, 3),
    seed=st.integers(0, 2**16),
    page_size=st.integers(1, 12),
    limit=st.none() | st.integers(0, 70),
    keep=st.booleans(),
    most=st.integers(0, 5),
    budget=st.integers(0, 50),
)
def test_several_requests_are_merged_by_id(
    data: st.DataObject,
    size: int,
    requests: int,
    seed: int,
    page_size: int,
    limit: int | None,
    keep: bool,
    most: int,
    budget: int,
) -> None:
    res = Results(size, seed=seed, requests=requests, change=churn_from(data, budget, most))
    kept: Callable[[Record], bool] | None = (lambda rec: res.kept(rec["id"])) if keep else None
    got, seen = run(res, page_size=page_size, limit=limit, keep=kept)
    assert len(set(seen)) == len(seen), "a record was delivered twice"
    if kept is not None:
        assert all(res.kept(r) for r in seen)
    if limit is not None:
        assert len(seen) <= limit
    if got is None:
        event("refused")
        return
    event("right")
    wanted = {r for r in res.always if any(res.member(r, n) for n in range(requests))}
    if kept is not None:
        wanted = {r for r in wanted if res.kept(r)}
    if limit is None or len(got) < limit:
        assert wanted <= set(got), f"skipped {sorted(wanted - set(got))}"
    # Each record comes from the first request it is in.
    first = [min(n for n in range(requests) if res.member(r, n)) for r in got]
    if budget == 0 or most == 0:
        assert first == sorted(first)


# ------------------------------------------- the algorithm's own edges, by hand


def test_pages_of_results_that_do_not_move() -> None:
    res = Results(25)
    got = list(pages(res.fetch(), page_size=10))
    assert [ids for _, ids in got] == [res.order[:10], res.order[10:20], res.order[20:]]
    assert res.fetches == 3


def test_the_pages_overlap_and_ask_for_just_what_is_missing() -> None:
    asked: list[tuple[int, int]] = []
    res = Results(100)
    fetch = res.fetch()

    def spy(offset: int, limit: int) -> tuple[list[Record], list[str]]:
        asked.append((offset, limit))
        return fetch(offset, limit)

    got = list(records([(spy, "x")], page_size=10, limit=23, overlap=2))
    assert [r["id"] for r in got] == res.order[:23]
    # Each page after the first starts 2 early; the last asks for the 3 missing.
    assert asked == [(0, 10), (8, 12), (18, 5)]


def test_a_page_size_above_the_apis_maximum_is_clamped() -> None:
    res = Results(3)
    asked: list[int] = []
    fetch = res.fetch()

    def spy(offset: int, limit: int) -> tuple[list[Record], list[str]]:
        asked.append(limit)
        return fetch(offset, limit)

    list(pages(spy, page_size=MAX_PAGE_SIZE + 5))
    assert asked == [MAX_PAGE_SIZE]


def test_results_that_keep_moving_are_refused_after_a_few_empty_pages() -> None:
    # Before every fetch, as many records appear at the front as a page
    # moves on: each window ends on the record the last page ended with, so
    # no page brings anything new, and the paging stops rather than loop.
    res = Results(10)

    def change(r: Results) -> None:
        for _ in range(3):
            r.insert(0)

    res.change = change
    with pytest.raises(ResultSetChangedError, match="keep moving"):
        list(pages(res.fetch(), page_size=3, overlap=2, max_relocate=1))
    assert res.fetches == 5  # the first page, then 3 + 1 that brought nothing


def test_a_change_of_order_is_refused() -> None:
    # Not a result set with a stable order: two records swap.
    res = Results(10)

    def swap(r: Results) -> None:
        if r.fetches == 1:
            r.order[2], r.order[3] = r.order[3], r.order[2]

    res.change = swap
    with pytest.raises(ResultSetChangedError, match="changed order"):
        list(pages(res.fetch(), page_size=4))


def test_a_record_that_went_and_came_back_is_not_delivered_twice() -> None:
    """Found by the properties above: n0009 is delivered, goes, and comes
    back behind records created at the front, just after the record the
    paging re-locates on; the page before it did not hold n0009 (it was
    gone then), so that page's ids alone could not tell it was delivered."""
    res = Results(9)
    changes: dict[int, Callable[[Results], None]] = {
        1: lambda r: [r.insert(9), r.insert(10), r.insert(10)],  # n0009, n0010, n0011
        12: lambda r: [r.insert(0), r.insert(0)],
        13: lambda r: [r.insert(0), r.remove("n0009")],
        14: lambda r: [r.insert(0), r.insert(0), r.present.add("n0009")],
    }
    res.change = lambda r: changes.get(r.fetches, lambda _: None)(r)
    got, seen = run(res, page_size=1, overlap=2, max_relocate=0)
    assert seen.count("n0009") == 1, seen
    check(res, got, seen, None)
