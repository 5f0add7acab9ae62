"""REPL sessions on prompt_toolkit's pipe input and dummy output."""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput

from cqlang.repl import Dispatcher, Session
from cqlang.repl.app import LiveStatus, Repl, file_history, history_path
from cqlang.repl.completer import CqlangCompleter, repl_completions
from cqlang.repl.meta import Reply
from cqlang.schema import DEFAULT_SCHEMA

ENTER = "\r"
TAB = "\t"
CTRL_D = "\x04"
CTRL_C = "\x03"


@contextmanager
def repl(
    session: Session | None = None, **kw: object
) -> Iterator[tuple[Repl, PipeInput, io.StringIO]]:
    out = io.StringIO()
    kw.setdefault("debounce", 0)
    with create_pipe_input() as inp:
        r = Repl(
            Dispatcher(session or Session()),
            input=inp,
            output=DummyOutput(),
            stdout=out,
            history=InMemoryHistory(),
            **kw,  # type: ignore[arg-type]
        )
        yield r, inp, out


def run_with(r: Repl, feed: Callable[[], None], timeout: float = 10) -> int:
    """Run the loop while ``feed`` types in another thread; bounded."""
    result: list[int] = []
    loop = threading.Thread(target=lambda: result.append(r.run()), daemon=True)
    loop.start()
    feed()
    loop.join(timeout)
    assert not loop.is_alive(), "the REPL did not finish"
    return result[0]


def test_query_meta_command_and_quit() -> None:
    with repl() as (r, inp, out):
        inp.send_text("state = OPEN" + ENTER)
        inp.send_text("\\format" + ENTER)
        inp.send_text("\\quit" + ENTER)
        assert r.run() == 0
    assert out.getvalue().splitlines() == [
        '[{"property": "state", "value": ["OPEN"]}]',
        "state = OPEN",
    ]


def test_enter_after_and_continues_the_query() -> None:
    with repl() as (r, inp, out):
        inp.send_text("state = OPEN and" + ENTER)
        inp.send_text("(priority > 3" + ENTER)
        inp.send_text(" or contact_try < 2)" + ENTER)
        inp.send_text(CTRL_D)
        assert r.run() == 0
    text = out.getvalue()
    assert text.startswith("2 requests, records merged by id:"), text
    assert r.session.last_query == "state = OPEN and\n(priority > 3\n or contact_try < 2)"


def test_an_invalid_query_is_submitted_with_carets() -> None:
    with repl() as (r, inp, out):
        inp.send_text("state = OPEN and prioirty >= 3" + ENTER)
        inp.send_text("state = OPEN" + ENTER)
        inp.send_text(CTRL_D)
        r.run()
    lines = out.getvalue().splitlines()
    assert lines[0] == "error[CQL101]: unknown property 'prioirty'"
    assert lines[4] == "  |                  ^^^^^^^^ did you mean 'priority'?"
    assert lines[5] == '[{"property": "state", "value": ["OPEN"]}]'


def test_escape_enter_submits_an_unfinished_query() -> None:
    with repl() as (r, inp, out):
        inp.send_text("state = OPEN and")
        inp.send_text("\x1b" + ENTER)
        inp.send_text(CTRL_D)
        r.run()
    assert "error[CQL004]: the query ends too early" in out.getvalue()


def test_ctrl_c_clears_the_line() -> None:
    with repl() as (r, inp, out):
        inp.send_text("prioirty" + CTRL_C)
        inp.send_text("\\quit" + ENTER)
        assert r.run() == 0
    assert out.getvalue() == ""


def wait_for(ready: Callable[[], bool], what: str, timeout: float = 10) -> None:
    """Poll ``ready`` (a state of the REPL, read from the typing thread)
    until it holds; bounded, and a failure names what never became true."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.01)


def buffer_is(r: Repl, text: str) -> Callable[[], bool]:
    return lambda: r.prompt.default_buffer.text == text


def offered_first(r: Repl, text: str) -> Callable[[], bool]:
    """The completions made while typing are in, ``text`` the first: a Tab
    pressed before they are selects nothing (prompt_toolkit inserts the
    candidates' common part instead), which a loaded machine made happen."""

    def ready() -> bool:
        state = r.prompt.default_buffer.complete_state
        return state is not None and bool(state.completions) and state.completions[0].text == text

    return ready


def test_tab_completes_from_the_grammar_and_schema() -> None:
    with repl() as (r, inp, out):

        def feed() -> None:
            # Each key waits for the state the one before it leads to, not
            # for a time (it failed under load when it slept 0.3 s instead).
            inp.send_text("sta")
            wait_for(buffer_is(r, "sta"), "'sta' typed")
            wait_for(offered_first(r, "state"), "'state' offered")
            inp.send_text(TAB)  # first candidate: state
            wait_for(buffer_is(r, "state"), "'state' completed")
            inp.send_text(" in (OP")
            wait_for(buffer_is(r, "state in (OP"), "' in (OP' typed")
            wait_for(offered_first(r, "OPEN"), "'OPEN' offered")
            inp.send_text(TAB)  # OPEN
            wait_for(buffer_is(r, "state in (OPEN"), "'OPEN' completed")
            inp.send_text(")" + ENTER)
            inp.send_text("\\quit" + ENTER)

        assert run_with(r, feed) == 0
    assert out.getvalue().splitlines() == ['[{"property": "state", "value": ["OPEN"]}]']


def test_history_and_vi_mode() -> None:
    from prompt_toolkit.key_binding.vi_state import InputMode

    with repl(vi=True) as (r, inp, out):

        def feed() -> None:
            inp.send_text("priority > 1" + ENTER)
            wait_for(lambda: out.getvalue().count("\n") == 1, "the first query answered")
            wait_for(buffer_is(r, ""), "a new prompt")
            inp.send_text("\x1b")  # vi: Escape to navigation mode,
            wait_for(
                lambda: r.prompt.app.vi_state.input_mode == InputMode.NAVIGATION,
                "navigation mode",
            )
            inp.send_text("k")  # k recalls the previous line
            wait_for(buffer_is(r, "priority > 1"), "the previous line recalled")
            inp.send_text(ENTER + "\\quit" + ENTER)

        run_with(r, feed)
    assert (
        out.getvalue().splitlines()
        == ['[{"property": "priority", "operator": "gt", "value": 1}]'] * 2
    )
    assert list(r.prompt.history.load_history_strings())[:2] == ["\\quit", "priority > 1"]


def test_live_status_follows_the_text_as_typed() -> None:
    seen: list[str] = []
    with repl() as (r, inp, _out):

        def feed() -> None:
            inp.send_text("state = OPEN and prioirty")
            deadline = time.monotonic() + 5
            while "prioirty" not in r.live.computed_for and time.monotonic() < deadline:
                time.sleep(0.02)
            seen.append(r.live.line)
            inp.send_text(" >= 3")
            deadline = time.monotonic() + 5
            while r.live.computed_for != "state = OPEN and prioirty >= 3":
                if time.monotonic() > deadline:
                    break
                time.sleep(0.02)
            seen.append(r.live.line)
            seen.append(str(r.live.toolbar()))
            inp.send_text(CTRL_C + "\\quit" + ENTER)

        run_with(r, feed)
    assert seen[0].startswith("error[CQL")
    assert seen[1] == "error[CQL101] 1:18: unknown property 'prioirty' (did you mean 'priority'?)"
    assert "bottom-toolbar.error" in seen[2]


def test_live_status_is_debounced() -> None:
    status = LiveStatus(Session(), delay=0.05)
    assert status.line == "type a query, or \\help"
    assert status.compute("state = OPEN or priority > 1") == "ok: 2 requests"
    assert status.toolbar() == [("class:bottom-toolbar.ok", " ok: 2 requests")]
    with repl(debounce=0.2) as (r, inp, _out):
        # What a debounced check promises, whatever the machine's speed: it
        # runs only on the text as it still is (a check of a text that has
        # changed since is never made), at most once per change, and the
        # last text is checked in the end. (It asserted timings before.)
        computed: list[tuple[str, str]] = []
        compute = r.live.compute

        def spy(text: str) -> str:
            computed.append((text, r.prompt.default_buffer.text))
            return compute(text)

        r.live.compute = spy  # type: ignore[method-assign]

        def feed() -> None:
            for ch in "state = OPEN":
                inp.send_text(ch)
            wait_for(lambda: r.live.computed_for == "state = OPEN", "the last text checked")
            inp.send_text(CTRL_C + "\\quit" + ENTER)

        run_with(r, feed)
    checks = [(text, now) for text, now in computed if text]  # "" is the reset of a prompt
    assert checks and checks[-1][0] == "state = OPEN"
    assert all(text == now for text, now in checks), checks
    assert len(checks) <= len("state = OPEN")


def test_completer_for_meta_commands_and_statements() -> None:
    s = Session(params={"p": "1"}, queries={"hot": "priority > 5"})

    def texts(text: str, cursor: int | None = None) -> list[str]:
        found = repl_completions(text, len(text) if cursor is None else cursor, s)
        return [c.text for c in found.items]

    assert texts("\\fe") == ["\\fetch"]
    assert texts("\\")[:3] == ["\\help", "\\compile", "\\explain"]
    assert texts("\\tz europe/wars") == ["Europe/Warsaw"]
    assert texts("\\tz ") == []
    assert texts("\\param ") == ["p="]
    assert texts("\\save ") == ["hot"]
    assert texts("\\explain state ")[:2] == ["=", "!="]
    assert texts("state = OPEN; sta")[0] == "state"
    assert texts("state = OPEN; @") == ["@hot"]
    assert texts("state = OPEN; priority = $") == ["$p"]
    completer = CqlangCompleter(s)
    doc = Document("state in (OP", 12)
    got = list(completer.get_completions(doc, CompleteEvent()))
    assert [(c.text, c.start_position) for c in got] == [("OPEN", -2)]
    assert got[0].display_meta_text == "value"


def test_completer_inserts_a_value_as_the_language_needs_it_and_shows_it_as_declared() -> None:
    schema = DEFAULT_SCHEMA.with_custom_fields(
        {"flag": {"type": "enum", "values": ["Lower Silesia", "null", "web"]}}
    )
    completer = CqlangCompleter(Session(schema=schema))
    doc = Document("custom.flag = ", 14)
    got = [(c.text, c.display_text) for c in completer.get_completions(doc, CompleteEvent())]
    assert got == [('"Lower Silesia"', "Lower Silesia"), ('"null"', "null"), ("web", "web")]


def _paste(text: str) -> str:
    """``text`` as a terminal sends a bracketed paste of it."""
    return "\x1b[200~" + text + "\x1b[201~"


def test_a_paste_of_several_lines_runs_each_input_as_piped_input_would() -> None:
    with repl() as (r, inp, out):
        inp.send_text(
            _paste("state = OPEN\npriority > 3 and\n  contact_try < 2\n\\tz Europe/Warsaw\n")
        )
        inp.send_text(ENTER)
        inp.send_text(CTRL_D)
        assert r.run() == 0
    assert out.getvalue().splitlines() == [
        '[{"property": "state", "value": ["OPEN"]}]',
        "cqlang> priority > 3 and",
        "   ...>   contact_try < 2",
        '[{"property": "priority", "operator": "gt", "value": 3}, '
        '{"property": "contact_try", "operator": "lt", "value": 2}]',
        "cqlang> \\tz Europe/Warsaw",
        "time zone: Europe/Warsaw",
    ]
    assert r.session.tz == "Europe/Warsaw"
    assert r.prompt.history.get_strings() == [
        "state = OPEN",
        "priority > 3 and\n  contact_try < 2",
        "\\tz Europe/Warsaw",
    ]


def test_a_paste_leaves_its_unfinished_end_in_the_buffer_and_keys_typed_after_it_wait() -> None:
    with repl() as (r, inp, out):
        inp.send_text("state = OP" + _paste("EN\npriority >= 3 and\ncontact_try <") + " 2" + ENTER)
        inp.send_text(_paste("state = CLOSED") + ENTER)  # one line: inserted as typed
        inp.send_text(CTRL_D)
        assert r.run() == 0
    assert out.getvalue().splitlines() == [
        '[{"property": "state", "value": ["OPEN"]}]',
        '[{"property": "priority", "operator": "gte", "value": 3}, '
        '{"property": "contact_try", "operator": "lt", "value": 2}]',
        '[{"property": "state", "value": ["CLOSED"]}]',
    ]


def test_a_pasted_quit_leaves_and_runs_nothing_after_it() -> None:
    with repl() as (r, inp, out):
        inp.send_text(_paste("state = OPEN\n\\quit\nstate = CLOSED\n"))
        assert r.run() == 0
    assert "CLOSED" not in out.getvalue()
    assert out.getvalue().splitlines()[-1] == "cqlang> \\quit"


class _CtrlCOn(Dispatcher):
    """Ctrl-C pressed while the input ``\\slow`` runs (as during a fetch):
    the dispatcher's own handling of KeyboardInterrupt, with no terminal."""

    def _handle(self, line: str) -> Reply:
        if line.strip() == "\\slow":
            raise KeyboardInterrupt
        return super()._handle(line)


def test_ctrl_c_during_a_pasted_input_stops_the_rest_of_the_paste() -> None:
    out = io.StringIO()
    with create_pipe_input() as inp:
        r = Repl(
            _CtrlCOn(Session()),
            input=inp,
            output=DummyOutput(),
            stdout=out,
            history=InMemoryHistory(),
            debounce=0,
        )
        inp.send_text(_paste("state = OPEN\n\\slow\nstate = CLOSED\n\\tz Asia/Tokyo\nprior"))
        # What the paste left to edit ("prior") is dropped with the rest:
        # a line typed after it starts afresh.
        inp.send_text("priority > 1" + ENTER)
        inp.send_text(CTRL_D)
        assert r.run() == 0
    assert out.getvalue().splitlines() == [
        '[{"property": "state", "value": ["OPEN"]}]',
        "cqlang> \\slow",
        "interrupted",
        "paste stopped: 2 more inputs of it not run",
        '[{"property": "priority", "operator": "gt", "value": 1}]',
    ]
    assert r.session.tz != "Asia/Tokyo"


def test_history_path_is_in_the_user_state_dir(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert history_path() == __import__("pathlib").Path(str(tmp_path)) / "cqlang" / "history"


def test_history_file_is_private_as_psqls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The history holds the values of past queries: created 0600 in a
    folder created 0700 (whatever the umask), and kept so."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    old = os.umask(0)
    try:
        history = file_history()
        path = history_path()
        assert path.stat().st_mode & 0o777 == 0o600
        assert path.parent.stat().st_mode & 0o777 == 0o700
        history.store_string('custom.phone = "+48 600 100 200"')
        assert path.stat().st_mode & 0o777 == 0o600
        path.unlink()  # removed while the REPL runs: made again, still private
        history.store_string("state = OPEN")
        assert path.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)
    assert list(file_history().load_history_strings()) == ["state = OPEN"]


def test_an_existing_history_that_others_can_read_is_made_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Earlier versions made it 0644 in a 0755 folder: that is fixed when the
    REPL starts (docs/repl.md)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = history_path()
    path.parent.mkdir(parents=True)
    path.parent.chmod(0o755)
    path.write_text("\n# 2026-01-01\n+priority > 1\n")
    path.chmod(0o644)
    history = file_history()
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert list(history.load_history_strings()) == ["priority > 1"]


PASTED = "state = CLOSED\n# closed ones, see ticket 12\n  and priority >= 60"


def test_a_pasted_comment_line_is_a_note_and_an_and_line_goes_on_with_the_query() -> None:
    """A review: a pasted `# note` line ran as an empty query, so the
    current query became every record (`\\count` counted the campaign), and
    a query pasted with `and` first on its second line was cut in two (the
    first half current, the condition an error)."""
    with repl() as (r, inp, out):
        inp.send_text(_paste(PASTED + "\n"))
        inp.send_text(ENTER)
        inp.send_text(CTRL_D)
        assert r.run() == 0
    assert out.getvalue().splitlines() == [
        '[{"property": "state", "value": ["CLOSED"]}, '
        '{"property": "priority", "operator": "gte", "value": 60}]',
    ]
    assert r.session.last_query == PASTED


def test_a_paste_ending_in_a_finished_query_runs_it_unless_its_rest_goes_on() -> None:
    with repl() as (r, inp, out):
        inp.send_text(_paste("state = CLOSED\nand priority >= 60") + ENTER)
        inp.send_text(CTRL_D)
        assert r.run() == 0
    assert out.getvalue().splitlines() == [
        '[{"property": "state", "value": ["CLOSED"]}, '
        '{"property": "priority", "operator": "gte", "value": 60}]',
    ]
