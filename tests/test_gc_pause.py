"""The collector's pause during a compile is the process's, counted across
threads: the first compile in turns the collector off if it is on, the last
one out turns it back on, and only if the first one turned it off."""

from __future__ import annotations

import gc
import itertools
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar

import pytest

import cqlang

WAIT = 20  # seconds: the most any step waits (never reached unless broken)


class Gate(datetime):
    """A parameter value whose reading (the checker gives a naive datetime
    parameter the query's zone with replace(), inside the pause) says so
    and waits to be let through. Each compile's value is a second of its
    own, named in ``names``."""

    names: ClassVar[dict[datetime, str]] = {}
    inside: ClassVar[dict[str, threading.Event]] = {}
    release: ClassVar[dict[str, threading.Event]] = {}

    def replace(self, *args: Any, **changes: Any) -> datetime:
        name = Gate.names.get(datetime(*self.timetuple()[:6]))
        if name is not None and "tzinfo" in changes:  # the checker's reading
            Gate.inside[name].set()
            assert Gate.release[name].wait(WAIT), "never released"
        return datetime.replace(self, *args, **changes)


@pytest.fixture
def gates() -> Iterator[None]:
    yield
    for event in Gate.release.values():
        event.set()  # nothing left waiting, whatever failed
    Gate.inside.clear()
    Gate.release.clear()
    Gate.names.clear()
    gc.enable()


_made = itertools.count()


def compile_held(name: str, errors: list[BaseException]) -> threading.Thread:
    """A compile in a thread, held inside the pause until released (its
    parameter's value new each time: a plan cached would not be made)."""
    n = next(_made)
    value = f"{name}-{n}"
    at = datetime(2026, 1, 1) + timedelta(seconds=n)
    Gate.names[at] = value
    Gate.inside[value] = Gate.inside[name] = threading.Event()
    Gate.release[value] = Gate.release[name] = threading.Event()

    def run() -> None:
        try:
            cqlang.compile("created_date > $p", params={"p": Gate(*at.timetuple()[:6])})
        except BaseException as exc:  # pragma: no cover - reported by the test
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert Gate.inside[name].wait(WAIT)
    return thread


def finish(name: str, thread: threading.Thread) -> None:
    Gate.release[name].set()
    thread.join(WAIT)
    assert not thread.is_alive()


def test_the_last_compile_out_turns_the_collector_back_on(gates: None) -> None:
    assert gc.isenabled()
    errors: list[BaseException] = []
    first = compile_held("first", errors)
    assert not gc.isenabled()
    second = compile_held("second", errors)
    finish("first", first)  # the one that turned it off leaves first...
    assert not gc.isenabled()  # ...and the second is still paused
    cqlang.compile("state = OPEN")  # a whole compile meanwhile changes nothing
    assert not gc.isenabled()
    finish("second", second)
    assert gc.isenabled() and not errors


def test_a_collector_turned_off_before_stays_off(gates: None) -> None:
    gc.disable()
    errors: list[BaseException] = []
    first = compile_held("first", errors)
    second = compile_held("second", errors)
    finish("second", second)
    finish("first", first)
    cqlang.check("state = OPEN")
    assert not gc.isenabled() and not errors


def test_a_collector_turned_on_meanwhile_stays_on(gates: None) -> None:
    gc.disable()
    errors: list[BaseException] = []
    first = compile_held("first", errors)
    gc.enable()  # the program's own choice, while a compile runs
    finish("first", first)
    assert gc.isenabled() and not errors


def test_many_compiles_in_threads_leave_the_collector_as_found(gates: None) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(30):
                cqlang.compile(f"priority >= {n * 100 + i} and state = OPEN")
                cqlang.check(f"priority >= {n * 100 + i} and")
                cqlang.plan(f"state = OPEN or priority = {i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(WAIT * 3)
            assert not t.is_alive()
        assert gc.isenabled() is enabled and not errors
