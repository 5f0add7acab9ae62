"""Standard error that cannot be written (``2>`` a full disk: a ``/dev/full``
made with mknod in a temporary folder; a pipe whose reader is gone) does
not change how a run ends: a fetch whose records were written exits 0
(it exited 1, the status of an invalid query: "wrote N records" raised,
and so did the report of that). Messages that cannot be shown are
dropped; the status says what happened (docs/cli.md, "Exit status")."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from cqlang.emulator import DEFAULT_API_KEY, DEFAULT_CAMPAIGN, Emulator
from cqlang.status import ExitStatus, fail


def full_device(folder: Path) -> Path:
    """A character device 1,7 (what /dev/full is: every write fails with
    ENOSPC) in ``folder``; only as root, where mknod is allowed."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mknod of a character device needs root")
    node = folder / "full"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    except OSError as exc:
        pytest.skip(f"mknod is not allowed here: {exc.strerror}")
    return node


@pytest.fixture
def env(tmp_path: Path, emulator: Emulator) -> dict[str, str]:
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    return {
        **os.environ,
        "CONPEEK_URL": emulator.url,
        "CONPEEK_KEY": DEFAULT_API_KEY,
        "CQLANG_CONFIG": str(tmp_path / "none.toml"),
    }


def cqlang(args: list[str], env: dict[str, str], stderr: Any, stdout: Any = None) -> int:
    return subprocess.run(
        [sys.executable, "-m", "cqlang", *args],
        env=env,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=stderr,
        timeout=120,
        check=False,
    ).returncode


@pytest.fixture
def full(tmp_path: Path) -> Iterator[IO[bytes]]:
    with full_device(tmp_path).open("wb") as stream:
        yield stream


def fetch_to(out: Path) -> list[str]:
    return ["fetch", "--campaign", DEFAULT_CAMPAIGN, "-o", str(out), "state = OPEN"]


def test_a_fetch_that_wrote_its_file_exits_0(
    full: IO[bytes], env: dict[str, str], tmp_path: Path, emulator: Emulator
) -> None:
    out = tmp_path / "open.jsonl"
    assert cqlang(fetch_to(out), env, full) == ExitStatus.OK
    want = [r["id"] for r in emulator.records() if r["state"] == "OPEN"]
    assert [json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()] == want
    # Every request logged (--verbose) is dropped too.
    assert cqlang([*fetch_to(out), "--verbose"], env, full) == ExitStatus.OK


def test_a_failure_keeps_its_own_status(
    full: IO[bytes], env: dict[str, str], tmp_path: Path
) -> None:
    unreachable = {**env, "CONPEEK_URL": "http://127.0.0.1:1"}
    out = tmp_path / "x.jsonl"
    assert cqlang(fetch_to(out), unreachable, full) == ExitStatus.API
    assert not out.exists()
    assert cqlang(["compile", "state = "], env, full) == ExitStatus.INVALID  # the fast path
    assert cqlang(["compile", "--tz", "No/Where", "state = OPEN"], env, full) == ExitStatus.USAGE


def test_stdout_that_cannot_be_written_is_still_74(
    full: IO[bytes], env: dict[str, str], tmp_path: Path
) -> None:
    with (tmp_path / "full").open("wb") as out:
        code = cqlang(["fetch", "--campaign", DEFAULT_CAMPAIGN, "state = OPEN"], env, full, out)
    assert code == ExitStatus.IO


def test_a_closed_pipe_on_stderr_changes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    """No root needed: stderr a pipe whose reader went away (EPIPE)."""
    read, write = os.pipe()
    os.close(read)
    try:
        out = tmp_path / "open.jsonl"
        assert cqlang(fetch_to(out), env, write) == ExitStatus.OK
        assert out.read_text("utf-8").count("\n") > 0
    finally:
        os.close(write)


class Unwritable:
    """A stream whose every write fails, as a full disk's."""

    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")

    def flush(self) -> None:
        raise OSError(28, "No space left on device")


def test_fail_ends_with_its_status_when_stderr_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", Unwritable())
    with pytest.raises(SystemExit) as ended:
        fail("cannot connect", ExitStatus.API)
    assert ended.value.code == ExitStatus.API
