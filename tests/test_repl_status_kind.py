"""The REPL's toolbar colour and its reply to an unknown command are
decided from data (the diagnostic's severity, the registry's look-up),
never by reading the rendered words back."""

from __future__ import annotations

import pytest

from cqlang.repl import Session
from cqlang.repl.app import LiveStatus
from cqlang.repl.commands import COMMANDS
from cqlang.repl.statusline import Status, status


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", "ok"),
        ("state = OPEN", "ok"),
        ("prioirty = 3", "error"),
        ("state = OPEN and state = CLOSED", "warning"),
        ("\\help", "ok"),
        ("\\explian", "warning"),
        ("\\zzz", "warning"),
    ],
)
def test_the_kind_is_the_data(text: str, kind: str) -> None:
    got = status(Session(), text, COMMANDS)
    assert isinstance(got, Status) and got.kind == kind, got
    live = LiveStatus(Session())
    live.compute(text)
    assert live.toolbar() == [(f"class:bottom-toolbar.{kind}", " " + got.line)]


def test_a_warning_diagnostic_is_coloured_by_its_severity() -> None:
    session = Session()
    diags, _ = session.assess("state = OPEN and state = CLOSED")
    got = status(session, "state = OPEN and state = CLOSED", COMMANDS)
    assert diags and got.kind == diags[0].severity


def test_a_status_that_failed_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in the check is shown as one, in the error colour (it was
    coloured ok: its words start with "(no status")."""
    live = LiveStatus(Session())

    def broken(stmt: str) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(live.session, "assess", broken)
    line = live.compute("state = OPEN")
    assert line.startswith("(no status:")
    assert live.toolbar()[0][0] == "class:bottom-toolbar.error"


def test_the_registry_says_whether_a_name_is_close() -> None:
    command, name, close = COMMANDS.lookup("\\explian now")
    assert command is None and name == "explian" and close == "explain"
    command, name, close = COMMANDS.lookup("\\EXPLAIN")
    assert command is not None and command.name == "explain" and close is None
    assert COMMANDS.lookup("\\zzz") == (None, "zzz", None)
    assert COMMANDS.unknown("\\explian") == "unknown command \\explian; did you mean \\explain?"
    assert COMMANDS.unknown("\\zzz") == "unknown command \\zzz (\\help lists the commands)"
