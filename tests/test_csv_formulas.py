"""CSV formula injection: a text cell starting with = + - @ (or a tab or a
carriage return) is run by Excel and LibreOffice as a formula. By default
the data stays exact (as pandas and psql write it; docs/client.md says
what to do); `--csv-escape-formulas` (and `escape_formulas=True` of the
writer in Python) puts a `'` before such text, as OWASP advises. And the
notes of a CSV count in the singular when there is one."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from cqlang.cli import main
from cqlang.emulator import DEFAULT_API_KEY, DEFAULT_CAMPAIGN, Emulator, generate_records
from cqlang.output.columns import parse_columns
from cqlang.output.writers import make_writer, write_all

RISKY = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("http://x","y")']
SAFE = ["plain", "a=b", " =1", "'=1", ""]


def records() -> list[dict[str, Any]]:
    out = []
    for i, (base, text) in enumerate(zip(generate_records(12, seed=2), RISKY + SAFE, strict=True)):
        out.append({**base, "name": text, "priority": -i, "case_id": f"c{i}"})
    return out


def fetch(tmp_path: Path, emu: Emulator, *args: str) -> Result:
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    env = {"CONPEEK_URL": emu.url, "CONPEEK_KEY": DEFAULT_API_KEY,
           "CQLANG_CONFIG": str(tmp_path / "none.toml")}  # fmt: skip
    return CliRunner().invoke(main, ["fetch", "--campaign", DEFAULT_CAMPAIGN, *args], env=env)


def names_and_priorities(path: Path) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return [(row["name"], row["priority"]) for row in csv.DictReader(f)]


def test_the_cli_keeps_the_data_and_escapes_on_request(tmp_path: Path) -> None:
    recs = records()
    with Emulator(data=recs, api_key=DEFAULT_API_KEY) as emu:
        exact, escaped = tmp_path / "exact.csv", tmp_path / "escaped.csv"
        assert fetch(tmp_path, emu, "-o", str(exact)).exit_code == 0
        result = fetch(tmp_path, emu, "-o", str(escaped), "--csv-escape-formulas")
        assert result.exit_code == 0, result.output
        wrong = fetch(tmp_path, emu, "--format", "jsonl", "--csv-escape-formulas")
        counted = fetch(tmp_path, emu, "--count", "--csv-escape-formulas")
    by_id = {r["name"]: r for r in recs}
    assert sorted(name for name, _ in names_and_priorities(exact)) == sorted(by_id)
    for name, priority in names_and_priorities(escaped):
        original = name[1:] if name[:1] == "'" and name[1:] in RISKY else name
        assert original in by_id
        assert name == ("'" + original if original in RISKY else original)
        assert priority == str(by_id[original]["priority"])  # a number is not text: as it is
    for bad in (wrong, counted):
        assert bad.exit_code == 2
        assert "--csv-escape-formulas is for a CSV" in bad.output


def test_the_python_writer_takes_the_option() -> None:
    cols = parse_columns("name,priority,process_days")
    rows = [{"name": "=1+2", "priority": -5, "process_days": [1]}, {"name": "ok"}]
    out = io.StringIO(newline="")
    write_all(rows, make_writer("csv", out, columns=cols, escape_formulas=True))
    assert out.getvalue().splitlines() == ["name,priority,process_days", "'=1+2,-5,[1]", "ok,,"]
    plain = io.StringIO(newline="")
    write_all(rows, make_writer("csv", plain, columns=cols))
    assert plain.getvalue().splitlines()[1] == "=1+2,-5,[1]"


def test_a_csv_note_counts_one_record_in_the_singular() -> None:
    out = io.StringIO(newline="")
    writer = make_writer("csv", out)
    write_all([{"id": "a", "newer": 1}, {"id": "b", "newer": 2, "other": 3}], writer)
    assert writer.notes() == [
        "fields the CSV has no column for were left out: newer (2 records), other (1 record) "
        "(JSON Lines keeps them)"
    ]
    writer = make_writer("csv", io.StringIO(newline=""))
    write_all([{"id": "a", "newer": 1}], writer)
    assert writer.notes() == [
        "a field the CSV has no column for was left out: newer (1 record) (JSON Lines keeps it)"
    ]
