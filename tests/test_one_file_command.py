"""The documented command to run one test file prints how many passed.
`pyproject.toml` sets `addopts = "-q"`, so the `-q` the docs used to add
made it `-qq`, which prints no count."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND = re.compile(r"\.venv/bin/python -m pytest tests/(test_\w+\.py)([^`;)\n]*)")


def test_the_documented_one_file_command_prints_the_pass_count() -> None:
    texts = [ROOT / "README.md", ROOT / "Makefile", *sorted((ROOT / "docs").glob("*.md"))]
    found = [(p.name, m) for p in texts for m in COMMAND.finditer(p.read_text(encoding="utf-8"))]
    assert found
    for name, m in found:
        assert "-q" not in m[2].split(), (name, m[0])
    # What it prints, run on a small file of this suite.
    args = [a for a in found[0][1][2].split() if a.startswith("-")]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/test_module_sizes.py",
            *args,
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert re.search(r"\b\d+ passed\b", done.stdout), done.stdout[-500:]
