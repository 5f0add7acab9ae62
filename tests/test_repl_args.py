"""A meta command's arguments read as a shell reads them
(cqlang/repl/args.py), and ``\\o``'s errors worded for the REPL."""

from __future__ import annotations

from pathlib import Path


def test_repl_o_words_its_errors_for_the_repl(tmp_path: Path) -> None:
    from cqlang.repl import Dispatcher, Session

    d = Dispatcher(Session(campaign="c"), width=100)
    bad = d.handle(f"\\o {tmp_path / 'out.txt'}")
    assert not bad.ok and bad.text.startswith("\\o ") and "cannot tell the format" in bad.text
    assert "--format" not in bad.text and "--output" not in bad.text
    gone = d.handle(f"\\o {tmp_path / 'no' / 'x.csv'}")
    assert not gone.ok and gone.text.startswith("\\o ") and "--output" not in gone.text


def test_repl_arguments_are_unquoted_as_a_shell_does(tmp_path: Path) -> None:
    from cqlang.repl import Dispatcher, Session

    session = Session(campaign="c")
    d = Dispatcher(session, width=100)
    target = tmp_path / "my file.csv"
    reply = d.handle(f'\\o "{target}"')
    assert reply.ok, reply.text
    assert session.output == str(target)
    assert d.handle(f"\\o '{tmp_path}/it''s.csv'").ok and session.output == f"{tmp_path}/its.csv"
    spaced = d.handle(f"\\o {tmp_path}/two words.csv")  # two words: which file is meant?
    assert not spaced.ok and "quote" in spaced.text
    assert not d.handle('\\o "unclosed').ok
    assert d.handle('\\campaign "abc"').ok and session.campaign == "abc"
    assert d.handle("\\tz 'Europe/Warsaw'").ok and session.tz == "Europe/Warsaw"
