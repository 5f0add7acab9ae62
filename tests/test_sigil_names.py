"""What is wrong right after `@` and `$` (CQL002, and CQL001 for a `-`):
`@ hot`, `@żółw` and `priority = $` all said "unexpected character '@'"
(or '$') while the hint offered "a named query such as @name". The caret
now stands on what is wrong, and the message says it (cqlang/parser/syntax.py;
the command line, the REPL and the language server show these same
diagnostics)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import cqlang
from cqlang.cli import main
from cqlang.diagnostics import Diagnostic

RULE = "a name is ASCII letters, digits and _, not starting with a digit"

CASES = [
    # text, code, message, (start, end), hint, suggestion
    ("@ hot", "CQL002", "a named query's name goes right after @ (no space)", (0, 5),
     "write '@hot'", "@hot"),
    ("state = OPEN and @  hot_leads", "CQL002",
     "a named query's name goes right after @ (no space)", (17, 29), "write '@hot_leads'",
     "@hot_leads"),
    ("priority = $ x", "CQL002", "a parameter's name goes right after $ (no space)", (11, 14),
     "write '$x'", "$x"),
    ("@żółw", "CQL002", "'ż' cannot be in a named query's name", (1, 2), RULE, None),
    ("@hotż", "CQL002", "'ż' cannot be in a named query's name", (4, 5), RULE, None),
    ("priority = $żółw", "CQL002", "'ż' cannot be in a parameter's name", (12, 13), RULE, None),
    ("priority = $pż", "CQL002", "'ż' cannot be in a parameter's name", (13, 14), RULE, None),
    ("@1abc", "CQL002", "a named query's name cannot start with a digit", (1, 2), RULE, None),
    ("priority = $1", "CQL002", "a parameter's name cannot start with a digit", (12, 13), RULE,
     None),
    ("@", "CQL002", "@ without a named query's name", (0, 1),
     "write a named query's name right after @, such as @hot_leads", None),
    ("@ # hot", "CQL002", "@ without a named query's name", (0, 1),
     "write a named query's name right after @, such as @hot_leads", None),
    ("priority = $", "CQL002", "$ without a parameter's name", (11, 12),
     "write a parameter's name right after $, such as $min_priority", None),
    ("@hot-leads", "CQL001", "'-' cannot be in a named query's name", (4, 10),
     f"{RULE}: write '@hot_leads'", "_leads"),
    ("priority = $min-prio-x", "CQL001", "'-' cannot be in a parameter's name", (15, 22),
     f"{RULE}: write '$min_prio_x'", "_prio_x"),
]  # fmt: skip


def only(text: str) -> Diagnostic:
    (d,) = cqlang.check(text)
    return d


@pytest.mark.parametrize(
    ("text", "code", "message", "span", "hint", "suggestion"), CASES, ids=[c[0] for c in CASES]
)
def test_the_mistake_after_a_sigil_is_named(
    text: str, code: str, message: str, span: tuple[int, int], hint: str, suggestion: str | None
) -> None:
    d = only(text)
    assert (d.code, d.message, (d.start, d.end), d.hint, d.suggestion) == (
        code,
        message,
        span,
        hint,
        suggestion,
    )
    if suggestion is not None:  # the fix gives a query that parses
        fixed = text[: d.start] + suggestion + text[d.end :]
        assert all(x.code not in ("CQL001", "CQL002") for x in cqlang.check(fixed))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("priority = @", "unexpected character '@'"),  # no named query goes there
        ("state = OPEN and $", "unexpected character '$'"),
        ("@hot!", "unexpected character '!'"),
        ("priority = $x-7d", "unexpected '-'"),  # not a name with a -
    ],
)
def test_where_no_name_goes_the_plain_message_stays(text: str, shown: str) -> None:
    assert only(text).message == shown


def test_the_command_line_shows_it() -> None:
    result = CliRunner().invoke(main, ["--config", "/dev/null", "check", "@ hot"])
    assert result.exit_code == 1
    assert "error[CQL002]: a named query's name goes right after @ (no space)" in result.output
    assert "^^^^^ write '@hot'" in result.output


names = st.text(alphabet="abzXY_09-żé ", min_size=0, max_size=8)


@given(st.sampled_from("@$"), names, st.sampled_from(["", "priority = ", "state = OPEN and "]))
def test_a_sigil_never_crashes_and_points_inside_the_text(sigil: str, name: str, lead: str) -> None:
    text = lead + sigil + name
    for d in cqlang.check(text):
        assert 0 <= d.start <= d.end <= len(text)
        if d.code == "CQL002" and "name" in d.message:
            assert d.start >= len(lead)


def test_a_saved_name_is_said_to_be_ascii(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`queries save żółw` said "use letters..." although only ASCII ones
    work; the config's own check and the REPL's `\\save` say it too."""
    from cqlang.repl import Dispatcher, Session

    config = tmp_path / "cqlang.toml"
    config.write_text("")
    monkeypatch.setenv("CQLANG_CONFIG", str(config))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    saved = CliRunner().invoke(main, ["queries", "save", "żółw", "state = OPEN"])
    assert saved.exit_code == 2
    assert "'żółw' cannot be a query's name: use ASCII letters, digits and _" in saved.stderr
    d = Dispatcher(Session())
    assert d.handle("state = OPEN").ok
    reply = d.handle("\\save żółw")
    assert not reply.ok and "ASCII letters, digits and _" in reply.text
    config.write_text("[queries]\n\"żółw\" = 'state = OPEN'\n")
    checked = CliRunner().invoke(main, ["queries", "check"])
    assert "a query's name is ASCII letters, digits and _" in checked.output
