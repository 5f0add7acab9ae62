"""A plan is shared (the cache hands the same plan to every caller of the
same text and inputs): nothing a caller can reach of what ``plan``,
``compile``, ``check`` or ``plan_and_check`` return may change what another
caller gets. ``plan.filters`` is read-only, deeply; ``plan.branches``,
``compile``'s list and ``to_json`` are fresh copies, the caller's to change.

The regression: ``cqlang.plan(text).filters[0][0]["value"].append(...)``
changed the cached plan's value list, so that every later ``compile`` of
the text (and every fetch) sent the changed filter.
"""

from __future__ import annotations

import contextlib
import pickle
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import strategies as S
from hypothesis import given

import cqlang
from cqlang import api
from cqlang.client import Client
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.node import Node
from cqlang.planner import Plan

SCRIBBLED = "CANCELLED"


def scribble(value: Any, depth: int = 0) -> None:
    """Try to change everything reachable from ``value`` through public
    names: every dict and list gets an item more and its items changed,
    every set an item more, every node's fields assigned. What refuses (a
    frozen value) raises; that is left as it is."""
    if depth > 12:
        return
    if isinstance(value, Plan):
        children = [value.filters, value.branches, value.residual, value.reasons]
        children += [value.warnings, value.params, value.to_json()]
        for child in children:
            scribble(child, depth + 1)
        names = ["filters", "residual", "never_matches", "reasons", "warnings", "query", "params"]
    elif isinstance(value, Node):
        names = [n for n in type(value).__node_init__ if not n.startswith("_")]
        for name in names:
            scribble(getattr(value, name), depth + 1)
    else:
        names = []
    for name in names:
        with pytest.raises(AttributeError):
            setattr(value, name, SCRIBBLED)
    if isinstance(value, dict):
        for key, item in list(value.items()):
            scribble(item, depth + 1)
            _attempt(value.__setitem__, key, SCRIBBLED)
        _attempt(value.__setitem__, "scribbled", [SCRIBBLED])
        _attempt(value.update, {"operator": "ne"})
        _attempt(value.pop, "value")
        _attempt(value.setdefault, "key", SCRIBBLED)
    elif isinstance(value, list):
        for item in list(value):
            scribble(item, depth + 1)
        if value:
            _attempt(value.__setitem__, 0, SCRIBBLED)
        _attempt(value.append, SCRIBBLED)
        _attempt(value.reverse)
    elif isinstance(value, tuple | frozenset):
        for item in value:
            scribble(item, depth + 1)
    elif isinstance(value, set):
        value.add(SCRIBBLED)
    for method in ("append", "clear", "extend"):  # a read-only list has none of them
        if isinstance(value, tuple) and hasattr(value, method):
            raise AssertionError(f"a {type(value).__name__} of a plan has {method}")


def _attempt(change: Any, *args: Any) -> None:
    with contextlib.suppress(TypeError, AttributeError, KeyError):
        change(*args)


def answers(text: str, **inputs: Any) -> tuple[Any, ...]:
    """What every entry point says of ``text``, as plain values."""
    try:
        p = cqlang.plan(text, **inputs)
    except cqlang.CqlError as exc:
        return ("error", str(exc))
    try:
        compiled: Any = cqlang.compile(text, **inputs)
    except cqlang.CqlError as exc:
        compiled = str(exc)
    checked = [d.to_dict() for d in cqlang.check(text, **inputs)]
    again, warnings = api.plan_and_check(text, api.environment(**inputs))
    assert again is p
    return (
        repr(p),
        p.branches,
        [list(b) for b in p.filters],
        p.to_json(),
        p.explain(),
        p.residual.text if p.residual else None,
        compiled,
        checked,
        [d.to_dict() for d in warnings],
    )


def scribble_everything(text: str, **inputs: Any) -> None:
    """Every result of every entry point for ``text``, scribbled on."""
    try:
        scribble(cqlang.plan(text, **inputs))
    except cqlang.CqlError:
        return
    with contextlib.suppress(cqlang.CqlError):
        scribble(cqlang.compile(text, **inputs))
    scribble(cqlang.check(text, **inputs))
    scribble(list(api.plan_and_check(text, api.environment(**inputs))))


def test_a_plans_filters_cannot_be_changed_and_compile_gives_the_same() -> None:
    text = "state in (OPEN, CLOSED)"
    p = cqlang.plan(text)
    with pytest.raises(AttributeError):
        p.filters[0][0]["value"].append("CANCELLED")  # type: ignore[union-attr]
    with pytest.raises(TypeError):
        p.filters[0][0]["value"] = ["CANCELLED"]  # type: ignore[index]
    with pytest.raises(TypeError):
        p.filters[0][0].clear()  # type: ignore[attr-defined]
    assert cqlang.compile(text) == [{"property": "state", "value": ["OPEN", "CLOSED"]}]
    assert cqlang.plan(text) is p
    # Read-only, yet equal to the lists it holds, and JSON as they are.
    assert p.filters == (({"property": "state", "value": ["OPEN", "CLOSED"]},),)
    assert cqlang.encode(p.filters[0]) == cqlang.encode(cqlang.compile(text))


@pytest.mark.parametrize(
    ("text", "inputs"),
    [
        ("state in (OPEN, CLOSED) and priority >= 3", {}),
        ('state = OPEN or custom.region != "PL"', {}),
        ("priority in (1, 3, 5) or created_date >= 2026-01-01", {"tz": "Europe/Warsaw"}),
        ("priority > 5 and priority < 3", {}),
        ("state in $states and priority >= $min", {"params": {"states": ["OPEN"], "min": 2}}),
        ('custom.undeclared = "x" and state != CLOSED', {}),
        ("", {}),
    ],
)
def test_scribbling_on_every_result_changes_no_later_answer(
    text: str, inputs: dict[str, Any]
) -> None:
    before = answers(text, **inputs)
    scribble_everything(text, **inputs)
    assert answers(text, **inputs) == before


def test_the_callers_params_are_copied_not_kept() -> None:
    params: dict[str, Any] = {"states": ["OPEN", "CLOSED"]}
    text = "state in $states"
    p = cqlang.plan(text, params=params)
    params["states"].append("PROCESSING")
    params["states"] = ["PROCESSING"]
    assert cqlang.plan(text, params={"states": ["OPEN", "CLOSED"]}) is p
    assert p.filters[0][0]["value"] == ["OPEN", "CLOSED"]
    with pytest.raises(TypeError):
        p.params["states"] = ["PROCESSING"]


def test_a_plan_made_from_lists_keeps_a_copy() -> None:
    given = [[{"property": "state", "value": ["OPEN"]}]]
    p = Plan(given)
    given[0][0]["value"].append("CLOSED")  # type: ignore[union-attr]
    given[0].append({"property": "priority", "value": 3})
    assert p.branches == [[{"property": "state", "value": ["OPEN"]}]]
    assert p.filters == (({"property": "state", "value": ["OPEN"]},),)
    # branches are lists again, down to the value lists
    assert type(p.branch(0)[0]) is dict and type(p.branch(0)[0]["value"]) is list
    # Kept through replace, pickling and equality.
    assert p.replace(never_matches=False) == p
    assert pickle.loads(pickle.dumps(p)) == p
    assert repr(pickle.loads(pickle.dumps(p))) == repr(p)
    assert p.replace(filters=[[]]).branches == [[]]


def test_a_fetch_sends_the_filters_of_the_query_after_scribbling(
    emulator_factory: Any,
) -> None:
    text = "state in (OPEN, CLOSED)"
    emu: Emulator = emulator_factory(records=20, seed=3)
    scribble_everything(text)
    client = Client(emu.url, "demo-key")
    got = list(client.voice_campaign_requests(DEFAULT_CAMPAIGN, text))
    assert {r["state"] for r in got} <= {"OPEN", "CLOSED"}
    sent = [parse_qs(urlsplit(entry.target).query)["filter"][0] for entry in emu.log]
    assert sent and all(f == '[{"property":"state","value":["OPEN","CLOSED"]}]' for f in sent), sent


@given(S.query_texts(max_leaves=4))
def test_no_caller_changes_what_another_gets(query: tuple[Any, str]) -> None:
    _, text = query
    now = datetime(2026, 11, 28, 12, 30)  # a query that reads the clock is cached with one
    before = answers(text, now=now)
    scribble_everything(text, now=now)
    assert answers(text, now=now) == before
