"""Standard output in an encoding that lacks a character (a non-UTF-8
locale, PYTHONIOENCODING): the character is written as JSON's \\uXXXX
escape, never an internal error (cqlang/term/streams.py)."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cqlang.term.streams import HANDLER, json_escape, never_fail

QUERY = "custom.m = 'Łódź 😀'"
VALUE = "Łódź 😀"


def run(
    args: list[str], encoding: str, stdin: str | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    return subprocess.run(
        args,
        input=None if stdin is None else stdin.encode("utf-8"),
        capture_output=True,
        env=env,
        timeout=60,
    )


CQLANG = [sys.executable, "-c", "from cqlang.launch import main; main()"]
CLICK = [sys.executable, "-m", "cqlang.cli"]


@pytest.mark.parametrize("encoding", ["latin-1", "iso-8859-2", "ascii"])
@pytest.mark.parametrize("front", [CQLANG, CLICK], ids=["launcher", "click"])
def test_compile_writes_valid_json_in_any_encoding(front: list[str], encoding: str) -> None:
    done = run([*front, "compile", QUERY], encoding)
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr and b"internal error" not in done.stderr
    # click writes UTF-8 to a stream it finds misconfigured (ASCII); else the
    # locale's encoding, with what it lacks escaped.
    text = done.stdout.decode("utf-8" if encoding == "ascii" else encoding)
    assert json.loads(text)[0]["value"] == VALUE


@pytest.mark.parametrize(
    "args",
    [["fmt", QUERY + "  # 😀"], ["explain", QUERY], ["check", "--json", QUERY + " and zz = 1"]],
)
def test_other_commands_in_latin1(args: list[str]) -> None:
    done = run([*CQLANG, *args], "latin-1")
    assert done.returncode in (0, 1), done.stderr
    assert b"internal error" not in done.stderr and b"Traceback" not in done.stderr
    assert done.stdout


def test_a_repl_script_in_latin1() -> None:
    done = run([*CQLANG, "repl"], "latin-1", stdin=QUERY + "\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.decode("latin-1"))[0]["value"] == VALUE


@given(st.text())
def test_escaped_text_reads_back_as_json(text: str) -> None:
    """Whatever a JSON string holds, written through the handler in ASCII
    or Latin-1, JSON reads back the same string."""
    codecs.register_error(HANDLER, json_escape)
    dumped = json.dumps(text, ensure_ascii=False)
    for encoding in ("ascii", "latin-1"):
        raw = dumped.encode(encoding, HANDLER)  # lone surrogates too
        assert json.loads(raw.decode(encoding)) == text


def test_a_utf8_stream_is_left_alone() -> None:
    import io

    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    never_fail(stream)
    assert stream.errors == "strict"
    latin = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
    never_fail(latin)
    assert latin.errors == HANDLER
