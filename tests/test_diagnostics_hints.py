"""A diagnostic's hint worded for the front end that shows it
(cqlang/diagnostics.py, ``for_front_end``): the command line (click or the
launcher's fast path), the REPL, Python."""

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
