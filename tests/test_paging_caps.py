"""A server that caps its pages below the limit asked (1,200 records, never
more than 500 a page): the paging took its first page of 500 for the last
one and `cqlang fetch --count` said 500, exit 0, nothing on stderr. A short
page whose length is a round number (a multiple of ``cap_round``, 100) is
now confirmed by one more page; when that one brings records, the server
caps: a warning says so once and the paging goes on by that size
(docs/client.md, "Paging while the data moves").

The pure function first (simulated results: tests/test_paging.py), then
the client, the command line, Python's Arrow and the REPL against a
capping server on loopback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hostile import Hostile, paged
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_paging import Record, Results, check, churn_from

from cqlang.client import Client, ResultSetChangedError
from cqlang.client.paging import CAP_ROUND, pages, records
from cqlang.emulator import DEFAULT_CAMPAIGN

WARNING = "the server returned at most {n} records per page where {m} were asked; paging by {n}"


class Capped(Results):
    """Results served at most ``cap`` records a page, whatever is asked."""

    def __init__(self, size: int, cap: int, **kw: Any) -> None:
        super().__init__(size, **kw)
        self.cap = cap
        self.asked: list[tuple[int, int]] = []

    def fetch(self, request: int = 0) -> Any:
        inner = super().fetch(request)

        def fetch(offset: int, limit: int) -> tuple[list[Record], list[str]]:
            self.asked.append((offset, limit))
            data, ids = inner(offset, limit)
            return data[: self.cap], ids[: self.cap]

        return fetch


class Warnings(logging.Handler):
    """The client's warnings while a block runs."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def caps(self) -> list[str]:
        return [m for m in self.messages if "records per page" in m]


@pytest.fixture
def warned() -> Iterator[Warnings]:
    handler = Warnings()
    log = logging.getLogger("cqlang.client")
    log.addHandler(handler)
    try:
        yield handler
    finally:
        log.removeHandler(handler)


def ids_of(res: Results, **kw: Any) -> list[str]:
    return [rid for _, ids in pages(res.fetch(), **kw) for rid in ids]


# ------------------------------------------------------------ by hand


def test_a_capped_server_is_paged_by_its_cap(warned: Warnings) -> None:
    res = Capped(1200, cap=500)
    assert ids_of(res, page_size=1000) == res.order
    assert warned.caps() == [WARNING.format(n=500, m=1000)]
    # The page of 500, the one that confirms it (asked for 500 at most),
    # then pages of 500 overlapping by 2.
    assert res.asked == [(0, 1000), (498, 500), (996, 500)]


def test_a_cap_met_on_a_later_page_is_seen(warned: Warnings) -> None:
    # A server that caps at the page size itself: the second page asks for
    # 1002 (2 of overlap) and gets 1000.
    res = Capped(3500, cap=1000)
    assert ids_of(res, page_size=1000) == res.order
    assert warned.caps() == [WARNING.format(n=1000, m=1002)]
    assert res.asked[:3] == [(0, 1000), (998, 1002), (1996, 1000)]
    assert all(limit == 1000 for _, limit in res.asked[2:])


def test_the_natural_end_on_a_round_number_costs_one_request(warned: Warnings) -> None:
    res = Results(300)
    asked: list[tuple[int, int]] = []
    fetch = res.fetch()

    def spy(offset: int, limit: int) -> tuple[list[Record], list[str]]:
        asked.append((offset, limit))
        return fetch(offset, limit)

    got = [rid for _, ids in pages(spy, page_size=1000) for rid in ids]
    assert got == res.order
    assert asked == [(0, 1000), (298, 300)]  # the second brings the overlap only
    assert warned.caps() == []


def test_other_short_pages_are_the_end_at_once(warned: Warnings) -> None:
    for size in (0, 1, 299, 301, 999):
        res = Results(size)
        assert ids_of(res, page_size=1000) == res.order
        assert res.fetches == 1, size
    assert warned.caps() == []


def test_a_cap_that_is_not_round_is_not_seen(warned: Warnings) -> None:
    """The documented limit: a cap of 333 looks like the last page."""
    res = Capped(1200, cap=333)
    assert ids_of(res, page_size=1000) == res.order[:333]
    assert res.fetches == 1 and warned.caps() == []


def test_a_short_page_within_the_overlap_is_not_a_cap() -> None:
    # Pages of at most `overlap` records would bring nothing new.
    res = Capped(20, cap=2)
    assert ids_of(res, page_size=10, overlap=2, cap_round=2) == res.order[:2]


def test_under_a_limit_the_confirming_page_asks_for_what_is_missing(
    warned: Warnings,
) -> None:
    res = Capped(1200, cap=500)
    got = [r["id"] for r in records([(res.fetch(), "x")], page_size=1000, limit=700)]
    assert got == res.order[:700]
    assert res.asked == [(0, 700), (498, 202)]
    assert warned.caps() == [WARNING.format(n=500, m=700)]


def test_a_repeat_under_a_cap_is_still_refused() -> None:
    # Capped at 10: the confirming page repeats the first page's records
    # after the overlap (a server that starts over).
    order = [f"r{i:02d}" for i in range(10)]
    served = order + order

    def fetch(offset: int, limit: int) -> tuple[list[str], list[str]]:
        page = served[offset : offset + min(limit, 10)]
        return list(page), list(page)

    with pytest.raises(ResultSetChangedError, match="changed order"):
        list(pages(fetch, page_size=20, cap_round=10))


def test_results_that_move_while_confirming_are_re_located(warned: Warnings) -> None:
    res = Capped(30, cap=10)

    def change(r: Results) -> None:
        if r.fetches in (1, 2):
            r.remove(r.order[r.fetches])  # the pages' overlap shifts

    res.change = change
    got = ids_of(res, page_size=20, cap_round=10)
    assert len(got) == len(set(got))
    assert res.always <= set(got)
    assert any("re-located" in m for m in warned.messages)
    assert warned.caps() == [WARNING.format(n=10, m=20)]


def test_the_round_number_is_100() -> None:
    assert CAP_ROUND == 100


# ------------------------------------------------------------ properties


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=st.integers(0, 120),
    page_size=st.integers(1, 30),
    overlap=st.integers(1, 4),
    cap_round=st.integers(1, 12),
)
def test_results_that_do_not_move_cost_at_most_one_request_more(
    size: int, page_size: int, overlap: int, cap_round: int
) -> None:
    """No server cap: every record, in order; one request more than the
    plain rule exactly when its last page was a round number."""
    plain = Results(size)
    assert ids_of(plain, page_size=page_size, overlap=overlap, cap_round=0) == plain.order
    res = Results(size)
    asked: list[int] = []
    fetch = res.fetch()

    def spy(offset: int, limit: int) -> tuple[list[Record], list[str]]:
        data, ids = fetch(offset, limit)
        asked.append(len(ids))
        return data, ids

    got = pages(spy, page_size=page_size, overlap=overlap, cap_round=cap_round)
    assert [rid for _, ids in got for rid in ids] == res.order
    extra = res.fetches - plain.fetches
    assert extra in (0, 1)
    if extra:
        last = asked[-2]  # the short page confirmed by the last request
        assert last % cap_round == 0 and last > overlap


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=st.integers(0, 150),
    per=st.integers(1, 6),
    rounds=st.integers(1, 5),
    extra=st.integers(1, 30),
    overlap=st.integers(1, 4),
    limit=st.none() | st.integers(0, 160),
)
def test_a_round_cap_below_the_page_size_loses_nothing(
    size: int, per: int, rounds: int, extra: int, overlap: int, limit: int | None
) -> None:
    cap = per * rounds  # a multiple of `per`, the round number here
    if cap <= overlap:
        cap = per * (overlap // per + 1)
    res = Capped(size, cap=cap)
    handler = Warnings()
    log = logging.getLogger("cqlang.client")
    log.addHandler(handler)
    try:
        got = [
            r["id"]
            for r in records(
                [(res.fetch(), "x")],
                page_size=cap + extra,
                limit=limit,
                overlap=overlap,
                cap_round=per,
            )
        ]
    finally:
        log.removeHandler(handler)
    want = res.order if limit is None else res.order[:limit]
    assert got == want
    assert len(handler.caps()) <= 1
    if size > cap and (limit is None or limit > cap):
        assert len(handler.caps()) == 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    size=st.integers(0, 80),
    page_size=st.integers(1, 15),
    cap=st.integers(1, 15),
    cap_round=st.integers(0, 6),
    overlap=st.integers(1, 4),
    max_relocate=st.integers(0, 5),
    most=st.integers(0, 6),
    budget=st.integers(0, 60),
)
def test_the_promise_holds_with_a_cap_and_moving_results(
    data: st.DataObject,
    size: int,
    page_size: int,
    cap: int,
    cap_round: int,
    overlap: int,
    max_relocate: int,
    most: int,
    budget: int,
) -> None:
    """Whatever the cap: no record twice, in the results' order, success or
    ResultSetChangedError; a cap seen (a multiple of cap_round above the
    overlap) also delivers every record present throughout."""
    res = Capped(size, cap=cap, change=churn_from(data, budget, most))
    got: list[str] = []
    refused = False
    try:
        for rec in records(
            [(res.fetch(), "x")],
            page_size=page_size,
            overlap=overlap,
            max_relocate=max_relocate,
            cap_round=cap_round,
        ):
            got.append(rec["id"])
    except ResultSetChangedError:
        refused = True
    check(res, None if refused else got, got, None)
    seen_cap = cap >= page_size + overlap or (
        cap_round > 0 and cap % cap_round == 0 and cap > overlap
    )
    if not refused and seen_cap:
        assert res.always <= set(got), f"skipped {sorted(res.always - set(got))}"


# ------------------------------------------------------------ on loopback

TOTAL, CAP = 1200, 500


@pytest.fixture
def server() -> Iterator[Hostile]:
    recs = [{"id": f"r{i:04d}", "state": "OPEN", "priority": i % 10} for i in range(TOTAL)]
    with Hostile(paged(recs, cap=CAP)) as srv:
        yield srv


def env_for(srv: Hostile, tmp_path: Path) -> dict[str, str]:
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    return {"CONPEEK_URL": srv.url, "CONPEEK_KEY": "k-123",
            "CQLANG_CONFIG": str(tmp_path / "none.toml")}  # fmt: skip


def test_fetch_count_counts_every_record_and_warns(server: Hostile, tmp_path: Path) -> None:
    from cqlang.cli import main

    result = CliRunner().invoke(
        main, ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--count"], env=env_for(server, tmp_path)
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{TOTAL}\n"
    assert result.stderr.count("records per page") == 1
    assert f"cqlang: warning: {WARNING.format(n=CAP, m=1000)}" in result.stderr


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
def test_fetch_to_a_file_writes_every_record(server: Hostile, tmp_path: Path, suffix: str) -> None:
    from cqlang.cli import main

    out = tmp_path / f"all.{suffix}"
    result = CliRunner().invoke(
        main,
        ["fetch", "--campaign", DEFAULT_CAMPAIGN, "-o", str(out)],
        env=env_for(server, tmp_path),
    )
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == TOTAL + (suffix == "csv")
    assert f"wrote {TOTAL:,} records" in result.stderr


def test_python_to_arrow_gets_every_record(server: Hostile) -> None:
    pytest.importorskip("pyarrow")
    with Client(server.url, "k-123") as client:
        table = client.to_arrow(DEFAULT_CAMPAIGN, "state = OPEN")
        assert table.num_rows == TOTAL
        assert table.column("id").to_pylist() == [f"r{i:04d}" for i in range(TOTAL)]
        got = list(client.voice_campaign_requests(DEFAULT_CAMPAIGN, limit=800))
        assert [r["id"] for r in got] == [f"r{i:04d}" for i in range(800)]


def test_repl_fetch_all_writes_every_record(server: Hostile, tmp_path: Path) -> None:
    from cqlang.repl import Dispatcher, Session

    session = Session(campaign=DEFAULT_CAMPAIGN, base_url=server.url, api_key="k-123")
    d = Dispatcher(session, width=120)
    assert d.handle("state = OPEN").ok
    out = tmp_path / "all.jsonl"
    assert d.handle(f"\\o {out}").ok
    reply = d.handle("\\fetch all")
    # The client's warning comes first, as `fetch` prints it on stderr.
    warning = f"warning: {WARNING.format(n=CAP, m=1000)}"
    assert reply.ok and reply.text.startswith(f"{warning}\nwrote {TOTAL:,} records"), reply.text
    assert d.handle("\\count").text == f"{warning}\n{TOTAL:,} records match"


def test_a_server_that_ignores_the_offset_is_refused_not_believed() -> None:
    """The same round-length page whatever is asked: after it, nothing new
    ever comes, as when results move; refused after a few requests rather
    than taken for all the records (docs/client.md)."""
    page = [f"r{i:03d}" for i in range(200)]

    def fetch(offset: int, limit: int) -> tuple[list[str], list[str]]:
        return list(page), list(page)

    with pytest.raises(ResultSetChangedError, match="keep moving"):
        list(pages(fetch, page_size=1000))
