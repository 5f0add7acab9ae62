"""Messages name values and fields as the user writes them.

A named query's ``params`` default of the wrong type is named as TOML
writes it (``true``, ``a TOML time, 10:00:00``), never by Python's repr
(``True``, ``datetime.time(10, 0)``); a ``--param`` value as the text it
is. A custom field whose key is no plain word is named as a query writes
it (``custom["a b"]``), so the name in a message can be typed back.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import cqlang
from cqlang.cli import main

CONFIG = """\
[queries.arr]
query = "custom.x in $s"
params = { s = [3, "a", true] }
[queries.clock]
query = "created_date > $s"
params = { s = 10:00:00 }
[queries.flag]
query = "custom.x = $s"
params = { s = true }
[queries.day]
query = "priority = $s"
params = { s = 2026-10-25 }
"""


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("arr", "parameter $s should be a string, got true"),
        ("clock", "parameter $s should be a datetime, got a TOML time, 10:00:00"),
        ("flag", "parameter $s should be a string, got true"),
        ("day", "parameter $s should be an integer, got a TOML date, 2026-10-25"),
    ],
)
def test_a_toml_default_is_named_in_toml_terms(name: str, words: str, tmp_path: Path) -> None:
    config = tmp_path / "cqlang.toml"
    config.write_text(CONFIG, encoding="utf-8")
    result = CliRunner().invoke(main, ["compile", f"@{name}"], env={"CQLANG_CONFIG": str(config)})
    assert result.exit_code != 0
    assert words in result.output
    assert "True" not in result.output and "datetime.time" not in result.output


def test_a_param_from_the_command_line_is_named_as_text() -> None:
    result = CliRunner().invoke(
        main, ["compile", "priority = $s", "-p", "s=abc"], env={"CQLANG_CONFIG": "/dev/null"}
    )
    assert 'parameter $s should be an integer, got "abc"' in result.output


def test_a_python_value_is_worded_as_python_writes_it() -> None:
    """A value given in Python (``params=``) is named as Python writes it
    (``True``, ``None``, a list), not in a config file's TOML terms."""
    with pytest.raises(cqlang.CqlError, match=r"should be an integer, got True\n"):
        cqlang.compile("priority = $s", params={"s": True})
    with pytest.raises(cqlang.CqlError, match=r'got \[1, "a"\]\n'):
        cqlang.compile("custom.x in $s", params={"s": [[1, "a"]]})
    with pytest.raises(cqlang.CqlError, match=r"got None\n"):
        cqlang.compile("priority = $s", params={"s": None})


REGION = cqlang.DEFAULT_SCHEMA.with_custom_fields(
    {"region": {"type": "enum", "values": ["Lower Silesia", "DE"]}}
)


@pytest.mark.parametrize(
    ("query", "params", "message"),
    [
        ('custom.region = "PL"', {}, '"PL" is not a value of custom.region'),
        ("custom.region = PL", {}, "PL is not a value of custom.region"),
        ('custom.region = "it\'s"', {}, '"it\'s" is not a value of custom.region'),
        ('custom.region = "a\\"b"', {}, '"a\\"b" is not a value of custom.region'),
        # As the query has it: single quotes stay single (it was `"OP\\"NE"`).
        ("custom.region = 'OP\"NE'", {}, "'OP\"NE' is not a value of custom.region"),
        ("custom.region = 'it\\'s'", {}, "'it\\'s' is not a value of custom.region"),
        ("custom.region = 3", {}, "3 is not a value of custom.region"),
        ("custom.region = true", {}, "true is not a value of custom.region"),
        ("custom.region = $p", {"p": "PL"}, 'parameter $p: "PL" is not a value of custom.region'),
        ("custom.region = $p", {"p": 3}, "parameter $p: 3 is not a value of custom.region"),
        ("custom.region in $p", {"p": "PL, DE"}, 'parameter $p: "PL" is not a value'),
    ],
)
def test_cql105_names_the_value_as_it_was_written(
    query: str, params: dict[str, object], message: str | None
) -> None:
    """CQL105 named the value in Python's repr (`'PL'`, whatever the query
    wrote): a query's value is named as the query writes it (the
    formatter's quoting), a parameter's as its place writes it."""
    if message is None:
        return
    (d,) = cqlang.check(query, schema=REGION, params=params)
    assert d.code == "CQL105"
    assert d.message.startswith(message), d.message
    assert "'PL'" not in d.message


def test_a_toml_default_in_cql105_is_named_in_toml_terms(tmp_path: Path) -> None:
    config = tmp_path / "cqlang.toml"
    config.write_text(
        '[queries.st]\nquery = "state = $s"\nparams = { s = "OPNE" }\n', encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["compile", "@st"], env={"CQLANG_CONFIG": str(config)})
    assert 'parameter $s: "OPNE" is not a value of state' in result.output


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('created_date >= "last tuesday"', '"last tuesday" is not a datetime'),
        ('created_date >= "2021-13-01"', 'impossible datetime "2021-13-01"'),
        ('created_date >= "2021-01-01T00:00+99:00"', 'impossible UTC offset "+99:00"'),
        ('state = OPEN "it\'s"', 'unexpected "it\'s"'),
        ("state = OPEN foo", "unexpected 'foo'"),
    ],
)
def test_a_datetime_or_token_of_the_query_is_not_in_python_repr(query: str, message: str) -> None:
    (d,) = cqlang.check(query)
    assert d.message.startswith(message), d.message


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ('custom["a b"] >= 3', """'>=' is not available for custom["a b"]"""),
        ('custom["😀"] >= 3', """'>=' is not available for custom["😀"]"""),
        ('custom["a\\"b"] >= 3', """'>=' is not available for custom["a\\"b"]"""),
        ("custom.region >= 3", "'>=' is not available for custom.region"),
    ],
)
def test_a_custom_field_is_named_as_a_query_writes_it(query: str, words: str) -> None:
    with pytest.raises(cqlang.CqlError) as info:
        cqlang.compile(query)
    message = info.value.diagnostics[0].message
    assert words in message
    # The name in the message parses back to the same field.
    name = message.split(" for ", 1)[1].split(", which", 1)[0]
    cqlang.compile(f"{name} = 1")


def test_a_wrongly_typed_value_names_the_field_so() -> None:
    schema = cqlang.DEFAULT_SCHEMA.with_custom_fields({"a b": "integer"})
    with pytest.raises(cqlang.CqlError) as info:
        cqlang.compile('custom["a b"] = "x"', schema=schema)
    assert 'custom["a b"]' in info.value.diagnostics[0].message


def test_an_undeclared_custom_field_and_an_enums_values_are_named_as_typed() -> None:
    """The rest of a review's list: CQL102 named the key in Python's repr
    (`custom field 'lead sourc' is not declared`), and CQL104/CQL105's
    "use one of" joined values that are no plain words bare, so that
    `Lower Silesia, a, b, null` read as five values, `null` the null."""
    schema = cqlang.DEFAULT_SCHEMA.with_custom_fields(
        {
            "region": {"type": "enum", "values": ["Lower Silesia", "a, b", "null", "PL"]},
            "lead source": "string",
        }
    )
    (d,) = cqlang.check('custom["lead sourc"] = x', schema=schema)
    assert d.message == 'custom["lead sourc"] is not a declared custom field'
    assert d.hint == "did you mean 'custom[\"lead source\"]'?"
    for query in ["custom.region = zzzzzzzz", "custom.region = 3"]:
        (d,) = cqlang.check(query, schema=schema)
        assert d.hint == 'use one of "Lower Silesia", "a, b", "null", PL', query


def test_a_parameter_of_a_str_subclass_is_the_text_it_holds() -> None:
    """A review: a `(str, Enum)` member as a parameter was sent as its
    str(), 'E.A', for `=` (and its lone surrogates went unchecked); it is
    the text it holds, as a record's str subclass is (docs/language.md)."""
    from enum import Enum

    class E(str, Enum):  # noqa: UP042 (the mixin whose str() is not its text)
        A = "OPEN"

    class N(int, Enum):
        B = 3

    assert cqlang.compile("custom.x = $s", params={"s": E.A})[0]["value"] == "OPEN"
    assert cqlang.compile("state = $s", params={"s": E.A})[0]["value"] == ["OPEN"]
    assert cqlang.compile("custom.x = $s", params={"s": N.B})[0]["value"] == "3"


def test_a_parameters_cql105_offers_no_fix_in_place_of_the_parameter() -> None:
    """The span of a parameter's CQL105 is ``$p`` in the query: a suggested
    fix there would replace the parameter with a literal (an editor's quick
    fix did). The hint names the close value; a typed literal keeps its fix."""
    (typed,) = cqlang.check("state = OPNE")
    assert typed.code == "CQL105" and typed.suggestion == "OPEN"
    (given,) = cqlang.check("state = $p", params={"p": "OPNE"})
    assert given.code == "CQL105" and given.suggestion is None
    assert given.hint is not None and "OPEN" in given.hint


def test_cql105_in_a_named_query_shows_its_value_as_it_has_it(tmp_path: Path) -> None:
    config = tmp_path / "cqlang.toml"
    config.write_text(
        '[queries.q]\nquery = "priority > 1 and state = \'OP\\"NE\'"\n', encoding="utf-8"
    )
    result = CliRunner().invoke(
        main, ["check", "priority > 3 and @q"], env={"CQLANG_CONFIG": str(config)}
    )
    assert "in @q: 'OP\"NE' is not a value of state" in result.output, result.output


def test_a_setting_and_a_default_name_a_toml_date_alike(tmp_path: Path) -> None:
    """One wording for a TOML date, a time and a datetime: a setting said
    "got a date" where a parameter's default said "got a TOML date, ..."."""
    config = tmp_path / "cqlang.toml"
    config.write_text("[connection]\nmax_branches = 2026-01-01\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["explain", "state = OPEN"], env={"CQLANG_CONFIG": str(config)}
    )
    assert "expected an integer, got a TOML date" in result.output, result.output
    config.write_text("[connection]\nmax_branches = 10:00:00\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["explain", "state = OPEN"], env={"CQLANG_CONFIG": str(config)}
    )
    assert "expected an integer, got a TOML time" in result.output, result.output
