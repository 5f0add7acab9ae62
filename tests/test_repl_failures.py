"""The REPL says a failure as the command line does (cqlang.status): what
input and the world do as data, a bug as an internal error (its traceback
only with CQLANG_DEBUG=1); the session goes on either way. The broad
``except Exception`` left elsewhere are narrowed to what they expect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cqlang.cli import main
from cqlang.errors import SettingError
from cqlang.repl import saving
from cqlang.repl.commands import Dispatcher
from cqlang.repl.session import Session


def bug(*args: Any, **kwargs: Any) -> Any:
    return {}["bug"]


@pytest.fixture
def no_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CQLANG_DEBUG", raising=False)


@pytest.mark.usefixtures("no_debug")
def test_a_bug_is_an_internal_error_and_the_session_goes_on() -> None:
    d = Dispatcher(Session())
    d.query = bug  # type: ignore[method-assign]
    r = d.handle("state = OPEN")
    # It used to say "failed: KeyError: 'bug'", as if it were the user's.
    assert not r.ok and r.text == "internal error: KeyError: 'bug' (set CQLANG_DEBUG=1 for details)"
    assert "Traceback" not in r.text
    assert d.handle("\\tz UTC").ok  # still running


def test_with_cqlang_debug_the_traceback_comes_above(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CQLANG_DEBUG", "1")
    d = Dispatcher(Session())
    d.query = bug  # type: ignore[method-assign]
    r = d.handle("state = OPEN")
    assert not r.ok and r.text.startswith("Traceback (most recent call last):")
    assert r.text.splitlines()[-1] == "internal error: KeyError: 'bug'"


@pytest.mark.usefixtures("no_debug")
def test_errors_of_input_and_of_the_system_are_data(tmp_path: Path) -> None:
    d = Dispatcher(Session())

    def setting(*args: Any) -> Any:
        raise SettingError("no such thing", "x")

    d.query = setting  # type: ignore[method-assign]
    assert d.handle("state = OPEN").text == "no such thing"

    def missing(*args: Any) -> Any:
        raise FileNotFoundError(2, "No such file or directory", str(tmp_path / "gone.toml"))

    d.query = missing  # type: ignore[method-assign]
    r = d.handle("state = OPEN")
    assert not r.ok and r.text.endswith("gone.toml: No such file or directory")
    assert "internal error" not in r.text


@pytest.mark.usefixtures("no_debug")
def test_an_oserror_is_told_from_a_bug_by_its_status_not_by_its_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The REPL read the command line's line for the words "internal
    error:", so a file whose name starts so lost its name in the reply."""
    monkeypatch.chdir(tmp_path)
    d = Dispatcher(Session())

    def denied(*args: Any) -> Any:
        raise PermissionError(13, "Permission denied", "internal error: out.csv")

    d.query = denied  # type: ignore[method-assign]
    r = d.handle("state = OPEN")
    assert not r.ok and r.text == "internal error: out.csv: Permission denied"

    def reset(*args: Any) -> Any:
        raise ConnectionResetError(104, "Connection reset by peer")  # no file: not a bug either

    d.query = reset  # type: ignore[method-assign]
    assert d.handle("state = OPEN").text == "error: Connection reset by peer"


@pytest.mark.usefixtures("no_debug")
def test_a_bug_in_save_is_not_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """\\save caught every exception as the config's ("@x not saved: 'bug'")."""
    monkeypatch.setattr(saving, "save_query", bug)
    d = Dispatcher(Session(last_query="state = OPEN"))
    r = d.handle("\\save x")
    assert not r.ok and r.text.startswith("internal error: KeyError: 'bug'")


def test_queries_rm_says_when_it_cannot_look_for_references(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the removal the config is read again to warn of references;
    when that fails it said nothing at all."""
    home = tmp_path / "home"
    (home / ".config" / "cqlang").mkdir(parents=True)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("CQLANG_CONFIG", raising=False)
    monkeypatch.chdir(work)
    (work / "cqlang.toml").write_text("[queries.a]\nquery = 'state = OPEN'\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["queries", "rm", "a"])
    assert result.exit_code == 0, result.output
    assert "note:" not in result.stderr
    (work / "cqlang.toml").write_text("[queries.a]\nquery = 'state = OPEN'\n", encoding="utf-8")
    # The user's file is broken: the removal works, the look for references cannot.
    (home / ".config" / "cqlang" / "config.toml").write_text("[cqlang\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["queries", "rm", "a"])
    assert "removed @a" in result.stdout
    assert "note: the config could not be read again" in result.stderr


def test_a_bug_in_the_status_line_is_shown_as_an_internal_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The status line keeps its broad catch (the prompt goes on), but says
    a bug is one, as every other place that survives a bug does."""
    from cqlang.repl import app

    status = app.LiveStatus(Session(), delay=0)
    monkeypatch.setattr(app, "status", bug)
    line = status.compute("state = OPEN")
    assert line == "(no status: internal error: KeyError: 'bug')"
    assert status.toolbar()[0][0] == "class:bottom-toolbar.error"


def _broad_catches() -> list[tuple[str, int, str]]:
    """Every `except Exception` / `except BaseException` and
    `suppress(Exception)` in cqlang/: file, line, and the comment on its
    line or the line above (empty when none)."""
    import ast

    import cqlang

    root = Path(cqlang.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            broad = False
            if isinstance(node, ast.ExceptHandler) and isinstance(node.type, ast.Name):
                # `except BaseException:` that re-raises is a clean-up, not a catch
                reraises = any(isinstance(n, ast.Raise) and n.exc is None for n in node.body)
                broad = node.type.id == "Exception" or (
                    node.type.id == "BaseException" and not reraises
                )
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "suppress":
                broad = any(isinstance(a, ast.Name) and a.id == "Exception" for a in node.args)
            if broad:
                at = node.lineno
                comment = "".join(
                    line.partition("#")[2] for line in (lines[at - 1], lines[at - 2]) if "#" in line
                )
                found.append((path.relative_to(root).as_posix(), at, comment.strip()))
    return found


def test_every_broad_catch_says_why() -> None:
    """Each broad catch left is narrowed, or says on its line (or the one
    above) why catching everything is right there."""
    catches = _broad_catches()
    assert catches, "the scan finds none: it is broken"
    assert [(f, n) for f, n, comment in catches if not comment] == []
