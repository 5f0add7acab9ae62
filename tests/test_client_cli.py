"""`cqlang fetch` and `cqlang emulator`, through click's CliRunner and real
subprocesses, against the emulator on loopback."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cqlang.checker import check_text
from cqlang.cli import main
from cqlang.emulator import DEFAULT_CAMPAIGN, REFERENCE_DATE, Emulator
from cqlang.env import Env
from cqlang.evaluator import compile_matcher

CAMPAIGN = DEFAULT_CAMPAIGN
MARKER = "CLI-KEY-MARKER-41c9e07d"


@pytest.fixture
def env(tmp_path: Path, emulator: Emulator) -> dict[str, str]:
    config = tmp_path / "empty.toml"
    config.write_text("", encoding="utf-8")
    return {
        "CONPEEK_URL": emulator.url,
        "CONPEEK_KEY": "demo-key",
        "CQLANG_CONFIG": str(config),
        "CQLANG_DEBUG": "",
    }


def fetch(env: dict[str, str], *args: str, **env_over: str | None) -> Result:
    runner = CliRunner()
    fast = ["--retries", "2", "--retry-budget", "1"]
    return runner.invoke(
        main, ["fetch", "--campaign", CAMPAIGN, *fast, *args], env={**env, **env_over}
    )


def expected(emu: Emulator, query: str) -> list[dict[str, Any]]:
    checked = check_text(query, Env(now=REFERENCE_DATE.replace(tzinfo=None)))
    assert checked.ir is not None
    match = compile_matcher(checked.ir)
    return [r for r in emu.records() if match(r)]


def test_jsonl_by_default_when_not_a_terminal(env: dict[str, str], emulator: Emulator) -> None:
    query = "state = OPEN or priority > 50"
    result = fetch(env, query, "--page-size", "40")
    assert result.exit_code == 0, result.output
    got = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["id"] for r in got) == sorted(r["id"] for r in expected(emulator, query))
    assert result.stderr == ""


def test_json_format(env: dict[str, str], emulator: Emulator) -> None:
    result = fetch(env, "priority >= 50", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == expected(emulator, "priority >= 50")
    empty = fetch(env, "priority > 1000", "--format", "json")
    assert json.loads(empty.stdout) == []


def test_csv_flattens_custom_fields(env: dict[str, str], emulator: Emulator) -> None:
    result = fetch(env, "priority = 100", "--format", "csv", "--exclude", "history,dialogs")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    want = expected(emulator, "priority = 100")
    assert [r["id"] for r in rows] == [r["id"] for r in want]
    header = next(csv.reader(io.StringIO(result.stdout)))
    # No custom field declared: they all go, as a JSON object, in the last
    # column `custom` (the header is known before the first record).
    assert header[-1] == "custom" and "history" not in header and "call_history" in header
    assert not [h for h in header if h.startswith("custom.")]
    for row, rec in zip(rows, want, strict=True):
        custom = json.loads(rec["custom"])
        assert (json.loads(row["custom"]) if row["custom"] else {}) == custom
        assert row["closed_date"] == (rec["closed_date"] or "")


def test_table_format(env: dict[str, str], emulator: Emulator) -> None:
    result = fetch(env, "priority = 100", "--format", "table", "--limit", "2")
    assert result.exit_code == 0
    for rec in expected(emulator, "priority = 100")[:2]:
        assert rec["id"] in result.stdout
    # The REPL's table: one line per record, within the width, custom last.
    lines = result.stdout.splitlines()
    assert len(lines) == 2 + 2 and all(len(line) <= 200 for line in lines)
    assert lines[0].split()[0] == "id" and lines[0].split()[-1] == "custom"


def test_limit_exclude_params_tz_now(env: dict[str, str], emulator: Emulator) -> None:
    result = fetch(
        env, "created_date >= today - 30d and priority >= $p", "-p", "p=5",
        "--tz", "Europe/Warsaw", "--now", "2026-11-01 00:00", "--limit", "7",
        "--exclude", "history,call_history,dialogs",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    got = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(got) == 7 and all("history" not in r for r in got)
    assert all(r["priority"] >= 5 and r["created_date"] >= "2026-10-01" for r in got)


def test_output_is_written_atomically(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    out = tmp_path / "records.jsonl"
    result = fetch(env, "state = OPEN", "--output", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(
        expected(emulator, "state = OPEN")
    )
    # A failing run leaves the old file as it was and no temporary file.
    before = out.read_bytes()
    result = fetch(env, "", "--output", str(out), CONPEEK_KEY="wrong")
    assert result.exit_code == 3
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.toml", "records.jsonl"]
    # ... and a failing first run leaves no file at all.
    fresh = tmp_path / "new.json"
    result = fetch(env, "", "--output", str(fresh), "--format", "json", CONPEEK_KEY="wrong")
    assert result.exit_code == 3 and not fresh.exists()


def test_an_invalid_query_exits_1_with_carets(env: dict[str, str], emulator: Emulator) -> None:
    result = fetch(env, "state = OPEN and prioirty > 3")
    assert result.exit_code == 1
    assert "^^^^^^^^" in result.stderr and "did you mean 'priority'" in result.stderr
    assert emulator.request_count == 0


def test_a_query_that_never_matches(env: dict[str, str], emulator: Emulator) -> None:
    result = fetch(env, "priority > 5 and priority < 3", CONPEEK_KEY=None)
    assert result.exit_code == 0
    assert "never matches" in result.stderr and result.stdout == ""
    assert emulator.request_count == 0


@pytest.mark.parametrize(
    ("over", "code", "text"),
    [
        ({"CONPEEK_KEY": "wrong"}, 3, "HTTP 403"),
        ({"CONPEEK_URL": "http://127.0.0.1:9"}, 3, "refused"),
        ({"CONPEEK_KEY": None}, 2, "CONPEEK_KEY"),
        ({"CONPEEK_URL": None}, 2, "base URL"),
    ],
)
def test_failures_exit_with_one_line(
    env: dict[str, str], over: dict[str, str | None], code: int, text: str
) -> None:
    result = fetch(env, "", **over)  # None unsets the variable
    assert result.exit_code == code, result.output
    assert text in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_unknown_campaign(env: dict[str, str]) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["fetch", "--campaign", "f" * 24], env=env)
    assert result.exit_code == 3 and "HTTP 404" in result.stderr


def test_verbose_logs_each_request(env: dict[str, str], emulator: Emulator) -> None:
    result = fetch(env, "state = OPEN or priority > 50", "--verbose", "--page-size", "100")
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert len(lines) == emulator.request_count >= 3
    for line in lines:
        assert line.startswith(f"cqlang: GET {emulator.url}/voice_campaign/{CAMPAIGN}/request?")
        assert " -> 200 (" in line and " ms, " in line


@pytest.mark.emulator(records=200, api_key=MARKER)
@pytest.mark.parametrize(
    "faults",
    [[], ["500=100%"], ["drop=100%"], ["truncate=2"], ["html=100%"], ["reset=100%"],
     ["429=100%", "retry-after=0"], ["latency=0.02", "500=1@2", "drop=1@3"]],
)  # fmt: skip
def test_the_key_appears_nowhere(
    env: dict[str, str], emulator: Emulator, faults: list[str]
) -> None:
    emulator.inject(*faults)
    for args in (["--verbose"], [], ["--format", "csv", "--verbose"]):
        result = fetch(env, "state = OPEN or priority > 5", "--page-size", "50", *args,
                       CONPEEK_KEY=MARKER)  # fmt: skip
        assert MARKER not in result.stdout and MARKER not in result.stderr
        assert result.exit_code in (0, 3)
    result = fetch(env, "", "--verbose", CONPEEK_KEY=MARKER + "-wrong")
    assert result.exit_code == 3 and MARKER not in result.output


# ------------------------------------------------------------ subprocesses


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cqlang.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


@pytest.fixture
def emulator_process() -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "cqlang.cli", "emulator", "--port", "0", "--records", "150",
         "--api-key", MARKER, "--fault", "500=1@2", "--fault", "drop=1@3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("cqlang emulator listening on http://127.0.0.1:")
    yield proc, line.strip().rsplit(" ", 1)[1]
    if proc.poll() is None:
        proc.kill()
        proc.wait(5)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_emulator_command_serves_until_a_signal(
    emulator_process: tuple[subprocess.Popen[str], str], tmp_path: Path, sig: int
) -> None:
    proc, url = emulator_process
    config = tmp_path / "empty.toml"
    config.write_text("", encoding="utf-8")
    env = {"CONPEEK_URL": url, "CONPEEK_KEY": MARKER, "CQLANG_CONFIG": str(config)}
    result = run_cli("fetch", "--campaign", CAMPAIGN, "--verbose", "--page-size", "40", env=env)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 150
    assert MARKER not in result.stdout + result.stderr
    assert "retrying" in result.stderr  # the faults were met, and recovered from
    proc.send_signal(sig)
    assert proc.wait(10) == 0
    assert proc.stderr is not None and proc.stderr.read() == ""


def test_emulator_command_bad_fault(tmp_path: Path) -> None:
    result = run_cli("emulator", "--port", "0", "--fault", "boom=1", env={})
    assert result.returncode == 2 and "boom" in result.stderr


def test_cold_start_imports_neither_requests_nor_rich() -> None:
    code = (
        "import sys, cqlang.cli, cqlang\n"
        "bad = [m for m in ('requests', 'rich', 'urllib3') if m in sys.modules]\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


def test_fetch_help_lists_the_options() -> None:
    result = CliRunner().invoke(main, ["fetch", "--help"])
    for option in ("--campaign", "--param", "--tz", "--now", "--exclude", "--limit",
                   "--page-size", "--format", "--output", "--base-url", "--verbose",
                   "--retries", "--retry-budget", "--timeout"):  # fmt: skip
        assert option in result.output
    assert "--api-key" not in result.output
    started = time.monotonic()
    assert CliRunner().invoke(main, ["emulator", "--help"]).exit_code == 0
    assert time.monotonic() - started < 5


def test_progress_on_a_terminal(emulator: Emulator, tmp_path: Path) -> None:
    """stderr a terminal, stdout a pipe: a progress line on the one, every
    record (and nothing else) on the other."""
    import pty
    import threading

    config = tmp_path / "empty.toml"
    config.write_text("", encoding="utf-8")
    master, slave = pty.openpty()
    seen = bytearray()

    def read_terminal() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            seen.extend(chunk)

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()
    env = {**os.environ, "CONPEEK_URL": emulator.url, "CONPEEK_KEY": "demo-key",
           "CQLANG_CONFIG": str(config), "TERM": "xterm"}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "cqlang.cli", "fetch", "--campaign", CAMPAIGN, "--page-size", "50"],
        stdout=subprocess.PIPE,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    try:
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(5)
    os.close(master)
    assert proc.returncode == 0
    lines = out.decode().splitlines()
    assert len(lines) == 300 and all(json.loads(line)["id"] for line in lines)
    assert b"fetching: " in seen and b"records/s" in seen and b'"id"' not in seen
    assert seen.endswith(b"\r\x1b[2K")  # the line is erased at the end


# ------------------------------------------------------ --output, carefully


def test_output_through_a_symbolic_link_writes_its_target(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    target = tmp_path / "target.jsonl"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target.name)
    result = fetch(env, "state = OPEN", "--limit", "3", "--output", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == target.name
    assert len(target.read_text(encoding="utf-8").splitlines()) == 3


def test_output_to_a_pipe_is_written_through(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    import threading

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = fetch(env, "state = OPEN", "--limit", "3", "--output", str(fifo))
    reader.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert fifo.exists() and not fifo.is_file()  # still the pipe
    assert len(got[0].splitlines()) == 3


def test_output_dash_is_stdout(env: dict[str, str], emulator: Emulator, tmp_path: Path) -> None:
    result = fetch(env, "state = OPEN", "--limit", "2", "--output", "-")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 2
    assert not (Path.cwd() / "-").exists()


def test_an_output_in_a_missing_folder_is_refused_before_any_request(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    result = fetch(env, "state = OPEN", "--output", str(tmp_path / "no" / "x.jsonl"))
    assert result.exit_code == 2
    assert "no such folder" in result.stderr and "internal error" not in result.stderr
    assert emulator.request_count == 0


def test_a_full_disk_is_a_one_line_error(env: dict[str, str], emulator: Emulator) -> None:
    assert os.path.exists("/dev/full")  # Linux: writing there fails with ENOSPC
    for args in (["compile", "state = OPEN"], ["fetch", "--campaign", CAMPAIGN, "--limit", "3"]):
        with open("/dev/full", "w") as full:
            proc = subprocess.run(
                [sys.executable, "-m", "cqlang.cli", *args],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, **env},
                timeout=60,
            )
        assert proc.returncode == 74, proc.stderr
        assert proc.stderr.strip() == "cqlang: cannot write the output: No space left on device"


@pytest.mark.emulator(faults=["latency=0.3"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_a_fetch_leaves_no_temporary_file(
    env: dict[str, str], emulator: Emulator, tmp_path: Path, sig: int
) -> None:
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "cqlang.cli", "fetch", "--campaign", CAMPAIGN,
         "--page-size", "10", "--output", str(out)],
        env={**os.environ, **env},
        stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while emulator.request_count < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(sig)
    assert proc.wait(timeout=30) == 128 + sig
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.toml"]


def test_a_bad_base_url_is_refused_before_any_request(
    env: dict[str, str], emulator: Emulator
) -> None:
    for base in ("notaurl", "http://[::1", "http://127.0.0.1:99999"):
        result = fetch(env, "state = OPEN", "--base-url", base)
        assert result.exit_code == 2, result.output
        assert "internal error" not in result.stderr
    assert emulator.request_count == 0


def test_a_retry_budget_that_is_not_a_number_is_a_usage_error(
    env: dict[str, str], emulator: Emulator
) -> None:
    for budget in ("nan", "inf"):
        result = CliRunner().invoke(
            main, ["fetch", "--campaign", CAMPAIGN, "--retry-budget", budget], env=env
        )
        assert (
            result.exit_code == 2 and "is not a number" in result.stderr
        )  # NaN: FloatRange; inf: the duration check
    assert emulator.request_count == 0


@pytest.mark.emulator(faults=["latency=2"])
def test_timeout_bounds_the_wait_for_a_slow_server(env: dict[str, str], emulator: Emulator) -> None:
    started = time.monotonic()
    result = CliRunner().invoke(
        main,
        ["fetch", "--campaign", CAMPAIGN, "--timeout", "0.2", "--retries", "0", "state = OPEN"],
        env=env,
    )
    assert result.exit_code == 3, result.output
    assert "timed out" in result.stderr.lower()
    assert time.monotonic() - started < 2  # the 2 s answer was not waited for


def _fetch_proc(env: dict[str, str], *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cqlang.cli", "fetch", "--campaign", CAMPAIGN, *args],
        env={**os.environ, **env},
        text=True,
        timeout=60,
        **kw,
    )


def test_output_dev_stdout_is_stdout_as_it_is(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    # Through a pipe: the records arrive.
    proc = _fetch_proc(env, "--limit", "2", "-o", "/dev/stdout", capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 2
    # Appended to a file by the shell: the file keeps what it had.
    log = tmp_path / "log.jsonl"
    log.write_text("EXISTING\n", encoding="utf-8")
    with open(log, "a", encoding="utf-8") as out:
        proc = _fetch_proc(env, "--limit", "2", "-o", "/dev/stdout", stdout=out)
    assert proc.returncode == 0
    assert log.read_text(encoding="utf-8").splitlines()[0] == "EXISTING"
    assert len(log.read_text(encoding="utf-8").splitlines()) == 3


def test_a_closed_stdout_is_a_one_line_error(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    def closed_stdout(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "cqlang.cli", "fetch", "--campaign", CAMPAIGN, *args]
        return subprocess.run(
            ["sh", "-c", 'exec "$@" >&-', "sh", *command],
            env={**os.environ, **env},
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )

    closed = closed_stdout("--limit", "2", "-o", "/dev/stdout")
    assert closed.returncode == 74 and "Traceback" not in closed.stderr
    # ... while --output FILE does not need stdout at all.
    out = tmp_path / "out.jsonl"
    ok = closed_stdout("--limit", "2", "-o", str(out))
    assert ok.returncode == 0, ok.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_a_working_folder_that_is_gone_is_a_usage_error(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.rmdir(os.getcwd());"
         "from cqlang.cli import main; sys.argv = ['cqlang', 'compile', 'state = OPEN']; main()"],
        cwd=gone, capture_output=True, text=True, timeout=60,
        env={k: v for k, v in os.environ.items() if k != "CQLANG_CONFIG"},
    )  # fmt: skip
    assert proc.returncode == 2 and "working folder no longer exists" in proc.stderr


def test_an_empty_table_says_so(env: dict[str, str], emulator: Emulator) -> None:
    result = fetch(env, "priority > 1000", "--format", "table")
    assert result.exit_code == 0 and result.stdout == "no records match\n"
