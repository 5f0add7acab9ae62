"""The fast paths of issue 15 give what the general paths give: syntax
errors found again from the parse's resume points, one-branch plans, the
garbage collector paused and restored, one-pass plan-and-check."""

from __future__ import annotations

import gc
import threading
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cqlang
from cqlang import api, parser
from cqlang.checker import check_text
from cqlang.dnf import DNF
from cqlang.env import Env
from cqlang.ir import Atom, IAnd, IOr, to_nnf

_CLAUSES = [
    "state in (OPEN, PROCESSING)",
    "priority >= 3",
    'custom.region = "PL"',
    "not (contact_try between 1 and 4)",
    "closed_date < today - 3d",
    "(state = OPEN or priority > 2)",
]
_BREAKS = ["", " and", " and priority", " and priority >=", " and (state", " or ) x", " 'open"]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 120), st.sampled_from(_BREAKS), st.integers(0, 5))
def test_a_syntax_error_far_into_a_long_query_reads_as_from_the_start(
    clauses: int, tail: str, shift: int
) -> None:
    """The "expected ..." of a syntax error past the parse's resume points
    (every 64 tokens) is the one asked of the parser fed from the start."""
    text = " and ".join(_CLAUSES[(i + shift) % len(_CLAUSES)] for i in range(clauses)) + tail
    p = parser._parser()
    try:
        p.parse(text)
    except parser._ParseError as exc:
        tok = exc.token
        resumed = p.stack_before(text, tok.start_pos, exc.resume)
        assert resumed == p.stack_before(text, tok.start_pos)
        if clauses > 40:
            assert exc.resume is not None
    except parser._LexError:
        pass


def test_one_branch_plans_are_the_general_plans() -> None:
    # The one-branch path of the DNF and the planner against the general
    # walk (an `or` of one branch is planned by the general path).
    texts = [
        "state = OPEN and priority >= 3 and priority < 9",
        "state != CLOSED and created_date = 2021-08-10 and custom.a = x",
        "priority != 0 and priority != 2 and priority != 4",
        "priority > 5 and priority < 3",
        "priority = 1 and priority = 2 and state = OPEN and state = CLOSED",
        "state not in (OPEN, PROCESSING, CLOSED) and priority = 1",
    ]
    for text in texts:
        checked = check_text(text)
        assert checked.ir is not None
        nnf = to_nnf(checked.ir)
        assert isinstance(nnf, IAnd) and all(isinstance(a, Atom) for a in nnf.items)
        fast, general = DNF(), DNF()
        # Each atom in an `or` of its own: the general walk of an `and`.
        wrapped = IAnd(tuple(IOr((a,)) for a in nnf.items))
        assert fast.run(nnf) == general.run(wrapped), text
        assert fast.contradiction_span == general.contradiction_span, text


def test_the_collector_is_paused_during_a_compile_and_restored() -> None:
    assert gc.isenabled()
    cqlang.compile("state = OPEN and priority >= 3")
    assert gc.isenabled()
    # Turned off by the program: left off.
    gc.disable()
    try:
        cqlang.plan("state = OPEN and priority >= 4")
        assert not gc.isenabled()
    finally:
        gc.enable()
    # An error inside: restored all the same.
    with pytest.raises(cqlang.CqlError):
        cqlang.compile("state = ")
    assert gc.isenabled()
    with pytest.raises(cqlang.CqlError):
        cqlang.plan("custom.a = x or custom.b = y or custom.c = z", max_branches=1)
    assert gc.isenabled()


def test_compiles_in_threads_leave_the_collector_on() -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(40):
                cqlang.compile(f"priority >= {n * 100 + i} and state = OPEN")
                cqlang.check(f"priority >= {n * 100 + i} and")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert gc.isenabled()


@pytest.mark.parametrize(
    "text",
    [
        "state = OPEN and priority >= 3",
        "state = OPEN or priority > 5",
        "prioirty = 3 and state = OPNE",
        "state = ",
        "priority = $p",
        "state = OPEN or custom.region != 'PL'",
        "(custom.a = x or custom.b = y) and (custom.c = x or custom.d = y)",
        "priority > 5 and priority < 3",
    ],
)
def test_plan_and_check_is_plan_and_check(text: str) -> None:
    env = Env(params={"unused": 1}, max_branches=2)
    found, diags = api.plan_and_check(text, env)
    assert diags == cqlang.check(text, env)
    try:
        expected = cqlang.plan(text, env)
    except cqlang.CqlError:
        assert found is None
    else:
        assert found == expected


def test_the_collector_is_off_while_the_query_is_checked() -> None:
    seen: list[bool] = []

    class Probe(datetime):
        def replace(self, *args: Any, **changes: Any) -> datetime:
            # The checker gives a naive datetime parameter the query's zone.
            if "tzinfo" in changes:
                seen.append(gc.isenabled())
            return datetime.replace(self, *args, **changes)

    cqlang.compile("created_date > $p", params={"p": Probe(2031, 7, 7, 7, 7, 7)})
    assert seen and not any(seen)
    assert gc.isenabled()
