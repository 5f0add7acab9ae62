"""Filter lists (JSON, encoded values, request URLs) back to queries."""

from __future__ import annotations

import json
from typing import Any

import pytest

import cqlang
from cqlang.encoding import encode, encode_json

CASES: list[tuple[list[dict[str, Any]], str]] = [
    ([{"property": "state", "value": ["OPEN"]}], "state = OPEN"),
    ([{"property": "state", "value": ["OPEN", "CLOSED"]}], "state in (OPEN, CLOSED)"),
    ([{"property": "priority", "operator": "gte", "value": 3}], "priority >= 3"),
    ([{"property": "priority", "operator": "gt", "value": -3}], "priority > -3"),
    ([{"property": "priority", "operator": "ne", "value": 3}], "priority != 3"),
    ([{"property": "priority", "value": 3}], "priority = 3"),
    ([{"property": "tenant_user_id", "value": [12, 14]}], "tenant_user_id in (12, 14)"),
    ([{"property": "contact_number", "value": "48123"}], 'contact_number = "48123"'),
    ([{"property": "contact_number", "value": 48123}], 'contact_number = "48123"'),
    (
        [{"property": "custom_fields", "key": "region", "value": "PL"}],
        'custom.region = "PL"',
    ),
    (
        [{"property": "custom_fields", "key": "lead source", "value": "web"}],
        'custom["lead source"] = "web"',
    ),
    (
        [
            {"property": "created_date", "operator": "gte", "value": "2021-08-10 00:00:00"},
            {"property": "created_date", "operator": "lte", "value": "2021-08-10 23:59:59"},
        ],
        "created_date >= 2021-08-10T00:00:00Z and created_date <= 2021-08-10T23:59:59Z",
    ),
    (
        [{"property": "close_reason", "value": ["a&b", 'say "hi"', "50%", "filter=x"]}],
        'close_reason in ("a&b", "say \\"hi\\"", "50%", "filter=x")',
    ),
    ([], ""),
]


@pytest.mark.parametrize(("filters", "text"), CASES)
def test_decompile_every_input_form(filters: list[dict[str, Any]], text: str) -> None:
    assert cqlang.decompile(filters) == text
    assert cqlang.decompile(json.dumps(filters)) == text
    assert cqlang.decompile(json.dumps(filters, indent=2)) == text
    assert cqlang.decompile(encode(filters)) == text
    url = f"https://api.example.com/voice_campaign/5b7c/request?limit=10&filter={encode(filters)}"
    assert cqlang.decompile(url) == text
    assert cqlang.decompile(f"limit=5&filter={encode(filters)}") == text


@pytest.mark.parametrize(("filters", "text"), CASES[:-1])
def test_decompiled_text_compiles_back(filters: list[dict[str, Any]], text: str) -> None:
    again = cqlang.compile(text, tz="Europe/Warsaw")  # the text carries its zone
    norm = sorted(json.dumps({**f, "value": f["value"]}, sort_keys=True) for f in again)
    want = []
    for f in filters:
        value = str(f["value"]) if f["property"] == "contact_number" else f["value"]
        if f["property"] == "priority" and "operator" not in f:
            f = {**f, "operator": "eq"}
        want.append(json.dumps({**f, "value": value}, sort_keys=True))
    assert norm == sorted(want)


def test_the_api_page_example_decodes() -> None:
    # The page's own encodeURI example (':' and ',' left raw).
    raw = "%5B%7B%22property%22:%22contact_number%22,%22value%22:123123123%7D%5D"
    assert cqlang.decompile(raw) == 'contact_number = "123123123"'


def test_the_api_page_example_before_encoding_decompiles() -> None:
    """Issue 11, item 15: the page's example as written before encoding, a
    one-element list of a number for a string-equality property."""
    example = '[{"property": "contact_number", "value": [123123123]}]'
    assert cqlang.decompile(example) == 'contact_number = "123123123"'
    assert cqlang.decompile(json.loads(example)) == 'contact_number = "123123123"'
    assert cqlang.decompile(encode_json(json.loads(example))) == 'contact_number = "123123123"'
    custom = [{"property": "custom_fields", "key": "region", "value": ["PL"]}]
    assert cqlang.decompile(custom) == 'custom.region = "PL"'
    with pytest.raises(cqlang.CqlValidationError) as info:
        cqlang.decompile([{"property": "contact_number", "value": ["1", "2"]}])
    assert info.value.diagnostics[0].code == "CQL304"
    with pytest.raises(cqlang.CqlValidationError):
        cqlang.decompile([{"property": "contact_number", "value": []}])


def test_the_endpoint_without_a_filter_is_the_empty_query() -> None:
    # What `cqlang compile --format url ''` prints decompiles back.
    assert cqlang.decompile("https://x.example/voice_campaign/1/request?limit=1") == ""
    assert cqlang.decompile("https://x.example/voice_campaign/1/request") == ""


def test_a_raw_plus_in_an_encoded_value_is_a_space_as_the_server_reads_it() -> None:
    value = "%5B%7B%22property%22%3A%22contact_number%22%2C%22value%22%3A%22a+b%22%7D%5D"
    url = f"https://x.example/voice_campaign/1/request?filter={value}"
    assert cqlang.decompile(value) == cqlang.decompile(url) == 'contact_number = "a b"'
    assert cqlang.decompile(value.replace("+", "%2B")) == 'contact_number = "a+b"'


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("not json", "CQL301"),
        ("[1,", "CQL301"),
        ('{"property": "state"}', "CQL301"),
        ("https://x.example/elsewhere?limit=1", "CQL301"),
        ("https://x.example/voice_campaign/1/request?filter=%5B%5D&filter=%5B%5D", "CQL301"),
        ('[{"property": "nope", "value": 1}]', "CQL302"),
        ('[{"property": "priority", "operator": "between", "value": 1}]', "CQL303"),
        ('[{"property": "priority", "operator": "gte", "value": "3"}]', "CQL304"),
        ('[{"property": "state", "value": ["WAITING"]}]', "CQL304"),
        ('[{"property": "created_date", "operator": "gte", "value": "yesterday"}]', "CQL304"),
    ],
)
def test_decompile_errors(source: str, code: str) -> None:
    with pytest.raises(cqlang.CqlValidationError) as info:
        cqlang.decompile(source)
    (diag,) = info.value.diagnostics
    assert diag.code == code
    assert diag.message
    assert str(info.value).startswith(f"error[{code}]")


def test_a_malformed_url_is_cql301() -> None:
    with pytest.raises(cqlang.CqlValidationError) as info:
        cqlang.decompile("http://[::1")
    assert info.value.diagnostics[0].code == "CQL301"


# ------------------------------------- CQL304: bad values quoted as JSON


@pytest.mark.parametrize(
    ("filters", "shown"),
    [
        ('[{"property": "priority", "value": [true]}]', "got [true]"),
        ('[{"property": "priority", "operator": "gte", "value": true}]', "got true"),
        ('[{"property": "state", "value": [null]}]', "got null"),
        ('[{"property": "state", "value": ["OPNE"]}]', 'got "OPNE"'),
        ('[{"property": "created_date", "operator": "gte", "value": {"a": 1}}]', 'got {"a": 1}'),
        ('[{"property": "contact_number", "value": 1.5}]', "got 1.5"),
    ],
)
def test_a_bad_value_is_quoted_as_json(filters: str, shown: str) -> None:
    with pytest.raises(cqlang.CqlError) as info:
        cqlang.decompile(filters)
    message = info.value.diagnostics[0].message
    assert message.endswith(shown), message
    assert "True" not in message and "None" not in message


def test_a_long_value_is_cut_short() -> None:
    with pytest.raises(cqlang.CqlError) as info:
        cqlang.decompile('[{"property": "priority", "value": ["' + "x" * 500 + '"]}]')
    message = info.value.diagnostics[0].message
    assert len(message) < 200 and message.endswith("…")


def test_a_bad_operator_is_quoted_as_json() -> None:
    with pytest.raises(cqlang.CqlError) as info:
        cqlang.decompile('[{"property": "created_date", "operator": true, "value": "x"}]')
    assert "operator true is not available" in info.value.diagnostics[0].message


def test_decompile_takes_tuples_as_encode_does() -> None:
    filters = ({"property": "priority", "operator": "gte", "value": 3},)
    assert cqlang.decompile(filters) == cqlang.decompile(list(filters)) == "priority >= 3"
    assert cqlang.decompile(()) == ""
    both = [{"property": "state", "value": ("OPEN", "CLOSED")}]
    assert cqlang.decompile(both) == "state in (OPEN, CLOSED)"
