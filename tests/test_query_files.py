"""Query files on the command line: --file/-f on check, compile, explain, fmt
and fetch; a file name where a query goes; fmt --check/--write of .cql
files and of the named queries of config files; queries check FILES."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cqlang.cli import main
from cqlang.emulator import Emulator


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for var in ("CQLANG_CONFIG", "CONPEEK_URL", "CONPEEK_KEY"):
        monkeypatch.delenv(var, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin, prog_name="cqlang")


QUERY = "# the open ones\nstate = OPEN\nand priority >= 3  # important\n"


@pytest.mark.parametrize("command", ["check", "compile", "explain", "fmt"])
def test_file_option_reads_the_query(command: str, workdir: Path) -> None:
    (workdir / "q.cql").write_text(QUERY, encoding="utf-8")
    by_file = run(command, "-f", "q.cql")
    by_arg = run(command, QUERY)
    assert by_file.exit_code == 0, by_file.output
    assert (by_file.exit_code, by_file.stdout) == (by_arg.exit_code, by_arg.stdout)
    assert run(command, "--file", "-", stdin=QUERY).stdout == by_arg.stdout


def test_file_option_of_fetch(workdir: Path, emulator: Emulator) -> None:
    (workdir / "q.cql").write_text("state = OPEN  # open\n", encoding="utf-8")
    args = ["--base-url", emulator.url, "--campaign", "5b7c389fe8df7b60af688989", "--limit", "3"]
    result = CliRunner(env={"CONPEEK_KEY": "demo-key"}).invoke(
        main, ["fetch", "-f", "q.cql", *args, "--format", "jsonl"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all('"state": "OPEN"' in line for line in lines)


def test_file_option_mistakes_are_usage_errors(workdir: Path) -> None:
    (workdir / "q.cql").write_text("state = OPEN", encoding="utf-8")
    both = run("check", "state = OPEN", "-f", "q.cql")
    assert both.exit_code == 2 and "not both" in both.stderr
    missing = run("check", "-f", "nope.cql")
    assert missing.exit_code == 2 and "nope.cql: no such file" in missing.stderr
    assert run("check").exit_code == 2  # neither
    # A file that reads but is not UTF-8 is no usage error: its query has
    # CQL002, as on standard input (tests/test_not_utf8.py).
    (workdir / "bad.cql").write_bytes(b"state = \xff")
    assert run("check", "-f", "bad.cql").exit_code == 1


@pytest.mark.parametrize("command", ["check", "compile", "explain", "fmt", "fetch"])
def test_a_file_name_given_as_the_query_says_to_use_f(command: str, workdir: Path) -> None:
    result = run(command, "saved.cql")
    assert result.exit_code == 2
    assert "use -f saved.cql" in result.stderr
    (workdir / "priority").write_text("priority > 1", encoding="utf-8")
    assert "use -f priority" in run(command, "priority").stderr
    # A query is a query, whatever files exist.
    (workdir / "state = OPEN").write_text("x", encoding="utf-8")
    assert run("check", "state = OPEN").exit_code == 0
    # A folder of that name: -f would refuse it, so no advice to use -f.
    (workdir / "dd.cql").mkdir()
    folder = run(command, "dd.cql")
    assert folder.exit_code == 2 and "use -f" not in folder.stderr
    assert "'dd.cql' is not a query, and a folder of that name is no query file" in folder.stderr


# ---------------------------------------------------------------- fmt files


def test_fmt_check_prints_a_diff_and_exits_1(workdir: Path) -> None:
    ugly = workdir / "ugly.cql"
    ugly.write_text("STATE=open # why\nAND priority>=3", encoding="utf-8")
    fine = workdir / "fine.cql"
    fine.write_text("state = OPEN\n", encoding="utf-8")
    result = run("fmt", "--check", "ugly.cql", "fine.cql")
    assert result.exit_code == 1
    assert "--- ugly.cql\n+++ ugly.cql\n" in result.stdout
    assert "+STATE = open  # why\n" in result.stdout
    assert "1 file would be reformatted, 1 file left unchanged" in result.stderr
    assert ugly.read_text(encoding="utf-8") == "STATE=open # why\nAND priority>=3"
    assert run("fmt", "--check", "fine.cql").exit_code == 0


def test_fmt_write_rewrites_query_files_keeping_line_endings(workdir: Path) -> None:
    ugly = workdir / "ugly.cql"
    ugly.write_bytes(b"STATE=open # why\r\nAND priority>=3\r\n")
    result = run("fmt", "--write", "ugly.cql")
    assert result.exit_code == 0, result.output
    assert ugly.read_bytes() == b"STATE = open  # why\r\nand priority >= 3\r\n"
    assert run("fmt", "--check", "ugly.cql").exit_code == 0
    # The last of --check and --write wins (the pre-commit hook's args).
    ugly.write_text("STATE=open", encoding="utf-8")
    assert run("fmt", "--write", "--check", "ugly.cql").exit_code == 1
    assert ugly.read_text(encoding="utf-8") == "STATE=open"


TOML = """# Saved queries; this comment and the layout stay.
[connection]
timezone = "Europe/Warsaw"   # a comment after a value

[queries.one]
description = "one"
query = "STATE=open AND priority>=3"   # keep me

[queries.two]
query = '''
state = OPEN
and priority >= 3  # fine already
'''

[queries.long]
query = 'LONG'

[queries]
short = "x=1"
""".replace(
    "LONG",
    'state = OPEN and custom.a = "x" and custom.b = "y" and custom.c = "z" and custom.d = "w"'
    " and priority > 1",
)


def test_fmt_write_edits_only_the_query_strings_of_a_config_file(workdir: Path) -> None:
    path = workdir / "cqlang.toml"
    path.write_text(TOML, encoding="utf-8")
    check = run("fmt", "--check", "cqlang.toml")
    assert check.exit_code == 1
    result = run("fmt", "--write", "cqlang.toml")
    assert result.exit_code == 0, result.output
    after = path.read_text(encoding="utf-8")
    expected = (
        TOML.replace('"STATE=open AND priority>=3"', '"STATE = open and priority >= 3"')
        .replace(
            '\'state = OPEN and custom.a = "x" and custom.b = "y" and custom.c = "z" and '
            'custom.d = "w" and priority > 1\'',
            '\'\'\'\nstate = OPEN\nand custom.a = "x"\nand custom.b = "y"\nand custom.c = "z"\n'
            "and custom.d = \"w\"\nand priority > 1\n'''",
        )
        .replace('short = "x=1"', 'short = "x = 1"')
    )
    assert after == expected
    data = tomllib.loads(after)
    assert data["queries"]["two"]["query"] == "state = OPEN\nand priority >= 3  # fine already\n"
    assert run("fmt", "--check", "cqlang.toml").exit_code == 0
    # Without FILES: the config files read.
    assert run("fmt", "--check").exit_code == 0


def test_fmt_of_a_pyproject_and_of_a_broken_query(workdir: Path) -> None:
    path = workdir / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n\n[tool.cqlang.queries.a]\nquery = "x==1"\n')
    assert run("fmt", "--write", "pyproject.toml").exit_code == 0
    assert path.read_text().endswith('query = "x = 1"\n')
    bad = workdir / "cqlang.toml"
    bad.write_text('[queries.a]\nquery = "state = OPEN or"\n[queries.b]\nquery = "x==1"\n')
    result = run("fmt", "--write", "cqlang.toml")
    assert result.exit_code == 1
    assert "cqlang.toml:2:" in result.stderr and "CQL004" in result.stderr
    assert bad.read_text().endswith('query = "x==1"\n')  # left as it was


# ------------------------------------------------------------ queries check


def test_queries_check_files(workdir: Path) -> None:
    (workdir / "cqlang.toml").write_text('[queries.a]\nquery = "prioirty > 1"\n')
    (workdir / "ok.cql").write_text("@a or state = OPEN\n")
    (workdir / "bad.cql").write_text("state = OPNE\n")
    result = run("queries", "check", "cqlang.toml", "ok.cql", "bad.cql")
    assert result.exit_code == 1
    assert "cqlang.toml:2:10" in result.stderr
    assert "bad.cql:1:9" in result.stderr
    assert "3 queries in 3 files: 3 errors" in result.stdout  # @a's mistake shows in ok.cql too
    assert run("queries", "check", "ok.cql").exit_code == 1
    (workdir / "cqlang.toml").write_text('[queries.a]\nquery = "priority > 1"\n')
    fine = run("queries", "check", "cqlang.toml", "ok.cql")
    assert fine.exit_code == 0, fine.output
    assert "2 queries in 2 files: ok" in fine.stdout


def test_the_example_config_is_formatted() -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "cqlang.toml"
    result = run("--config", str(example), "fmt", "--check", str(example))
    assert result.exit_code == 0, result.output
    # A one-line query in a multi-line string stays so.
    assert "query = '''custom[\"lead source\"] in (\"web\", \"ads+search\")'''" in (
        example.read_text(encoding="utf-8")
    )


def test_queries_check_json_names_the_query_file(workdir: Path) -> None:
    """Every finding of --json names its file, a query file's as well as a
    config file's (it was null for a .cql file)."""
    import json

    (workdir / "cqlang.toml").write_text('[queries.a]\nquery = "prioirty > 1"\n')
    (workdir / "q1.cql").write_text("state = OPN\n")
    result = run("queries", "check", "--json", "q1.cql", "cqlang.toml")
    assert result.exit_code == 1
    found = {(f["file"], f["file_line"], f["file_column"]) for f in json.loads(result.stdout)}
    assert found == {("q1.cql", 1, 9), ("cqlang.toml", 2, 10)}


def test_queries_check_files_goes_on_past_an_unreadable_file(workdir: Path) -> None:
    """A file that cannot be read is named and the others are still
    checked (as fmt --check does); the run ends with exit 2. A query file
    that is not UTF-8 reads: its query has CQL002 (tests/test_not_utf8.py)."""
    (workdir / "q1.cql").write_text("state = OPN\n")
    (workdir / "bad.cql").write_bytes(b"state = \xff\n")
    (workdir / "broken.toml").write_text("[queries\n")
    (workdir / "latin1.toml").write_bytes(b'[queries.m]\nquery = "\xff"\n')
    (workdir / "cqlang.toml").write_text('[queries.a]\nquery = "prioirty > 1"\n')
    names = ("q1.cql", "bad.cql", "broken.toml", "latin1.toml", "cqlang.toml")
    result = run("queries", "check", *names)
    assert result.exit_code == 2
    assert "q1.cql:1:9" in result.stderr and "cqlang.toml:2:10" in result.stderr
    assert " --> bad.cql:1:9" in result.stderr and "error[CQL002]" in result.stderr
    assert "broken.toml:1:9: not valid TOML" in result.stderr
    assert "latin1.toml:2:10: not UTF-8 text (byte 0xFF)" in result.stderr
    assert "3 queries in 3 files: 3 errors, 2 files could not be read" in result.stdout
    as_json = run("queries", "check", "--json", "broken.toml", "q1.cql")
    assert as_json.exit_code == 2
    assert '"file": "q1.cql"' in as_json.stdout and "broken.toml:1:9" in as_json.stderr
    alone = run("queries", "check", "broken.toml")
    assert alone.exit_code == 2 and "1 file could not be read" in alone.stdout


# ---------------------------------------------- fmt --write and string kinds

KINDS = """[queries.multi]
query = '''state=OPEN'''

[queries.basic_multi]
query = \"\"\"state=OPEN\"\"\"

[queries.plain]
query = "dialing_method==PREVIEW"

[queries.escaped]
query = "custom.x = 'a\\\\'b' and state=OPEN"

[queries.literal]
query = 'state=OPEN'
"""

WANT = """[queries.multi]
query = '''state = OPEN'''

[queries.basic_multi]
query = \"\"\"state = OPEN\"\"\"

[queries.plain]
query = 'dialing_method = "PREVIEW"'

[queries.escaped]
query = "custom.x = \\"a'b\\" and state = OPEN"

[queries.literal]
query = 'state = OPEN'
"""


def test_fmt_write_keeps_the_kind_of_each_query_string(tmp_path: Path) -> None:
    import tomllib

    path = tmp_path / "cqlang.toml"
    path.write_text(KINDS, encoding="utf-8")
    path.chmod(0o600)
    run = CliRunner().invoke(main, ["--config", str(path), "fmt", "--write", str(path)])
    assert run.exit_code == 0, run.output
    assert path.read_text(encoding="utf-8") == WANT
    queries = tomllib.loads(WANT)["queries"]
    assert queries["escaped"]["query"] == 'custom.x = "a\'b" and state = OPEN'
    assert queries["plain"]["query"] == 'dialing_method = "PREVIEW"'


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
        said = run.stderr.splitlines()[0]
        assert said.endswith((": no such file", ": is a directory, not a query file")), said
        assert "could not be read" in run.stderr
    assert good.read_text(encoding="utf-8") == "state = OPEN\n"  # the others still done
    # A file that is not UTF-8 reads: its query has CQL002, as on standard
    # input (tests/test_not_utf8.py), and it is left as it was.
    run = CliRunner().invoke(main, ["fmt", mode, str(latin)], env=env)
    assert run.exit_code == 1 and "error[CQL002]: byte 0xBF" in run.stderr, run.output
    assert latin.read_bytes() == "state = 'zażółć'\n".encode("iso-8859-2")


# ----------------------------------------------- a directory named as a file

DIRECTORY_COMMANDS = [
    ["fmt", "-f", "d"],
    ["fmt", "--check", "d"],
    ["fmt", "--write", "d"],
    ["check", "-f", "d"],
    ["compile", "-f", "d"],
    ["explain", "-f", "d"],
    ["fetch", "--campaign", "c", "--dry-run", "-f", "d"],
    ["queries", "check", "d"],
]


@pytest.mark.parametrize("args", DIRECTORY_COMMANDS, ids=" ".join)
def test_a_directory_named_as_a_query_file_is_said_in_one_wording(
    workdir: Path, args: list[str]
) -> None:
    """fmt --check/--write said `d: not a file`, the -f commands and
    queries check `d: is a directory, not a query file`: one helper now
    (cqlang.queryfile.not_a_file), exit 2 for each."""
    (workdir / "d").mkdir()
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[0] == "cqlang: d: is a directory, not a query file"


@pytest.mark.parametrize(
    "args",
    [
        ["fmt", "--check", "x.toml"],
        ["queries", "check", "x.toml"],
        ["--config", "x.toml", "check", "state = OPEN"],
    ],
    ids=" ".join,
)
def test_a_directory_named_as_a_config_file_is_said_alike(workdir: Path, args: list[str]) -> None:
    (workdir / "x.toml").mkdir()
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[0] == "cqlang: x.toml: is a directory, not a config file"


def test_fmt_of_a_named_pipe_says_what_it_is(workdir: Path) -> None:
    import os

    os.mkfifo(workdir / "p.cql")
    result = run("fmt", "--write", "p.cql")
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[0] == "cqlang: p.cql: is a named pipe, not a regular file"
