"""The paging promise while the results move.

Every record that matches throughout the fetch appears exactly once; records
created or closed during it may or may not appear; where that cannot be
kept, ResultSetChangedError. Never a skipped or repeated record.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any

import pytest

from cqlang.checker import check_text
from cqlang.client import Client, ResultSetChangedError
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator, generate_records
from cqlang.evaluator import compile_matcher

CAMPAIGN = DEFAULT_CAMPAIGN
FAST: dict[str, Any] = {"backoff_factor": 0.01, "backoff_jitter": 0.01, "retry_budget": 5.0}


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
    emulator_factory: Callable[..., Emulator],
    caplog: Any,
    seed: int,
    query: str,
    records: int,
    page: int,
    churn: int,
) -> None:
    emu = emulator_factory(records=records, seed=seed, faults=[f"churn={churn}"])
    before = emu.records()
    with (
        caplog.at_level(logging.WARNING, logger="cqlang.client"),
        Client(emu.url, "demo-key", **FAST) as c,
    ):
        got = list(c.voice_campaign_requests(CAMPAIGN, query, page_size=page))
    check_promise(before, emu.records(), got, query)
    # The offsets did move: the test has teeth.
    assert "re-located" in caplog.text


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_heavy_churn_is_right_or_refused(
    emulator_factory: Callable[..., Emulator], seed: int
) -> None:
    emu = emulator_factory(records=300, seed=seed, faults=["churn=40"])
    before = emu.records()
    with Client(emu.url, "demo-key", **FAST) as c:
        try:
            got = list(c.voice_campaign_requests(CAMPAIGN, "state = OPEN", page_size=20))
        except ResultSetChangedError:
            return
    check_promise(before, emu.records(), got, "state = OPEN")


def first_page_then(
    emu: Emulator, query: str, page: int, change: Callable[[list[dict[str, Any]]], object]
) -> list[dict[str, Any]]:
    """Fetch; after the first page has arrived, apply ``change`` to it."""
    with Client(emu.url, "demo-key", **FAST) as c:
        it = c.voice_campaign_requests(CAMPAIGN, query, page_size=page)
        got = [next(it)]
        assert emu.request_count == 1
        match = matcher(query)
        change([r for r in emu.records() if match(r)][:page])
        got.extend(it)
    return got


def test_records_inserted_before_the_page(emulator: Emulator) -> None:
    before = emulator.records()
    new = generate_records(25, seed=99)
    got = first_page_then(emulator, "", 10, lambda _page: emulator.insert(3, new))
    # 25 records created behind the first page's third: the old ones all come,
    # once each, in order; the new ones may.
    got_ids = [r["id"] for r in got]
    old = [r["id"] for r in before]
    assert len(set(got_ids)) == len(got_ids)
    assert [i for i in got_ids if i in set(old)] == old
    assert set(got_ids) - set(old) <= {r["id"] for r in new}


def test_records_inserted_at_the_front_are_refused_or_right(emulator: Emulator) -> None:
    before = [r["id"] for r in emulator.records()]
    new = generate_records(25, seed=98)
    try:
        got = first_page_then(emulator, "", 10, lambda _page: emulator.insert(0, new))
    except ResultSetChangedError:
        return
    got_ids = [r["id"] for r in got]
    assert len(set(got_ids)) == len(got_ids)
    assert [i for i in got_ids if i in set(before)] == before


def test_half_the_first_page_closed(emulator: Emulator) -> None:
    query = "state = OPEN"
    match = matcher(query)
    want = [r["id"] for r in emulator.records() if match(r)]
    got = first_page_then(
        emulator, query, 10, lambda page: emulator.close(r["id"] for r in page[:5])
    )
    assert [r["id"] for r in got] == want


def test_records_deleted_before_the_page(emulator: Emulator) -> None:
    everything = [r["id"] for r in emulator.records()]
    got = first_page_then(emulator, "", 10, lambda page: emulator.remove(r["id"] for r in page[:9]))
    assert [r["id"] for r in got] == everything


def test_the_whole_first_page_closed_is_refused(emulator: Emulator) -> None:
    with pytest.raises(ResultSetChangedError) as info:
        first_page_then(
            emulator, "state = OPEN", 10, lambda page: emulator.close(r["id"] for r in page)
        )
    assert emulator.url in str(info.value)


def test_a_page_shifted_far_is_refused_not_skipped(emulator: Emulator) -> None:
    # Many records vanish before the page: the window lands past every record
    # of the last page, and stepping back finds none of them either.
    def change(page: list[dict[str, Any]]) -> None:
        emulator.remove(r["id"] for r in emulator.records()[:200])

    with pytest.raises(ResultSetChangedError):
        first_page_then(emulator, "", 10, change)


class Adversary:
    """Between any two requests, records appear, close and vanish anywhere."""

    def __init__(self, emu: Emulator, seed: int, harsh: int) -> None:
        self.emu = emu
        self.rng = random.Random(seed)
        self.harsh = harsh
        self.fresh = iter(generate_records(3000, seed=1000 + seed))

    def __call__(self, *args: Any) -> None:
        emu, rng = self.emu, self.rng
        now = emu.records()
        for _ in range(rng.randrange(self.harsh)):
            emu.insert(rng.randrange(len(now) + 1), [next(self.fresh)])
        now = emu.records()
        emu.close(r["id"] for r in rng.sample(now, min(len(now), rng.randrange(self.harsh))))
        emu.remove(r["id"] for r in rng.sample(now, min(len(now), rng.randrange(self.harsh))))


@pytest.mark.parametrize("harsh", [4, 25])
def test_random_adversary(emulator_factory: Callable[..., Emulator], harsh: int) -> None:
    """Right or refused, never wrong; and mostly right (25 moves more than a page)."""
    outcomes = {"right": 0, "refused": 0}
    queries = ["", "state = OPEN", "state != CLOSED or priority > 50", "priority >= 3"]
    for seed in range(15):
        rng = random.Random(seed)
        emu = emulator_factory(records=150, seed=seed)
        before = emu.records()
        query = rng.choice(queries)
        adversary = Adversary(emu, seed, harsh)
        with Client(emu.url, "demo-key", on_request=adversary, **FAST) as c:
            try:
                size = rng.randrange(4, 30)
                got = list(c.voice_campaign_requests(CAMPAIGN, query, page_size=size))
            except ResultSetChangedError:
                outcomes["refused"] += 1
                continue
            finally:
                emu.stop()
        check_promise(before, emu.records(), got, query)
        outcomes["right"] += 1
    assert outcomes["right"] >= 10, outcomes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_limit_under_churn(emulator_factory: Callable[..., Emulator], seed: int) -> None:
    # With a limit, the last requests ask for just the records still missing;
    # once the results move, they must not: a tiny window cannot absorb a shift.
    emu = emulator_factory(records=300, seed=seed, faults=["churn=2"])
    before = emu.records()
    with Client(emu.url, "demo-key", **FAST) as c:
        got = list(c.voice_campaign_requests(CAMPAIGN, "", page_size=50, limit=120))
    assert len(got) == 120 and len({r["id"] for r in got}) == 120
    old = [r["id"] for r in before]
    delivered_old = [r["id"] for r in got if r["id"] in set(old)]
    # the old records delivered are a prefix of the old order, none skipped
    assert delivered_old == old[: len(delivered_old)]
