"""`make demo` runs the main job end to end on the built-in emulator."""

from __future__ import annotations

import subprocess
import sys


def test_demo_runs_queries_and_a_named_query_against_the_emulator() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cqlang.demo"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "did you mean 'priority'?" in out  # the error example
    assert "2 requests, records merged by id" in out  # the query with `or`
    assert "Then kept on the client when" in out  # the residual
    assert "named query @" in out and "examples" not in result.stderr
    assert "records" in out and "Traceback" not in out + result.stderr
