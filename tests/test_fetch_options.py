"""Issue 14, item 2: `--count`, `--dry-run`, `--columns` and what they send;
Parquet without pyarrow or to a terminal; the progress line."""

from __future__ import annotations

import io
import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner, Result

from cqlang.cli import main
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.term.progress import Progress, wanted

CAMPAIGN = DEFAULT_CAMPAIGN
QUERIES = [
    "",
    "state = OPEN",
    "state = OPEN or priority > 50",
    'custom.region != "PL"',
    "closed_date is null and contact_try < 3",
    "state = OPEN and state = CLOSED",
]


@pytest.fixture
def env(tmp_path: Path, emulator: Emulator) -> dict[str, str]:
    config = tmp_path / "cqlang.toml"
    config.write_text("[queries.few]\nquery = 'state = OPEN'\nlimit = 7\n", encoding="utf-8")
    return {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": "demo-key", "CQLANG_CONFIG": str(config)}


def fetch(env: dict[str, str], *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(
        main, ["fetch", "--campaign", CAMPAIGN, "--retries", "0", *args], env=env
    )
    assert result.exit_code == code, result.output
    return result


def exclude_sent(target: str) -> list[str]:
    values = parse_qs(urlsplit(target).query).get("exclude")
    return json.loads(values[0]) if values else []


@pytest.mark.parametrize("query", [*QUERIES, "@few"])
def test_count_is_the_number_of_records_of_the_same_fetch(
    env: dict[str, str], emulator: Emulator, query: str
) -> None:
    records = fetch(env, query, "--format", "jsonl", "--page-size", "70").stdout.splitlines()
    before = emulator.request_count
    counted = fetch(env, query, "--count", "--page-size", "70")
    assert counted.stdout == f"{len(records)}\n"
    # Counting pages with the heavy fields left to the server.
    counting = [e for e in emulator.log if e.number > before]
    assert counting or query == "state = OPEN and state = CLOSED"  # that one sends nothing
    for entry in counting:
        assert {"history", "call_history", "dialogs"} <= set(exclude_sent(entry.target))


def test_count_takes_no_output_options(env: dict[str, str], emulator: Emulator) -> None:
    for extra in (["--format", "csv"], ["-o", "x.csv"], ["--columns", "id"]):
        result = fetch(env, "--count", *extra, code=2)
        assert "--count prints only a number" in result.stderr
    assert emulator.request_count == 0


@pytest.mark.parametrize("query", QUERIES)
def test_dry_run_sends_nothing_and_shows_what_the_client_sends(
    env: dict[str, str], emulator: Emulator, tmp_path: Path, query: str
) -> None:
    out = tmp_path / "never.parquet"
    args = [query, "--exclude", "closed_date", "--page-size", "5000"]
    dry = fetch(env, *args, "--dry-run", "-o", str(out))
    assert emulator.request_count == 0 and not out.exists()
    urls = [line[6:] for line in dry.stdout.splitlines() if line.startswith("# GET ")]
    curls = [line for line in dry.stdout.splitlines() if line.startswith("curl ")]
    assert len(curls) == len(urls)
    assert "demo-key" not in dry.output
    assert all('-H "Authorization: $CONPEEK_KEY"' in c for c in curls)
    # Each URL is the first request of one branch, as the client sends it
    # (the records all fit its first page here; a page of 300, a round
    # number, is then confirmed by one more: docs/client.md).
    fetch(env, *args)
    sent = [emulator.url + entry.target for entry in emulator.log]
    assert urls == [url for url in sent if parse_qs(urlsplit(url).query)["offset"] == ["0"]]
    if not urls:
        assert "no request" in dry.stdout


def test_dry_run_of_count_and_columns_shows_their_exclude(
    env: dict[str, str], emulator: Emulator
) -> None:
    dry = fetch(env, "custom.region = PL", "--count", "--dry-run")
    (url,) = [line[6:] for line in dry.stdout.splitlines() if line.startswith("# GET ")]
    assert exclude_sent(url) == ["history", "call_history", "dialogs"]
    dry = fetch(env, "--columns", "id,history", "--dry-run")
    (url,) = [line[6:] for line in dry.stdout.splitlines() if line.startswith("# GET ")]
    assert exclude_sent(url) == ["call_history", "dialogs"]
    assert emulator.request_count == 0


def test_dry_run_without_a_base_url_names_the_variable(tmp_path: Path) -> None:
    env = {"CONPEEK_URL": "", "CONPEEK_KEY": "", "CQLANG_CONFIG": str(tmp_path / "none.toml")}
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    dry = fetch(env, "priority > 3", "--dry-run")
    lines = dry.stdout.splitlines()
    assert any(line.startswith("# GET $CONPEEK_URL/voice_campaign/") for line in lines)
    assert any(
        line.startswith("curl ") and ' "$CONPEEK_URL"\'/voice_campaign/' in line for line in lines
    )


@pytest.mark.skipif(shutil.which("curl") is None, reason="no curl here")
def test_the_dry_run_curl_command_works(env: dict[str, str], emulator: Emulator) -> None:
    dry = fetch(env, "priority >= 50", "--dry-run")
    (command,) = [line for line in dry.stdout.splitlines() if line.startswith("curl ")]
    run = subprocess.run(
        ["sh", "-c", command], env={**os.environ, **env}, capture_output=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)["data"]
    want = fetch(env, "priority >= 50").stdout.splitlines()
    assert [r["id"] for r in got] == [json.loads(line)["id"] for line in want]


def test_columns_leave_heavy_fields_to_the_server_and_keep_the_check(
    env: dict[str, str], emulator: Emulator
) -> None:
    query = 'custom.region != "PL" or closed_date is null'
    full = [json.loads(line) for line in fetch(env, query).stdout.splitlines()]
    before = emulator.request_count
    picked = fetch(env, query, "--columns", "id,state")
    rows = [json.loads(line) for line in picked.stdout.splitlines()]
    assert rows == [{"id": r["id"], "state": r["state"]} for r in full]
    for entry in [e for e in emulator.log if e.number > before]:
        sent = exclude_sent(entry.target)
        assert sent == ["history", "call_history", "dialogs"]  # custom and closed_date read


def test_columns_mistakes_are_usage_errors(env: dict[str, str], emulator: Emulator) -> None:
    twice = fetch(env, "--columns", "id,priority,id", code=2)
    assert "cqlang: --columns: id is named twice; name each column once" in twice.stderr
    clash = fetch(env, "--columns", "id,history", "--exclude", "history", code=2)
    assert "history, which --exclude leaves out" in clash.stderr
    empty = fetch(env, "--columns", " ", code=2)
    assert "name at least one column" in empty.stderr
    assert emulator.request_count == 0
    bracket = fetch(env, "--columns", 'id,custom["a,b"]', "--format", "csv")
    assert bracket.stdout.splitlines()[0] == 'id,"custom.a,b"'  # one column, not split


# ---------------------------------------------------------------- pyarrow


def _without_pyarrow(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``cqlang ARGS`` in a process where pyarrow cannot be imported."""
    code = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "from cqlang.cli import main\n"
        f"sys.argv = ['cqlang', *{args!r}]\n"
        "main()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_parquet_without_pyarrow_is_a_usage_error_naming_the_extra(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    for args in (
        ["--format", "parquet"],
        ["-o", str(tmp_path / "x.parquet")],
        ["-o", str(tmp_path / "x.feather")],
    ):
        run = _without_pyarrow(["fetch", "--campaign", CAMPAIGN, *args], env)
        assert run.returncode == 2, run.stderr
        assert "pip install 'cqlang[arrow]'" in run.stderr and "Traceback" not in run.stderr
    assert emulator.request_count == 0 and not list(tmp_path.glob("x.*"))
    # The other formats do not need it.
    run = _without_pyarrow(
        ["fetch", "--campaign", CAMPAIGN, "--limit", "2", "--format", "csv"], env
    )
    assert run.returncode == 0 and run.stdout.startswith("id,")
    code = (
        "import sys; sys.modules['pyarrow'] = None\nimport cqlang\n"
        "c = cqlang.Client()\n"
        "try:\n    c.to_arrow('c')\nexcept Exception as e:\n    print(type(e).__name__, e)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env},
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert run.stdout.startswith("MissingExtra Client.to_arrow needs pyarrow")


def test_parquet_is_not_written_to_a_terminal(env: dict[str, str], emulator: Emulator) -> None:
    master, slave = pty.openpty()
    try:
        run = subprocess.run(
            [sys.executable, "-m", "cqlang.cli", "fetch", "--campaign", CAMPAIGN, "--format",
             "parquet"], stdout=slave, stderr=subprocess.PIPE, env={**os.environ, **env},
            timeout=60, text=True,
        )  # fmt: skip
    finally:
        os.close(slave)
        os.close(master)
    assert run.returncode == 2
    assert "binary format, not for a terminal" in run.stderr
    assert emulator.request_count == 0


# ---------------------------------------------------------- progress line


def test_when_there_is_a_progress_line() -> None:
    base = {"stdout_tty": False, "to_stdout": True, "streams": True, "verbose": False}
    assert wanted(stderr_tty=True, **base)
    assert not wanted(stderr_tty=False, **base)  # stderr not a terminal: never
    assert not wanted(stderr_tty=True, **{**base, "verbose": True})
    # Records streaming to the same terminal: none; a table is drawn after.
    assert not wanted(stderr_tty=True, **{**base, "stdout_tty": True})
    assert wanted(stderr_tty=True, **{**base, "stdout_tty": True, "streams": False})
    assert wanted(stderr_tty=True, **{**base, "stdout_tty": True, "to_stdout": False})


def test_the_progress_line_is_redrawn_in_place_and_erased() -> None:
    now = [100.0]
    out = io.StringIO()
    line = Progress(out, clock=lambda: now[0])
    now[0] = 102.0
    line.update(1, 1000)
    assert out.getvalue() == "\r\x1b[2Kfetching: 1,000 records, 1 request, 500 records/s, 2.0 s"
    line.update(2, 2000)  # within 0.1 s: not redrawn
    assert out.getvalue().count("\r") == 1
    now[0] = 104.0
    line.above("cqlang: warning: something")
    assert out.getvalue().endswith(
        "\r\x1b[2Kcqlang: warning: something\n"
        "\r\x1b[2Kfetching: 2,000 records, 2 requests, 500 records/s, 4.0 s"
    )
    line.close()
    assert out.getvalue().endswith("\r\x1b[2K")


def test_a_fetch_to_a_pipe_has_no_progress_line(env: dict[str, str], emulator: Any) -> None:
    result = fetch(env, "--format", "csv", "--page-size", "20")
    assert result.stderr == ""  # CliRunner's stderr is not a terminal


def test_the_progress_line_is_gone_before_the_count_is_printed(
    env: dict[str, str], emulator: Emulator
) -> None:
    """stdout and stderr on one terminal: the count is not written after the
    progress line on its line."""
    master, slave = pty.openpty()
    seen = bytearray()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cqlang.cli", "fetch", "--campaign", CAMPAIGN, "--count",
             "--page-size", "50"], stdout=slave, stderr=slave,
            env={**os.environ, **env, "TERM": "xterm"},
        )  # fmt: skip
        os.close(slave)
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen.extend(chunk)
        assert proc.wait(timeout=60) == 0
    finally:
        os.close(master)
    assert b"counting: " in seen
    assert seen.rsplit(b"\x1b[2K", 1)[1].strip() == b"300"
