"""Record semantics (spec section 6): three-valued logic, fields, filter lists."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from datetime_strategies import record_datetimes
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

import cqlang
from cqlang import timeexpr
from cqlang.checker import check_text
from cqlang.env import Env
from cqlang.evaluator import compile_matcher, custom_fields, evaluate, matches
from cqlang.filterlists import FilterError, compile_filters, filter_atoms
from cqlang.ir import IExpr

NOW = datetime(2021, 8, 10, 14, 30, 30, tzinfo=UTC)


def ir(text: str) -> IExpr:
    checked = check_text(text, Env(now=NOW))
    assert checked.ir is not None, checked.diagnostics
    return checked.ir


def truth(text: str, record: dict[str, Any]) -> bool | None:
    """The reference three-valued truth, checked against the compiled matcher."""
    expr = ir(text)
    value = evaluate(expr, record)
    assert compile_matcher(expr)(record) is (value is True), (text, record)
    if record.__class__ is dict:  # as the client's pages hold them
        assert compile_matcher(expr, plain_dicts=True)(record) is (value is True), (text, record)
    return value


# --------------------------------------------------- three-valued logic


@pytest.mark.parametrize("record", [{}, {"priority": None}])
def test_comparisons_with_a_missing_field_are_unknown(record: dict[str, Any]) -> None:
    for text in ["priority = 1", "priority != 1", "priority < 1", "priority in (1, 2)"]:
        assert truth(text, record) is None
        assert truth(f"not {text}", record) is None
    assert truth("priority not in (1, 2)", record) is None
    assert truth("priority between 1 and 2", record) is None
    assert truth("priority not between 1 and 2", record) is None


def test_kleene_connectives() -> None:
    r = {"state": "OPEN"}  # priority missing: unknown
    assert truth("priority = 1 and state = CLOSED", r) is False  # unknown and false
    assert truth("priority = 1 and state = OPEN", r) is None  # unknown and true
    assert truth("priority = 1 or state = OPEN", r) is True  # unknown or true
    assert truth("priority = 1 or state = CLOSED", r) is None  # unknown or false
    assert truth("not (priority = 1 or state = CLOSED)", r) is None


def test_not_equal_and_not_equals_agree() -> None:
    for record in [{}, {"priority": 1}, {"priority": 2}]:
        assert truth("not (priority = 1)", record) == truth("priority != 1", record)


def test_de_morgan_holds() -> None:
    records = [{}, {"priority": 1}, {"state": "OPEN"}, {"priority": 2, "state": "CLOSED"}]
    for r in records:
        assert truth("not (priority = 1 and state = OPEN)", r) == truth(
            "not priority = 1 or not state = OPEN", r
        )
        assert truth("not (priority = 1 or state = OPEN)", r) == truth(
            "not priority = 1 and not state = OPEN", r
        )


def test_is_null_is_the_only_test_that_decides_on_a_missing_field() -> None:
    assert truth("priority is null", {}) is True
    assert truth("priority is null", {"priority": None}) is True
    assert truth("priority is null", {"priority": 0}) is False
    assert truth("priority is not null", {}) is False
    assert truth("priority is not null", {"priority": 0}) is True
    assert truth("not priority is null", {}) is False


def test_empty_query_matches_everything() -> None:
    assert truth("", {}) is True
    assert truth("# nothing", {"priority": 3}) is True


# ------------------------------------------------------------- fields


@pytest.mark.parametrize(
    ("text", "record", "expected"),
    [
        ("state = OPEN", {"state": "OPEN"}, True),
        ("state in (OPEN, CLOSED)", {"state": "CLOSED"}, True),
        ("state != OPEN", {"state": "CLOSED"}, True),
        ("priority >= 3", {"priority": 3}, True),
        ("priority > 3", {"priority": 3}, False),
        ("priority = 3", {"priority": True}, None),  # a bool is not an integer
        ("priority = 3", {"priority": "3"}, None),  # nor is a string
        ("priority = 3", {"priority": 3.0}, None),
        ("tenant_user_id in (1, 2)", {"tenant_user_id": 2}, True),
        ("contact_number = 48123", {"contact_number": "48123"}, True),
        ("contact_number = 48123", {"contact_number": 48123}, True),
        ("contact_number = 0048123", {"contact_number": 48123}, False),
        ("dialing_method = manual", {"dialing_method": "Manual"}, False),
        ("close_reason in (a, b)", {"close_reason": "b"}, True),
    ],
)
def test_field_comparisons(text: str, record: dict[str, Any], expected: bool | None) -> None:
    assert truth(text, record) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-08-10 00:00:00", True),
        ("2021-08-10 23:59:59", True),
        ("2021-08-09 23:59:59", False),
        ("2021-08-11 00:00:00", False),
        ("2021-08-10T12:00:00Z", True),
        ("2021-08-10T01:00:00+02:00", False),  # 2021-08-09 23:00 UTC
        ("2021-08-11T01:00:00+02:00", True),  # 2021-08-10 23:00 UTC
        ("2021-08-10", True),
        # Text in the API's format is compared as text (it sorts as time
        # does), as the API compares it, without validating the calendar:
        # cheap, and the same in the generated matchers and in evaluate().
        ("2021-13-10 00:00:00", False),
        ("2021-02-30 00:00:00", False),
        ("2021-08-10 24:00:00", False),
        ("2021-08-10 23:59:60", False),  # after 23:59:59, as text
        ("not a date", None),
        ("", None),
        (1628553600, None),
    ],
)
def test_datetimes_compare_as_utc_instants(value: Any, expected: bool | None) -> None:
    assert truth("created_date = 2021-08-10", {"created_date": value}) is expected


@pytest.mark.parametrize(
    ("value", "month"),
    [("2026-02-30 10:00:00", 3), ("2026-02-29 10:00:00", 3), ("2026-04-31 10:00:00", 5)],
)
def test_a_date_past_the_month_is_compared_as_text_not_carried_over(value: str, month: int) -> None:
    """Text in the API's shape is compared as text, the calendar unchecked
    (docs/language.md), as the API compares the filter the query is sent
    as: after the month's last second, before the next month, in neither
    (a Parquet file cannot hold it: null there, and counted,
    tests/test_arrow_dates.py)."""
    record = {"created_date": value}
    nxt = f"2026-{month:02d}-01"
    for query, found in [
        (f"created_date >= {nxt}", False),
        (f"created_date < {nxt}", False),  # sent as lte the month's last second
        (f"created_date >= {nxt} and created_date <= 2026-{month:02d}-03", False),
        (f"created_date >= 2026-{month - 1:02d}-28", True),
        ("created_date is null", False),
    ]:
        checked = check_text(query)
        assert checked.ir is not None
        assert truth(query, record) is found, query
        assert compile_matcher(checked.ir)(record) is found, query
        if "null" not in query:  # is null is checked on the client, never sent
            sent = cqlang.compile(query)
            assert all(compile_filters([f])(record) for f in sent) is found, query


def test_custom_fields_decode_the_json_string() -> None:
    record = {"custom": json.dumps({"region": "PL", "lead source": "web", "n": 5, "z": None})}
    assert truth('custom.region = "PL"', record) is True
    assert truth('custom.region = "pl"', record) is False
    assert truth("custom[\"lead source\"] = 'web'", record) is True
    assert truth('custom.n = "5"', record) is True
    assert truth('custom.missing = "x"', record) is None
    assert truth("custom.missing is null", record) is True
    assert truth("custom.z is null", record) is True
    assert truth("custom.Region is null", record) is True


@pytest.mark.parametrize("raw", ["{", "", "null", "[1]", '"x"', 5, None, ["a"]])
def test_unreadable_custom_means_no_custom_fields(raw: Any) -> None:
    assert custom_fields({"custom": raw}) == {}
    assert truth("custom.region is null", {"custom": raw}) is True
    assert truth("custom.region = PL", {"custom": raw}) is None


def test_custom_as_a_plain_object_is_accepted() -> None:
    assert truth("custom.region = PL", {"custom": {"region": "PL"}}) is True


def test_matches_convenience() -> None:
    assert matches(ir("priority > 1"), {"priority": 2})
    assert not matches(ir("priority > 1"), {"priority": 1})


def test_deep_and_long_expressions_compile() -> None:
    long = " or ".join(f"priority = {i}" for i in range(5000))
    assert compile_matcher(ir(long))({"priority": 4999})
    deep = "not " * 95 + "priority = 1"
    assert compile_matcher(ir(deep))({"priority": 2}) is True


# --------------------------------------------------------- filter lists


def test_filter_list_semantics() -> None:
    match = compile_filters(
        [
            {"property": "state", "value": ["OPEN", "PROCESSING"]},
            {"property": "priority", "operator": "gte", "value": 3},
            {"property": "created_date", "operator": "lte", "value": "2021-08-10 23:59:59"},
            {"property": "custom_fields", "key": "region", "value": "PL"},
        ]
    )
    good = {
        "state": "OPEN",
        "priority": 3,
        "created_date": "2021-08-10 23:59:59",
        "custom": '{"region": "PL"}',
    }
    assert match(good)
    assert not match({**good, "state": "CLOSED"})
    assert not match({**good, "priority": 2})
    assert not match({**good, "created_date": "2021-08-11 00:00:00"})
    assert not match({**good, "custom": '{"region": "DE"}'})
    assert not match({k: v for k, v in good.items() if k != "priority"})
    assert compile_filters([])({})


@pytest.mark.parametrize(
    ("op", "value", "hits"),
    [
        ("gt", 3, [4]),
        ("gte", 3, [3, 4]),
        ("lt", 3, [2]),
        ("lte", 3, [2, 3]),
        ("eq", 3, [3]),
        ("ne", 3, [2, 4]),
    ],
)
def test_range_operators(op: str, value: int, hits: list[int]) -> None:
    match = compile_filters([{"property": "priority", "operator": op, "value": value}])
    assert [p for p in (2, 3, 4) if match({"priority": p})] == hits
    assert not match({})


def test_range_without_operator_means_eq() -> None:
    match = compile_filters([{"property": "priority", "value": 3}])
    assert match({"priority": 3}) and not match({"priority": 4})


def test_membership_accepts_a_scalar_too() -> None:
    match = compile_filters([{"property": "tenant_user_id", "value": 7}])
    assert match({"tenant_user_id": 7})


def test_a_one_element_list_or_a_number_for_a_string_equality_property() -> None:
    """Issue 11, item 15: the API page's example, [123123123], means the
    string "123123123", in the evaluator (so in the emulator and decompile)."""
    for value in ([123123123], 123123123, ["123123123"], "123123123"):
        match = compile_filters([{"property": "contact_number", "value": value}])
        assert match({"contact_number": "123123123"}), value
        assert not match({"contact_number": "12312312"}), value
    match = compile_filters([{"property": "custom_fields", "key": "n", "value": [5]}])
    assert match({"custom": '{"n": "5"}'}) and not match({"custom": '{"n": "6"}'})


def test_custom_fields_compare_as_strings() -> None:
    match = compile_filters([{"property": "custom_fields", "key": "n", "value": 5}])
    assert match({"custom": '{"n": "5"}'}) and match({"custom": '{"n": 5}'})


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"property": "state"}, "JSON list"),
        (["x"], "not an object"),
        ([{"property": "state"}], "needs 'property' and 'value'"),
        ([{"value": 1}], "needs 'property' and 'value'"),
        ([{"property": "nope", "value": 1}], "unknown property"),
        ([{"property": "priority", "operator": "between", "value": 1}], "operator"),
        ([{"property": "created_date", "operator": "gt", "value": "2021-08-10 00:00:00"}], "gt"),
        ([{"property": "priority", "operator": "gte", "value": "3"}], "integers"),
        ([{"property": "priority", "operator": "gte", "value": True}], "integers"),
        ([{"property": "created_date", "operator": "gte", "value": "2021-08-10"}], "YYYY"),
        ([{"property": "state", "value": ["open"]}], "OPEN"),
        ([{"property": "state", "operator": "eq", "value": ["OPEN"]}], "no operator"),
        ([{"property": "custom_fields", "value": "x"}], "key"),
        ([{"property": "priority", "key": "x", "value": 1}], "no 'key'"),
        ([{"property": "state", "value": ["OPEN"], "extra": 1}], "unknown fields"),
        ([{"property": "contact_number", "value": ["1", "2"]}], "one value"),
        ([{"property": "contact_number", "value": []}], "one value"),
        ([{"property": "contact_number", "value": [["1"]]}], "string"),
        ([{"property": "contact_number", "value": 1.5}], "string"),
        ([{"property": "custom_fields", "key": "", "value": "x"}], "not empty"),
        ([{"property": "custom_fields", "key": " ", "value": "x"}], "not empty"),
    ],
)
def test_malformed_filter_lists_are_refused_plainly(filters: Any, message: str) -> None:
    with pytest.raises(FilterError) as info:
        filter_atoms(filters)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_custom_is_not_decoded_when_the_other_side_of_or_decides() -> None:
    # issue 15: `state = OPEN or custom.region != "PL"` decoded `custom` for
    # every record before testing `state`.
    class Counting(dict):  # type: ignore[type-arg]
        reads = 0

        def get(self, key: Any, default: Any = None) -> Any:
            self.reads += int(key == "custom")
            return super().get(key, default)

    match = cqlang.plan('state = OPEN or custom.region != "PL"').residual
    assert match is not None
    check = match.matches  # what the client takes once: the compiled matcher itself
    open_ = Counting(state="OPEN", custom='{"region": "PL"}')
    closed = Counting(state="CLOSED", custom='{"region": "DE", "a": 1}')
    assert check(open_) is True and open_.reads == 0
    assert check(closed) is True and closed.reads == 1
    checked = check_text('custom.a = "1" and (custom.region = "DE" or state = OPEN)')
    assert checked.ir is not None
    twice = Counting(state="CLOSED", custom='{"region": "DE", "a": 1}')
    assert compile_matcher(checked.ir)(twice) is True and twice.reads == 1


def test_residual_matches_is_the_compiled_matcher() -> None:
    residual = cqlang.plan('state = OPEN or custom.region != "PL"').residual
    assert residual is not None
    check = residual.matches
    assert check is residual.matches  # compiled once, no wrapper around it
    assert check.__name__ == "match" and check.__code__.co_filename == "<cqlang matcher>"
    decoded = residual.matches_decoded  # what the client calls on a page's records
    assert decoded is residual.matches_decoded and decoded is not check
    assert decoded.__name__ == "match" and decoded.__code__.co_filename == "<cqlang matcher>"


@pytest.mark.parametrize(
    "text",
    [
        "state = OPEN",
        "state != CLOSED",
        "priority <= 3",
        "priority is null",
        'created_date >= "2026-10-01"',
        'contact_number = "x" or custom.region != "PL"',
    ],
)
def test_a_mapping_that_is_no_plain_dict_is_read_with_get(text: str) -> None:
    """The trusting matcher subscripts plain dicts; any other mapping is
    read by the careful code, with ``get``: a ``defaultdict`` neither grows
    the fields it lacks nor answers with its default, and a record missing
    a field (a plain dict too) answers as the reference says."""
    from collections import OrderedDict, defaultdict
    from types import MappingProxyType

    expr = ir(text)
    fields = {"state": "OPEN", "created_date": "2026-10-05 10:00:00", "custom": "{}"}
    expected = evaluate(expr, fields)
    defaults: defaultdict[str, Any] = defaultdict(lambda: 0, fields)
    assert compile_matcher(expr)(defaults) is (expected is True)
    assert sorted(defaults) == sorted(fields)  # nothing added
    for record in (OrderedDict(fields), MappingProxyType(fields), dict(fields)):
        assert compile_matcher(expr)(record) is (expected is True)
    assert compile_matcher(expr, plain_dicts=True)(dict(fields)) is (expected is True)


# ---------------------- record datetimes far from an ordering's literal


@settings(max_examples=examples(2000), deadline=None)
@given(
    st.sampled_from([">=", ">", "<=", "<"]),
    st.integers(timeexpr.CAL_MIN, timeexpr.CAL_MAX) | st.integers(1_700_000_000, 1_800_000_000),
    st.data(),
)
def test_ordering_a_record_datetime_far_from_the_literal(op: str, at: int, data: Any) -> None:
    """The generated matcher ends an ordering early, before the shape check,
    for a datetime two days on the far side of the literal (evaluator
    ``_far_side``): it answers as the reference does for any text."""
    literal = timeexpr.format_utc(at)
    value = data.draw(record_datetimes(at))
    truth(f'created_date {op} "{literal}"', {"created_date": value})


# ------------------------------------------- text of a str subclass, non-records


def test_a_strenum_member_is_the_text_it_holds() -> None:
    """A record built in Python with ``StrEnum`` members (a ``str``
    subclass) matches as the same text does, on every path: the trusting
    generated code, the careful code and the reference used to disagree."""
    from enum import StrEnum

    class State(StrEnum):
        OPEN = "OPEN"
        CLOSED = "CLOSED"

    class Text(str):
        pass

    record = {
        "state": State.OPEN,
        "created_date": Text("2026-10-05 10:00:00"),
        "custom": Text('{"region": "DE"}'),
        "priority": 5,
    }
    for text in [
        "state = OPEN",
        "state != CLOSED",
        'state = OPEN and created_date >= "2026-10-01"',
        'created_date < "2026-11-01" and custom.region != "PL"',
        'custom.region = "DE" or priority > 100',
    ]:
        assert truth(text, record) is True, text


@pytest.mark.parametrize("record", [3, None, "state", ["OPEN"], ("OPEN",)])
def test_a_record_that_is_no_mapping_is_a_type_error(record: Any) -> None:
    """``residual.matches`` names what it takes, at no cost to a dict."""
    for text in ["state = OPEN", 'created_date >= "2026-10-01"', 'custom.region = "PL"']:
        with pytest.raises(TypeError, match=r"a record is a mapping .*, not "):
            compile_matcher(ir(text))(record)


def test_a_part_of_a_list_read_alone_names_objects_by_their_places() -> None:
    """The decompiler reads each object of a list alone to report every bad
    one; ``first`` keeps the message's place right without editing it."""
    with pytest.raises(FilterError, match=r"^filter\[5\]: unknown property 'colour'$"):
        filter_atoms([{"property": "colour", "value": 1}], first=5)
    with pytest.raises(FilterError, match=r"^filter\[8\] is not an object$"):
        filter_atoms([{"property": "priority", "value": 1}, 3], first=7)
