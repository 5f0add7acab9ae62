"""A command that needs a query and gets none says how to give one."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("command", ["compile", "check", "explain", "fmt"])
def test_missing_query_names_every_way_to_give_one(command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cqlang.cli", command],
        input="state = OPEN\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "missing QUERY (or --file FILE, or - to read standard input)" in done.stderr
    assert "Traceback" not in done.stderr
