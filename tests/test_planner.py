"""The planner (issue 3): requests, residuals, merging, bounds, scale."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

import cqlang
from cqlang.checker import check_text
from cqlang.dnf import MAX_ALTERNATIVES
from cqlang.env import Env
from cqlang.evaluator import compile_matcher
from cqlang.filterlists import compile_filters


def branches(text: str, **kw: Any) -> list[list[dict[str, Any]]]:
    return cqlang.plan(text, **kw).branches


def selects(plan: cqlang.Plan, record: dict[str, Any]) -> bool:
    hit = any(compile_filters(b)(record) for b in plan.branches)
    return hit and (plan.residual is None or plan.residual.matches(record))


# ----------------------------------------------------------- acceptance


def test_or_over_one_enum_is_one_request() -> None:
    plan = cqlang.plan("state = OPEN or state = PROCESSING")
    assert plan.branches == [[{"property": "state", "value": ["OPEN", "PROCESSING"]}]]
    assert plan.residual is None and not plan.never_matches
    assert plan.requests == 1


def test_or_over_two_properties_is_two_requests() -> None:
    plan = cqlang.plan("state = OPEN or priority > 5")
    assert sorted(plan.branches, key=str) == sorted(
        [
            [{"property": "state", "value": ["OPEN"]}],
            [{"property": "priority", "operator": "gt", "value": 5}],
        ],
        key=str,
    )
    assert plan.residual is None


def test_consecutive_integers_are_one_range() -> None:
    assert branches("priority in (1, 2, 3)") == [
        [
            {"property": "priority", "operator": "gte", "value": 1},
            {"property": "priority", "operator": "lte", "value": 3},
        ]
    ]
    assert branches("priority in (3, 1, 2, 2)") == branches("priority in (1, 2, 3)")


@pytest.mark.parametrize(
    "text",
    [
        "state = OPEN or (state = OPEN and priority > 3)",
        "(state = OPEN and priority > 3) or state = OPEN",
        "state in (OPEN, CLOSED) or (state = OPEN and custom.x = y and priority < 2)",
        "priority > 1 or (priority > 3 and state = OPEN)",
    ],
)
def test_a_branch_implied_by_another_is_dropped(text: str) -> None:
    plan = cqlang.plan(text)
    assert len(plan.branches) == 1
    assert plan.residual is None
    assert [f["property"] for f in plan.branches[0]] in (["state"], ["priority"])


def test_contradiction_never_matches() -> None:
    plan = cqlang.plan("state = OPEN and state = CLOSED")
    assert plan.never_matches
    assert plan.branches == [] and plan.requests == 0
    assert plan.residual is None
    assert "never matches" in plan.explain()
    assert plan.to_json()["never_matches"] is True
    assert plan.to_json()["requests"] == []


def test_ne_on_a_custom_field_is_a_residual_with_no_server_filter() -> None:
    plan = cqlang.plan('custom.region != "PL"')
    assert plan.branches == [[]]
    assert plan.residual is not None
    assert plan.residual.text == 'custom.region != "PL"'
    assert plan.residual.matches({"custom": '{"region": "DE"}'})
    assert not plan.residual.matches({"custom": '{"region": "PL"}'})
    # Missing is unknown, so not returned (three-valued logic).
    assert not plan.residual.matches({"custom": "{}"})
    assert not plan.residual.matches({})


def test_not_in_on_integers_takes_at_most_two_requests() -> None:
    plan = cqlang.plan("priority not in (1, 2)")
    assert 1 <= len(plan.branches) <= 2
    for value, expected in [(0, True), (1, False), (2, False), (3, True), (-5, True)]:
        assert selects(plan, {"priority": value}) is expected, value
    assert not selects(plan, {})


def test_not_in_with_one_hole_uses_ne() -> None:
    assert branches("priority not in (4)") == [
        [{"property": "priority", "operator": "ne", "value": 4}]
    ]


def test_many_holes_keep_one_ne_and_a_residual() -> None:
    plan = cqlang.plan("priority not in (1, 3, 5)")
    assert len(plan.branches) == 1
    assert plan.residual is not None
    for value in range(-1, 8):
        assert selects(plan, {"priority": value}) is (value not in (1, 3, 5)), value


# ------------------------------------------------------------- merging


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "(state = OPEN and priority = 1) or (state = OPEN and priority = 2)",
            [
                {"property": "state", "value": ["OPEN"]},
                {"property": "priority", "operator": "gte", "value": 1},
                {"property": "priority", "operator": "lte", "value": 2},
            ],
        ),
        (
            # Datetime ranges join when they share a second (touching days
            # do not: tests/test_calendar_gaps.py).
            "created_date = 2021-08-10 or created_date between 2021-08-10T12:00Z and 2021-08-11",
            [
                {"property": "created_date", "operator": "gte", "value": "2021-08-10 00:00:00"},
                {"property": "created_date", "operator": "lte", "value": "2021-08-11 23:59:59"},
            ],
        ),
        (
            "priority <= 2 or priority between 3 and 5",
            [{"property": "priority", "operator": "lte", "value": 5}],
        ),
        (
            "close_reason = a or close_reason in (b, a)",
            [{"property": "close_reason", "value": ["a", "b"]}],
        ),
    ],
)
def test_adjacent_and_overlapping_ranges_and_sets_merge(
    text: str, expected: list[dict[str, Any]]
) -> None:
    plan = cqlang.plan(text)
    assert plan.residual is None
    assert len(plan.branches) == 1
    assert sorted(plan.branches[0], key=str) == sorted(expected, key=str)


def test_or_covering_every_value_needs_only_a_presence_check() -> None:
    plan = cqlang.plan("priority < 3 or priority >= 3")
    assert plan.branches == [[]]
    assert plan.residual is not None
    assert selects(plan, {"priority": 7}) and not selects(plan, {"priority": None})
    # On an enum, the whole list says "present" on the server.
    plan = cqlang.plan("state != OPEN or state = OPEN")
    assert plan.residual is None
    ((obj,),) = plan.branches
    assert obj["property"] == "state"
    assert sorted(obj["value"]) == ["CLOSED", "OPEN", "PROCESSING"]


def test_disjoint_ranges_of_one_field_are_one_request_each() -> None:
    plan = cqlang.plan("priority < 0 or priority > 10")
    assert sorted(plan.branches, key=str) == sorted(
        [
            [{"property": "priority", "operator": "lt", "value": 0}],
            [{"property": "priority", "operator": "gt", "value": 10}],
        ],
        key=str,
    )
    assert plan.residual is None


def test_identical_requests_are_sent_once() -> None:
    plan = cqlang.plan("(custom.a != x and state = OPEN) or (custom.b != y and state = OPEN)")
    assert plan.branches == [[{"property": "state", "value": ["OPEN"]}]]
    assert plan.residual is not None


def test_a_branch_with_no_filter_absorbs_the_others() -> None:
    plan = cqlang.plan("custom.a != x or state = OPEN")
    assert plan.branches == [[]]
    assert plan.residual is not None
    assert selects(plan, {"state": "OPEN"})
    assert selects(plan, {"custom": '{"a": "z"}', "state": "CLOSED"})
    assert not selects(plan, {"custom": '{"a": "x"}', "state": "CLOSED"})


def test_several_requests_with_residual_keep_the_whole_query_as_residual() -> None:
    plan = cqlang.plan("(state = OPEN and custom.a != x) or priority > 5")
    assert len(plan.branches) == 2
    assert plan.residual is not None
    assert selects(plan, {"state": "OPEN", "custom": '{"a": "y"}'})
    assert not selects(plan, {"state": "OPEN", "custom": '{"a": "x"}'})
    assert selects(plan, {"priority": 6, "custom": '{"a": "x"}'})


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("priority is null", "null"),
        ("priority is not null", "presence"),
        ("close_reason != done", "ne on an open set"),
        ("close_reason not in (a, b)", "not in on an open set"),
        ("dialing_method != manual", "ne on an equality string"),
        ("tenant_user_id > 3", "range on a membership property"),
        ("custom.k in (a, b, c, d, e, f, g, h, i)", "too many equality values"),
    ],
)
def test_what_the_api_cannot_say_is_a_residual(text: str, reason: str) -> None:
    plan = cqlang.plan(text)
    assert plan.residual is not None, reason
    assert not plan.never_matches


def test_residual_plus_server_part_narrows_the_fetch() -> None:
    plan = cqlang.plan("state = OPEN and close_reason != done and priority >= 2")
    (branch,) = plan.branches
    assert {"property": "state", "value": ["OPEN"]} in branch
    assert {"property": "priority", "operator": "gte", "value": 2} in branch
    assert plan.residual is not None
    assert plan.residual.text == 'close_reason != "done"'


def test_equality_values_split_into_requests_up_to_a_bound() -> None:
    plan = cqlang.plan("contact_number in ('1', '2', '3')")
    assert sorted(plan.branches, key=str) == [
        [{"property": "contact_number", "value": v}] for v in ("1", "2", "3")
    ]
    assert plan.residual is None


# ------------------------------------------------------- explain / json


def test_explain_in_words_and_json() -> None:
    plan = cqlang.plan("state = OPEN or (priority > 5 and close_reason != done)")
    words = plan.explain()
    assert "2 requests" in words and "merged by id" in words
    assert "filter=" in words and "encoded: " in words
    assert "kept on the client when" in words
    data = plan.to_json()
    json.dumps(data)  # serialisable
    assert [r["filter"] for r in data["requests"]] == plan.branches
    assert all(r["encoded"].startswith("%5B%7B") for r in data["requests"])
    assert data["residual"] == plan.residual.text if plan.residual else data["residual"] is None
    assert data["never_matches"] is False


def test_explain_of_a_query_with_no_filter() -> None:
    plan = cqlang.plan("")
    assert "1 request" in plan.explain() and "no filter" in plan.explain()
    assert plan.to_json()["requests"] == [{"filter": [], "encoded": None}]


# ------------------------------------------------------------- bounds


def test_the_bound_counts_the_requests_left_after_merging() -> None:
    # 2**30 combinations before merging; `priority = i and priority = j`
    # contradicts itself, so 31 branches remain: all custom, or one priority.
    text = " and ".join(f"(priority = {i} or custom.k{i} = v)" for i in range(30))
    assert len(cqlang.plan(text).branches) == 31
    with pytest.raises(cqlang.CqlPlanError) as info:
        cqlang.plan(text, max_branches=30)
    (diag,) = info.value.diagnostics
    assert diag.code == "CQL204"
    assert "needs 31 requests" in diag.message and "limit is 30" in diag.message
    # check() reports the same, as data, without raising.
    (found,) = [d for d in cqlang.check(text, max_branches=30) if d.code == "CQL204"]
    assert found.severity == "error"


SIX_GROUPS = " and ".join(f'(custom.a{i} = "x" or custom.b{i} != "y")' for i in range(6))
NOT_SEVEN = (
    "not (" + " or ".join(f'(custom.a{i} = "x" and custom.b{i} = "y")' for i in range(7)) + ")"
)


@pytest.mark.parametrize("text", [SIX_GROUPS, NOT_SEVEN], ids=["six-groups", "not-seven-groups"])
def test_identical_requests_merge_before_the_bound(text: str) -> None:
    """64 and 128 combinations, but one request: every branch with a `!=` on a
    custom field alone asks for every record (issue 11, item 2)."""
    plan = cqlang.plan(text)
    assert plan.branches == [[]]
    assert plan.residual is not None
    assert not [d for d in cqlang.check(text) if d.severity == "error"]
    records = [
        {"id": 1, "custom": {f"a{i}": "x" for i in range(7)}},
        {"id": 2, "custom": {f"b{i}": "y" for i in range(7)}},
        {"id": 3, "custom": {"a0": "x", "b0": "y"}},
        {"id": 4, "custom": {}},
    ]
    checked = check_text(text)
    assert checked.ir is not None
    direct = compile_matcher(checked.ir)
    for record in records:
        assert selects(plan, record) == direct(record), record


def test_a_request_narrower_than_another_is_dropped() -> None:
    # [priority > 3, state] fetches a subset of [priority > 3]: only the
    # wider one is sent, and the residual becomes the whole query.
    text = 'priority > 3 and (state = OPEN or custom.x != "y")'
    plan = cqlang.plan(text)
    assert plan.branches == [[{"property": "priority", "operator": "gt", "value": 3}]]
    assert plan.residual is not None and plan.residual.text == cqlang.format(text)
    for record, expected in [
        ({"priority": 4, "state": "OPEN", "custom": {"x": "y"}}, True),
        ({"priority": 4, "state": "CLOSED", "custom": {"x": "y"}}, False),
        ({"priority": 4, "state": "CLOSED", "custom": {"x": "z"}}, True),
        ({"priority": 2, "state": "OPEN"}, False),
    ]:
        assert selects(plan, record) is expected, record


def test_an_exploding_query_fails_with_the_internal_limit_in_words() -> None:
    # Independent groups: nothing merges, so the count is known before
    # anything is built, and it is not the user's bound that stops it.
    text = " and ".join(f'(custom.a{i} = "x" or custom.b{i} = "y")' for i in range(30))
    with pytest.raises(cqlang.CqlPlanError) as info:
        cqlang.plan(text, max_branches=10**9)
    (diag,) = info.value.diagnostics
    assert diag.code == "CQL205"
    assert f"{2**30:,} alternatives" in diag.message
    assert f"stops at {MAX_ALTERNATIVES:,}" in diag.message
    assert diag.hint is not None and "apart from max_branches" in diag.hint
    assert [d.code for d in cqlang.check(text)] == ["CQL205"]


def test_thousands_of_independent_branches_plan_within_a_raised_bound() -> None:
    text = " and ".join(f'(custom.a{i} = "x" or custom.b{i} = "y")' for i in range(12))
    plan = cqlang.plan(text, max_branches=4096)
    assert plan.requests == 4096 and plan.residual is None
    assert len({json.dumps(b, sort_keys=True) for b in plan.branches}) == 4096


def test_merging_within_the_internal_limit_on_overlapping_fields() -> None:
    # Parts share fields, so the products go through the indexed merging.
    text = " and ".join(f"(state = OPEN or custom.b{i} = y or priority > {i})" for i in range(8))
    plan = cqlang.plan(text, max_branches=1000)
    checked = check_text(text)
    assert checked.ir is not None
    direct = compile_matcher(checked.ir)
    for p in (0, 5, 9):
        for state in ("OPEN", "CLOSED"):
            for custom in ({}, {f"b{i}": "y" for i in range(8)}, {"b3": "y"}):
                record = {"priority": p, "state": state, "custom": custom}
                assert selects(plan, record) == direct(record), record


def test_the_branch_bound_is_configurable() -> None:
    text = "priority = 1 or state = OPEN or custom.a = b"
    assert len(cqlang.plan(text, max_branches=3).branches) == 3
    with pytest.raises(cqlang.CqlPlanError) as info:
        cqlang.plan(text, max_branches=2)
    assert "3 requests" in info.value.diagnostics[0].message
    assert "limit is 2" in info.value.diagnostics[0].message


def test_split_ranges_count_towards_the_bound() -> None:
    # contact_try splits into three disjoint ranges (three requests).
    text = "(priority not in (1, 5)) and (contact_try < 0 or contact_try > 3 or contact_try = 1)"
    plan = cqlang.plan(text, max_branches=3)
    assert len(plan.branches) == 3
    for p, c in [(0, -1), (3, 4), (1, 0), (9, 1)]:
        expected = p not in (1, 5) and (c < 0 or c > 3 or c == 1)
        assert selects(plan, {"priority": p, "contact_try": c}) is expected
    with pytest.raises(cqlang.CqlPlanError):
        cqlang.plan(text, max_branches=2)


# -------------------------------------------------------------- scale


def _calls(fn: Any, *args: Any) -> tuple[Any, int]:
    """``fn(*args)`` and the number of function calls it made (Python's and
    the builtins'): a count of the work done, the same on any machine, where
    a time would not be (benchmarks/bench_planner.py times the same chains,
    side by side)."""
    from cqlang import api

    count = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    api._cache.clear()
    sys.setprofile(profile)
    try:
        result = fn(*args)
    finally:
        sys.setprofile(None)
    return result, count


def test_ten_thousand_predicate_and_chain_compiles() -> None:
    text = " and ".join(f"priority <= {10_000 - i}" for i in range(10_000))
    filters = cqlang.compile(text)
    assert filters == [{"property": "priority", "operator": "lte", "value": 1}]
    mixed = " and ".join(
        ["priority >= 0", "state != CLOSED", "custom.a = b", "created_date >= 2021-01-01"][i % 4]
        for i in range(10_000)
    )
    assert len(cqlang.compile(mixed)) == 4


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda i: f"priority != {2 * i}", id="and-ne-scattered"),
        pytest.param(lambda i: f"close_reason != r{i}", id="and-ne-open-set"),
    ],
)
def test_long_and_chains_plan_in_linear_time(make: Any) -> None:
    def run(n: int) -> int:
        return _calls(cqlang.plan, " and ".join(make(i) for i in range(n)))[1]

    small, large = run(1_000), run(5_000)
    # Linear is 5x the calls; quadratic would be 25x.
    assert large < 7 * small, (small, large)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda i: f"priority = {2 * i}", id="or-scattered-ints"),
        pytest.param(lambda i: f"close_reason = r{i}", id="or-open-set"),
        pytest.param(lambda i: f"state = {('OPEN', 'CLOSED')[i % 2]}", id="or-enum"),
        pytest.param(lambda i: f"(state = OPEN and priority = {i})", id="or-pairs"),
    ],
)
def test_ten_thousand_predicate_or_chain_plans_in_linear_time(make: Any) -> None:
    def run(n: int) -> tuple[cqlang.Plan, int]:
        return _calls(cqlang.plan, " or ".join(make(i) for i in range(n)))  # type: ignore[no-any-return]

    _, small = run(1_000)
    plan, large = run(5_000)
    assert len(plan.branches) == 1
    assert large < 7 * small, (small, large)
    assert len(cqlang.plan(" or ".join(make(i) for i in range(10_000))).branches) == 1


def test_deeply_nested_query_within_the_limit_plans() -> None:
    depth = 90
    text = "(" * depth + "state = OPEN or priority = 1" + ")" * depth
    assert len(cqlang.plan(text).branches) == 2
    text = "not " * depth + "priority > 3"
    assert cqlang.compile(text) == [{"property": "priority", "operator": "gt", "value": 3}]


# ------------------------------------------- closed enums and typed custom fields


def test_enum_complement_and_evaluator_agree_on_a_value_outside_the_enum() -> None:
    from cqlang.checker import check_text
    from cqlang.evaluator import compile_matcher

    checked = check_text("state != CLOSED")
    assert checked.ir is not None
    record = {"state": "ARCHIVED"}
    assert selects(cqlang.plan("state != CLOSED"), record) == compile_matcher(checked.ir)(record)


TYPED = cqlang.DEFAULT_SCHEMA.with_custom_fields(
    {"score": "integer", "when": "datetime", "tier": {"type": "enum", "values": ["gold"]}}
)


@pytest.mark.parametrize(
    ("text", "custom"),
    [
        ("custom.score = 5", '{"score": "05"}'),
        ('custom.when = "2021-08-10 14:30:05"', '{"when": "2021-08-10T14:30:05Z"}'),
    ],
)
def test_typed_custom_fields_plan_agrees_with_evaluator(text: str, custom: str) -> None:
    from cqlang.checker import check_text
    from cqlang.evaluator import compile_matcher

    checked = check_text(text, Env(schema=TYPED))
    assert checked.ir is not None
    record = {"custom": custom}
    plan = cqlang.plan(text, schema=TYPED)
    hit = any(compile_filters(b, TYPED)(record) for b in plan.branches)
    via_plan = hit and (plan.residual is None or plan.residual.matches(record))
    assert via_plan == compile_matcher(checked.ir)(record)


def test_declared_custom_enum_keeps_the_stored_spelling() -> None:
    assert cqlang.compile("custom.tier = gold", schema=TYPED) == [
        {"property": "custom_fields", "key": "tier", "value": "gold"}
    ]
