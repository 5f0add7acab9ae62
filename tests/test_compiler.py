"""Spec sections 2 and 3: queries to filter lists, with the exact output."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import cqlang
from cqlang.schema import DEFAULT_SCHEMA

NOW = datetime(2021, 8, 10, 14, 30, 30, tzinfo=UTC)


def compile_(text: str, **kw: Any) -> list[dict[str, Any]]:
    kw.setdefault("now", NOW)
    return cqlang.compile(text, **kw)


def gte(prop: str, value: Any) -> dict[str, Any]:
    return {"property": prop, "operator": "gte", "value": value}


def lte(prop: str, value: Any) -> dict[str, Any]:
    return {"property": prop, "operator": "lte", "value": value}


# ------------------------------------------------------- spec section 2

SPEC_EXAMPLES = [
    'state in (OPEN, CLOSED) and priority >= 3 and custom.region = "PL"',
    "application_state = RETRY and contact_try < 5",
    "created_date >= today - 7d and state != CLOSED",
    "not (priority between 1 and 3) or custom[\"lead source\"] = 'web'",
    "created_date = 2021-08-10 and assigned_tenant_user_id in (12, 14)",
]


@pytest.mark.parametrize("text", SPEC_EXAMPLES)
def test_spec_examples_parse_check_and_plan(text: str) -> None:
    cqlang.parse(text)
    assert [d for d in cqlang.check(text, now=NOW) if d.severity == "error"] == []
    plan = cqlang.plan(text, now=NOW)
    assert not plan.never_matches
    assert plan.residual is None


def test_spec_examples_compile_to_exact_filters() -> None:
    assert compile_(SPEC_EXAMPLES[0]) == [
        {"property": "state", "value": ["OPEN", "CLOSED"]},
        {"property": "priority", "operator": "gte", "value": 3},
        {"property": "custom_fields", "key": "region", "value": "PL"},
    ]
    assert compile_(SPEC_EXAMPLES[1]) == [
        {"property": "application_state", "value": ["RETRY"]},
        {"property": "contact_try", "operator": "lt", "value": 5},
    ]
    assert compile_(SPEC_EXAMPLES[2]) == [
        gte("created_date", "2021-08-03 00:00:00"),
        {"property": "state", "value": ["OPEN", "PROCESSING"]},
    ]
    assert compile_(SPEC_EXAMPLES[4]) == [
        gte("created_date", "2021-08-10 00:00:00"),
        lte("created_date", "2021-08-10 23:59:59"),
        {"property": "assigned_tenant_user_id", "value": [12, 14]},
    ]


def test_fourth_spec_example_needs_several_requests() -> None:
    plan = cqlang.plan(SPEC_EXAMPLES[3])
    assert sorted(plan.branches, key=str) == sorted(
        [
            [{"property": "priority", "operator": "lt", "value": 1}],
            [{"property": "priority", "operator": "gt", "value": 3}],
            [{"property": "custom_fields", "key": "lead source", "value": "web"}],
        ],
        key=str,
    )
    assert plan.residual is None
    with pytest.raises(cqlang.CqlPlanError) as info:
        cqlang.compile(SPEC_EXAMPLES[3])
    (diag,) = info.value.diagnostics
    assert diag.code == "CQL202"
    assert "3 requests" in diag.message
    assert "cqlang.plan()" in (diag.hint or "")  # Python's way to see the plan


# ------------------------------------------------- spec section 3: table

TABLE = [
    ("state = OPEN", [{"property": "state", "value": ["OPEN"]}]),
    ("state in (OPEN, CLOSED)", [{"property": "state", "value": ["OPEN", "CLOSED"]}]),
    ("priority >= 3", [{"property": "priority", "operator": "gte", "value": 3}]),
    ('custom.region = "PL"', [{"property": "custom_fields", "key": "region", "value": "PL"}]),
    ("contact_number = 48123123123", [{"property": "contact_number", "value": "48123123123"}]),
    (
        'created_date >= "2021-08-10 00:00:00"',
        [{"property": "created_date", "operator": "gte", "value": "2021-08-10 00:00:00"}],
    ),
]


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_spec_table_rows(text: str, expected: list[dict[str, Any]]) -> None:
    assert compile_(text) == expected


def test_filter_object_key_order_is_property_operator_key_value() -> None:
    (obj,) = compile_("priority >= 3")
    assert list(obj) == ["property", "operator", "value"]
    (obj,) = compile_('custom.region = "PL"')
    assert list(obj) == ["property", "key", "value"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("priority > 3", [{"property": "priority", "operator": "gt", "value": 3}]),
        ("priority < 3", [{"property": "priority", "operator": "lt", "value": 3}]),
        ("priority <= 3", [{"property": "priority", "operator": "lte", "value": 3}]),
        ("priority = 3", [{"property": "priority", "operator": "eq", "value": 3}]),
        ("priority == 3", [{"property": "priority", "operator": "eq", "value": 3}]),
        ("priority != 3", [{"property": "priority", "operator": "ne", "value": 3}]),
        ("priority <> 3", [{"property": "priority", "operator": "ne", "value": 3}]),
        ("consultant_try > -2", [{"property": "consultant_try", "operator": "gt", "value": -2}]),
        ("contact_number = 0048123", [{"property": "contact_number", "value": "0048123"}]),
        ('contact_number = "+48 123"', [{"property": "contact_number", "value": "+48 123"}]),
        ("dialing_method = PREDICTIVE", [{"property": "dialing_method", "value": "PREDICTIVE"}]),
        ("dialing_method = manual", [{"property": "dialing_method", "value": "manual"}]),
        ("tenant_user_id = 7", [{"property": "tenant_user_id", "value": [7]}]),
        ("tenant_user_id in (7, 3, 7)", [{"property": "tenant_user_id", "value": [3, 7]}]),
        ("close_reason = done", [{"property": "close_reason", "value": ["done"]}]),
        (
            "close_reason in ('done', \"no answer\")",
            [{"property": "close_reason", "value": ["done", "no answer"]}],
        ),
        (
            "application_state in (new, Recall)",
            [{"property": "application_state", "value": ["NEW", "RECALL"]}],
        ),
        (
            "custom[\"lead source\"] = 'web'",
            [{"property": "custom_fields", "key": "lead source", "value": "web"}],
        ),
        ("custom.n = 5", [{"property": "custom_fields", "key": "n", "value": "5"}]),
    ],
)
def test_operators_kept_as_the_user_wrote_them(text: str, expected: list[dict[str, Any]]) -> None:
    assert compile_(text) == expected


# ---------------------------------------------- spec section 3: rewrites


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not priority > 3", [{"property": "priority", "operator": "lte", "value": 3}]),
        ("not priority >= 3", [{"property": "priority", "operator": "lt", "value": 3}]),
        ("not priority < 3", [{"property": "priority", "operator": "gte", "value": 3}]),
        ("not priority <= 3", [{"property": "priority", "operator": "gt", "value": 3}]),
        ("not priority = 3", [{"property": "priority", "operator": "ne", "value": 3}]),
        ("not not priority = 3", [{"property": "priority", "operator": "eq", "value": 3}]),
        (
            "not (state = OPEN or priority < 2)",
            [
                {"property": "state", "value": ["PROCESSING", "CLOSED"]},
                {"property": "priority", "operator": "gte", "value": 2},
            ],
        ),
        ("not state in (OPEN)", [{"property": "state", "value": ["PROCESSING", "CLOSED"]}]),
    ],
)
def test_not_is_pushed_down(text: str, expected: list[dict[str, Any]]) -> None:
    assert compile_(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("state != CLOSED", [{"property": "state", "value": ["OPEN", "PROCESSING"]}]),
        ("state not in (OPEN, CLOSED)", [{"property": "state", "value": ["PROCESSING"]}]),
        (
            "application_state != retry",
            [{"property": "application_state", "value": ["NEW", "RECALL", "CLOSED"]}],
        ),
        (
            "application_state not in (NEW, RECALL) and application_state != CLOSED",
            [{"property": "application_state", "value": ["RETRY"]}],
        ),
    ],
)
def test_enum_complements(text: str, expected: list[dict[str, Any]]) -> None:
    assert compile_(text) == expected


def test_is_not_null_on_an_enum_is_the_whole_enum_or_a_residual() -> None:
    plan = cqlang.plan("state is not null")
    # Either the whole enum as a list, or everything plus a client-side test:
    # both return exactly the records with a state.
    if plan.residual is None:
        assert plan.branches == [[{"property": "state", "value": ["OPEN", "PROCESSING", "CLOSED"]}]]
    else:
        assert plan.residual.matches({"state": "OPEN"})
        assert not plan.residual.matches({"state": None})


DATE_CASES = [
    (
        "created_date = 2021-08-10",
        [gte("created_date", "2021-08-10 00:00:00"), lte("created_date", "2021-08-10 23:59:59")],
    ),
    ("created_date > 2021-08-10", [gte("created_date", "2021-08-11 00:00:00")]),
    ("created_date >= 2021-08-10", [gte("created_date", "2021-08-10 00:00:00")]),
    ("created_date < 2021-08-10", [lte("created_date", "2021-08-09 23:59:59")]),
    ("created_date <= 2021-08-10", [lte("created_date", "2021-08-10 23:59:59")]),
    ("closed_date > 2021-12-31", [gte("closed_date", "2022-01-01 00:00:00")]),
    ("closed_date < 2021-03-01", [lte("closed_date", "2021-02-28 23:59:59")]),
    ("closed_date < 2024-03-01", [lte("closed_date", "2024-02-29 23:59:59")]),
    (
        "process_not_before between 2021-08-10 and 2021-08-12",
        [
            gte("process_not_before", "2021-08-10 00:00:00"),
            lte("process_not_before", "2021-08-12 23:59:59"),
        ],
    ),
    (
        'created_date = "2021-08-10 14:30"',
        [gte("created_date", "2021-08-10 14:30:00"), lte("created_date", "2021-08-10 14:30:59")],
    ),
    ('created_date > "2021-08-10 14:30"', [gte("created_date", "2021-08-10 14:31:00")]),
    ('created_date < "2021-08-10 14:30"', [lte("created_date", "2021-08-10 14:29:59")]),
    ("created_date <= 2021-08-10T14:30", [lte("created_date", "2021-08-10 14:30:59")]),
    ('created_date > "2021-08-10 14:30:05"', [gte("created_date", "2021-08-10 14:30:06")]),
    ("created_date < 2021-08-10T14:30:05", [lte("created_date", "2021-08-10 14:30:04")]),
    (
        "created_date = 2021-08-10T14:30:05",
        [gte("created_date", "2021-08-10 14:30:05"), lte("created_date", "2021-08-10 14:30:05")],
    ),
    (
        "created_date between '2021-08-10 10:00' and 2021-08-10",
        [gte("created_date", "2021-08-10 10:00:00"), lte("created_date", "2021-08-10 23:59:59")],
    ),
    ("created_date >= 2021-08-10T14:30:05+02:00", [gte("created_date", "2021-08-10 12:30:05")]),
    ("created_date >= 2021-08-10T14:30:05-0130", [gte("created_date", "2021-08-10 16:00:05")]),
    ("created_date >= 2021-08-10T14:30Z", [gte("created_date", "2021-08-10 14:30:00")]),
    ("created_date >= 2021-08-10Z", [gte("created_date", "2021-08-10 00:00:00")]),
    # Days that touch are two requests (tests/test_calendar_gaps.py); ranges
    # that overlap are one.
    (
        "created_date in (2021-08-10, 2021-08-10T12:00Z)",
        [gte("created_date", "2021-08-10 00:00:00"), lte("created_date", "2021-08-10 23:59:59")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), DATE_CASES)
def test_date_interval_rules(text: str, expected: list[dict[str, Any]]) -> None:
    assert compile_(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "created_date = 2021-08-10",
            [
                gte("created_date", "2021-08-09 22:00:00"),
                lte("created_date", "2021-08-10 21:59:59"),
            ],
        ),
        ('created_date >= "2021-08-10 14:30"', [gte("created_date", "2021-08-10 12:30:00")]),
        # Winter time: one hour ahead of UTC.
        ("created_date < 2021-01-15", [lte("created_date", "2021-01-14 22:59:59")]),
        # An explicit offset or Z wins over the query's zone.
        ("created_date >= 2021-08-10T14:30Z", [gte("created_date", "2021-08-10 14:30:00")]),
        # DST starts on 2021-03-28: a 23-hour day.
        (
            "created_date = 2021-03-28",
            [
                gte("created_date", "2021-03-27 23:00:00"),
                lte("created_date", "2021-03-28 21:59:59"),
            ],
        ),
        # DST ends on 2021-10-31: a 25-hour day.
        (
            "created_date = 2021-10-31",
            [
                gte("created_date", "2021-10-30 22:00:00"),
                lte("created_date", "2021-10-31 22:59:59"),
            ],
        ),
        (
            "created_date > 2021-03-27 and created_date < 2021-03-29",
            [
                gte("created_date", "2021-03-27 23:00:00"),
                lte("created_date", "2021-03-28 21:59:59"),
            ],
        ),
    ],
)
def test_time_zone_converts_to_utc(text: str, expected: list[dict[str, Any]]) -> None:
    assert compile_(text, tz="Europe/Warsaw") == expected


def test_default_zone_is_utc() -> None:
    assert compile_("created_date = 2021-08-10") == compile_("created_date = 2021-08-10", tz="UTC")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "priority between 1 and 3",
            [
                {"property": "priority", "operator": "gte", "value": 1},
                {"property": "priority", "operator": "lte", "value": 3},
            ],
        ),
        ("priority between 3 and 3", [{"property": "priority", "operator": "eq", "value": 3}]),
        (
            "contact_try between -2 and 0",
            [
                {"property": "contact_try", "operator": "gte", "value": -2},
                {"property": "contact_try", "operator": "lte", "value": 0},
            ],
        ),
        ("tenant_user_id between 1 and 4", [{"property": "tenant_user_id", "value": [1, 2, 3, 4]}]),
        (
            "priority not between 1 and 3 and priority <= 2",
            [{"property": "priority", "operator": "lt", "value": 1}],
        ),
    ],
)
def test_between_on_integers(text: str, expected: list[dict[str, Any]]) -> None:
    assert compile_(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "priority > 1 and priority >= 3 and priority < 10 and priority <= 7",
            [
                {"property": "priority", "operator": "gte", "value": 3},
                {"property": "priority", "operator": "lte", "value": 7},
            ],
        ),
        (
            "priority >= 3 and priority >= 5",
            [{"property": "priority", "operator": "gte", "value": 5}],
        ),
        ("priority > 3 and priority > 5", [{"property": "priority", "operator": "gt", "value": 5}]),
        (
            "priority >= 3 and priority <= 3",
            [{"property": "priority", "operator": "eq", "value": 3}],
        ),
        (
            "state in (OPEN, CLOSED) and state in (CLOSED, PROCESSING)",
            [{"property": "state", "value": ["CLOSED"]}],
        ),
        (
            "tenant_user_id in (1, 2, 3) and tenant_user_id in (2, 3, 4)",
            [{"property": "tenant_user_id", "value": [2, 3]}],
        ),
        (
            "close_reason in (a, b) and close_reason in (b, c)",
            [{"property": "close_reason", "value": ["b"]}],
        ),
        (
            "created_date >= 2021-08-01 and created_date >= 2021-08-05"
            " and created_date <= 2021-08-09",
            [
                gte("created_date", "2021-08-05 00:00:00"),
                lte("created_date", "2021-08-09 23:59:59"),
            ],
        ),
        (
            "created_date = 2021-08-10 and created_date = '2021-08-10 14:30'",
            [
                gte("created_date", "2021-08-10 14:30:00"),
                lte("created_date", "2021-08-10 14:30:59"),
            ],
        ),
        (
            "custom.region = PL and custom.Region = DE",
            [
                {"property": "custom_fields", "key": "region", "value": "PL"},
                {"property": "custom_fields", "key": "Region", "value": "DE"},
            ],
        ),
        (
            "custom.region = PL and custom.region = PL",
            [{"property": "custom_fields", "key": "region", "value": "PL"}],
        ),
        (
            "priority >= 1 and state = OPEN and priority <= 4",
            [
                {"property": "priority", "operator": "gte", "value": 1},
                {"property": "priority", "operator": "lte", "value": 4},
                {"property": "state", "value": ["OPEN"]},
            ],
        ),
        (
            "priority != 2 and priority >= 0 and priority <= 5",
            [
                {"property": "priority", "operator": "gte", "value": 0},
                {"property": "priority", "operator": "lte", "value": 5},
                {"property": "priority", "operator": "ne", "value": 2},
            ],
        ),
        (
            "priority != 0 and priority >= 0",
            [{"property": "priority", "operator": "gte", "value": 1}],
        ),
    ],
)
def test_anded_predicates_on_one_property_merge(text: str, expected: list[dict[str, Any]]) -> None:
    assert compile_(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "state = OPEN or state = PROCESSING",
            [{"property": "state", "value": ["OPEN", "PROCESSING"]}],
        ),
        (
            "state = OPEN or state in (CLOSED, OPEN)",
            [{"property": "state", "value": ["OPEN", "CLOSED"]}],
        ),
        (
            "tenant_user_id = 1 or tenant_user_id = 5",
            [{"property": "tenant_user_id", "value": [1, 5]}],
        ),
        (
            "close_reason = done or close_reason = busy",
            [{"property": "close_reason", "value": ["done", "busy"]}],
        ),
        (
            "priority = 1 or priority = 2 or priority = 3",
            [
                {"property": "priority", "operator": "gte", "value": 1},
                {"property": "priority", "operator": "lte", "value": 3},
            ],
        ),
        (
            "priority between 1 and 3 or priority between 2 and 6",
            [
                {"property": "priority", "operator": "gte", "value": 1},
                {"property": "priority", "operator": "lte", "value": 6},
            ],
        ),
        (
            "(state = OPEN and priority > 2) or (state = CLOSED and priority > 2)",
            [
                {"property": "state", "value": ["OPEN", "CLOSED"]},
                {"property": "priority", "operator": "gt", "value": 2},
            ],
        ),
    ],
)
def test_or_over_one_property_merges(text: str, expected: list[dict[str, Any]]) -> None:
    plan = cqlang.plan(text)
    assert plan.residual is None
    assert len(plan.branches) == 1
    got = compile_(text)
    # The order of the filter objects is free; the lists are not.
    assert sorted(got, key=str) == sorted(expected, key=str)


def test_enum_lists_follow_the_schema_order() -> None:
    # Merging sets keeps the schema's order of the enum values.
    assert compile_("state in (CLOSED, OPEN)") == [
        {"property": "state", "value": ["OPEN", "CLOSED"]}
    ]


# -------------------------------------------------------- contradictions

CONTRADICTIONS = [
    "state = OPEN and state = CLOSED",
    "priority > 5 and priority < 3",
    "priority between 5 and 1",
    "created_date > 2021-08-10 and created_date < 2021-08-09",
    "created_date = 2021-08-10 and created_date = 2021-08-11",
    "tenant_user_id in (1, 2) and tenant_user_id = 3",
    "custom.region = PL and custom.region = DE",
    "close_reason = a and close_reason = b",
    "state = OPEN and (state = CLOSED or state = PROCESSING)",
    "priority is null and priority = 3",
    "state != OPEN and state != PROCESSING and state != CLOSED",
    "priority = 3 and not priority = 3",
    "state not in (OPEN, PROCESSING, CLOSED)",
    "application_state not in (new, recall, retry, closed) and priority = 1",
]


@pytest.mark.parametrize("text", CONTRADICTIONS)
def test_contradictions_are_found_at_compile_time(text: str) -> None:
    warnings = [d for d in cqlang.check(text) if d.code == "CQL201"]
    assert len(warnings) == 1
    assert warnings[0].severity == "warning"
    plan = cqlang.plan(text)
    assert plan.never_matches
    assert plan.branches == []
    assert plan.residual is None
    with pytest.raises(cqlang.CqlPlanError) as info:
        cqlang.compile(text)
    (diag,) = info.value.diagnostics
    assert diag.code == "CQL201"
    assert diag.severity == "error"


def test_contradiction_span_points_at_the_clashing_predicates() -> None:
    text = "priority >= 0 and state = OPEN and custom.x = y and state = CLOSED"
    (warning,) = [d for d in cqlang.check(text) if d.code == "CQL201"]
    assert text[warning.start : warning.end].startswith("state = OPEN")
    assert text[warning.start : warning.end].endswith("state = CLOSED")
    assert "priority" not in text[warning.start : warning.end]


@pytest.mark.parametrize(
    "text",
    [
        "(state = OPEN and state = CLOSED) or priority = 1",
        "state not in (OPEN, PROCESSING, CLOSED) or priority = 1",
    ],
)
def test_a_contradiction_on_one_side_of_an_or_is_dropped(text: str) -> None:
    assert compile_(text) == [{"property": "priority", "operator": "eq", "value": 1}]
    assert not [d for d in cqlang.check(text) if d.code == "CQL201"]


def test_no_empty_membership_list_is_ever_sent() -> None:
    for text in ["state not in (OPEN, PROCESSING, CLOSED)", "not state is not null"]:
        plan = cqlang.plan(text)
        for branch in plan.branches:
            assert all(f["value"] != [] for f in branch), (text, branch)


# ------------------------------------------------ strict compile refuses

REFUSED = [
    # (query, code, the part the diagnostic must point at)
    ("state = OPEN or priority > 5", "CQL202", "state = OPEN or priority > 5"),
    (
        "contact_try < 5 and (state = OPEN or priority > 5)",
        "CQL202",
        "state = OPEN or priority > 5",
    ),
    ("priority >= 0 and custom.region != 'PL'", "CQL203", "custom.region != 'PL'"),
    ("state = OPEN and close_reason != done", "CQL203", "close_reason != done"),
    ("state = OPEN and priority is null", "CQL203", "priority is null"),
    ("priority not in (1, 2) and state = OPEN", "CQL202", "priority not in (1, 2)"),
    ("closed_date != 2021-08-10 and priority = 1", "CQL202", "closed_date != 2021-08-10"),
]


@pytest.mark.parametrize(("text", "code", "part"), REFUSED)
def test_strict_compile_names_the_responsible_part(text: str, code: str, part: str) -> None:
    with pytest.raises(cqlang.CqlPlanError) as info:
        cqlang.compile(text)
    (diag,) = info.value.diagnostics
    assert diag.code == code
    assert text[diag.start : diag.end] == part
    assert "explain" in (diag.hint or "") or "plan" in (diag.hint or "")
    rendered = str(info.value)
    assert f"error[{code}]" in rendered and "^" * len(part) in rendered


def test_plan_error_is_a_cql_error_with_a_rendered_caret() -> None:
    with pytest.raises(cqlang.CqlError) as info:
        cqlang.compile("priority > 1 and custom.x != y")
    text = str(info.value)
    assert "1 | priority > 1 and custom.x != y" in text
    assert "^^^^^^^^^^^^^" in text


# -------------------------------------------------------- empty query


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "# nothing\n", "  # a\n# b"])
def test_empty_query_compiles_to_no_filter(text: str) -> None:
    assert cqlang.compile(text) == []
    plan = cqlang.plan(text)
    assert plan.branches == [[]]
    assert plan.residual is None and not plan.never_matches
    assert cqlang.check(text) == []


# -------------------------------------------------------- declared fields


def test_declared_custom_fields_are_typed() -> None:
    schema = DEFAULT_SCHEMA.with_custom_fields(
        {"score": "integer", "tier": {"type": "enum", "values": ["gold", "silver"]}}
    )
    assert cqlang.compile("custom.score = 5", schema=schema) == [
        {"property": "custom_fields", "key": "score", "value": "5"}
    ]
    # Matched in any case, sent as declared.
    assert cqlang.compile("custom.tier = GOLD", schema=schema) == [
        {"property": "custom_fields", "key": "tier", "value": "gold"}
    ]
    codes = [d.code for d in cqlang.check('custom.score = "x"', schema=schema)]
    assert codes == ["CQL104"]
    codes = [d.code for d in cqlang.check("custom.tier = bronze", schema=schema)]
    assert codes == ["CQL105"]
    # An undeclared key is a warning when some are declared, an error if strict.
    assert [d.code for d in cqlang.check("custom.scor = 1", schema=schema)] == ["CQL102"]
    strict = schema.with_custom_fields({}, strict=True)
    diags = cqlang.check("custom.scor = 1", schema=strict)
    assert [(d.code, d.severity) for d in diags] == [("CQL102", "error")]
    assert "did you mean 'custom.score'" in (diags[0].hint or "")


def test_mutating_a_compiled_list_does_not_change_the_next_compile() -> None:
    # Plans are cached; what compile hands out must not share their lists.
    first = cqlang.compile("state in (OPEN, CLOSED) and tenant_user_id in (1, 2)")
    first[0]["value"].append("PROCESSING")
    first[1]["value"].clear()
    first.append({"property": "priority", "value": 1})
    assert cqlang.compile("state in (OPEN, CLOSED) and tenant_user_id in (1, 2)") == [
        {"property": "state", "value": ["OPEN", "CLOSED"]},
        {"property": "tenant_user_id", "value": [1, 2]},
    ]


def test_a_declared_datetime_range_is_not_sent_as_its_seconds() -> None:
    """A custom datetime is compared as text: the seconds of a range one by
    one would leave out the text between them (2026-10-01 10:00:0a), so the
    range is checked on the client; single seconds are still sent."""
    schema = DEFAULT_SCHEMA.with_custom_fields({"due": "datetime"})
    plan = cqlang.plan(
        "custom.due between 2026-10-01T10:00:09Z and 2026-10-01T10:00:10Z", schema=schema
    )
    assert plan.branches == [[]] and plan.residual is not None
    plan = cqlang.plan("custom.due in (2026-10-01T10:00:09Z, 2026-10-01T10:00:10Z)", schema=schema)
    assert plan.residual is None and len(plan.branches) == 2
