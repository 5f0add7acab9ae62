"""Libraries and modules load only where they are used: the cold start pays
for nothing a command does not need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

UI = ("prompt_toolkit", "pygments", "rich")


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(m for m in sys.modules if m in {UI!r})))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(out.stdout.split())


def test_compile_command_imports_no_ui_library() -> None:
    code = (
        "from click.testing import CliRunner\n"
        "from cqlang.cli import main\n"
        "r = CliRunner().invoke(main, ['compile', 'state = OPEN'])\n"
        "assert r.exit_code == 0, r.output"
    )
    assert loaded_after(code) == set()


def test_completion_engine_is_pure() -> None:
    code = "from cqlang.completion import complete\nassert complete('sta', 3)[0] == 'state'"
    assert loaded_after(code) == set()


def test_piped_repl_needs_no_prompt_toolkit() -> None:
    code = (
        "import io\n"
        "from cqlang.repl import run\n"
        "assert run(stdin=io.StringIO('state = OPEN\\n'), stdout=io.StringIO()) == 0"
    )
    assert "prompt_toolkit" not in loaded_after(code)


def test_the_prompt_draws_before_the_lexer_is_made() -> None:
    """The REPL's first prompt (an empty input) needs no Pygments lexer: its
    module and its compiled rules wait for the first text (issue 15)."""
    code = (
        "from prompt_toolkit.document import Document\n"
        "from cqlang.repl.app import Repl\n"
        "from cqlang.repl.highlighting import IncrementalHighlighter\n"
        "h = IncrementalHighlighter()\n"
        "assert h.lex_document(Document(''))(0) == []\n"
        "import sys\n"
        "assert 'cqlang.highlight' not in sys.modules\n"
        "assert 'pygments.lexer' not in sys.modules"
    )
    assert "prompt_toolkit" in loaded_after(code)


def test_the_instant_prompt_is_painted_before_the_repl_loads() -> None:
    """``cqlang repl`` on a terminal paints its first prompt before it
    imports prompt_toolkit, click and the REPL's own modules (the
    dispatcher, the session, the status line): only what can print before
    the banner (the config and its notes) comes first (issue 15)."""
    code = (
        "import io, sys\n"
        "from cqlang.term.instant import Hold\n"
        "class Tty(io.StringIO):\n"
        "    def isatty(self):\n"
        "        return True\n"
        "class Probe(Hold):\n"
        "    def paint(self, text):\n"
        "        self.held = False\n"
        "        watched = ('prompt_toolkit', 'click', 'cqlang.repl.commands',\n"
        "                   'cqlang.repl.session', 'cqlang.repl.app', 'cqlang.cli')\n"
        "        print(repr(text), *[m for m in watched if m in sys.modules])\n"
        "        raise SystemExit(0)\n"
        "from cqlang.repl import run\n"
        "run(stdin=Tty(), stdout=io.StringIO(), instant=Probe(0, [], io.StringIO()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    from cqlang.repl.texts import BANNER, PROMPT

    assert out.stdout == f"{BANNER + chr(10) + PROMPT!r}\n"


def loaded_as_installed(tmp_path: Path, code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` ``code`` loads when run as installed from the
    wheel: with the generated parse tables, which need no Lark."""
    from cqlang import _tablegen, parser

    tables = tmp_path / "tables.py"  # what hatch_build.py writes into the wheel
    tables.write_text(_tablegen.module_source(parser.grammar_text()), encoding="utf-8")
    probe = (
        "import sys, types\n"
        "m = types.ModuleType('cqlang._parse_tables')\n"
        f"exec(open({str(tables)!r}).read(), m.__dict__)\n"
        "sys.modules['cqlang._parse_tables'] = m\n"
        "import cqlang\n"
        "assert cqlang.parser.backend_name() == 'cqlang._parse_tables'\n"
        f"{code}\n"
        f"print(' '.join(m for m in {modules!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return out.stdout.split()


def test_compiling_from_the_wheel_loads_only_what_it_needs(tmp_path: Path) -> None:
    # Compiling a query without times, suggestions or a residual.
    lazy = (
        "lark",
        "difflib",
        "zoneinfo",
        "urllib.parse",
        "pathlib",
        "cqlang.formatter",
        "cqlang.evaluator",
        "cqlang.config",
        "requests",
        "typing",  # slow to import, and only annotations need it
        "threading",
        "dataclasses",  # the value classes are nodes (cqlang/node.py)
        "inspect",
    )
    code = "cqlang.compile('state in (OPEN, CLOSED) and priority >= 3 and custom.region = \"PL\"')"
    assert loaded_as_installed(tmp_path, code, lazy) == []


def test_check_and_explain_need_no_dataclasses_or_typing(tmp_path: Path) -> None:
    """Checking (with warnings and errors, named queries, parameters) and
    explaining a plan with a client-side residual (matched once) load
    neither dataclasses nor inspect nor typing: the AST, the IR, Diagnostic,
    Schema, Plan and Env are nodes, and annotations are never evaluated."""
    code = (
        "env = cqlang.Env(params={'min': 3, 'r': ['PL']}, queries={'hot': 'priority > 7'})\n"
        "assert cqlang.check('priority >= $min and custom.x = \"$r\" or prioirty = 1', env)\n"
        "p = cqlang.plan('@hot or custom.region != \"PL\"', env)\n"
        "assert p.explain() and p.to_json() and p.residual.matches({'priority': 9})\n"
        "assert cqlang.compile('state in $r', params={'r': 'OPEN, CLOSED'}) and p.branches\n"
    )
    modules = ("dataclasses", "inspect", "typing", "threading", "lark", "pathlib")
    assert loaded_as_installed(tmp_path, code, modules) == []


def test_the_console_script_compiles_without_click_or_config(tmp_path: Path) -> None:
    """cqlang/launch.py answers `cqlang compile QUERY` where there is no
    config file without the command-line and config libraries: of the config
    package, only its light ``__init__`` and ``cqlang.config.locate``."""
    code = (
        "import io, os\n"
        f"os.chdir({str(tmp_path)!r})\n"
        f"os.environ['XDG_CONFIG_HOME'] = {str(tmp_path)!r}\n"
        "os.environ.pop('CQLANG_CONFIG', None)\n"
        "real, sys.stdout = sys.stdout, io.TextIOWrapper(io.BytesIO(), encoding='utf-8')\n"
        "sys.argv = ['cqlang', 'compile', 'state = OPEN and created_date > yesterday']\n"
        "from cqlang.launch import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as stop:\n"
        "    assert stop.code == 0, stop.code\n"
        "sys.stdout = real\n"
        "extra = [m for m in sys.modules if m.startswith('cqlang.config.')]\n"
        "assert extra == ['cqlang.config.locate'], extra\n"
    )
    heavy = (
        "click",
        "cqlang.cli",
        "platformdirs",
        "pathlib",
        "tomllib",
        "typing",
        "threading",
        "lark",
        "dataclasses",
        "inspect",
    )
    assert loaded_as_installed(tmp_path, code, heavy) == []


def test_completion_from_the_wheel_needs_no_lark(tmp_path: Path) -> None:
    code = (
        "from cqlang.completion import complete\n"
        "assert complete('state = OPEN and pri', 20) == ['priority']"
    )
    assert loaded_as_installed(tmp_path, code, ("lark", "prompt_toolkit")) == []


def console_script(tmp_path: Path, argv: list[str], allowed: tuple[int, ...] = (0,)) -> str:
    """The code that runs the console script with ``argv`` where no config
    file is found (what it prints is thrown away)."""
    return (
        "import io, os\n"
        f"os.chdir({str(tmp_path)!r})\n"
        f"os.environ['XDG_CONFIG_HOME'] = {str(tmp_path)!r}\n"
        "os.environ.pop('CQLANG_CONFIG', None)\n"
        "real, sys.stdout = sys.stdout, io.TextIOWrapper(io.BytesIO(), encoding='utf-8')\n"
        "err, sys.stderr = sys.stderr, io.TextIOWrapper(io.BytesIO(), encoding='utf-8')\n"
        f"sys.argv = {['cqlang', *argv]!r}\n"
        "from cqlang.launch import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as stop:\n"
        f"    assert stop.code in {allowed!r}, stop.code\n"
        "sys.stdout, sys.stderr = real, err\n"
        "extra = [m for m in sys.modules if m.startswith('cqlang.config.')]\n"
        "assert extra == ['cqlang.config.locate'], extra\n"
    )


def test_check_and_explain_start_without_click_or_config(tmp_path: Path) -> None:
    """cqlang/launch.py answers `check` and `explain` of the simplest shape
    too (issue 12: their cold start): of the config package, only its light
    ``__init__`` and ``cqlang.config.locate``."""
    heavy = (
        "click",
        "cqlang.cli",
        "platformdirs",
        "pathlib",
        "tomllib",
        "typing",
        "threading",
        "lark",
        "dataclasses",
        "inspect",
    )
    for argv in (
        ["check", "prioirty > 3 and state in (OPEN, OPEN)"],
        ["check", "--json", "-p", "p=3", "priority > $p"],
        ["explain", "state = OPEN or close_reason != X"],
        ["explain", "--json", "state = OPEN or priority > 3"],
    ):
        code = console_script(tmp_path, argv, allowed=(0, 1))
        assert loaded_as_installed(tmp_path, code, heavy) == [], argv


def test_help_loads_no_compiler_and_no_service(tmp_path: Path) -> None:
    """`cqlang --help` loads click and the command modules, which import
    what they run only when run: no phase of the compiler, no config (its
    light package and ``cqlang.config.locate`` aside: the launcher looks for
    a config file), no client, no terminal library (issue 12: --help at
    most 6x a bare start). Of the output package, only its list of formats
    (``cqlang.output.formats``, plain data: ``fetch --format``'s choices),
    never a writer."""
    lazy = (
        "cqlang.api",
        "cqlang.parser",
        "cqlang.checker",
        "cqlang.planner",
        "cqlang.errors",
        "cqlang.client",
        "cqlang.output.writers",
        "cqlang.output.target",
        "cqlang.output.write",
        "cqlang.output.columns",
        "cqlang.output.arrowconvert",
        "cqlang.repl",
        "cqlang.emulator",
        "requests",
        "prompt_toolkit",
        "rich",
        "pygments",
        "lark",
        "platformdirs",
        "dataclasses",
        "json",
    )
    probe = (
        "import sys\n"
        + console_script(tmp_path, ["--help"])
        + f"print(' '.join(m for m in {lazy!r} if m in sys.modules))\n"
        + "print(' '.join(m for m in sys.modules if m.startswith('cqlang.output.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    heavy, output = out.stdout.split("\n")[:2]
    assert heavy.split() == []
    assert output.split() == ["cqlang.output.formats"]


def test_the_config_package_is_light_to_import() -> None:
    """``import cqlang.config`` (after ``cqlang``) loads none of its modules
    (each public name is loaded on first use) and no library."""
    code = (
        "import sys, cqlang\n"
        "before = set(sys.modules)\n"
        "import cqlang.config\n"
        "new = sorted(m for m in set(sys.modules) - before if not m.startswith('cqlang.')\n"
        "             or m.startswith('cqlang.config.'))\n"
        "assert new == [], new\n"
        "from cqlang.config import Config, FetchSpec\n"
        "assert Config.__name__ == 'Config' and FetchSpec.__name__ == 'FetchSpec'\n"
        "assert 'cqlang.client.fetch' not in sys.modules and 'requests' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
