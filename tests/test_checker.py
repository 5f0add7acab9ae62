"""The checker: names, types, values, parameters, time, and diagnostics as data."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cqlang
from cqlang.checker import check_text
from cqlang.diagnostics import for_front_end, render
from cqlang.env import Env
from cqlang.ir import Atom, IAnd, atoms
from cqlang.params import split_list
from cqlang.schema import DEFAULT_SCHEMA, MAX_INT

NOW = datetime(2021, 8, 10, 14, 30, 30, tzinfo=UTC)


def codes(text: str, **kw: Any) -> list[str]:
    return [d.code for d in cqlang.check(text, **kw)]


def only(text: str, **kw: Any) -> cqlang.Diagnostic:
    (diag,) = cqlang.check(text, **kw)
    return diag


def the_atoms(text: str, **kw: Any) -> list[Atom]:
    checked = check_text(text, Env(**kw))
    assert checked.ir is not None, checked.diagnostics
    return atoms(checked.ir)


# ------------------------------------------------------- two mistakes


def test_two_mistakes_are_both_reported_with_caret_and_suggestion() -> None:
    text = "prioirty > 3 and state = OPNE"
    first, second = cqlang.check(text)
    assert (first.code, first.start, first.end) == ("CQL101", 0, 8)
    assert first.message == "unknown property 'prioirty'"
    assert first.hint == "did you mean 'priority'?"
    assert (second.code, second.start, second.end) == ("CQL105", 25, 29)
    assert "OPNE" in second.message
    assert second.hint == "did you mean 'OPEN'?"
    with pytest.raises(cqlang.CqlValidationError) as info:
        cqlang.compile(text)
    assert [d.code for d in info.value.diagnostics] == ["CQL101", "CQL105"]
    shown = str(info.value)
    assert shown.count("1 | prioirty > 3 and state = OPNE") == 2
    assert "^^^^^^^^ did you mean 'priority'?" in shown
    assert " " * 25 + "^^^^ did you mean 'OPEN'?" in shown


def test_spec_rendering_of_an_unknown_property() -> None:
    text = "state in (OPEN, CLOSED) and prioirty >= 3"
    diag = only(text)
    assert render(diag, text) == (
        "error[CQL101]: unknown property 'prioirty'\n"
        " --> 1:29\n"
        "  |\n"
        "1 | state in (OPEN, CLOSED) and prioirty >= 3\n"
        "  |                             ^^^^^^^^ did you mean 'priority'?"
    )


def test_control_characters_are_drawn_and_the_caret_stays_under_its_word() -> None:
    # An escape sequence in a value neither reaches the terminal nor shifts the caret.
    text = 'custom.x = "\x1b[31mred" and prioirty > 1'
    lines = render(only(text), text).splitlines()
    assert lines[3] == '1 | custom.x = "\u241b[31mred" and prioirty > 1'
    assert lines[4].index("^") == lines[3].index("prioirty")
    assert "\x1b" not in render(only(text), text)


def test_the_caret_counts_wide_characters_as_two_columns() -> None:
    text = 'custom.x = "😀 漢字 zażółć" and prioirty > 1'
    shown, caret = render(only(text), text).splitlines()[3:5]
    before = shown[: shown.index("prioirty")]
    wide = sum(1 for c in before if c in "😀漢字")
    assert caret.index("^") == len(before) + wide
    assert caret.count("^") == len("prioirty")


def test_every_error_in_a_long_query_is_reported() -> None:
    text = (
        "prioirty > 3 and state = OPNE and priority > 'x' and priority in ()"
        " and created_date > 2021-02-30 and tenant_user_id = $who and state > OPEN"
    )
    assert codes(text) == ["CQL101", "CQL105", "CQL104", "CQL110", "CQL107", "CQL109", "CQL103"]


# ---------------------------------------------------- diagnostics as data


def test_diagnostic_fields_and_json() -> None:
    text = "state = OPEN and\n  prioirty > 3"
    diag = only(text)
    assert diag.to_dict() == {
        "code": "CQL101",
        "severity": "error",
        "message": "unknown property 'prioirty'",
        "start": 19,
        "end": 27,
        "line": 2,
        "column": 3,
        "hint": "did you mean 'priority'?",
        "suggestion": "priority",
    }
    assert text[diag.start : diag.end] == "prioirty"
    data = json.loads(cqlang.diagnostics.to_json(cqlang.check(text)))
    assert data == [diag.to_dict()]


@pytest.mark.parametrize(
    ("text", "span", "suggestion"),
    [
        ("prioirty > 3", "prioirty", "priority"),
        ("state = OPNE", "OPNE", "OPEN"),
        ('state = "OPNE"', '"OPNE"', '"OPEN"'),
        ("state = OPEN adn priority > 1", "adn", "and"),
        ("state notin (OPEN)", "notin", "not in"),
        ("priority = $mn", "$mn", "$min"),
        ("@hto", "@hto", "@hot"),
        ("custom.regoin = PL", "custom.regoin", "custom.region"),
        ('custom["lead sorce"] = x', 'custom["lead sorce"]', 'custom["lead source"]'),
        ("priority = 3 and state = FOO", "FOO", None),  # nothing close: no suggestion
        ("@hot", None, None),  # inside a named query: the span is the reference
    ],
)
def test_did_you_mean_is_data(text: str, span: str | None, suggestion: str | None) -> None:
    """Each "did you mean" hint carries its replacement as data, and putting
    it in place of the span removes that mistake."""
    schema = DEFAULT_SCHEMA.with_custom_fields({"region": "string", "lead source": "string"})
    kw: dict[str, Any] = {
        "schema": schema,
        "params": {"min": 1},
        "queries": {"hot": "prioirty > 1"},
    }
    diags = [d for d in cqlang.check(text, **kw) if d.code != "CQL114"]
    assert len(diags) == 1, diags
    d = diags[0]
    assert d.suggestion == suggestion
    if span is not None:
        assert text[d.start : d.end] == span
    if suggestion is not None:
        assert suggestion.strip('"') in (d.hint or "")
        fixed = text[: d.start] + suggestion + text[d.end :]
        assert all(x.code != d.code for x in cqlang.check(fixed, **kw)), fixed


def test_json_keeps_non_ascii() -> None:
    text = "custom.x = 'zażółć' and stat = OPEN"
    out = cqlang.diagnostics.to_json(cqlang.check(text))
    assert json.loads(out)[0]["code"] == "CQL101"


def test_offsets_count_characters_not_bytes() -> None:
    text = "custom.x = 'ząb😀' and prioirty > 1"
    diag = only(text)
    assert text[diag.start : diag.end] == "prioirty"
    assert diag.column == diag.start + 1


def test_check_never_raises_for_a_bad_query() -> None:
    for text in ["", "(", "'", "state = ", "x" * 10, "@nope", "$x = 1", "\x00"]:
        diags = cqlang.check(text)
        assert isinstance(diags, list)


def test_check_returns_warnings_too() -> None:
    (diag,) = cqlang.check("state = OPEN and state = CLOSED")
    assert (diag.code, diag.severity) == ("CQL201", "warning")


# ----------------------------------------------------- names and values


@pytest.mark.parametrize("name", ["priority", "PRIORITY", "Priority", "pRiOrItY"])
def test_property_names_are_case_insensitive_and_normalised(name: str) -> None:
    (atom,) = the_atoms(f"{name} > 3")
    assert atom.field.prop == "priority"
    assert cqlang.compile(f"{name} > 3") == [{"property": "priority", "operator": "gt", "value": 3}]


@pytest.mark.parametrize("word", ["open", "OPEN", "Open", "'open'", '"oPeN"'])
def test_enum_values_are_case_insensitive_and_upper_cased(word: str) -> None:
    assert cqlang.compile(f"state = {word}") == [{"property": "state", "value": ["OPEN"]}]


def test_custom_keys_and_strings_are_case_sensitive() -> None:
    assert cqlang.compile("custom.Region = Pl") == [
        {"property": "custom_fields", "key": "Region", "value": "Pl"}
    ]
    assert cqlang.compile("close_reason = Done") == [
        {"property": "close_reason", "value": ["Done"]}
    ]
    assert cqlang.compile("dialing_method = manual") == [
        {"property": "dialing_method", "value": "manual"}
    ]


def test_unknown_property_hints() -> None:
    assert only("stat = OPEN").hint == "did you mean 'state'?"
    assert only("region = PL").hint == "a custom field is written custom.region"
    assert only("custom_fields = PL").message == "custom_fields needs a key"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("state > OPEN", "CQL103"),
        ("state between OPEN and CLOSED", "CQL103"),
        ("close_reason >= a", "CQL103"),
        ("custom.region < 'x'", "CQL103"),
        ("contact_number not between 1 and 2", "CQL103"),
        ("priority = 'x'", "CQL104"),
        ('priority = "3"', "CQL104"),
        ("priority = OPEN", "CQL104"),
        ("priority = 2021-08-10", "CQL104"),
        ("priority = today", "CQL104"),
        ("state = 2021-08-10", "CQL104"),
        ("created_date = 5", "CQL104"),
        ("created_date = word", "CQL104"),
        ("state = OPNE", "CQL105"),
        ("application_state in (NEW, RETRI)", "CQL105"),
        ("priority = null", "CQL112"),
        ("state != NULL", "CQL112"),
    ],
)
def test_operator_and_type_errors(text: str, code: str) -> None:
    diag = only(text)
    assert diag.code == code
    assert diag.severity == "error"
    assert diag.message
    if code != "CQL104":
        assert diag.hint


def test_wrong_type_messages_are_plain() -> None:
    diag = only("priority = '3'")
    assert diag.message == "priority takes an integer, not a string"
    assert diag.hint == "write the number without quotes"
    assert only("state > OPEN").hint == "use one of =, !=, in, not in"
    assert only("priority = null").hint == "write 'is null' or 'is not null'"


def test_bare_words_are_strings_where_a_string_is_expected() -> None:
    (atom,) = the_atoms("dialing_method = PREDICTIVE")
    assert atom.value == "PREDICTIVE"
    (atom,) = the_atoms("contact_number = 2021-08-10")
    assert atom.value == "2021-08-10"


# ----------------------------------------------------------- integers


@pytest.mark.parametrize("value", [MAX_INT, -MAX_INT, 0, -1])
def test_integers_within_the_json_safe_range(value: int) -> None:
    assert cqlang.compile(f"priority = {value}") == [
        {"property": "priority", "operator": "eq", "value": value}
    ]


@pytest.mark.parametrize("value", [MAX_INT + 1, -MAX_INT - 1, 10**30, 10**40, -(10**40)])
def test_integers_out_of_range_are_cql111(value: int) -> None:
    text = f"priority >= {value}"
    diag = only(text)
    assert diag.code == "CQL111"
    assert text[diag.start : diag.end] == str(value)
    assert str(MAX_INT) in (diag.hint or "")
    assert only(f"tenant_user_id in (1, {value})").code == "CQL111"
    assert only(f"priority between 0 and {value}").code == "CQL111"


def test_digits_for_strings_are_not_range_checked() -> None:
    digits = "9" * 30
    assert cqlang.compile(f"contact_number = {digits}") == [
        {"property": "contact_number", "value": digits}
    ]


# --------------------------------------------------------------- lists


def test_empty_list_is_cql110() -> None:
    text = "priority in () and state = OPEN"
    diag = only(text)
    assert diag.code == "CQL110"
    assert text[diag.start : diag.end] == " in ()"
    assert only("state not in ()").code == "CQL110"


def test_list_values_are_each_checked() -> None:
    assert codes("state in (OPEN, NOPE, BAD)") == ["CQL105", "CQL105"]
    assert codes("priority in (1, 'x', 3)") == ["CQL104"]


# ---------------------------------------------------------- parameters


def test_unbound_parameter_is_cql109() -> None:
    text = "priority = $p"
    diag = only(text)
    assert diag.code == "CQL109"
    assert text[diag.start : diag.end] == "$p"
    assert diag.hint == "bind it: params={'p': ...}" and diag.fact("param") == "p"
    # Each front end says how it binds one, from the fact (not the message).
    hints = {f: for_front_end([diag], f)[0].hint for f in ("cli", "repl", "config")}
    assert hints == {
        "cli": "bind it: --param p=VALUE",
        "repl": "bind it: \\param p=VALUE",
        "config": "give it a default: params = { p = ... }",
    }
    text = "priority = $prio"
    diags = cqlang.check(text, params={"prio_": 1})
    assert [d.code for d in diags] == ["CQL109", "CQL114"]
    assert diags[0].hint == "did you mean '$prio_'?"


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("priority > $p", 3, {"property": "priority", "operator": "gt", "value": 3}),
        ("priority > $p", "3", {"property": "priority", "operator": "gt", "value": 3}),
        ("priority > $p", " -3 ", {"property": "priority", "operator": "gt", "value": -3}),
        ("state = $p", "open", {"property": "state", "value": ["OPEN"]}),
        ("contact_number = $p", 48123, {"property": "contact_number", "value": "48123"}),
        ("contact_number = $p", "0048 123", {"property": "contact_number", "value": "0048 123"}),
        ("custom.x = $p", "a'b\"c", {"property": "custom_fields", "key": "x", "value": "a'b\"c"}),
        (
            "created_date >= $p",
            "2021-08-10",
            {"property": "created_date", "operator": "gte", "value": "2021-08-10 00:00:00"},
        ),
        (
            "created_date > $p",
            "2021-08-10 14:30",
            {"property": "created_date", "operator": "gte", "value": "2021-08-10 14:31:00"},
        ),
        (
            "created_date >= $p",
            date(2021, 8, 10),
            {"property": "created_date", "operator": "gte", "value": "2021-08-10 00:00:00"},
        ),
        (
            "created_date >= $p",
            datetime(2021, 8, 10, 12, 0, 5, tzinfo=UTC),
            {"property": "created_date", "operator": "gte", "value": "2021-08-10 12:00:05"},
        ),
        (
            "created_date >= $p",
            "today - 1d",
            {"property": "created_date", "operator": "gte", "value": "2021-08-09 00:00:00"},
        ),
    ],
)
def test_parameters_are_typed_by_their_property(text: str, value: Any, expected: Any) -> None:
    assert cqlang.compile(text, params={"p": value}, now=NOW) == [expected]


def test_a_bound_value_is_never_parsed_as_query_text() -> None:
    evil = "x' or priority > 0 or custom.a = 'x"
    assert cqlang.compile("custom.a = $p", params={"p": evil}) == [
        {"property": "custom_fields", "key": "a", "value": evil}
    ]
    assert codes("priority = $p", params={"p": "1 or priority > 0"}) == ["CQL113"]
    assert codes("state = $p", params={"p": "OPEN or state = CLOSED"}) == ["CQL105"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("priority = $p", "x"),
        ("priority = $p", True),
        ("priority = $p", 1.5),
        ("priority = $p", [1, 2]),
        ("created_date = $p", "soon"),
        ("created_date = $p", 5),
        ("custom.a = $p", None),
    ],
)
def test_parameter_of_the_wrong_type_is_cql113(text: str, value: Any) -> None:
    diag = only(text, params={"p": value})
    assert diag.code == "CQL113"
    assert text[diag.start : diag.end] == "$p"


def test_in_a_list_parameter() -> None:
    assert cqlang.compile("tenant_user_id in $ids", params={"ids": [3, 1, 3]}) == [
        {"property": "tenant_user_id", "value": [1, 3]}
    ]
    assert cqlang.compile("tenant_user_id in $ids", params={"ids": "3,1"}) == [
        {"property": "tenant_user_id", "value": [1, 3]}
    ]
    assert cqlang.compile("state not in $s", params={"s": ("open", "closed")}) == [
        {"property": "state", "value": ["PROCESSING"]}
    ]
    assert cqlang.compile("close_reason in $r", params={"r": ["a,b", "c"]}) == [
        {"property": "close_reason", "value": ["a,b", "c"]}
    ]
    assert only("tenant_user_id in $ids", params={"ids": []}).code == "CQL110"
    assert only("tenant_user_id in $ids").code == "CQL109"
    assert only("tenant_user_id in $ids", params={"ids": ["x"]}).code == "CQL113"


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("PL, CZ", ["PL", "CZ"]),
        ("  PL ,CZ  ", ["PL", "CZ"]),
        ('PL,"Kraków, Nowa Huta"', ["PL", "Kraków, Nowa Huta"]),
        ('PL, " spaced "', ["PL", " spaced "]),  # quotes keep the blanks
        ('"say ""hi"""', ['say "hi"']),  # "" is one quote, as in CSV
        ('""', [""]),  # the empty string, quoted
        ('a"b', ['a"b']),  # a quote inside an unquoted item is a character
        ("PL", ["PL"]),
        ("   ", []),
    ],
)
def test_a_list_parameter_text_is_split_trimmed_and_unquoted(text: str, items: list[str]) -> None:
    assert split_list(text) == items


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("PL,,CZ", "item 2 is empty"),
        ("PL,", "item 2 is empty"),
        ('"PL', "never closed"),
        ('"PL" CZ', "text after its closing quote"),
    ],
)
def test_a_malformed_list_parameter_is_cql113_in_words(text: str, words: str) -> None:
    diag = only("custom.region in $r", params={"r": text})
    assert diag.code == "CQL113" and words in diag.message
    assert diag.hint is not None and "double quotes" in diag.hint


def test_list_items_are_trimmed_for_every_type() -> None:
    """Issue 11, item 4: `--param 'r=PL, CZ'` sent " CZ" for a string."""
    plan = cqlang.plan("custom.region in $r", params={"r": "PL, CZ"})
    assert [b[0]["value"] for b in plan.branches] == ["PL", "CZ"]
    plan = cqlang.plan("custom.region in $r", params={"r": 'PL,"Kraków, Nowa Huta"'})
    assert [b[0]["value"] for b in plan.branches] == ["PL", "Kraków, Nowa Huta"]
    assert cqlang.compile("close_reason in $r", params={"r": " done , no answer "}) == [
        {"property": "close_reason", "value": ["done", "no answer"]}
    ]
    assert cqlang.compile("tenant_user_id in $r", params={"r": " 3 ,1"}) == [
        {"property": "tenant_user_id", "value": [1, 3]}
    ]
    assert cqlang.compile("state in $r", params={"r": " open, closed "}) == [
        {"property": "state", "value": ["OPEN", "CLOSED"]}
    ]
    # A parameter outside `in` is one value, as given: never split or trimmed.
    assert cqlang.compile("custom.region = $r", params={"r": " PL, CZ"}) == [
        {"property": "custom_fields", "key": "region", "value": " PL, CZ"}
    ]


def test_unused_parameter_is_a_warning() -> None:
    diag = only("priority = 1", params={"extra": 1})
    assert (diag.code, diag.severity) == ("CQL114", "warning")
    assert cqlang.compile("priority = 1", params={"extra": 1}) == [
        {"property": "priority", "operator": "eq", "value": 1}
    ]


def test_a_parameter_named_in_a_string_is_unused() -> None:
    # Regression: "$min" inside a string is text; the check once searched
    # the query's text for "$min" and took it for a use.
    (diag,) = cqlang.check('custom.x = "$min"', params={"min": 3})
    assert (diag.code, diag.message) == ("CQL114", "parameter $min is not used by the query")
    assert [
        d.code for d in cqlang.check("custom.x = '$min' or priority = $min", params={"min": 3})
    ] == []
    # A parameter in a predicate that failed is used: one finding, not two.
    codes = [d.code for d in cqlang.check("nope = $min", params={"min": 3})]
    assert codes == ["CQL101"]


# ---------------------------------------------------------------- time


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("created_date = '2021-8-10'", "CQL106"),
        ("created_date = 'yesterday'", "CQL106"),
        ("created_date = '10/08/2021'", "CQL106"),
        ("created_date = '2021-08-10 14'", "CQL106"),
        ("created_date = 2021-02-30", "CQL107"),
        ("created_date = 2021-13-01", "CQL107"),
        ("created_date = 2021-02-29", "CQL107"),
        ("created_date = 0000-01-01", "CQL107"),
        ("created_date = '2021-08-10 24:00'", "CQL107"),
        ("created_date = '2021-08-10 14:60'", "CQL107"),
        ("created_date = '2021-08-10 14:30:61'", "CQL107"),
        ("created_date = 2021-08-10T14:30+24:00", "CQL107"),
        ("created_date <= 9999-12-31T23:00-02:00", "CQL107"),  # past the calendar in UTC
        ("created_date = now + 99999999999d", "CQL107"),
    ],
)
def test_malformed_and_impossible_datetimes(text: str, code: str) -> None:
    diag = only(text, now=NOW)
    assert diag.code == code, diag
    value = text.split(" ", 2)[2]
    assert text[diag.start : diag.end] == value


def test_leap_day_is_possible_in_a_leap_year() -> None:
    assert codes("created_date = 2024-02-29") == []


def test_unknown_time_zone_is_cql108() -> None:
    diag = only("created_date = 2021-08-10", tz="Mars/Olympus_Mons")
    assert diag.code == "CQL108"
    assert "Europe/Warsaw" in (diag.hint or "")
    with pytest.raises(cqlang.CqlValidationError):
        cqlang.compile("priority = 1", tz="Nowhere/Land")
    assert only("priority = 1", tz="../../etc/passwd").code == "CQL108"


@pytest.mark.parametrize("tz", ["UTC", "utc", "Z", None, "Europe/Warsaw", "America/New_York"])
def test_known_zones(tz: str | None) -> None:
    assert codes("created_date = 2021-08-10", tz=tz) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("created_date >= now", ["gte 2021-08-10 14:30:30"]),
        ("created_date >= now - 90m", ["gte 2021-08-10 13:00:30"]),
        ("created_date >= now + 1h - 30m + 15s", ["gte 2021-08-10 15:00:45"]),
        ("created_date = today", ["gte 2021-08-10 00:00:00", "lte 2021-08-10 23:59:59"]),
        ("created_date = yesterday", ["gte 2021-08-09 00:00:00", "lte 2021-08-09 23:59:59"]),
        ("created_date > today", ["gte 2021-08-11 00:00:00"]),
        ("created_date < yesterday", ["lte 2021-08-08 23:59:59"]),
        ("created_date >= today - 7d", ["gte 2021-08-03 00:00:00"]),
        ("created_date >= today - 1w", ["gte 2021-08-03 00:00:00"]),
        ("created_date <= today + 2d", ["lte 2021-08-12 23:59:59"]),
        ("created_date = now - 1s", ["gte 2021-08-10 14:30:29", "lte 2021-08-10 14:30:29"]),
    ],
)
def test_relative_times_use_the_injected_clock(text: str, expected: list[str]) -> None:
    got = cqlang.compile(text, now=NOW)
    assert [f"{f['operator']} {f['value']}" for f in got] == expected


def test_relative_days_follow_the_query_zone() -> None:
    # 2021-08-10 23:30 UTC is already 2021-08-11 in Warsaw.
    late = datetime(2021, 8, 10, 23, 30, tzinfo=UTC)
    got = cqlang.compile("created_date = today", now=late, tz="Europe/Warsaw")
    assert [f["value"] for f in got] == ["2021-08-10 22:00:00", "2021-08-11 21:59:59"]


def test_naive_now_means_utc() -> None:
    naive = datetime(2021, 8, 10, 14, 30, 30)
    assert cqlang.compile("created_date >= now", now=naive) == cqlang.compile(
        "created_date >= now", now=NOW
    )


def test_now_must_be_a_datetime() -> None:
    # A clock that is no datetime is the calling program's mistake (it was
    # CQL117): the Env refuses it, before any query is checked.
    with pytest.raises(TypeError, match=r"^now is a datetime or None, not str$"):
        only("priority = 1", now="2021-08-10")  # type: ignore[arg-type]


def test_relative_time_outside_datetimes_is_a_type_error() -> None:
    diag = only("custom.a = now")
    assert diag.code == "CQL104"


def test_datetime_atoms_are_utc_epoch_seconds() -> None:
    lo, hi = the_atoms("created_date = 2021-08-10")
    assert (lo.op, lo.value) == ("ge", 1628553600)
    assert (hi.op, hi.value) == ("le", 1628553600 + 86399)


# ------------------------------------------------------- checked IR shape


def test_ir_is_typed() -> None:
    checked = check_text("state in (open, Closed) and priority >= 3 and custom.x = 05")
    assert isinstance(checked.ir, IAnd)
    state, prio, custom = atoms(checked.ir)
    assert (state.op, state.value) == ("in", ("OPEN", "CLOSED"))
    assert (prio.op, prio.value) == ("ge", 3)
    assert (custom.field.prop, custom.field.key, custom.value) == ("custom_fields", "x", "05")


def test_checked_result_reports_clock_use() -> None:
    assert check_text("created_date > now").uses_clock
    assert not check_text("created_date > now", Env(now=NOW)).uses_clock
    assert not check_text("priority > 1").uses_clock


def test_named_queries_are_inlined_with_spans_of_the_reference() -> None:
    queries = {"hot": "priority >= 5 and state = OPEN", "bad": "prioirty > 1"}
    assert cqlang.compile("@hot and contact_try < 3", queries=queries) == [
        {"property": "priority", "operator": "gte", "value": 5},
        {"property": "state", "value": ["OPEN"]},
        {"property": "contact_try", "operator": "lt", "value": 3},
    ]
    text = "state = OPEN and @bad"
    diag = only(text, queries=queries)
    assert diag.code == "CQL101"
    assert text[diag.start : diag.end] == "@bad"
    assert only("@hto", queries=queries).hint == "did you mean '@hot'?"
    cyclic = {"a": "@b", "b": "@a"}
    assert only("@a", queries=cyclic).code == "CQL116"


def test_arguments_of_the_wrong_kind_raise_type_error() -> None:
    # A programming error, not a mistake in the query (docs/python-api.md).
    import cqlang

    for kwargs in ({"params": [1]}, {"schema": "x"}, {"queries": ["a"]}, {"tz": 5}):
        with pytest.raises(TypeError):
            cqlang.check("priority = 1", **kwargs)  # type: ignore[arg-type]
    # A zone name that names no zone is the query's mistake (CQL108); a zone
    # that is no name at all (tz=5) the program's, as above.
    assert [d.code for d in cqlang.check("priority = 1", tz="Mars/X")] == ["CQL108"]


def test_unhashable_inputs_are_reported_not_crashed_on() -> None:
    import cqlang

    with pytest.raises(TypeError, match=r"^tz is"):
        cqlang.check("priority = 1", tz=["UTC"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"cqlang\.Schema"):
        cqlang.compile("priority = 1", schema={})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"cqlang\.Schema"):
        cqlang.compile("priority = $a", schema={}, params={"a": 1})  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ['""', "''", '"  "', '"\\t"'])
def test_an_empty_custom_key_is_cql119(key: str) -> None:
    """Issue 11, item 8: `custom[""] = "x"` compiled with an empty key."""
    text = f'state = OPEN and custom[{key}] = "x"'
    diag = only(text)
    assert diag.code == "CQL119"
    assert text[diag.start : diag.end] == f"custom[{key}]"
    with pytest.raises(cqlang.CqlValidationError):
        cqlang.compile(text)


def test_a_filter_list_with_an_empty_key_is_refused() -> None:
    filters = [{"property": "custom_fields", "key": "", "value": "x"}]
    with pytest.raises(cqlang.CqlValidationError) as info:
        cqlang.decompile(filters)
    assert "not empty" in str(info.value)


@given(st.text(alphabet=st.sampled_from("aZ_09 .-é\u0661\u00aa"), max_size=6))
def test_a_custom_key_is_dotted_when_an_ascii_identifier(key: str) -> None:
    from cqlang.parser import custom_text

    dotted = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) is not None
    assert custom_text(key).startswith("custom.") == dotted
