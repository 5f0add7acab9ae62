"""Decompiling a filter list the API would refuse reported only the first
bad object, spanning the whole (re-serialised) input, with no did-you-mean:
`[{"property": "prioirty", ...}, {"property": "colour", ...}]` gave one
CQL302 at (0, 130). Now every bad object has its diagnostic, spanning the
part of the JSON text at fault, and an unknown property a suggestion from
the schema's names, as the query checker gives (CQL101)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import strategies as S
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import cqlang
from cqlang.cli import main

REPORTED = [{"property": "prioirty", "value": 1}, {"property": "colour", "value": 2}]


def failure(source: Any, **kw: Any) -> cqlang.CqlError:
    with pytest.raises(cqlang.CqlValidationError) as info:
        cqlang.decompile(source, **kw)
    return info.value


def shown(err: cqlang.CqlError) -> list[tuple[str, str, str | None]]:
    """Each diagnostic's code, the text its span covers, its hint."""
    return [(d.code, err.text[d.start : d.end], d.hint) for d in err.diagnostics]


def test_the_reported_python_list_gives_every_bad_object_with_a_suggestion() -> None:
    err = failure(REPORTED)
    # The spans are in the JSON text cqlang writes for the list.
    assert err.text == json.dumps(REPORTED, ensure_ascii=False)
    assert shown(err) == [
        ("CQL302", "prioirty", "did you mean 'priority'?"),
        ("CQL302", "colour", None),
    ]
    first, second = err.diagnostics
    assert first.message == "filter[0]: unknown property 'prioirty'"
    assert first.suggestion == "priority"
    assert second.message == "filter[1]: unknown property 'colour'"


def test_json_text_spans_point_into_the_text_as_given() -> None:
    text = "\n  " + json.dumps(
        [
            {"property": "state", "value": ["OPEN"]},
            {"property": "Priority", "operator": "gte", "value": 3},
            {"property": "priority", "operator": "between", "value": 1},
            {"property": "state", "value": "WAITING"},
            7,
            {"value": 1},
            {"property": "created_date", "operator": "gte", "value": "yesterday"},
        ],
        indent=2,
    )
    err = failure(text)
    assert err.text == text
    assert shown(err) == [
        ("CQL302", "Priority", "did you mean 'priority'?"),
        ("CQL303", "between", None),
        ("CQL304", "WAITING", None),
        ("CQL301", "7", None),
        ("CQL301", '{\n    "value": 1\n  }', None),
        ("CQL304", "yesterday", None),
    ]
    assert [d.message.split(":")[0].split(" ")[0] for d in err.diagnostics] == [
        "filter[1]",
        "filter[2]",
        "filter[3]",
        "filter[4]",
        "filter[5]",
        "filter[6]",
    ]
    for d in err.diagnostics:  # lines and columns of the pretty-printed text
        assert d.line == text.count("\n", 0, d.start) + 1
        assert d.column == d.start - text.rfind("\n", 0, d.start)


def test_an_encoded_value_and_a_url_point_into_the_decoded_json() -> None:
    decoded = json.dumps(REPORTED, separators=(",", ":"))
    for source in (
        quote(decoded, safe=""),
        "https://x.example/voice_campaign/1/request?filter=" + quote(decoded, safe=""),
    ):
        err = failure(source)
        assert err.text == decoded
        assert [s for _, s, _ in shown(err)] == ["prioirty", "colour"]


def test_a_declared_custom_field_spans_its_value_in_every_object() -> None:
    schema = cqlang.DEFAULT_SCHEMA.with_custom_fields({"score": "integer"})
    filters = [
        {"property": "custom_fields", "key": "score", "value": "05"},
        {"property": "priority", "value": 1},
        {"property": "custom_fields", "key": "score", "value": "1e3"},
    ]
    err = failure(json.dumps(filters), schema=schema)
    assert shown(err) == [("CQL304", "05", None), ("CQL304", "1e3", None)]
    assert err.diagnostics[1].message.startswith("filter[2]: custom field 'score'")


def test_an_empty_property_name_spans_its_quotes() -> None:
    err = failure('[{"property": "", "value": 1}]')
    assert shown(err) == [("CQL302", '""', None)]


def test_a_python_list_json_cannot_write_keeps_one_diagnostic_per_bad_object() -> None:
    filters = [{"property": "colour", "value": {1, 2}}, {"property": "prioirty", "value": 1}]
    err = failure(filters)
    assert err.text == "<a Python list>"
    assert [(d.code, d.start, d.end) for d in err.diagnostics] == [
        ("CQL302", 0, len(err.text)),
        ("CQL302", 0, len(err.text)),
    ]
    assert err.diagnostics[1].hint == "did you mean 'priority'?"


def test_what_is_not_a_list_of_objects_is_still_one_cql301_over_the_input() -> None:
    """One CQL301: over the whole input for JSON that is no list, and, for
    text that is not JSON, at the character the reader stopped at
    (tests/test_cql301_spans.py)."""
    for source, span in [
        ('{"property": "state", "value": 1}', (0, 33)),
        ("[1,", (3, 3)),
        ("not json", (0, 1)),
    ]:
        err = failure(source)
        assert [(d.code, d.start, d.end) for d in err.diagnostics] == [("CQL301", *span)]


def test_the_command_underlines_each_bad_property(config_home: Path) -> None:
    text = json.dumps(REPORTED, separators=(",", ":"))
    out = CliRunner().invoke(main, ["decompile", text])
    assert out.exit_code == 1, out.output
    said = out.stderr
    assert "error[CQL302]: filter[0]: unknown property 'prioirty'" in said
    assert "error[CQL302]: filter[1]: unknown property 'colour'" in said
    carets = [line.split("|", 1)[1] for line in said.splitlines() if "^" in line]
    assert len(carets) == 2
    assert carets[0].strip() == "^" * len("prioirty") + " did you mean 'priority'?"
    assert carets[1].strip() == "^" * len("colour")
    # Each caret line stands under its name in the line above it.
    lines = said.splitlines()
    for i, line in enumerate(lines):
        if "^" in line:
            col = line.index("^")
            name = lines[i - 1][col : col + line.count("^")]
            assert name in ("prioirty", "colour")


_MISSPELT = st.sampled_from(["prioirty", "stat", "colour", "Priority", "created", "x"])


@settings(max_examples=S.examples(150))
@given(
    st.lists(
        st.tuples(S.filter_objects(), st.none() | _MISSPELT),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from([None, 0, 2, "python"]),
)
def test_every_misspelt_property_is_reported_where_it_is(
    objects: list[tuple[dict[str, Any], str | None]], indent: int | str | None
) -> None:
    filters = [dict(obj, property=bad) if bad else obj for obj, bad in objects]
    bad = [(i, name) for i, (_, name) in enumerate(objects) if name]
    source: Any = filters if indent == "python" else json.dumps(filters, indent=indent)
    if not bad:
        cqlang.decompile(source)
        return
    err = failure(source)
    assert [d.message for d in err.diagnostics] == [
        f"filter[{i}]: unknown property {name!r}" for i, name in bad
    ]
    assert [err.text[d.start : d.end] for d in err.diagnostics] == [name for _, name in bad]
    for d in err.diagnostics:
        assert d.suggestion is None or d.hint == f"did you mean '{d.suggestion}'?"
        assert d.suggestion is None or d.suggestion in cqlang.DEFAULT_SCHEMA.properties


@pytest.mark.parametrize(
    ("filters", "at"),
    [
        ([{"property": "state", "value": ["OPEN", "OPNE"]}], "OPNE"),
        ([{"property": "tenant_user_id", "value": [1, "x", 3]}], "x"),
        ([{"property": "tenant_user_id", "value": [1, 2, True]}], "true"),
        ([{"property": "contact_number", "value": [True]}], "true"),
        ([{"property": "state", "value": ["OPEN", ""]}], '""'),
    ],
)
def test_a_bad_element_of_a_list_is_pointed_at(filters: list[Any], at: str) -> None:
    """The message names the element ("OPNE"): the caret was under the
    whole list."""
    for source in (filters, json.dumps(filters, indent=1)):
        err = failure(source)
        ((code, span, _),) = shown(err)
        assert code == "CQL304" and span == at, (source, span)


def test_a_declared_custom_fields_list_of_one_points_at_its_value() -> None:
    schema = cqlang.DEFAULT_SCHEMA.with_custom_fields({"score": "integer"})
    filters = [{"property": "custom_fields", "key": "score", "value": ["05"]}]
    assert shown(failure(filters, schema=schema)) == [("CQL304", "05", None)]
