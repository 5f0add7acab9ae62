"""Lines into inputs (cqlang/repl/lines.py): one loop, `Joiner.inputs`, for
piped input (`run_script`) and a paste of several lines on the terminal."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from cqlang.repl import Dispatcher, Reply, Session, run_script
from cqlang.repl.app import Repl
from cqlang.repl.lines import Joiner

LINES = st.lists(
    st.sampled_from(
        [
            "state = OPEN",
            "priority > 3 and",
            "  and priority < 9",
            "or state = CLOSED",
            "custom.region in (PL,",
            "DE)",
            "",
            "# a note",
            "\\tz Europe/Warsaw",
            "priority >",
        ]
    ),
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(LINES)
def test_an_ended_input_gives_what_a_paste_gives_then_its_unfinished_query(
    lines: list[str],
) -> None:
    """The two ways a reading ends differ in its last query only: piped
    input gives an unfinished one as it is, a paste leaves it to edit."""
    ended = list(Joiner(Session()).inputs(lines))
    paste = Joiner(Session())
    left = list(paste.inputs(lines, then=""))
    unfinished = [("\n".join(paste.pending), False)] if paste.pending else []
    assert ended == left + unfinished


def test_a_line_is_read_only_once_the_inputs_before_it_are_taken() -> None:
    """Lazy: the session a line is read with is the one the inputs before
    it left (they run before the next line is fed)."""
    read: list[str] = []

    def lines() -> Iterator[str]:
        for line in ("state = OPEN", "priority > 3", "\\tz UTC", "state = CLOSED"):
            read.append(line)
            yield line

    inputs = Joiner(Session()).inputs(lines())
    assert next(inputs) == ("state = OPEN", False)
    assert read == ["state = OPEN", "priority > 3"]  # the second tells the first is done
    assert next(inputs) == ("priority > 3", False)
    assert next(inputs) == ("\\tz UTC", True)
    assert read == ["state = OPEN", "priority > 3", "\\tz UTC"]
    assert list(inputs) == [("state = CLOSED", False)]


def test_a_query_held_for_an_and_line_waits_when_what_follows_goes_on() -> None:
    joiner = Joiner(Session())
    assert list(joiner.inputs(["state = OPEN"], then="and priority > 3")) == []
    assert joiner.pending == ["state = OPEN"]
    joiner = Joiner(Session())
    assert list(joiner.inputs(["state = OPEN"], then="priority")) == [("state = OPEN", False)]


class _Recording(Dispatcher):
    def __init__(self) -> None:
        super().__init__(Session())
        self.seen: list[str] = []

    def handle(self, line: str) -> Reply:
        self.seen.append(line)
        return super().handle(line)


SCRIPTS = [
    "state = OPEN\npriority > 3 and\n  contact_try < 2\n\\tz Europe/Warsaw\n",
    "state = CLOSED\n# closed ones\n  and priority >= 60\n\n\\format\n",
    "state = OPEN and\n\\tz UTC\ncustom.region in (PL,\n\nDE)\n",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_paste_runs_the_inputs_piped_input_runs(script: str) -> None:
    piped = _Recording()
    run_script(io.StringIO(script), piped, io.StringIO(), io.StringIO())

    pasted = _Recording()
    with create_pipe_input() as inp:
        r = Repl(
            pasted,
            input=inp,
            output=DummyOutput(),
            stdout=io.StringIO(),
            history=InMemoryHistory(),
            debounce=0,
        )
        result: list[int] = []
        loop = threading.Thread(target=lambda: result.append(r.run()), daemon=True)
        loop.start()
        inp.send_text("\x1b[200~" + script + "\x1b[201~")
        inp.send_text("\x04")
        loop.join(10)
        assert not loop.is_alive(), "the REPL did not finish"
    assert pasted.seen == piped.seen
