"""A file that is not UTF-8 is reported at its first bad byte, as an editor
places it (line and column in characters), with the byte's value: config
files (loading, `queries save`) and the language server's reader share
cqlang.diagnostics.not_utf8. Query text that is not UTF-8 is the parser's
CQL002 at the byte, wherever it was read from: the command line, standard
input (whatever the locale), `-f FILE`, the FILES of `fmt` and `queries
check`, a script piped into the REPL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cqlang.config import Config, ConfigError
from cqlang.diagnostics import not_utf8
from cqlang.lsp import files

BAD = "state = OPEN\nand custom.miasto = 'Łódź ".encode() + b"\xe9t\xe9'\n"


def _where(data: bytes) -> tuple[str, int, int]:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return not_utf8(data, exc)
    raise AssertionError("decoded")


def test_the_line_and_the_column_are_counted_in_characters() -> None:
    # 'Łódź ' is 5 characters and 8 bytes before the bad byte on line 2.
    assert _where(BAD) == ("not UTF-8 text (byte 0xE9)", 2, len("and custom.miasto = 'Łódź ") + 1)
    assert _where(b"\xff") == ("not UTF-8 text (byte 0xFF)", 1, 1)
    assert _where(b"a\n\nb\x80") == ("not UTF-8 text (byte 0x80)", 3, 2)
    # A byte order mark is skipped when the text is read: not a column.
    assert _where(b'\xef\xbb\xbfcampaign = "\xff"\n') == ("not UTF-8 text (byte 0xFF)", 1, 13)


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONPEEK_", "CQLANG_"))}
    env.update(XDG_CONFIG_HOME=str(tmp / "cfg"), HOME=str(tmp))
    return env


def test_a_config_file(tmp_path: Path) -> None:
    p = tmp_path / "cqlang.toml"
    p.write_bytes(b'[connection]\ncampaign = "ab\xffc"\n')
    with pytest.raises(ConfigError) as info:
        Config.load(p)
    assert "cqlang.toml:2:15: not UTF-8 text (byte 0xFF)" in str(info.value)
    r = subprocess.run(
        [sys.executable, "-m", "cqlang", "config"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and "cqlang.toml:2:15: not UTF-8 text (byte 0xFF)" in r.stderr


def _cqlang(
    tmp: Path, *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(
        [sys.executable, "-m", "cqlang", *args],
        cwd=tmp,
        env={**_env(tmp), **(env or {})},
        input=stdin.decode("latin-1"),
        capture_output=True,
        text=True,
        encoding="latin-1",  # what is printed is UTF-8; a byte is a byte
        timeout=60,
    )
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    return r


#: BAD with a byte order mark: not counted as a column.
BOM_BAD = b"\xef\xbb\xbf" + BAD
#: The one diagnostic of BAD's first bad byte, wherever the text came from.
CQL002 = "error[CQL002]: byte 0xE9 is not UTF-8 text"


@pytest.mark.parametrize("command", ["compile", "check", "explain", "fmt", "fetch"])
def test_a_query_file_is_reported_as_standard_input_is(tmp_path: Path, command: str) -> None:
    """`-f FILE` that is not UTF-8 is the CQL002 of the same bytes on
    standard input (it was `cqlang: q.cql:2:27: not UTF-8 text`, exit 2),
    the `-->` line naming the file."""
    (tmp_path / "q.cql").write_bytes(BOM_BAD)
    from_file = _cqlang(tmp_path, command, "-f", "q.cql")
    from_stdin = _cqlang(tmp_path, command, "-f", "-", stdin=BOM_BAD)
    assert from_file.returncode == from_stdin.returncode == 1, from_file.stderr
    assert from_file.stdout == from_stdin.stdout == ""
    assert CQL002 in from_file.stderr and " --> q.cql:2:27\n" in from_file.stderr
    assert from_file.stderr.replace(" --> q.cql:", " --> ") == from_stdin.stderr


def test_check_json_of_a_query_file(tmp_path: Path) -> None:
    """`check --json -f FILE`: the diagnostic as data, as for standard input,
    with the file named (it was a plain line on stderr, exit 2)."""
    import json

    (tmp_path / "q.cql").write_bytes(BOM_BAD)
    from_file = _cqlang(tmp_path, "check", "--json", "-f", "q.cql")
    from_stdin = _cqlang(tmp_path, "check", "--json", "-f", "-", stdin=BOM_BAD)
    assert from_file.returncode == from_stdin.returncode == 1, from_file.stderr
    assert from_file.stderr == from_stdin.stderr == ""
    [found] = json.loads(from_file.stdout)
    assert found == {"file": "q.cql", **json.loads(from_stdin.stdout)[0]}
    assert (found["code"], found["line"], found["column"]) == ("CQL002", 2, 27)
    assert found["message"] == "byte 0xE9 is not UTF-8 text"


def test_the_files_of_fmt_and_queries_check(tmp_path: Path) -> None:
    """The FILES of `fmt --check`/`--write` and `queries check`: a query with
    CQL002 (exit 1, every other file still done), no unreadable file
    (exit 2); `fmt --write` leaves the file as it was."""
    import json

    (tmp_path / "q.cql").write_bytes(BOM_BAD)
    (tmp_path / "c.cql").write_bytes(b"# caf\xe9\nstate = OPEN\n")  # in a comment too
    (tmp_path / "ok.cql").write_bytes(b"state=OPEN\n")
    for mode in ("--check", "--write"):
        r = _cqlang(tmp_path, "fmt", mode, "q.cql", "c.cql", "-", stdin=BAD)
        assert r.returncode == 1, r.stderr
        assert r.stderr.count(CQL002) == 3 and " --> q.cql:2:27\n" in r.stderr
        assert " --> -:2:27\n" in r.stderr and " --> c.cql:1:6\n" in r.stderr
        # Standard input that could not be formatted is counted beside the
        # files in either mode (under --write a stdin that could is not).
        assert "3 files could not be formatted" in r.stderr and "cannot read" not in r.stderr
    assert (tmp_path / "q.cql").read_bytes() == BOM_BAD
    assert (tmp_path / "c.cql").read_bytes() == b"# caf\xe9\nstate = OPEN\n"
    r = _cqlang(tmp_path, "queries", "check", "q.cql", "c.cql", "ok.cql")
    assert r.returncode == 1, r.stderr
    assert r.stderr.count(CQL002) == 2 and " --> q.cql:2:27\n" in r.stderr
    assert "3 queries in 3 files: 2 errors" in r.stdout
    r = _cqlang(tmp_path, "queries", "check", "--json", "q.cql")
    assert r.returncode == 1, r.stderr
    [found] = json.loads(r.stdout)
    assert (found["code"], found["file"], found["file_line"], found["file_column"]) == (
        "CQL002",
        "q.cql",
        2,
        27,
    )


def test_standard_input_whatever_the_locale(tmp_path: Path) -> None:
    """Standard input is read as UTF-8 with the byte kept, whatever Python's
    locale says: under a UTF-8 locale its error handler is strict, and the
    byte ended the run with an internal error (exit 70)."""
    strict = {"PYTHONIOENCODING": "utf-8:strict"}
    for args in (["compile", "-"], ["check", "--json", "-f", "-"], ["explain", "-f", "-"]):
        r = _cqlang(tmp_path, *args, stdin=BOM_BAD, env=strict)
        assert r.returncode == 1, (args, r.stderr)
        assert "CQL002" in r.stdout + r.stderr and "0xE9" in r.stdout + r.stderr, args
    ok = _cqlang(tmp_path, "compile", "-", stdin="\ufeffcustom.m = 'Łódź'".encode(), env=strict)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.encode("latin-1").decode() == (
        '[{"property": "custom_fields", "key": "m", "value": "Łódź"}]\n'
    )


def test_a_script_piped_into_the_repl(tmp_path: Path) -> None:
    """`cqlang repl < script` reads the script as UTF-8 whatever the locale:
    the bad byte is CQL002, and the other statements still run."""
    script = b"state = OPEN\ncustom.x = '\xe9'\nstate = CLOSED\n"
    for env in (None, {"PYTHONIOENCODING": "utf-8:strict"}):
        r = _cqlang(tmp_path, "repl", stdin=script, env=env)
        assert r.returncode == 1, r.stderr
        assert CQL002 in r.stderr and r.stdout.count('"property": "state"') == 2


def test_the_example_in_the_docs(tmp_path: Path) -> None:
    """docs/cli.md's example (a console block that writes a file, so not
    run by test_docs), run as written."""
    import re
    import shlex

    text = (Path(__file__).resolve().parent.parent / "docs" / "cli.md").read_text()
    [block] = re.findall(r"```console norun\n(\$ printf .*?latin1\.cql.*?)```", text, re.S)
    lines = block.splitlines()
    assert lines[0].startswith("$ printf ") and lines[1] == "$ cqlang check -f latin1.cql"
    subprocess.run(lines[0][2:], shell=True, cwd=tmp_path, check=True, timeout=60)
    r = _cqlang(tmp_path, *shlex.split(lines[1][len("$ cqlang ") :]))
    assert r.returncode == 1
    assert r.stderr.encode("latin-1").decode().splitlines() == lines[2:]


def test_the_language_servers_reader(tmp_path: Path) -> None:
    p = tmp_path / "q.cql"
    p.write_bytes(BAD)
    with pytest.raises(files.Unreadable, match=r"q\.cql:2:27: not UTF-8 text \(byte 0xE9\)"):
        files.read_text(p, 1 << 20)
