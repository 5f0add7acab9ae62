"""Saving a query keeps the bound on requests it was shown with: `queries
save --max-branches N` and the REPL's `\\save` after `\\set max_branches N`
store `max_branches`, so `queries check` and `fetch @NAME` agree with what
was saved (and CQL204's hint names the option of the command that shows it)."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cqlang.cli import main
from cqlang.repl import Dispatcher, Session, run_script
from cqlang.repl.integrations import load_environment

#: Needs 64 requests: six independent two-way `or`s.
BIG = (
    " and ".join(f"(custom.a{i} = 1 or custom.b{i} = 2)" for i in range(5))
    + " and (priority = 1 or state = OPEN)"
)


@pytest.fixture(autouse=True)
def _config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "cqlang.toml"
    path.write_text("[queries.small]\nquery = 'state = OPEN'\n", encoding="utf-8")
    monkeypatch.setenv("CQLANG_CONFIG", str(path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("CONPEEK_URL", raising=False)
    monkeypatch.delenv("CONPEEK_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    return path


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def saved(path: Path, name: str) -> dict[str, object]:
    table: dict[str, object] = tomllib.loads(path.read_text(encoding="utf-8"))["queries"][name]
    return table


def test_queries_save_without_the_bound_names_the_cli_option(_config: Path) -> None:
    result = cli("queries", "save", "big", BIG)
    assert result.exit_code == 1
    assert "error[CQL204]: the query needs 64 requests; the limit is 32" in result.stderr
    assert "raise the limit with --max-branches N" in result.stderr
    assert "max_branches=N" not in result.stderr  # Python's keyword is not this command's
    assert "big" not in _config.read_text(encoding="utf-8")


def test_queries_save_with_max_branches_stores_it(_config: Path) -> None:
    result = cli("queries", "save", "big", BIG, "--max-branches", "64")
    assert result.exit_code == 0, result.output
    assert saved(_config, "big") == {"query": BIG, "max_branches": 64}
    check = cli("queries", "check")
    assert check.exit_code == 0, check.output
    assert cli("explain", "@big").stdout.startswith("64 requests")
    # Too small a bound is refused, with the same hint.
    low = cli("queries", "save", "big2", BIG, "--max-branches", "10")
    assert low.exit_code == 1 and "the limit is 10" in low.stderr


def test_queries_save_of_an_alias_is_checked_with_what_it_inherits(_config: Path) -> None:
    assert cli("queries", "save", "big", BIG, "--max-branches", "64").exit_code == 0
    alias = cli("queries", "save", "big_too", "@big")
    assert alias.exit_code == 0, alias.output
    assert saved(_config, "big_too") == {"query": "@big"}
    assert cli("queries", "check").exit_code == 0


def repl(script: str) -> tuple[int, str]:
    env = load_environment()
    session = Session(queries=env.queries, schema=env.schema)
    out, err = io.StringIO(), io.StringIO()
    status = run_script(io.StringIO(script), Dispatcher(session), out, err)
    return status, out.getvalue() + err.getvalue()


def test_repl_save_keeps_the_sessions_max_branches(_config: Path) -> None:
    status, output = repl(f"\\set max_branches 64\n{BIG}\n\\save big\nstate = OPEN\n\\save plain\n")
    assert status == 0, output
    assert saved(_config, "big") == {"query": BIG, "max_branches": 64}
    # The session's bound is not what the saved query would get (32), so it
    # goes with every query saved, whether or not this one needs it.
    assert saved(_config, "plain")["max_branches"] == 64
    check = cli("queries", "check")
    assert check.exit_code == 0, check.output


def test_repl_save_leaves_out_a_bound_that_changes_nothing(_config: Path) -> None:
    status, output = repl("\\set max_branches 32\nstate = OPEN\n\\save plain\n")
    assert status == 0, output
    assert saved(_config, "plain") == {"query": "state = OPEN"}
    _config.write_text(
        _config.read_text(encoding="utf-8")
        + f"\n[queries.big]\nquery = '{BIG}'\nmax_branches = 64\n",
        encoding="utf-8",
    )
    # A lone reference to a query whose own bound is the session's: nothing to add.
    status, output = repl("\\set max_branches 64\n@big\n\\save big_alias\n")
    assert status == 0, output
    assert saved(_config, "big_alias") == {"query": "@big"}
