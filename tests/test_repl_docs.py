"""docs/repl.md says what the REPL does: its transcript is replayed, its
tables of commands and the piped example are checked."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from cqlang.cli import main
from cqlang.repl import COMMANDS, Dispatcher, Session

DOC = Path(__file__).resolve().parent.parent / "docs" / "repl.md"
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```", re.S | re.M)


def blocks(lang: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return [m.group(2) for m in FENCE.finditer(text) if m.group(1).split()[:1] == [lang]]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CQLANG_CONFIG", str(tmp_path / "cqlang.toml"))
    (tmp_path / "cqlang.toml").write_text("")


def exchanges(body: str) -> list[tuple[str, list[str]]]:
    """(input, expected output lines) for each prompt of a transcript."""
    out: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("cqlang> "):
            out.append((line[len("cqlang> ") :], []))
        elif line.startswith("   ...> "):
            text, expected = out[-1]
            out[-1] = (text + "\n" + line[len("   ...> ") :], expected)
        else:
            out[-1][1].append(line)
    return out


def test_the_transcript_replays() -> None:
    (body,) = blocks("cqlang-repl")
    d = Dispatcher(Session())
    steps = exchanges(body)
    assert len(steps) >= 10
    for text, expected in steps:
        reply = d.handle(text)
        assert reply.text.splitlines() == expected, text
    assert reply.quit


def test_every_command_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = re.findall(r"^\| `\\(\w+)", text, re.M)
    assert documented == list(COMMANDS)


def test_the_piped_example() -> None:
    (body,) = blocks("console")
    lines = body.splitlines()
    first = lines[0]
    assert first.startswith("$ printf ") and first.endswith(" | cqlang repl")
    arg = shlex.split(first)[2]
    given = arg.replace("\\\\", "\0").replace("\\n", "\n").replace("\0", "\\")
    expected = lines[1 : lines.index(next(x for x in lines[1:] if x.startswith("$ ")))]
    result = CliRunner().invoke(main, ["repl"], input=given)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == expected
    bad = CliRunner().invoke(main, ["repl"], input="state = OPNE\n")
    assert bad.exit_code == 1 and lines[-1] == "exit status 1"


def _matches(got: list[str], expected: list[str]) -> bool:
    """Whether ``got`` is ``expected``, where a line ``...`` in ``expected``
    stands for any lines (none too), as the docs mark lines left out."""
    if not expected:
        return not got
    if expected[0] == "...":
        return any(_matches(got[i:], expected[1:]) for i in range(len(got) + 1))
    return bool(got) and got[0] == expected[0] and _matches(got[1:], expected[1:])


def test_the_sessions_against_the_emulator_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ```text emulator blocks are what `cqlang repl` prints against the
    built-in emulator (`cqlang emulator`: 1,000 records, seed 1), 100
    columns wide; `...` marks lines the docs leave out."""
    pytest.importorskip("pyarrow")  # one session writes a Parquet file
    from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator

    text = DOC.read_text(encoding="utf-8")
    bodies = [
        m.group(2) for m in FENCE.finditer(text) if m.group(1).split() == ["text", "emulator"]
    ]
    assert len(bodies) == 2
    monkeypatch.setenv("COLUMNS", "100")
    with Emulator(records=1000, seed=1) as emu:
        for body in bodies:
            lines = body.splitlines()
            typed = [line[len("cqlang> ") :] for line in lines if line.startswith("cqlang> ")]
            expected = [line for line in lines if not line.startswith("cqlang> ")]
            env = {"CONPEEK_URL": emu.url, "CONPEEK_KEY": "demo-key"}
            result = CliRunner(env=env).invoke(
                main, ["repl", "--campaign", DEFAULT_CAMPAIGN], input="\n".join(typed) + "\n"
            )
            assert result.exit_code == 0, result.output
            got = result.stdout.splitlines()
            assert _matches(got, expected), "\n".join(got)
