"""The REPL's meta commands come from one registry (cqlang/repl/meta.py,
issue 12): the dispatch, \\help, the status line and the completion read
it, so a command is added in one place."""

from __future__ import annotations

import pytest

from cqlang.completion import Candidate
from cqlang.repl import COMMANDS, Dispatcher, Session
from cqlang.repl.completer import repl_completions
from cqlang.repl.meta import QUERY, MetaCommand, Registry, Reply


def help_lines(d: Dispatcher) -> list[str]:
    return [line for line in d.handle("\\help").text.splitlines() if line.startswith("\\")]


def completed(
    text: str, session: Session, commands: Registry[Dispatcher] | None = None
) -> list[str]:
    return [c.text for c in repl_completions(text, len(text), session, commands).items]


def test_every_registered_command_is_in_help_and_completion() -> None:
    d = Dispatcher(Session())
    listed = [line.split()[0] for line in help_lines(d)]
    assert listed == [f"\\{name}" for name in COMMANDS]
    offered = completed("\\", d.session)
    assert sorted(offered) == sorted(f"\\{name}" for name in COMMANDS)
    for name, command in COMMANDS.items():
        assert command.name == name
        # Each alias runs the command it stands for, and describes it.
        for word in (name, *command.aliases):
            assert COMMANDS.find(f"\\{word.upper()} x") == (command, "x")
            assert d.status(f"\\{word}").startswith(f"{command.usage}: {command.help}")


def test_dispatch_uses_the_registry() -> None:
    """A registry of its own: its commands run, \\help and the completion
    list them, its argument completes; the default ones are unknown there."""
    calls: list[tuple[Dispatcher, str]] = []

    def hello(d: Dispatcher, arg: str) -> Reply:
        calls.append((d, arg))
        return Reply(f"hello {arg}".strip())

    def greetings(session: Session, typed: str) -> list[Candidate]:
        return [Candidate("world", "name"), Candidate("there", "name")]

    own: Registry[Dispatcher] = Registry(
        [
            MetaCommand("hello", "[NAME]", "say hello", hello, ("hi",), complete=greetings),
            MetaCommand("check", "QUERY", "a query's plan", Dispatcher.cmd_explain, complete=QUERY),
            MetaCommand("bye", "", "leave", Dispatcher.cmd_quit),
            MetaCommand("help", "", "these", Dispatcher.cmd_help),
        ]
    )
    d = Dispatcher(Session(), commands=own)
    assert d.handle("\\hello world").text == "hello world"
    assert d.handle("\\HI").text == "hello"
    assert [arg for _, arg in calls] == ["world", ""] and calls[0][0] is d
    assert d.handle("\\bye").quit and d.handle("quit").quit is False
    r = d.handle("\\fetch")
    assert not r.ok and r.text == "unknown command \\fetch (\\help lists the commands)"
    assert d.handle("\\check state = OPEN").text.startswith("1 request:")
    assert help_lines(d) == [
        "\\hello [NAME]  say hello",
        "\\check QUERY   a query's plan",
        "\\bye           leave",
        "\\help          these",
    ]
    assert d.status("\\hi") == "\\hello [NAME]: say hello"
    assert d.status("\\hel") == "unknown command \\hel; did you mean \\help?"
    assert set(completed("\\", d.session, own)) == {"\\hello", "\\check", "\\bye", "\\help"}
    assert completed("\\hello wo", d.session, own) == ["world"]
    assert "state" in completed("\\check sta", d.session, own)
    assert completed("\\fetch ", d.session, own) == []


def test_a_name_or_alias_is_registered_once() -> None:
    def nothing(d: object, arg: str) -> Reply:
        return Reply()

    with pytest.raises(ValueError, match="taken"):
        Registry([MetaCommand("a", "", "", nothing), MetaCommand("b", "", "", nothing, ("a",))])
    with pytest.raises(ValueError, match="lower case"):
        Registry([MetaCommand("A", "", "", nothing)])


def test_the_default_arguments_complete_from_the_registry() -> None:
    s = Session()
    s.params["p"] = "3"
    s.queries["hot"] = "priority > 5"
    assert completed("\\tz ", s) == []  # about 600 zones: wait for a letter
    assert "Europe/Warsaw" in completed("\\tz Europe/War", s)
    assert completed("\\param ", s) == ["p="]
    assert completed("\\save ", s) == ["hot"]
    assert completed("\\set ", s) == ["max_branches", "page_size"]
    assert completed("\\set max_branches ", s) == []
    assert completed("\\campaign ", s) == []
    s.campaign = "c1"
    assert completed("\\campaign ", s) == ["c1"]
    assert "state" in completed("\\format sta", s)
    assert completed("\\fetch ", s) == []


@pytest.mark.parametrize(
    ("value", "meta"),
    [
        (1, "1"),
        ("3", '"3"'),
        ({"a": [1, 2]}, '{"a": [1, 2]}'),
        (None, "null"),
        ("x" * 100, '"' + "x" * 38 + "…"),
        ("\x1b[31m", '"\\u001b[31m"'),
    ],
)
def test_a_params_completion_shows_its_value_as_text(value: object, meta: str) -> None:
    """The value went into the menu's meta as it was: a Python int bound in
    Session(params=...) made prompt_toolkit raise on drawing the menu."""
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from cqlang.repl.completer import CqlangCompleter

    s = Session(params={"p": value})
    (c,) = CqlangCompleter(s).get_completions(Document("\\param ", 7), CompleteEvent())
    assert c.text == "p=" and c.display_meta_text == meta
