"""The paging promise while the results move.

Every record that matches throughout the fetch appears exactly once; records
created or closed during it may or may not appear; where that cannot be
kept, ResultSetChangedError. Never a skipped or repeated record.

The scenarios run the client's paging (cqlang.client.paging, as
``Client.voice_campaign_requests`` runs it: one request per branch of the
plan, the residual as the check) against :class:`Results`, the emulator's
records and semantics in memory, changed between two requests as the
emulator's ``churn`` fault and its ``insert``/``close``/``remove`` do; no
HTTP. A few run over real HTTP against the emulator, for the wiring
(tests/test_paging.py has the properties over an abstract result set).
"""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

import cqlang
from cqlang.checker import check_text
from cqlang.client import Client, ResultSetChangedError
from cqlang.client.paging import records as paged_records
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator, generate_records
from cqlang.emulator.data import close_record, make_record
from cqlang.evaluator import compile_matcher
from cqlang.filterlists import compile_filters

CAMPAIGN = DEFAULT_CAMPAIGN
FAST: dict[str, Any] = {"backoff_factor": 0.01, "backoff_jitter": 0.01, "retry_budget": 5.0}
Record = dict[str, Any]


def matcher(query: str) -> Callable[[Any], bool]:
    checked = check_text(query)
    assert checked.ir is not None
    return compile_matcher(checked.ir)


def check_promise(
    before: list[dict[str, Any]],
    after: list[dict[str, Any]],
    got: list[dict[str, Any]],
    query: str,
) -> None:
    match = matcher(query)
    got_ids = [r["id"] for r in got]
    assert len(set(got_ids)) == len(got_ids), "a record was delivered twice"
    first = {r["id"] for r in before if match(r)}
    last = {r["id"] for r in after if match(r)}
    old = {r["id"] for r in before}
    # Records change once (open -> closed), so matching at both ends is
    # matching throughout.
    throughout = first & last
    missing = throughout - set(got_ids)
    assert not missing, f"{len(missing)} records that matched throughout were skipped"
    for r in got:  # every delivered record matched when it was delivered
        assert match(r)
        assert r["id"] in first or r["id"] not in old


# ------------------------------------------------------ the API, in memory


@functools.cache
def generated(records: int, seed: int) -> tuple[Record, ...]:
    """The emulator's records (never changed in place: a closed record is a
    new dict, and every page is a copy)."""
    return tuple(generate_records(records, seed, CAMPAIGN))


class Results:
    """A campaign's records in the emulator's order, served through the
    API's semantics (compile_filters), without HTTP. Before every request
    but the first, ``churn`` records appear and as many open ones close (as
    the emulator's ``churn=N`` fault), then ``between`` runs."""

    def __init__(self, records: int, seed: int = 1, *, churn: int = 0) -> None:
        self.entries = list(generated(records, seed))
        self.rng = random.Random(f"cqlang-emulator-churn:{seed}:{CAMPAIGN}")
        self.churn = churn
        self.clock = 2_000_000_000
        self.between: Callable[[Results], object] | None = None
        self.request_count = 0

    # -- as the emulator's methods
    def records(self) -> list[Record]:
        return list(self.entries)

    def insert(self, index: int, new: Iterable[Record]) -> None:
        self.entries[index:index] = [dict(r) for r in new]

    def close(self, ids: Iterable[str]) -> None:
        wanted = set(ids)
        for n, rec in enumerate(self.entries):
            if rec["id"] in wanted and rec["state"] != "CLOSED":
                self.clock += 1
                self.entries[n] = close_record(rec, self.rng, self.clock)

    def remove(self, ids: Iterable[str]) -> None:
        gone = set(ids)
        self.entries = [r for r in self.entries if r["id"] not in gone]

    def do_churn(self, n: int) -> None:
        for _ in range(n):
            self.clock += 1
            rec = make_record(self.rng, self.clock - 1, self.clock, CAMPAIGN)
            self.entries.insert(self.rng.randrange(len(self.entries) + 1), rec)
        open_ = [r["id"] for r in self.entries if r["state"] != "CLOSED"]
        self.close(self.rng.sample(open_, min(n, len(open_))))

    # -- the requests
    def fetch(self, filters: list[dict[str, Any]]) -> Callable[[int, int], Any]:
        match = compile_filters(filters, cqlang.DEFAULT_SCHEMA)

        def fetch(offset: int, limit: int) -> tuple[list[Record], list[str]]:
            if self.request_count:
                self.do_churn(self.churn)
                if self.between is not None:
                    self.between(self)
            self.request_count += 1
            assert self.request_count < 5000, "the paging does not end"
            page = [dict(r) for r in self.entries if match(r)][offset : offset + limit]
            return page, [r["id"] for r in page]

        return fetch

    def fetch_all(self, query: str, page_size: int, limit: int | None = None) -> Iterator[Record]:
        """What Client.voice_campaign_requests delivers, without HTTP."""
        plan = cqlang.plan(query)
        requests = [(self.fetch(b), f"sim://request/{n}") for n, b in enumerate(plan.branches)]
        residual = plan.residual
        return paged_records(
            requests,
            page_size=page_size,
            limit=limit,
            keep=residual.matches if residual is not None else None,
        )


SCENARIOS = [
    # query, records, page size, churn per request
    ("", 600, 50, 3),
    ("state = OPEN", 600, 50, 3),
    ("state = OPEN", 400, 20, 6),
    ("state = OPEN or priority > 50", 500, 40, 2),
    ("state = OPEN and dialing_method != PREVIEW", 500, 40, 5),
]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize(("query", "records", "page", "churn"), SCENARIOS)
def test_the_promise_holds_under_churn(
    caplog: Any, seed: int, query: str, records: int, page: int, churn: int
) -> None:
    res = Results(records, seed, churn=churn)
    before = res.records()
    with caplog.at_level(logging.WARNING, logger="cqlang.client"):
        got = list(res.fetch_all(query, page))
    check_promise(before, res.records(), got, query)
    # The offsets did move: the test has teeth.
    assert "re-located" in caplog.text


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_heavy_churn_is_right_or_refused(seed: int) -> None:
    res = Results(300, seed, churn=40)
    before = res.records()
    try:
        got = list(res.fetch_all("state = OPEN", 20))
    except ResultSetChangedError:
        return
    check_promise(before, res.records(), got, "state = OPEN")


def first_page_then(
    res: Results, query: str, page: int, change: Callable[[list[dict[str, Any]]], object]
) -> list[dict[str, Any]]:
    """Fetch; after the first page has arrived, apply ``change`` to it."""
    it = res.fetch_all(query, page)
    got = [next(it)]
    assert res.request_count == 1
    match = matcher(query)
    change([r for r in res.records() if match(r)][:page])
    got.extend(it)
    return got


def test_records_inserted_before_the_page() -> None:
    res = Results(300)
    before = res.records()
    new = generate_records(25, seed=99)
    got = first_page_then(res, "", 10, lambda _page: res.insert(3, new))
    # 25 records created behind the first page's third: the old ones all come,
    # once each, in order; the new ones may.
    got_ids = [r["id"] for r in got]
    old = [r["id"] for r in before]
    assert len(set(got_ids)) == len(got_ids)
    assert [i for i in got_ids if i in set(old)] == old
    assert set(got_ids) - set(old) <= {r["id"] for r in new}


def test_records_inserted_at_the_front_are_refused_or_right() -> None:
    res = Results(300)
    before = [r["id"] for r in res.records()]
    new = generate_records(25, seed=98)
    try:
        got = first_page_then(res, "", 10, lambda _page: res.insert(0, new))
    except ResultSetChangedError:
        return
    got_ids = [r["id"] for r in got]
    assert len(set(got_ids)) == len(got_ids)
    assert [i for i in got_ids if i in set(before)] == before


def test_half_the_first_page_closed() -> None:
    res = Results(300)
    query = "state = OPEN"
    match = matcher(query)
    want = [r["id"] for r in res.records() if match(r)]
    got = first_page_then(res, query, 10, lambda page: res.close(r["id"] for r in page[:5]))
    assert [r["id"] for r in got] == want


def test_records_deleted_before_the_page() -> None:
    res = Results(300)
    everything = [r["id"] for r in res.records()]
    got = first_page_then(res, "", 10, lambda page: res.remove(r["id"] for r in page[:9]))
    assert [r["id"] for r in got] == everything


def test_the_whole_first_page_closed_is_refused() -> None:
    res = Results(300)
    with pytest.raises(ResultSetChangedError) as info:
        first_page_then(res, "state = OPEN", 10, lambda page: res.close(r["id"] for r in page))
    assert "sim://request/0" in str(info.value)


def test_a_page_shifted_far_is_refused_not_skipped() -> None:
    # Many records vanish before the page: the window lands past every record
    # of the last page, and stepping back finds none of them either.
    res = Results(300)

    def change(page: list[dict[str, Any]]) -> None:
        res.remove(r["id"] for r in res.records()[:200])

    with pytest.raises(ResultSetChangedError):
        first_page_then(res, "", 10, change)


class Adversary:
    """Between any two requests, records appear, close and vanish anywhere."""

    def __init__(self, res: Any, seed: int, harsh: int) -> None:
        self.res = res
        self.rng = random.Random(seed)
        self.harsh = harsh
        fresh = random.Random(1000 + seed)
        # New records, made as they are needed (generating thousands ahead
        # cost most of the test's time).
        self.fresh = (
            make_record(fresh, 1_900_000_000 + n, 2_000_000_000, CAMPAIGN) for n in range(3000)
        )

    def __call__(self, *args: Any) -> None:
        res, rng = self.res, self.rng
        now = res.records()
        for _ in range(rng.randrange(self.harsh)):
            res.insert(rng.randrange(len(now) + 1), [next(self.fresh)])
        now = res.records()
        res.close(r["id"] for r in rng.sample(now, min(len(now), rng.randrange(self.harsh))))
        res.remove(r["id"] for r in rng.sample(now, min(len(now), rng.randrange(self.harsh))))


QUERIES = ["", "state = OPEN", "state != CLOSED or priority > 50", "priority >= 3"]


@pytest.mark.parametrize("harsh", [4, 25])
def test_random_adversary(harsh: int) -> None:
    """Right or refused, never wrong; and mostly right (25 moves more than a page)."""
    outcomes = {"right": 0, "refused": 0}
    for seed in range(15):
        rng = random.Random(seed)
        res = Results(150, seed)
        before = res.records()
        query = rng.choice(QUERIES)
        res.between = Adversary(res, seed, harsh)
        try:
            got = list(res.fetch_all(query, rng.randrange(4, 30)))
        except ResultSetChangedError:
            outcomes["refused"] += 1
            continue
        check_promise(before, res.records(), got, query)
        outcomes["right"] += 1
    assert outcomes["right"] >= 10, outcomes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_limit_under_churn(seed: int) -> None:
    # With a limit, the last requests ask for just the records still missing;
    # once the results move, they must not: a tiny window cannot absorb a shift.
    res = Results(300, seed, churn=2)
    before = res.records()
    got = list(res.fetch_all("", 50, limit=120))
    assert len(got) == 120 and len({r["id"] for r in got}) == 120
    old = [r["id"] for r in before]
    delivered_old = [r["id"] for r in got if r["id"] in set(old)]
    # the old records delivered are a prefix of the old order, none skipped
    assert delivered_old == old[: len(delivered_old)]


# ------------------------------------------------- over HTTP, for the wiring


def test_the_promise_holds_under_churn_over_http(
    emulator_factory: Callable[..., Emulator], caplog: Any
) -> None:
    query = "state = OPEN or priority > 50"
    emu = emulator_factory(records=500, seed=1, faults=["churn=2"])
    before = emu.records()
    with (
        caplog.at_level(logging.WARNING, logger="cqlang.client"),
        Client(emu.url, "demo-key", **FAST) as c,
    ):
        got = list(c.voice_campaign_requests(CAMPAIGN, query, page_size=40))
    check_promise(before, emu.records(), got, query)
    assert "re-located" in caplog.text


def test_the_whole_first_page_closed_is_refused_over_http(emulator: Emulator) -> None:
    with Client(emulator.url, "demo-key", **FAST) as c:
        it = c.voice_campaign_requests(CAMPAIGN, "state = OPEN", page_size=10)
        next(it)
        assert emulator.request_count == 1
        match = matcher("state = OPEN")
        emulator.close(r["id"] for r in [r for r in emulator.records() if match(r)][:10])
        with pytest.raises(ResultSetChangedError) as info:
            list(it)
    # The error names the request, as sent (the key nowhere).
    assert emulator.url in str(info.value) and info.value.url.startswith(emulator.url)
    assert "demo-key" not in str(info.value)


def test_a_random_adversary_over_http(emulator_factory: Callable[..., Emulator]) -> None:
    """The adversary acts between requests through on_request."""
    for seed in range(3):
        emu = emulator_factory(records=150, seed=seed)
        before = emu.records()
        query = QUERIES[seed]
        with Client(emu.url, "demo-key", on_request=Adversary(emu, seed, 4), **FAST) as c:
            try:
                got = list(c.voice_campaign_requests(CAMPAIGN, query, page_size=10 + seed))
            except ResultSetChangedError:
                continue
            finally:
                emu.stop()
        check_promise(before, emu.records(), got, query)


def test_a_limit_under_churn_over_http(emulator_factory: Callable[..., Emulator]) -> None:
    emu = emulator_factory(records=300, seed=1, faults=["churn=2"])
    before = emu.records()
    with Client(emu.url, "demo-key", **FAST) as c:
        got = list(c.voice_campaign_requests(CAMPAIGN, "", page_size=50, limit=120))
    assert len(got) == 120 and len({r["id"] for r in got}) == 120
    old = [r["id"] for r in before]
    delivered_old = [r["id"] for r in got if r["id"] in set(old)]
    assert delivered_old == old[: len(delivered_old)]
