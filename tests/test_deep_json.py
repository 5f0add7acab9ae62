"""JSON nested far deeper than Python's stack, wherever cqlang reads JSON
(issue 16, item 9): a typed error, never a RecursionError or exit 70."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cqlang
from cqlang.cli import main
from cqlang.decompiler import MAX_FILTER_DEPTH
from cqlang.emulator import load_records
from cqlang.emulator.data import MAX_RECORD_DEPTH
from cqlang.encoding import encode_json, nesting, percent_encode
from cqlang.filterlists import compile_filters


def deep_array(n: int) -> str:
    return "[" * n + "]" * n


DEEP_TEXTS = {
    "array": deep_array(100_000),
    "value": '[{"property": "state", "value": ' + deep_array(1_000) + "}]",
    "objects": "[" + '{"a": ' * 5_000 + "1" + "}" * 5_000 + "]",
    "just-past": '[{"property": "state", "value": ' + deep_array(MAX_FILTER_DEPTH) + "}]",
}


@pytest.mark.parametrize("name", DEEP_TEXTS)
def test_decompile_of_deep_json_is_cql301(name: str) -> None:
    text = DEEP_TEXTS[name]
    for form in (
        text,
        percent_encode(text),
        f"https://x.example/v/1/request?filter={percent_encode(text)}",
    ):
        with pytest.raises(cqlang.CqlValidationError) as info:
            cqlang.decompile(form)
        (diag,) = info.value.diagnostics
        assert diag.code == "CQL301"
        assert f"nested more than {MAX_FILTER_DEPTH} levels deep" in diag.message


def test_decompile_of_a_deep_python_object_is_cql301() -> None:
    value: Any = []
    for _ in range(100_000):
        value = [value]
    with pytest.raises(cqlang.CqlValidationError) as info:
        cqlang.decompile(value)
    assert info.value.diagnostics[0].code == "CQL301"
    assert "<a Python list>" in str(info.value)  # it could not even be shown


def test_the_decompile_command_exits_1_with_the_error(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["decompile", "-"], input=DEEP_TEXTS["array"])
    assert r.exit_code == 1, r.output
    assert "error[CQL301]" in r.stderr and "internal error" not in r.stderr


def test_a_filter_list_of_ordinary_depth_still_decompiles() -> None:
    filters = [{"property": "state", "value": ["OPEN"]}]
    assert nesting(filters, MAX_FILTER_DEPTH) == 3  # the list, an object, its values
    assert cqlang.decompile(encode_json(filters)) == "state = OPEN"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("records.json", "[" + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "]"),
        ("records.jsonl", '{"id": "1"}\n{"a": ' + deep_array(100_000) + "}\n"),
        ("data.json", '{"data": [{"a": ' + deep_array(MAX_RECORD_DEPTH) + "}]}"),
    ],
)
def test_emulator_data_nested_too_deep_is_a_data_error(
    tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=f"more than {MAX_RECORD_DEPTH} levels deep"):
        load_records(path)
    r = CliRunner().invoke(main, ["emulator", "--port", "0", "--data", str(path)])
    assert r.exit_code == 2, r.output
    assert "levels deep" in r.stderr and "internal error" not in r.stderr


def test_emulator_data_of_ordinary_depth_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.json"
    record = {"id": "1", "history": [{"a": [{"b": [1]}]}]}
    path.write_text(json.dumps([record]), encoding="utf-8")
    assert load_records(path) == [record]


def test_a_deep_custom_string_in_a_record_is_no_custom_fields() -> None:
    """The evaluator reads `custom` (JSON text in the API's records); a deep
    one from a hostile server counts as holding no fields."""
    match = compile_filters([{"property": "custom_fields", "key": "a", "value": "x"}])
    assert match({"custom": deep_array(100_000)}) is False
    assert match({"custom": '{"a": "x"}'}) is True
