"""Audit 2: hints worded for the front end that shows them; the REPL's
arguments read as a shell reads them; query files named in diagnostics."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import cqlang
from cqlang.cli import main

STRICT = ["state = OPEN or priority > 5", 'custom.region != "PL"']


@pytest.mark.parametrize("query", STRICT)
def test_strict_compile_hint_names_the_front_ends_own_way_to_see_the_plan(query: str) -> None:
    with pytest.raises(cqlang.CqlPlanError) as caught:
        cqlang.compile(query)
    (d,) = caught.value.diagnostics
    assert d.hint is not None and d.hint.endswith("see the plan with cqlang.plan()")
    assert d.fact("reason") and "cqlang explain" not in d.hint
    run = CliRunner().invoke(main, ["compile", query], env={"CQLANG_CONFIG": "/dev/null"})
    assert run.exit_code == 1
    assert "see the plan with `cqlang explain`" in run.stderr and "cqlang.plan()" not in run.output
    (cli,) = cqlang.diagnostics.for_front_end([d], "cli")
    (repl,) = cqlang.diagnostics.for_front_end([d], "repl")
    assert cli.hint is not None and cli.hint.endswith("`cqlang explain`")
    assert repl.hint is not None and repl.hint.endswith("\\explain")


def test_fast_path_compile_words_the_hint_for_the_command_line(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / ".config"),
    }
    run = subprocess.run(
        [sys.executable, "-c", "from cqlang.launch import main; main()", "compile", STRICT[0]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert "see the plan with `cqlang explain`" in run.stderr and "cqlang.plan()" not in run.stderr


# ------------------------------------------------------------ the REPL's \o


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


# -------------------------------------------------- -f FILE in diagnostics


@pytest.mark.parametrize(
    ("command", "text", "where"),
    [
        (["check"], "# a comment\nstate = OPN\n", "2:9"),
        (["compile"], "state = OPEN or\n", "1:16"),
        (["compile"], "state = OPEN or priority > 4\n", "1:1"),  # a plan error
        (["explain"], "state = OPEN or\n", "1:16"),
        (["fmt"], "state = OPEN or\n", "1:16"),
        (["fetch", "--campaign", "c", "--dry-run"], "state = OPEN or\n", "1:16"),
    ],
)
def test_a_query_file_is_named_in_the_arrow_line(
    tmp_path: Path, command: list[str], text: str, where: str
) -> None:
    path = tmp_path / "hot leads.cql"
    path.write_text(text, encoding="utf-8")
    env = {"CQLANG_CONFIG": "/dev/null", "CONPEEK_URL": "", "CONPEEK_KEY": ""}
    run = CliRunner().invoke(main, [*command, "-f", str(path)], env=env)
    assert run.exit_code == 1, run.output
    assert f" --> {path}:{where}\n" in run.stderr
    piped = CliRunner().invoke(main, [*command, "-f", "-"], env=env, input=text)
    assert f" --> {where}\n" in piped.stderr  # standard input is no file


# ------------------------------------------- fmt --check of a missing file


@pytest.mark.parametrize("mode", ["--check", "--write"])
def test_fmt_of_a_file_that_cannot_be_read_is_a_usage_error(tmp_path: Path, mode: str) -> None:
    good = tmp_path / "good.cql"
    good.write_text("state = OPEN\n", encoding="utf-8")
    latin = tmp_path / "latin.cql"
    latin.write_bytes("state = 'zażółć'\n".encode("iso-8859-2"))
    env = {"CQLANG_CONFIG": "/dev/null"}
    for names in (["missing.cql"], [str(good), str(tmp_path / "missing.cql")],
                  [str(tmp_path)]):  # fmt: skip
        run = CliRunner().invoke(main, ["fmt", mode, *names], env=env)
        assert run.exit_code == 2, (names, run.output)
        assert "cqlang: cannot read " in run.stderr and "could not be read" in run.stderr
    assert good.read_text(encoding="utf-8") == "state = OPEN\n"  # the others still done
    # A file that is not UTF-8 reads: its query has CQL002, as on standard
    # input (tests/test_not_utf8.py), and it is left as it was.
    run = CliRunner().invoke(main, ["fmt", mode, str(latin)], env=env)
    assert run.exit_code == 1 and "error[CQL002]: byte 0xBF" in run.stderr, run.output
    assert latin.read_bytes() == "state = 'zażółć'\n".encode("iso-8859-2")


# ------------------------------------------------ missing extras, one tree


@pytest.mark.parametrize(("blocked", "extra"), [("pyarrow", "arrow"), ("pygls", "lsp")])
def test_a_missing_extra_is_one_cql_error_with_exit_2(blocked: str, extra: str) -> None:
    code = (
        f"import sys; sys.modules[{blocked!r}] = None\n"
        "from cqlang.errors import CqlError, MissingExtra\n"
        "from cqlang.status import exit_status\n"
        "if {blocked!r} == 'pyarrow':\n"
        "    from cqlang.output.arrow import require\n"
        "    try:\n"
        "        require('x')\n"
        "    except MissingExtra as exc:\n"
        "        assert isinstance(exc, CqlError) and exc.extra == 'arrow'\n"
        "        assert exit_status(exc) == 2\n"
        "        print('ok')\n"
        "else:\n"
        "    from cqlang.cli import main\n"
        "    main(['lsp'], prog_name='cqlang')\n"
    ).replace("{blocked!r}", repr(blocked))
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    if extra == "arrow":
        assert run.stdout.strip() == "ok", run.stderr
    else:
        assert run.returncode == 2, run.stderr
        assert "pip install 'cqlang[lsp]'" in run.stderr and "Traceback" not in run.stderr
