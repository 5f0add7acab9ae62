"""Table cells and the REPL's status line draw what would hide or act:
a line break or a tab inside a value is its picture (one row per record;
``a\\nb`` and ``a b`` look different), an escape or a bidi control is
drawn too (docs/cli.md, "Text from outside"); JSON and CSV keep the
values exact."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cqlang.cli import main
from cqlang.diagnostics import Diagnostic
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.output.display import render_expanded, render_table
from cqlang.planner import Plan
from cqlang.repl.commands import Dispatcher
from cqlang.repl.session import Session

VALUES = ["a\nb", "a b", "a\tb", "a\x1b[31mb", "a\u202eb", "a\u2066b", "a  b"]
RECORDS = [{"id": f"r{i}", "name": v, "priority": i} for i, v in enumerate(VALUES)]
#: What never reaches a terminal raw from a cell.
HIDDEN = "\n\t\x1b\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_a_table_shows_each_value_distinctly_on_one_line() -> None:
    table = render_table(RECORDS, width=120, columns=["id", "name"])
    lines = table.splitlines()
    assert len(lines) == 2 + len(RECORDS)  # header, rule, one line a record
    assert not set(HIDDEN) & set("".join(lines))
    shown = {line.split()[0]: line[line.index(" ") :].strip() for line in lines[2:]}
    assert shown == {
        "r0": "a␊b",
        "r1": "a b",
        "r2": "a␉b",
        "r3": "a␛[31mb",
        "r4": "a<U+202E>b",
        "r5": "a<U+2066>b",
        "r6": "a  b",  # blanks are data too
    }


def test_the_expanded_display_draws_them_too() -> None:
    text = render_expanded(RECORDS, width=80)
    assert not set(HIDDEN) & set(text.replace("\n", ""))
    assert "| a␊b" in text and "| a␉b" in text and "| a  b" in text


CHARS = st.sampled_from(["a", " ", "\n", "\t", "\x1b", "\u202e", "é"])


@given(st.text(alphabet=CHARS, min_size=1, max_size=12))
@settings(max_examples=60)
def test_a_cell_is_one_line_without_a_control_and_keeps_the_rest(value: str) -> None:
    rows = render_table([{"id": "x", "name": value}], width=200, columns=["id", "name"])
    lines = rows.splitlines()
    assert len(lines) == 3 and not set(HIDDEN) & set("".join(lines))
    if not lines[2].endswith("…"):  # a long cell is cut short
        assert lines[2].count("a") == value.count("a")
        assert lines[2].count("é") == value.count("é")


@pytest.mark.emulator(data=RECORDS)
def test_cli_table_draws_them_and_json_and_csv_keep_them(emulator: Emulator) -> None:
    env = {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": "demo-key"}

    def fetch(fmt: str) -> str:
        args = ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--retries", "0", "--format", fmt]
        got = CliRunner().invoke(main, [*args, "--columns", "id,name", ""], env=env)
        assert got.exit_code == 0, got.output
        return got.stdout

    table = fetch("table")
    assert not set(HIDDEN) & set(table.replace("\n", ""))
    assert "a␊b" in table and "a␉b" in table and "a<U+202E>b" in table
    assert len([line for line in table.splitlines() if " r" in f" {line}"]) >= len(VALUES)
    lines = [json.loads(line) for line in fetch("jsonl").splitlines()]
    assert [r["name"] for r in lines] == VALUES
    rows = list(csv.DictReader(io.StringIO(fetch("csv"))))
    assert [r["name"] for r in rows] == VALUES


class _Said(Session):
    """A session whose check says ``message`` (as a value quoted in one)."""

    message = ""

    def assess(self, text: str) -> tuple[list[Diagnostic], Plan | None]:
        d = Diagnostic("CQL105", "error", self.message, 0, 1, 1, 1, hint="x\u2067y")
        return [d], None


@pytest.mark.parametrize("char", ["\u202a", "\u202e", "\u2066", "\u2069", "\x1b", "\n"])
def test_the_status_line_draws_bidi_and_control_characters(char: str) -> None:
    s: Any = _Said()
    s.message = f"'{char}OPEN' is not a value of state"
    line = Dispatcher(s).status("state = OPEN")
    assert not set(HIDDEN) & set(line)
    assert "OPEN' is not a value of state" in line and "x<U+2067>y" in line
