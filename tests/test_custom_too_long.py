"""A record's ``custom`` holding an integer of more digits than Python
reads (4300) counts as no custom fields, as one holding ``NaN`` does: the
Parquet/Arrow warning names it in jsonlimit.TooLong's words (it named only
NaN, Infinity and numbers beyond a double), and a CSV cell of it is empty,
as a query's check finds no custom field in it (docs/client.md)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cqlang.cli import main
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator, generate_records

LONG = "9" * 5000


@pytest.fixture
def served(emulator_factory: Any, tmp_path: Path) -> dict[str, str]:
    recs = generate_records(3, seed=2)
    recs[0]["custom"] = '{"x": ' + LONG + ', "y": 1}'
    recs[1]["custom"] = '{"x": 5, "y": 1}'
    recs[2]["custom"] = None
    emu: Emulator = emulator_factory(data=recs)
    (tmp_path / "cqlang.toml").write_text("", encoding="utf-8")
    return {
        "CONPEEK_URL": emu.url,
        "CONPEEK_KEY": "demo-key",
        "CQLANG_CONFIG": str(tmp_path / "cqlang.toml"),
    }


def fetch(env: dict[str, str], *args: str) -> Any:
    result = CliRunner().invoke(
        main, ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--retries", "0", *args], env=env
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def test_the_columnar_warning_names_the_too_long_number(
    served: dict[str, str], tmp_path: Path
) -> None:
    pytest.importorskip("pyarrow")
    out = tmp_path / "c.parquet"
    result = fetch(served, "priority >= 0", "-o", str(out))
    assert "1 record had a custom that is not a JSON object" in result.stderr
    assert "a number too long to read" in result.stderr


def test_a_csv_cell_of_it_is_empty_and_its_custom_kept(served: dict[str, str]) -> None:
    result = fetch(served, "priority >= 0", "--format", "csv", "--columns", "id,custom.y,custom")
    rows = {r["custom"]: r["custom.y"] for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows['{"x": ' + LONG + ', "y": 1}'] == ""  # no custom fields: null
    assert rows['{"x": 5, "y": 1}'] == "1"
    # The query reads it alike: custom.y = 1 holds for the second alone.
    matched = fetch(served, "custom.y = 1", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["custom"] for line in matched] == ['{"x": 5, "y": 1}']
