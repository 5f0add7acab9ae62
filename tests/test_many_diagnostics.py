"""Many diagnostics at once (issue 16, item 10): placing and drawing them is
linear in their number, past MAX_RENDERED the rest are counted in one line,
and the data still holds every one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import cqlang
from cqlang.cli import main
from cqlang.diagnostics import MAX_RENDERED, line_col, make, render, render_all

N = 50_000
MANY = " and ".join(f"prop{i} = 1" for i in range(N))


@pytest.fixture
def no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    monkeypatch.delenv("CQLANG_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def test_fifty_thousand_unknown_names_are_all_data() -> None:
    diags = cqlang.check(MANY)
    assert len(diags) == N and {d.code for d in diags} == {"CQL101"}
    assert MANY[diags[-1].start : diags[-1].end] == f"prop{N - 1}"
    with pytest.raises(cqlang.CqlValidationError) as info:
        cqlang.compile(MANY)
    assert len(info.value.diagnostics) == N  # the exception carries them all
    shown = str(info.value)  # ... and draws the first MAX_RENDERED
    assert shown.count("error[CQL101]") == MAX_RENDERED
    assert shown.endswith(f"\n\nand {N - MAX_RENDERED:,} more errors")


@pytest.mark.parametrize("command", ["check", "compile", "explain"])
def test_the_command_line_draws_a_hundred_and_counts_the_rest(
    no_config: Path, command: str
) -> None:
    r = CliRunner().invoke(main, [command, "-"], input=MANY)
    assert r.exit_code == 1
    assert r.stderr.count("error[CQL101]") == MAX_RENDERED
    assert r.stderr.rstrip().endswith("and 49,900 more errors")


def test_check_json_lists_every_diagnostic(no_config: Path) -> None:
    r = CliRunner().invoke(main, ["check", "--json", "-"], input=MANY)
    assert r.exit_code == 1
    assert len(json.loads(r.stdout)) == N


def test_queries_check_counts_past_the_cap(no_config: Path) -> None:
    text = " and ".join(f"prop{i} = 1" for i in range(150))
    (no_config / "cqlang.toml").write_text(f'[queries.q]\nquery = "{text}"\n', encoding="utf-8")
    r = CliRunner().invoke(main, ["queries", "check"])
    assert r.exit_code == 1
    assert r.stderr.count("error[CQL101]") == MAX_RENDERED
    assert "and 50 more errors" in r.stderr
    assert "1 query in 1 file: 150 errors" in r.stdout


def test_the_closing_line_counts_errors_and_warnings() -> None:
    text = "x" * 10
    diags = [make(text, "CQL101", "e", 0, 1)] * 5 + [
        make(text, "CQL114", "w", 0, 1, severity="warning")
    ] * 3
    assert render_all(diags, text, limit=4).endswith("\n\nand 1 more error and 3 more warnings")
    assert render_all(diags, text, limit=5).endswith("\n\nand 3 more warnings")
    assert "more" not in render_all(diags, text, limit=8)


def test_a_repeated_misspelling_is_suggested_everywhere() -> None:
    text = " and ".join(["prioirty = 1"] * 20_000)
    diags = cqlang.check(text)
    assert len(diags) == 20_000
    assert {d.hint for d in diags} == {"did you mean 'priority'?"}


def test_suggestions_stop_at_the_budget_and_leave_the_plain_hint() -> None:
    n = 40_000  # distinct names, each close to 'priority'
    text = " and ".join(f"priorit{i} = 1" for i in range(n))
    diags = cqlang.check(text)
    assert len(diags) == n
    assert diags[0].hint == "did you mean 'priority'?"
    assert diags[-1].hint == f"a custom field is written custom.priorit{n - 1}"


@given(st.text(alphabet="ab\n\t", max_size=40), st.data())
def test_line_and_column_from_the_index_are_the_counted_ones(
    text: str, data: st.DataObject
) -> None:
    offset = data.draw(st.integers(-2, len(text) + 2))
    clamped = max(0, min(offset, len(text)))
    line = text.count("\n", 0, clamped) + 1
    column = clamped - (text.rfind("\n", 0, clamped) + 1) + 1
    assert line_col(text, offset) == (line, column)
    # and the caret line stands under the span, tabs taking one column
    d = make(text, "CQL101", "m", clamped, clamped + 1)
    source_line, caret = render(d, text).splitlines()[3:5]
    bar = caret.index("|") + 2
    assert caret[bar:].startswith(" " * (column - 1) + "^")
    assert source_line.endswith(
        text.split("\n")[line - 1].replace("\t", " ").translate({c: 0x2400 + c for c in range(32)})
    )


def test_config_shows_thousands_of_custom_fields_in_order(no_config: Path) -> None:
    """`cqlang config` with 8,000 custom fields (it was quadratic in them)."""
    n = 8_000
    fields = "\n".join(f'field{i} = "string"' for i in range(n))
    (no_config / "cqlang.toml").write_text(f"[schema.custom_fields]\n{fields}\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["config"])
    assert r.exit_code == 0, r.output
    shown = [line for line in r.stdout.splitlines() if line.startswith("field")]
    assert shown == [f'field{i} = "string"' for i in range(n)]
