"""What the client does with a page's bytes (cqlang/client/page.py): the
garbage collector paused while a page is decoded, and only then; every
refusal leaves it as it was."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from cqlang import jsonlimit
from cqlang.client import Client
from cqlang.client.page import MAX_DEPTH, NotEnvelope, page_records
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator


@pytest.fixture
def collections() -> Iterator[list[list[str]]]:
    """The collections the garbage collector starts while the test runs,
    with it run on every allocation (threshold 1): each as the files of the
    frames it started in."""
    started: list[list[str]] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            frame, files = sys._getframe(1), []
            while frame is not None:
                files.append(frame.f_code.co_filename)
                frame = frame.f_back  # type: ignore[assignment]
            started.append(files)

    thresholds = gc.get_threshold()
    was = gc.isenabled()
    gc.enable()
    gc.set_threshold(1, 1_000_000, 1_000_000)  # young collections only: cheap
    gc.callbacks.append(seen)
    try:
        yield started
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*thresholds)
        (gc.enable if was else gc.disable)()


class Probe:
    """An object made with the collector's own allocation (lists and dicts
    may come from free lists, which do not count)."""


PAGE = json.dumps(
    {"data": [{"id": str(n), "history": [{"state": "OPEN"}], "days": [1, 2]} for n in range(300)]}
).encode()


def test_no_collection_runs_while_a_page_is_decoded(collections: list[list[str]]) -> None:
    data = page_records(PAGE)
    during = len(collections)
    Probe()  # the next object made (not from a free list): the collector runs again
    again = len(collections) - during
    # Each collection seen is appended to the list: read a copy of those
    # seen while the page was read (reading makes objects, so more come).
    seen = collections[:during]
    inside = [files for files in seen if any(f.endswith("jsonlimit.py") for f in files)]
    # The code before: a collection for about every container the decoder made.
    assert inside == []
    assert len(data) == 300 and gc.isenabled() and again > 0


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), jsonlimit.TooDeep),
        (b'{"data": [NaN]}', jsonlimit.BadNumber),
        (b'{"data": [1, 2', ValueError),
        (b'{"records": []}', NotEnvelope),
        (b"[" * 100_000, jsonlimit.TooDeep),  # the C parser's own recursion guard
    ],
)
def test_a_page_refused_leaves_the_collector_on(body: bytes, error: type[Exception]) -> None:
    assert gc.isenabled()
    with pytest.raises(error):
        page_records(body)
    assert gc.isenabled()


def test_a_collector_turned_off_stays_off_through_a_fetch(
    emulator_factory: Any,
) -> None:
    emu: Emulator = emulator_factory(records=120, seed=3)
    gc.disable()
    try:
        with Client(emu.url, "demo-key") as client:
            got = list(client.voice_campaign_requests(DEFAULT_CAMPAIGN, page_size=50))
        assert len(got) == 120 and not gc.isenabled()
    finally:
        gc.enable()
    with Client(emu.url, "demo-key") as client:
        assert len(list(client.voice_campaign_requests(DEFAULT_CAMPAIGN, page_size=50))) == 120
    assert gc.isenabled()
