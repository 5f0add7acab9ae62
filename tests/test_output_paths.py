"""What an output path is, decided by what is there and not by its name:
`cqlang fetch -o PATH` and the REPL's `\\o PATH` share
cqlang.output.target.output_kind. A path under /proc/ was taken for a pipe
by its name alone: `\\o /proc/nope/x.csv` chose jsonl, and `fetch -o
/proc/nope/x.csv` failed only after fetching (exit 74); it is a new file in
a folder that does not exist, refused before any request as any such."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cqlang.cli import main
from cqlang.emulator import DEFAULT_API_KEY, DEFAULT_CAMPAIGN, Emulator
from cqlang.errors import OutputSettingError
from cqlang.output.target import (
    CLOSED,
    DIRECT,
    FILE,
    FOLDER,
    STREAM,
    check_output,
    choose_format,
    output_kind,
)
from cqlang.repl import Dispatcher, Session

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")


def _closed_fd() -> int:
    """A descriptor number that is not open in this process."""
    fd = os.open(os.devnull, os.O_RDONLY)
    os.close(fd)
    return fd


def test_what_a_path_is(tmp_path: Path) -> None:
    (tmp_path / "old.csv").write_text("x\n")
    os.mkfifo(tmp_path / "pipe.csv")
    assert output_kind("-") == output_kind("/dev/stdout") == STREAM
    assert output_kind("/proc/self/fd/2") == STREAM
    assert output_kind(str(tmp_path / "old.csv")) == output_kind(str(tmp_path / "new.csv")) == FILE
    assert output_kind("/proc/nope/x.csv") == FILE  # a new file: its folder is then checked
    assert output_kind(str(tmp_path / "pipe.csv")) == output_kind("/dev/null") == DIRECT
    assert output_kind(str(tmp_path)) == output_kind("/proc") == FOLDER
    with open(tmp_path / "old.csv", "a") as held:  # an open descriptor, even of a file
        for path in (f"/dev/fd/{held.fileno()}", f"/proc/{os.getpid()}/fd/{held.fileno()}"):
            assert output_kind(path) == DIRECT, path
    assert output_kind(f"/dev/fd/{_closed_fd()}") == output_kind("/proc/self/fd/999999") == CLOSED


def test_the_format_is_the_extensions_unless_it_is_a_pipe_or_a_device(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.csv")
    assert choose_format(None, "/proc/nope/x.csv", False) == "csv"  # it was jsonl
    assert choose_format(None, str(tmp_path / "x.parquet"), False) == "parquet"
    assert choose_format(None, str(tmp_path / "pipe.csv"), False) == "jsonl"
    assert choose_format(None, "/dev/null", True) == choose_format(None, "/dev/stdout", True)
    assert choose_format(None, "/dev/stdout", True) == "jsonl"
    with pytest.raises(OutputSettingError, match="cannot tell the format"):
        choose_format(None, "/proc/nope/x.txt", False)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/proc/nope/x.csv", "--output /proc/nope/x.csv: no such folder /proc/nope"),
        ("/proc/self/x.csv", "cannot write in /proc/"),
        ("/proc/self/fd/999999", "--output /proc/self/fd/999999: no such open file descriptor"),
        ("/proc", "--output /proc: a folder; name a file"),
    ],
)
def test_what_is_refused_before_any_request(path: str, message: str) -> None:
    with pytest.raises(OutputSettingError) as info:
        check_output(path)
    assert message in str(info.value)


def _env(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    return {
        "CONPEEK_URL": emulator.url,
        "CONPEEK_KEY": DEFAULT_API_KEY,
        "CQLANG_CONFIG": str(tmp_path / "none.toml"),
    }


def _fetch(emulator: Emulator, tmp_path: Path, *args: str) -> Result:
    return CliRunner().invoke(
        main,
        ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--limit", "3", *args],
        env=_env(emulator, tmp_path),
    )


@pytest.mark.parametrize(
    "path", ["/proc/nope/x.csv", "/proc/self/new.jsonl", "/dev/fd/999999", "/proc/self/fd/999999"]
)
def test_fetch_refuses_them_before_fetching(emulator: Emulator, tmp_path: Path, path: str) -> None:
    result = _fetch(emulator, tmp_path, "-o", path)
    assert result.exit_code == 2, result.output  # it was 74, after every request
    assert result.stderr.startswith(f"cqlang: --output {path}: ")
    assert emulator.request_count == 0


def test_fetch_to_a_descriptor_writes_to_it(emulator: Emulator, tmp_path: Path) -> None:
    """`-o /dev/fd/3` with `3>FILE` (a shell's `>(cmd)` is such a path too)
    is written to as it is, in the format of a stream, never replaced."""
    out = tmp_path / "fd3.out"
    with open(out, "w") as three:
        args = ["--campaign", DEFAULT_CAMPAIGN, "--limit", "3", "-o", f"/dev/fd/{three.fileno()}"]
        proc = subprocess.run(
            [sys.executable, "-m", "cqlang.cli", "fetch", *args],
            env={**os.environ, **_env(emulator, tmp_path)},
            pass_fds=(three.fileno(),),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 0, proc.stderr
    assert len(out.read_text().splitlines()) == 3 and out.read_text().startswith('{"id"')
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.fixture
def d(emulator: Emulator) -> Dispatcher:
    session = Session(campaign=DEFAULT_CAMPAIGN, base_url=emulator.url, api_key=DEFAULT_API_KEY)
    dispatcher = Dispatcher(session, width=120)
    assert dispatcher.handle("state = OPEN").ok
    return dispatcher


def test_the_repl_refuses_them_when_o_is_given(d: Dispatcher, emulator: Emulator) -> None:
    for path, message in [
        ("/proc/nope/x.csv", "\\o /proc/nope/x.csv: no such folder /proc/nope"),
        ("/dev/fd/999999", "\\o /dev/fd/999999: no such open file descriptor"),
        ("/proc", "\\o /proc: a folder; name a file"),
    ]:
        reply = d.handle(f"\\o {path}")
        assert (reply.ok, reply.text) == (False, message)
    assert d.session.output is None and emulator.request_count == 0
    reply = d.handle("\\o /dev/null")
    assert reply.ok and "(jsonl)" in reply.text
    reply = d.handle("\\fetch 2")
    assert reply.ok
    more = "more match (\\fetch alone writes every one)"
    assert reply.text == f"wrote 2 records to /dev/null (jsonl); {more}"


def test_the_repl_checks_again_before_fetching(
    d: Dispatcher, emulator: Emulator, tmp_path: Path
) -> None:
    """The folder removed after `\\o`: `\\fetch` says so before a request
    (it fetched every record, then failed to write them)."""
    folder = tmp_path / "gone"
    folder.mkdir()
    assert d.handle(f"\\o {folder / 'open.csv'}").ok
    folder.rmdir()
    reply = d.handle("\\fetch all")
    assert not reply.ok
    assert reply.text == f"\\o {folder / 'open.csv'}: no such folder {folder}"
    assert emulator.request_count == 0


# ------------------------------------------- a trailing separator, an empty name


def test_a_path_ending_in_the_separator_names_a_folder(tmp_path: Path) -> None:
    """`-o new/` made a file called `new`, and `-o x.csv/` replaced x.csv."""
    (tmp_path / "x.csv").write_text("keep\n")
    for name in ("new/", "x.csv/", "x.csv//"):
        assert output_kind(f"{tmp_path}/{name}") == FOLDER, name
        with pytest.raises(OutputSettingError, match="a folder; name a file"):
            check_output(f"{tmp_path}/{name}")


@pytest.mark.parametrize("name", ["new/", "x.csv/"])
def test_fetch_refuses_a_path_ending_in_the_separator(
    emulator: Emulator, tmp_path: Path, name: str
) -> None:
    (tmp_path / "x.csv").write_text("keep\n")
    path = f"{tmp_path}/{name}"
    result = _fetch(emulator, tmp_path, "--format", "jsonl", "-o", path)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"cqlang: --output {path}: a folder; name a file\n"
    assert emulator.request_count == 0
    assert (tmp_path / "x.csv").read_text() == "keep\n" and not (tmp_path / "new").exists()


def test_the_repl_refuses_a_path_ending_in_the_separator(
    d: Dispatcher, emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "x.csv").write_text("keep\n")
    for name in ("new/", "x.csv/"):
        reply = d.handle(f"\\o {tmp_path}/{name}")
        assert (reply.ok, reply.text) == (False, f"\\o {tmp_path}/{name}: a folder; name a file")
    assert d.session.output is None and emulator.request_count == 0
    assert (tmp_path / "x.csv").read_text() == "keep\n" and not (tmp_path / "new").exists()


@pytest.mark.parametrize("dry", [False, True])
def test_fetch_refuses_an_empty_output_name(emulator: Emulator, tmp_path: Path, dry: bool) -> None:
    """`-o ""` wrote to stdout, then said "wrote 1 record to  in 1 request"."""
    args = ["--dry-run"] if dry else []
    result = _fetch(emulator, tmp_path, *args, "-o", "")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith('cqlang: --output "": an empty file name; ')
    assert emulator.request_count == 0


def test_the_repl_refuses_an_empty_name_but_o_alone_is_the_screen(
    d: Dispatcher, emulator: Emulator, tmp_path: Path
) -> None:
    assert d.handle(f"\\o {tmp_path / 'x.jsonl'}").ok
    for typed in ('\\o ""', "\\o ''"):
        reply = d.handle(typed)
        assert not reply.ok and reply.text.startswith('\\o "": an empty file name; ')
        assert d.session.output == str(tmp_path / "x.jsonl")  # unchanged
    reply = d.handle("\\o")
    assert reply.ok and d.session.output is None
    assert emulator.request_count == 0
