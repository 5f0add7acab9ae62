"""`make demo` runs the main job end to end on the built-in emulator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


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
    # Each step shows its command line first, and the end what to try next.
    assert "$ cqlang compile 'application_state = RETRY and contact_try < 5'" in out
    assert "$ cqlang explain " in out and "$ cqlang fetch --campaign " in out
    assert "generated records" in out and "generated requests" not in out
    # What each command prints, as it prints it: the emulator's first line,
    # fetch's plain table (no box drawn around it, no column it did not print).
    assert "$ cqlang emulator --port 0 --records 5000 --seed 1 &\n" in out
    assert "\ncqlang emulator listening on http://127.0.0.1:" in out
    assert "┏" not in out and "│" not in out
    assert "\nid                         state        priority   contact_try" in out
    assert "Try next" in out and "cqlang repl" in out
    # The table of the 'or' holds records of both of its requests.
    table = out[out.index("an 'or' over two properties") :]
    table = table[: table.index("'!=' on a custom field")]
    assert "CLOSED" in table and ("OPEN" in table.replace("CLOSED", "") or "PROCESSING" in table)


def test_without_the_examples_the_demo_says_it_skips_the_named_query(tmp_path: Path) -> None:
    import cqlang.demo

    # As from an installed wheel, where examples/ does not come along.
    script = (
        "import sys, pathlib, cqlang.demo as d; "
        f"d.EXAMPLES = pathlib.Path({str(tmp_path / 'none.toml')!r}); d.main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "named queries: skipped" in result.stdout
    assert "named query @" not in result.stdout
    assert cqlang.demo.EXAMPLES.name == "cqlang.toml"
