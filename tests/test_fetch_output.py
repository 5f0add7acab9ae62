"""`cqlang fetch -o FILE` (issue 11, item 11; issue 16, item 12): the format
follows the extension, a CSV always has its header, a summary line on
stderr, and no temporary file outlives a run, even one killed outright."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cqlang.cli import main
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.output.atomic import remove_stale
from cqlang.output.target import csv_header
from cqlang.schema import DEFAULT_SCHEMA


@pytest.fixture
def env(tmp_path: Path, emulator: Emulator) -> dict[str, str]:
    config = tmp_path / "cfg.toml"
    config.write_text(
        "[schema.custom_fields]\nregion = 'string'\nscore = 'integer'\n", encoding="utf-8"
    )
    return {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": "demo-key", "CQLANG_CONFIG": str(config)}


def fetch(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(
        main, ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--retries", "0", *args], env=env
    )


@pytest.mark.emulator(records=50, seed=1)
def test_the_format_follows_the_extension(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    query = "priority >= 50"
    for name, check in (
        ("out.csv", lambda t: next(csv.reader(io.StringIO(t)))[0] == "id"),
        ("out.json", lambda t: isinstance(json.loads(t), list)),
        ("out.jsonl", lambda t: all(json.loads(line)["id"] for line in t.splitlines())),
        ("OUT.NDJSON", lambda t: all(json.loads(line)["id"] for line in t.splitlines())),
    ):
        result = fetch(env, query, "-o", str(tmp_path / name))
        assert result.exit_code == 0, result.output
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert text and check(text), name
    # --format wins over the extension.
    result = fetch(env, query, "-o", str(tmp_path / "x.csv"), "--format", "jsonl")
    assert result.exit_code == 0
    assert json.loads((tmp_path / "x.csv").read_text(encoding="utf-8").splitlines()[0])["id"]
    # A device is written as stdout would be.
    assert fetch(env, query, "-o", os.devnull).exit_code == 0


@pytest.mark.emulator(records=50, seed=1)
def test_an_unknown_extension_is_a_usage_error_before_any_request(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    for name in ("out.txt", "records", "out.csv.bak"):
        result = fetch(env, "state = OPEN", "-o", str(tmp_path / name))
        assert result.exit_code == 2, result.output
        assert "cannot tell the format" in result.stderr and "--format" in result.stderr
        assert not (tmp_path / name).exists()
    assert emulator.request_count == 0
    ok = fetch(env, "state = OPEN", "-o", str(tmp_path / "out.txt"), "--format", "csv")
    assert ok.exit_code == 0


@pytest.mark.emulator(records=50, seed=1)
def test_a_csv_of_no_records_has_its_header(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "none.csv"
    for query in ("priority > 1000", "state = OPEN and state = CLOSED"):  # nothing; never matches
        result = fetch(env, query, "-o", str(out), "--exclude", "closed_date")
        assert result.exit_code == 0, result.output
        rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
        assert len(rows) == 1
        header = rows[0]
        assert header[0] == "id" and "state" in header and "closed_date" not in header
        assert header[-3:] == ["custom.region", "custom.score", "custom"]
        assert "wrote 0 records to" in result.stderr
    stdout = fetch(env, "priority > 1000", "--format", "csv")
    assert stdout.stdout.splitlines()[0].startswith("id,name,contact_number,")
    assert csv_header(DEFAULT_SCHEMA, ["custom", "id"])[:2] == ["name", "contact_number"]


@pytest.mark.emulator(records=1200, seed=1)
def test_a_summary_line_says_what_was_written(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    result = fetch(env, "", "-o", str(out), "--page-size", "500")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote 1,200 records to {out} in 3 requests\n"
    one = fetch(env, "", "-o", str(out), "--limit", "1")
    # The limit stopped the fetch: the file may hold only the first of more.
    stopped = "; --limit 1 reached, more may match"
    assert one.stderr == f"wrote 1 record to {out} in 1 request{stopped}\n"
    every = fetch(env, "", "-o", str(out), "--limit", "5000", "--page-size", "500")
    assert every.stderr == f"wrote 1,200 records to {out} in 3 requests\n"
    plain = fetch(env, "", "--limit", "1")  # no -o: the records speak for themselves
    assert plain.stderr == ""
    dash = fetch(env, "", "--limit", "1", "-o", "-")
    assert dash.stderr == ""


# ------------------------------------------------------------ temporary files


def _fetch_process(env: dict[str, str], out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "cqlang.cli", "fetch", "--campaign", DEFAULT_CAMPAIGN,
         "--page-size", "10", "--output", str(out)],
        env={**os.environ, **env},
        stderr=subprocess.PIPE,
    )  # fmt: skip


def _wait_for_requests(emulator: Emulator, n: int) -> None:
    deadline = time.monotonic() + 30
    while emulator.request_count < n and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.emulator(faults=["latency=0.3"])
def test_sigquit_is_handled_as_sigterm(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    proc = _fetch_process(env, out)
    _wait_for_requests(emulator, 2)
    proc.send_signal(signal.SIGQUIT)
    assert proc.wait(timeout=30) == 128 + signal.SIGQUIT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cfg.toml"]


@pytest.mark.emulator(faults=["latency=0.3"])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGUSR1])
def test_a_later_run_removes_what_a_killed_run_left(
    env: dict[str, str], emulator: Emulator, tmp_path: Path, sig: int
) -> None:
    out = tmp_path / "out.jsonl"
    proc = _fetch_process(env, out)
    _wait_for_requests(emulator, 2)
    proc.send_signal(sig)
    proc.wait(timeout=30)
    left = [p.name for p in tmp_path.iterdir() if p.name != "cfg.toml"]
    assert left and all(n.startswith(f".out.jsonl.cqlang-{proc.pid}-") for n in left), left
    # A file of a live writer (this process) is left alone.
    mine = tmp_path / f".out.jsonl.cqlang-{os.getpid()}-abcdefgh.tmp"
    mine.write_text("")
    result = fetch(env, "priority >= 90", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["cfg.toml", "out.jsonl", mine.name]
    )


def test_remove_stale_leaves_what_is_not_its_own(tmp_path: Path) -> None:
    target = tmp_path / "r.csv"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    names = {
        f".r.csv.cqlang-{dead.pid}-x1y2z3.tmp": True,  # a dead writer's: removed
        f".r.csv.cqlang-{os.getpid()}-x1y2z3.tmp": False,  # alive
        ".r.csv.cqlang-1-x1y2z3.tmp": False,  # init is alive
        ".r.csv.cqlang-abc-x1y2z3.tmp": False,  # not a pid
        f".r.csv.cqlang-{dead.pid}-x1y2z3.part": False,  # not ours
        f".other.csv.cqlang-{dead.pid}-x1y2z3.tmp": False,  # another target's
        ".r.csv.k2j3h4.tmp": False,  # the old naming: no pid to go by
    }
    for name in names:
        (tmp_path / name).write_text("x")
    link = tmp_path / f".r.csv.cqlang-{dead.pid}-link.tmp"
    link.symlink_to(tmp_path / "elsewhere")
    removed = remove_stale(str(target))
    assert sorted(Path(p).name for p in removed) == [n for n, gone in names.items() if gone]
    assert link.is_symlink()
