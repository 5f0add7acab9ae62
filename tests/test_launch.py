"""The ``cqlang`` launcher (cqlang/launch.py) answers the simplest compile
command lines without click; it must print exactly what the click
application prints, exit the same way, and leave everything else to it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import cqlang.cli
from cqlang import launch
from cqlang.config import locate
from cqlang.params import split_param
from cqlang.status import ExitStatus

NOW = "2021-08-10 14:30:30"
APP = cqlang.cli.main  # the click application (the tests replace the name)


@pytest.fixture(autouse=True)
def no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder and a user config folder without config files."""
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for var in ("CQLANG_CONFIG", "CONPEEK_URL", "CONPEEK_KEY", "CQLANG_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(work)
    assert locate.no_config_file(), "a config file above the test's temporary folder"
    return work


def launched(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str]
) -> tuple[bool, int, str, str]:
    """Run the console script in-process: (answered without click, exit
    status, stdout, stderr)."""
    fell_back = []

    def click_main() -> None:
        fell_back.append(True)
        APP(args, prog_name="cqlang")

    monkeypatch.setattr("sys.argv", ["cqlang", *args])
    monkeypatch.setattr(cqlang.cli, "main", click_main)
    with pytest.raises(SystemExit) as stop:
        launch.main()
    out = capsys.readouterr()
    code = stop.value.code
    return (
        not fell_back,
        code if isinstance(code, int) else (0 if code is None else 1),
        out.out,
        out.err,
    )


def clicked(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(APP, args, prog_name="cqlang", catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


FAST = [
    ["compile", "state = OPEN"],
    ["compile", 'state in (OPEN, CLOSED) and priority >= 3 and custom.region = "PL"'],
    ["compile", "--format", "param", 'custom.x = "a&b#c+d ę 😀"'],
    ["compile", "--format=json", "priority between 2 and 4"],
    ["compile", "state = OPEN", "--format", "param"],
    ["compile", "--strict", "custom.region = PL"],
    ["compile", "--strict", "state = OPEN"],
    ["compile", "-p", "p=3", "--param", "$s=OPEN", "priority >= $p and state = $s"],
    ["compile", "--param=p=3", "priority >= $p"],
    ["compile", "--tz", "Europe/Warsaw", "--now", NOW, "created_date > yesterday"],
    ["compile", "--now=2021-08-10T12:00:00Z", "created_date = today"],
    ["compile", "--", "state = OPEN"],
    ["compile", ""],
    ["compile", "prioirty > 3 and state = opn"],  # two mistakes
    ["compile", "state = OPEN or priority > 3"],  # needs a plan
    ["compile", "state in (OPEN, OPEN)"],  # a warning
    ["compile", "priority = $p"],  # unbound parameter
    ["compile", "@nope"],  # no config: an unknown named query
    ["compile", "(" * 300 + "state = OPEN" + ")" * 300],  # too deep
    # list parameters: items trimmed, double quotes keep commas (issue 11)
    ["compile", "--param", "r=PL, CZ", "custom.region in $r"],
    ["compile", "-p", 'r=PL,"Kraków, Nowa Huta"', "custom.region in $r"],
    ["compile", "-p", "s= open , closed", "-p", "p=1, 2 ,3", "state in $s and priority in $p"],
    ["compile", "-p", "r=PL,,CZ", "custom.region in $r"],  # an empty item
    ["compile", "-p", 'r="PL', "custom.region in $r"],  # an unclosed quote
    # numbers in ASCII digits only (cqlang.digits), on both paths alike
    ["compile", "-p", "p=٣", "priority = $p"],
    ["compile", "-p", "p=1_000", "priority = $p"],
    ["compile", "-p", "p= 3 ", "priority = $p"],
    ["compile", "-p", "d=٢٠٢١-٠٨-١٠", "created_date > $d"],
]

#: check and explain of the same one shape (issue 12: their cold start).
FAST_CHECK_EXPLAIN = [
    ["check", "state = OPEN"],
    ["check", "prioirty > 3 and state = opn"],  # two errors, exit 1
    ["check", "state in (OPEN, OPEN)"],  # a warning, exit 0
    ["check", "--json", "prioirty > 3"],
    ["check", "--json", "state = OPEN"],
    ["check", "--strict", "custom.region = PL"],
    ["check", "custom.region = PL"],  # a warning without --strict
    ["check", "-p", "p=3", "--param", "$s=OPEN", "priority >= $p and state = $s"],
    ["check", "priority = $p"],  # unbound parameter
    ["check", "-p", "unused=1", "state = OPEN"],  # an unused one
    ["check", "--tz", "Europe/Warsaw", "--now", NOW, "created_date > yesterday"],
    ["check", "@nope"],
    ["check", ""],
    ["check", "--", "state = OPEN"],
    ["check", "(" * 300 + "state = OPEN" + ")" * 300],
    ["check", "-p", "p=٣", "priority = $p"],
    ["explain", "state = OPEN"],
    ["explain", "state = OPEN or priority > 3"],
    ["explain", "close_reason != X"],  # a residual: the server narrows nothing
    ["explain", "state = OPEN and close_reason != X"],
    ["explain", "state = OPEN and state = CLOSED"],  # never matches, a warning
    ["explain", "--json", "state = OPEN or priority > 3"],
    ["explain", "--json", "prioirty > 3"],
    ["explain", "--json", "state in (OPEN, OPEN) or close_reason != X"],
    ["explain", "prioirty > 3"],
    ["explain", "-p", "r=PL, CZ", "custom.region in $r"],
    ["explain", "--tz", "Europe/Warsaw", "--now", NOW, "created_date > yesterday or priority > 1"],
    ["explain", "--now=2021-08-10T12:00:00Z", "created_date = today"],
    ["explain", " or ".join(f"priority = {n}" for n in range(40))],  # past max_branches
    ["explain", "@nope"],
    ["explain", "--", "state = OPEN"],
]

CLICK = [
    ["check", "-"],
    ["check", "--max-branches", "4", "state = OPEN"],
    ["check", "--format", "json", "state = OPEN"],
    ["check", "-f", "q.cql"],
    ["check", "q.cql"],
    ["check", "--tz", "Nowhere/Land", "state = OPEN"],
    ["check", "--json=yes", "state = OPEN"],
    ["explain", "--strict", "state = OPEN"],
    ["explain", "--format", "json", "state = OPEN"],
    ["explain", "--max-branches", "4", "state = OPEN"],
    ["explain", "--now", "yesterday-ish", "state = OPEN"],
    ["explain", "-h"],
    ["explain"],
    ["compile", "--json", "state = OPEN"],
    ["compile"],  # no QUERY: a usage error
    ["compile", "a", "b"],
    ["compile", "--help"],
    ["compile", "-h"],
    ["compile", "-"],  # standard input
    ["compile", "--format", "url", "state = OPEN"],
    ["compile", "--format", "yaml", "state = OPEN"],
    ["compile", "--tz", "Nowhere/Land", "state = OPEN"],
    ["compile", "--now", "yesterday-ish", "state = OPEN"],
    ["compile", "--now", "٢٠٢١-٠٨-١٠", "state = OPEN"],
    ["compile", "--limit", "١", "state = OPEN"],
    ["compile", "--param", "novalue", "state = OPEN"],
    ["compile", "-p", "=3", "state = OPEN"],
    ["compile", "--tz"],
    ["compile", "--tz", "--strict", "state = OPEN"],
    ["compile", "--config", "x.toml", "state = OPEN"],
    ["compile", "--campaign", "c1", "state = OPEN"],
    ["compile", "-pp=3", "priority = $p"],
    ["compile", "--strict=yes", "state = OPEN"],
    ["compile", 'custom.x = "\x1b[31mred" and prioirty > 1'],  # click strips escapes
    ["compile", "custom.x = '\udcff'"],  # an undecodable byte from argv
    ["--version"],
    ["--help"],
    ["fmt", "state = OPEN"],
    [],
    ["compile", "-f", "q.cql"],  # a query file
    ["compile", "--file=q.cql"],
    ["compile", "q.cql"],  # a file name where a query goes: click says to use -f
]


def test_a_file_name_for_a_query_says_to_use_f(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], no_config: Path
) -> None:
    (no_config / "q.cql").write_text("state = OPEN\n", encoding="utf-8")
    (no_config / "state").write_text("state = OPEN\n", encoding="utf-8")
    for args in (["compile", "q.cql"], ["compile", "state"], ["compile", "missing.CQL"]):
        fast, code, _, err = launched(monkeypatch, capsys, args)
        assert not fast
        assert code == 2
        assert f"use -f {args[1]}" in err
    # A query is never taken for a file name, whatever files exist.
    (no_config / "state = OPEN").write_text("priority > 1", encoding="utf-8")
    fast, code, out, _ = launched(monkeypatch, capsys, ["compile", "state = OPEN"])
    assert fast and code == 0 and "OPEN" in out
    fast, code, out, _ = launched(monkeypatch, capsys, ["compile", "-f", "q.cql"])
    assert not fast and code == 0
    assert out == '[{"property": "state", "value": ["OPEN"]}]\n'


@pytest.mark.parametrize("args", FAST, ids=lambda a: " ".join(a)[:40])
def test_simple_compiles_skip_click_and_print_the_same(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fast, code, out, err = launched(monkeypatch, capsys, args)
    assert fast
    assert (code, out, err) == clicked(args)


@pytest.mark.parametrize("args", FAST_CHECK_EXPLAIN, ids=lambda a: " ".join(a)[:40])
def test_simple_checks_and_explains_skip_click_and_print_the_same(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fast, code, out, err = launched(monkeypatch, capsys, args)
    assert fast
    assert (code, out, err) == clicked(args)


def test_check_and_explain_of_a_file_name_say_to_use_f(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], no_config: Path
) -> None:
    (no_config / "q.cql").write_text("state = OPEN\n", encoding="utf-8")
    for command in ("check", "explain"):
        fast, code, _, err = launched(monkeypatch, capsys, [command, "q.cql"])
        assert (fast, code) == (False, 2)
        assert "use -f q.cql" in err


def test_the_fast_path_prints_nothing_before_its_answer_is_whole(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unexpected failure after the plan (here: in drawing it) leaves
    the job to click with nothing printed, so nothing is printed twice."""
    from cqlang.planner import Plan

    def broken(self: Plan) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(Plan, "explain", broken)
    job = launch.read_command_line(["explain", "state = OPEN"])
    assert job is not None
    assert launch.run(job) is None
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("args", CLICK, ids=lambda a: " ".join(a)[:40])
def test_everything_else_goes_to_click(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fast, _, _, err = launched(monkeypatch, capsys, args)
    assert not fast
    assert "Traceback" not in err


def test_a_config_file_sends_compile_to_click(
    no_config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    declared = '[schema.custom_fields]\nregion = { type = "enum", values = ["PL", "DE"] }\n'
    (no_config / "cqlang.toml").write_text(declared)
    args = ["compile", "custom.region = pl"]
    fast, code, out, _ = launched(monkeypatch, capsys, args)
    assert not fast
    assert code == 0
    assert '"value": "PL"' in out  # the declared enum was read


def test_an_untrusted_config_file_sends_compile_to_click_which_skips_it(
    no_config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A discovered file someone else could write is skipped (docs/config.md):
    the output is what it is without the file, plus a warning naming it."""
    args = ["compile", "custom.region = pl"]
    _, _, plain, _ = launched(monkeypatch, capsys, args)
    declared = '[schema.custom_fields]\nregion = { type = "enum", values = ["PL", "DE"] }\n'
    planted = no_config / "cqlang.toml"
    planted.write_text(declared)
    planted.chmod(0o666)  # anyone may write to it
    fast, code, out, err = launched(monkeypatch, capsys, args)
    assert not fast
    assert (code, out) == (0, plain)
    assert f"cqlang: warning: skipped {planted.name} (nearest cqlang.toml)" in err


def test_a_stream_that_is_not_utf8_goes_to_click(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io
    import sys

    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="ascii"))
    fell_back = []
    monkeypatch.setattr("sys.argv", ["cqlang", "compile", "state = OPEN"])
    monkeypatch.setattr(cqlang.cli, "main", lambda: fell_back.append(True))
    launch.main()
    assert fell_back


def test_a_full_disk_is_exit_74(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing goes through the same failure handling as click's commands."""
    import errno
    import sys

    class Full:
        encoding = "utf-8"

        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def flush(self) -> None:
            pass

        def fileno(self) -> int:
            raise OSError("no descriptor")

    messages: list[str] = []

    class Err(Full):
        def write(self, text: str) -> int:
            messages.append(text)
            return len(text)

    monkeypatch.setattr(sys, "stdout", Full())
    monkeypatch.setattr(sys, "stderr", Err())
    monkeypatch.setattr("sys.argv", ["cqlang", "compile", "state = OPEN"])
    with pytest.raises(SystemExit) as stop:
        launch.main()
    assert stop.value.code == ExitStatus.IO
    assert messages == ["cqlang: cannot write the output: No space left on device\n"]


def test_ctrl_c_while_printing_exits_130_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    class Interrupted:
        encoding = "utf-8"

        def write(self, text: str) -> int:
            raise KeyboardInterrupt

        def flush(self) -> None:
            pass

    monkeypatch.setattr(sys, "stdout", Interrupted())
    monkeypatch.setattr("sys.argv", ["cqlang", "compile", "state = OPEN"])
    with pytest.raises(SystemExit) as stop:
        launch.main()
    assert stop.value.code == ExitStatus.INTERRUPTED


# ------------------------------------------------------------- reading argv


def test_command_lines_read() -> None:
    job = launch.read_command_line(
        ["compile", "-p", "a=1", "--tz=UTC", "q", "--param", "b=2", "--format", "param"]
    )
    assert job is not None
    assert (job.query, job.fmt, job.tz, job.params) == ("q", "param", "UTC", ["a=1", "b=2"])
    assert launch.read_command_line(["compile", "--", "-x"]) is not None
    assert launch.read_command_line(["compile", "--", "a", "b"]) is None
    assert launch.read_command_line(["compile", "a", "--", "b"]) is None
    assert launch.read_command_line(["fmt", "q"]) is None
    job = launch.read_command_line(["check", "--json", "--strict", "-p", "a=1", "q"])
    assert job is not None
    assert (job.command, job.as_json, job.strict, job.params) == ("check", True, True, ["a=1"])
    assert launch.read_command_line(["explain", "--strict", "q"]) is None  # no such option
    assert launch.read_command_line(["explain", "--format", "json", "q"]) is None
    assert launch.read_command_line(["compile", "--json", "q"]) is None


def test_split_param() -> None:
    assert split_param("$a= b=c") == ("a", " b=c")
    assert split_param("a=") == ("a", "")
    assert split_param("=1") is None
    assert split_param("a") is None


# ------------------------------------------------------- where configs are


@pytest.mark.parametrize("xdg", [None, "", "  ", "/abs/olute", " /abs", "relative", "~/x"])
@pytest.mark.parametrize("home", [None, "HOME", "", "relhome", "~"])
def test_platformdirs_user_config_file_is_among_the_candidates(
    xdg: str | None, home: str | None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import platformdirs

    for var, value in (("XDG_CONFIG_HOME", xdg), ("HOME", home)):
        if value is None:
            monkeypatch.delenv(var, raising=False)
        else:
            monkeypatch.setenv(var, str(tmp_path) if value == "HOME" else value)
    answer = str(platformdirs.user_config_path("cqlang") / "config.toml")
    assert answer == locate.user_config_file()
    assert answer in locate.user_config_candidates()


def test_no_config_file_looks_everywhere(no_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = no_config / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert locate.no_config_file()
    (no_config / "pyproject.toml").write_text("[tool.ruff]\nline-length = 99\n")
    assert locate.no_config_file()  # a pyproject.toml without [tool.cqlang]
    (no_config / "pyproject.toml").write_text("[tool.cqlang.queries.x]\nquery = 'state = OPEN'\n")
    assert not locate.no_config_file()
    (no_config / "pyproject.toml").write_text('[project]\ndependencies = ["cqlang"]\n')
    assert locate.no_config_file()  # it mentions cqlang, but has no table
    (no_config / "pyproject.toml").unlink()
    (no_config / "a" / "cqlang.toml").write_text("")
    assert not locate.no_config_file()
    (no_config / "a" / "cqlang.toml").unlink()
    user = Path(os.environ["XDG_CONFIG_HOME"]) / "cqlang" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text("")
    assert not locate.no_config_file()
    user.unlink()
    monkeypatch.setenv("CQLANG_CONFIG", "elsewhere.toml")
    assert not locate.no_config_file()


@pytest.mark.parametrize("spelling", ['[tool."cqlang"]', "[tool . cqlang]", "[tool.'cqlang']"])
def test_every_spelling_of_the_pyproject_table_is_found(
    spelling: str,
    no_config: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    declared = f'{spelling}\nschema.custom_fields.region = {{ type = "enum", values = ["PL"] }}\n'
    (no_config / "pyproject.toml").write_text(declared)
    assert not locate.no_config_file()
    fast, code, out, _ = launched(monkeypatch, capsys, ["compile", "custom.region = pl"])
    assert (fast, code) == (False, 0)
    assert '"value": "PL"' in out


def test_a_pyproject_that_is_not_a_file_is_not_read(no_config: Path) -> None:
    """A FIFO or a device named pyproject.toml would block or never end."""
    os.mkfifo(no_config / "pyproject.toml")
    assert locate.no_config_file()
    (no_config / "pyproject.toml").unlink()
    (no_config / "pyproject.toml").symlink_to("/dev/zero")
    assert locate.no_config_file()


def test_a_pyproject_is_looked_into_only_as_far_as_a_config_file_goes(no_config: Path) -> None:
    """The search for ``[tool.cqlang]`` reads at most the first MiB of a
    pyproject.toml (the launcher, the CLI and the language server alike):
    a table past it is not seen; a file that names cqlang within it but is
    larger is found, and refused when read, as any config file that large."""
    from cqlang.config import MAX_CONFIG_BYTES, Config, ConfigError, discover

    table = "[tool.cqlang.queries.x]\nquery = 'state = OPEN'\n"
    pyproject = no_config / "pyproject.toml"
    pyproject.write_text("#" * MAX_CONFIG_BYTES + "\n" + table)
    assert locate.no_config_file()
    assert discover(cwd=no_config) == []
    assert not Config.load(cwd=no_config).files
    pyproject.write_text(table + "#" * MAX_CONFIG_BYTES + "\n")
    assert not locate.no_config_file()
    assert [path for path, _ in discover(cwd=no_config)] == [pyproject]
    with pytest.raises(ConfigError, match="larger than 1 MiB"):
        Config.load(cwd=no_config)


def test_shell_completion_goes_to_click(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("_CQLANG_COMPLETE", "bash_source")
    fast, _, _, _ = launched(monkeypatch, capsys, ["compile", "state = OPEN"])
    assert not fast


def test_a_vanished_working_folder_is_left_to_the_config_reader(
    no_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = no_config / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert not locate.no_config_file()


# ------------------------------------------------------------------- repl

#: What the REPL reads when its input is not a terminal: a query, a meta
#: command, a mistake (both streams and the exit status to compare).
REPL_INPUT = "state = OPEN\n\\tz\nprioirty > 1\n\\params\n"

REPL_FAST = [
    ["repl"],
    ["repl", "--vi"],
    ["repl", "--tz", "Europe/Warsaw"],
    ["repl", "--tz=Europe/Warsaw", "--vi", "--campaign", "c1"],
    ["repl", "--tz", "Nowhere/Land"],  # exit 2, said by the REPL itself
    ["repl", "--tz", ""],
    ["repl", "--color", "always"],
    ["repl", "--color=never", "--color", "always"],  # the last one wins
    ["--color", "always", "repl"],
    ["--color", "always", "repl", "--color", "never"],
    ["repl", "--profile", "nope"],  # no such profile: exit 2
    ["--profile", "nope", "repl"],
    ["--profile", "nope", "repl", "--profile", ""],  # "" falls back to the group's
    ["repl", "--config", "missing.toml"],
    ["--config", "missing.toml", "repl", "--config=also-missing.toml"],
]

REPL_CLICK = [
    ["repl", "--help"],
    ["repl", "-h"],
    ["--help", "repl"],
    ["--version", "repl"],
    ["repl", "--color", "sometimes"],
    ["repl", "--color", "ALWAYS"],
    ["repl", "--tz"],
    ["repl", "--tz", "--vi"],
    ["repl", "--vi=yes"],
    ["repl", "extra"],
    ["repl", "--"],
    ["repl", "--bogus"],
    ["repl", "--campaign", "\x1b[31m"],
    ["--vi", "repl"],  # not an option of the group
    ["--campaign", "c1", "repl"],
    ["repl", "repl"],
]


def launched_repl(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str]
) -> tuple[bool, int, str, str]:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(REPL_INPUT))
    return launched(monkeypatch, capsys, args)


@pytest.mark.parametrize("args", REPL_FAST, ids=lambda a: " ".join(a)[:40])
def test_repl_skips_click_and_does_the_same(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fast, code, out, err = launched_repl(monkeypatch, capsys, args)
    assert fast
    result = CliRunner().invoke(APP, args, prog_name="cqlang", input=REPL_INPUT)
    assert (code, out, err) == (result.exit_code, result.stdout, result.stderr)


@pytest.mark.parametrize("args", REPL_CLICK, ids=lambda a: " ".join(a)[:40])
def test_repl_help_and_mistakes_go_to_click(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fast, _, _, err = launched_repl(monkeypatch, capsys, args)
    assert not fast
    assert "Traceback" not in err


def test_repl_command_lines_read() -> None:
    job = launch.read_repl_command_line(
        ["--profile", "a", "--config=c.toml", "repl", "--tz", "UTC", "--vi", "--campaign=x"]
    )
    assert job is not None
    assert (job.group_profile, job.profile, job.config_file, job.tz, job.vi, job.campaign) == (
        "a",
        None,
        "c.toml",
        "UTC",
        True,
        "x",
    )
    assert launch.read_repl_command_line(["compile", "state = OPEN"]) is None
    assert launch.read_repl_command_line([]) is None
    assert launch.read_repl_command_line(["--color", "never"]) is None  # no command


def test_repl_with_shell_completion_goes_to_click(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("_CQLANG_COMPLETE", "bash_source")
    fast, _, _, _ = launched_repl(monkeypatch, capsys, ["repl"])
    assert not fast


def test_a_bare_repl_imports_no_click() -> None:
    """``cqlang repl`` without a terminal, through the console script's
    entry point: no click (nor prompt_toolkit, for piped input)."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "sys.argv = ['cqlang', 'repl']\n"
        "from cqlang import launch\n"
        "try:\n"
        "    launch.main()\n"
        "except SystemExit as stop:\n"
        "    assert stop.code == 0, stop.code\n"
        "print(' '.join(m for m in ('click', 'prompt_toolkit') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        input="state = OPEN\n",
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.splitlines() == ['[{"property": "state", "value": ["OPEN"]}]', ""]
