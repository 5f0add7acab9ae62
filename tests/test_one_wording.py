"""A file the user named that is not there is said in one wording by every
command that reads one: `check -f`, `fmt --check`/`--write` and `emulator
--data` each had their own (`cannot read it: No such file or directory`,
`cannot read nope.cql: no such file`); cqlang.queryfile.cannot_read words
them all."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cqlang.cli import main


@pytest.mark.parametrize(
    "args",
    [
        ("check", "-f", "nope.cql"),
        ("compile", "-f", "nope.cql"),
        ("fmt", "--check", "nope.cql"),
        ("fmt", "--write", "nope.cql"),
        ("emulator", "--port", "0", "--data", "nope.cql"),
    ],
    ids=" ".join,
)
def test_a_missing_file_is_said_one_way(
    args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, list(args), env={"CQLANG_CONFIG": "/dev/null"})
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[0] == "cqlang: nope.cql: no such file"
    assert not (tmp_path / "nope.cql").exists()


def test_fmt_write_of_standard_input_says_no_file_was_reformatted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It printed "1 file reformatted" though nothing but stdout was written."""
    monkeypatch.chdir(tmp_path)
    env = {"CQLANG_CONFIG": "/dev/null"}
    alone = CliRunner().invoke(main, ["fmt", "--write", "-"], input="state=open\n", env=env)
    assert alone.exit_code == 0, alone.output
    assert alone.stdout == "state = open\n" and alone.stderr == ""
    (tmp_path / "a.cql").write_text("state=open\n", encoding="utf-8")
    both = CliRunner().invoke(main, ["fmt", "--write", "a.cql", "-"], input="x=1\n", env=env)
    assert both.exit_code == 0, both.output
    assert both.stderr.splitlines()[-1] == "1 file reformatted"  # a.cql; stdin is no file
    bad = CliRunner().invoke(main, ["fmt", "--write", "-"], input="state = (\n", env=env)
    assert bad.exit_code == 1 and "could not be formatted" not in bad.stderr
    # --check of stdin compares, writes nothing: its summary is as before.
    check = CliRunner().invoke(main, ["fmt", "--check", "-"], input="state=open\n", env=env)
    assert check.exit_code == 1 and "1 file would be reformatted" in check.stderr


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_config_does_not_list_an_unusable_url_as_in_effect(
    as_json: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    monkeypatch.chdir(tmp_path)
    env = {"CQLANG_CONFIG": "/dev/null", "CONPEEK_URL": "ftp://x", "CONPEEK_KEY": "k"}
    result = CliRunner().invoke(main, ["config", *(["--json"] if as_json else [])], env=env)
    assert result.exit_code == 0, result.output
    if as_json:
        data = json.loads(result.stdout)
        assert "base_url" not in data["connection"] and data["connection"]["api_key"] == "****"
        assert data["not_in_effect"] == {"base_url": "ftp://x"}
        return
    lines = result.stdout.splitlines()
    start = lines.index("# connection in effect:")
    end = lines.index("# not in effect (cannot be used: see the note below):")
    assert start < end and not any("base_url" in line for line in lines[start:end])
    assert lines[end + 1] == "#   base_url = 'ftp://x'  ($CONPEEK_URL)"
    assert any(line.startswith("# note: $CONPEEK_URL:") for line in lines)


def test_fmt_write_counts_standard_input_that_could_not_be_formatted_beside_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review: `fmt --write - a.cql` with a broken stdin said only "1 file
    left unchanged" (exit 1), as if all were well."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.cql").write_text("state = open\n", encoding="utf-8")
    env = {"CQLANG_CONFIG": "/dev/null"}
    result = CliRunner().invoke(
        main, ["fmt", "--write", "-", "a.cql"], input="priority >\n", env=env
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "1 file left unchanged, 1 file could not be formatted"
    )
