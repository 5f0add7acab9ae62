"""``fmt`` with a config that is no regular file, named on purpose
(``$CQLANG_CONFIG``): a named pipe cannot be read as a config, so the
command stops (exit 2, naming it) before any FILE is touched, as every
command does with a config named on purpose that it cannot read; a
device (a ``mknod`` null in a temporary folder, like ``/dev/null``) reads
as an empty config, so the FILES are formatted as without one, and
without FILES there is nothing to format (the device is no file to
rewrite: it was reported as one that could not be read). docs/cli.md
says so. The real ``/dev/null`` is never used: a test that makes a device
needs root, and is skipped without it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

UGLY = "state=OPEN\n"
PRETTY = "state = OPEN\n"


def fmt(config: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CQLANG_CONFIG": str(config), "CONPEEK_KEY": "", "CONPEEK_URL": ""}
    return subprocess.run(
        [sys.executable, "-m", "cqlang", "fmt", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,  # bounds a hang (a pipe waited on), measures nothing
        check=False,
    )


@pytest.mark.parametrize("mode", ["--write", "--check"])
def test_a_pipe_as_the_config_stops_fmt_before_any_file(tmp_path: Path, mode: str) -> None:
    pipe = tmp_path / "c.toml"
    os.mkfifo(pipe)
    files = [tmp_path / "a.cql", tmp_path / "b.cql"]
    for f in files:
        f.write_text(UGLY, encoding="utf-8")
    run = fmt(pipe, mode, "a.cql", "b.cql", cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert run.stderr == "cqlang: c.toml: is a pipe, not a config file\n"  # shown relative
    assert run.stdout == ""
    assert all(f.read_text(encoding="utf-8") == UGLY for f in files)
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    nothing = fmt(pipe, mode, cwd=tmp_path)  # without FILES: the same
    assert nothing.returncode == 2 and "is a pipe, not a config file" in nothing.stderr


@pytest.fixture
def null_device(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        pytest.skip("making a device (mknod) needs root")
    node = tmp_path / "null"
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return node


def test_a_device_as_the_config_reads_empty_and_fmt_formats_the_files(
    tmp_path: Path, null_device: Path
) -> None:
    q = tmp_path / "q.cql"
    q.write_text(UGLY, encoding="utf-8")
    check = fmt(null_device, "--check", "q.cql", cwd=tmp_path)
    assert check.returncode == 1 and "+state = OPEN" in check.stdout, check.stderr
    write = fmt(null_device, "--write", "q.cql", cwd=tmp_path)
    assert write.returncode == 0, write.stderr
    assert write.stderr == "reformatted q.cql\n1 file reformatted\n"
    assert q.read_text(encoding="utf-8") == PRETTY
    assert stat.S_ISCHR(null_device.stat().st_mode)


@pytest.mark.parametrize("mode", ["--write", "--check"])
def test_without_files_a_device_config_is_no_file_to_format(
    tmp_path: Path, null_device: Path, mode: str
) -> None:
    """It said `is a character device, not a regular file` and `1 file
    could not be read` (exit 2), for a config that reads as empty."""
    run = fmt(null_device, mode, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stderr == "no files to format\n"
    assert stat.S_ISCHR(null_device.stat().st_mode)
