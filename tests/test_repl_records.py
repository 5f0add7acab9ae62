"""Issue 14, item 3: the REPL for looking at records: `\\x`, `\\show`, `\\o`,
`\\count`, `\\pager`, and the pager itself."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from cqlang.cli import main
from cqlang.emulator import DEFAULT_API_KEY, DEFAULT_CAMPAIGN, Emulator
from cqlang.output.display import render_expanded, render_record
from cqlang.repl import Dispatcher, Session
from cqlang.repl.app import Repl
from cqlang.term import pager

QUERY = "state = OPEN and priority >= 50"


@pytest.fixture
def d(emulator: Emulator) -> Dispatcher:
    session = Session(campaign=DEFAULT_CAMPAIGN, base_url=emulator.url, api_key=DEFAULT_API_KEY)
    dispatcher = Dispatcher(session, width=120)
    assert dispatcher.handle(QUERY).ok
    return dispatcher


def cli_records(emulator: Emulator, tmp_path: Path, *args: str) -> list[dict[str, Any]]:
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    env = {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": DEFAULT_API_KEY,
           "CQLANG_CONFIG": str(tmp_path / "none.toml")}  # fmt: skip
    result = CliRunner().invoke(main, ["fetch", "--campaign", DEFAULT_CAMPAIGN, *args], env=env)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_x_toggles_one_block_per_record(d: Dispatcher) -> None:
    assert d.handle("\\x").text == "expanded display is on"
    reply = d.handle("\\fetch 2")
    assert reply.ok
    lines = reply.text.splitlines()
    assert lines[0].startswith("-[ RECORD 1 ]") and "+" in lines[0]
    assert sum(line.startswith("-[ RECORD ") for line in lines) == 2
    record = d.session.last_records[0]
    assert lines[1].split(" | ") == ["id".ljust(len(lines[1].split(" | ")[0])), record["id"]]
    custom = json.loads(record["custom"])
    for key, value in custom.items():
        assert any(
            line.startswith(f"custom.{key} ") and line.endswith(f"| {value}") for line in lines
        )
    assert all(len(line) <= 120 for line in lines)
    assert d.handle("\\x off").text == "expanded display is off"
    assert d.handle("\\fetch 2").text.splitlines()[0].split()[0] == "id"
    assert not d.handle("\\x sideways").ok


def test_show_prints_one_record_in_full(d: Dispatcher, emulator: Emulator) -> None:
    assert d.handle("\\fetch 3").ok
    shown = d.session.last_records[1]
    text = d.handle(f"\\show {shown['id']}").text
    assert text.splitlines()[0].split(" | ")[1] == shown["id"]
    for key, value in json.loads(shown["custom"]).items():
        assert f"| {value}" in next(
            line for line in text.splitlines() if line.startswith(f"custom.{key} ")
        )
    for entry in shown["history"]:  # each entry of a list on a line, nothing cut
        assert json.dumps(entry, ensure_ascii=False) in text
    assert d.handle(f"\\show {shown['id'][:12]}").text == text  # a prefix of a shown id
    # Not among the last records: found in the campaign (any query).
    other = next(r for r in emulator.records() if r["state"] == "CLOSED")
    before = emulator.request_count
    found = d.handle(f"\\show {other['id']}")
    assert found.ok and f"| {other['id']}" in found.text.splitlines()[0]
    assert emulator.request_count > before
    missing = d.handle("\\show 000000000000000000000000")
    assert not missing.ok and "no record 000000000000000000000000" in missing.text
    assert not d.handle("\\show").ok


def test_o_sends_fetch_to_a_file_in_its_format(
    d: Dispatcher, emulator: Emulator, tmp_path: Path
) -> None:
    want = cli_records(emulator, tmp_path, QUERY)
    assert not d.handle("\\fetch all").ok  # all is for a file
    out = tmp_path / "open.parquet"
    assert d.handle(f"\\o {out}").ok
    reply = d.handle("\\fetch all")
    assert reply.ok and reply.text == f"wrote {len(want)} records to {out} (parquet)"
    table = pq.read_table(out)
    assert table.column("id").to_pylist() == [r["id"] for r in want]
    assert table.schema.metadata[b"cqlang.query"] == QUERY.encode()
    csv_out = tmp_path / "open.csv"
    assert d.handle(f"\\o {csv_out}").ok
    more = "; more match (\\fetch alone writes every one)"
    assert d.handle("\\fetch 5").text == f"wrote 5 records to {csv_out} (csv){more}"
    rows = list(csv.DictReader(io.StringIO(csv_out.read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == [r["id"] for r in want[:5]]
    bad = d.handle(f"\\o {tmp_path / 'open.txt'}")
    assert not bad.ok and "\\o" in bad.text and "cannot tell the format" in bad.text
    assert d.handle("\\o").text == "\\fetch shows the records on the screen"
    assert d.handle("\\fetch 1").text.splitlines()[0].split()[0] == "id"


def test_count_equals_the_records_of_the_query(
    d: Dispatcher, emulator: Emulator, tmp_path: Path
) -> None:
    want = cli_records(emulator, tmp_path, QUERY)
    assert d.handle("\\count").text == f"{len(want)} records match"
    d.handle("close_reason != NO_ANSWER and state = CLOSED")  # a client-side check
    want = cli_records(emulator, tmp_path, "close_reason != NO_ANSWER and state = CLOSED")
    assert d.handle("\\count").text == f"{len(want):,} records match"
    assert not Dispatcher(Session()).handle("\\count").ok  # no query yet


def test_pager_setting(d: Dispatcher) -> None:
    assert d.session.pager
    assert d.handle("\\pager").text == "pager is off"
    assert d.handle("\\pager on").text == "pager is on"
    assert not d.handle("\\pager maybe").ok


def _recording_pager(tmp_path: Path) -> tuple[str, Path]:
    """A pager command that copies what it reads, and $LESS, to a file."""
    log = tmp_path / "paged.txt"
    script = tmp_path / "pager.py"
    script.write_text(
        "import os, sys\n"
        f"with open({str(log)!r}, 'w') as f:\n"
        "    f.write('LESS=' + os.environ.get('LESS', '') + '\\n' + sys.stdin.read())\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return f"{sys.executable} {script}", log


def test_the_pager_is_pager_and_keeps_the_text_on_screen(tmp_path: Path) -> None:
    command, log = _recording_pager(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "LESS"}
    assert pager.page("one\ntwo", {**env, "PAGER": command})
    assert log.read_text() == "LESS=-SRXF\none\ntwo\n"
    assert pager.page("x", {**env, "PAGER": command, "LESS": "-R"})
    assert log.read_text() == "LESS=-R\nx\n"  # the user's LESS is left alone
    assert pager.command({"PAGER": ""}) is None  # an empty PAGER: no pager
    assert not pager.page("x", {"PAGER": ""})
    assert not pager.page("x", {**env, "PAGER": "no-such-pager-command-here"})
    assert pager.needed("\n".join("x" * 40), rows=24)
    assert not pager.needed("a\nb", rows=24)


def test_the_repl_pages_tall_output_unless_pager_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    command, log = _recording_pager(tmp_path)
    monkeypatch.setenv("PAGER", command)
    monkeypatch.setenv("LINES", "10")
    tall = "\n".join(f"line {n}" for n in range(30))
    out = io.StringIO()
    with create_pipe_input() as inp:
        r = Repl(Dispatcher(Session()), input=inp, output=DummyOutput(), stdout=out,
                 history=InMemoryHistory(), pager=True)  # fmt: skip
        r.write(tall)
        assert log.read_text().endswith(tall + "\n") and out.getvalue() == ""
        log.unlink()
        r.write("short")
        assert out.getvalue() == "short\n" and not log.exists()
        r.session.pager = False
        r.write(tall)
        assert out.getvalue().endswith(tall + "\n") and not log.exists()


def test_record_views_draw_control_characters() -> None:
    rec = {"id": "1", "name": "a\x1b[31mred\nline", "custom": '{"k\\u0007": "v"}'}
    for text in (render_expanded([rec]), render_record(rec)):
        assert "\x1b" not in text and "\x07" not in text
        assert "␛[31mred" in text


def test_a_file_that_cannot_be_written_is_named_as_the_repl_names_it(
    d: Dispatcher, tmp_path: Path
) -> None:
    """The REPL has no --output: a failure to write says \\o, as the REPL's
    other messages about its output file do. (A folder removed after \\o
    is refused before fetching: tests/test_output_paths.py.)"""
    assert os.path.exists("/dev/full")  # Linux: writing there fails with ENOSPC
    assert d.handle("\\o /dev/full").ok
    reply = d.handle("\\fetch 5")
    assert not reply.ok
    assert reply.text == "\\o /dev/full: No space left on device"
