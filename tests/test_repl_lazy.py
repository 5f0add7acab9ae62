"""Heavy user-interface libraries load only where they are used."""

from __future__ import annotations

import subprocess
import sys

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
