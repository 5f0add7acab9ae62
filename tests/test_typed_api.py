"""The public type hints say what the docs and the run time take:
tests/typed_api_usage.py (the documented API, as a caller writes it: an
``exclude`` that is a set or a generator, ``SettingError.setting`` as a
``str``, a plan's read-only ``filters``) passes ``mypy --strict`` and
runs; changing a plan's ``filters`` is a type error, as it is an error at
run time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typed_api_usage

HERE = Path(__file__).parent

MISUSE = """\
import cqlang

p = cqlang.plan("state in (OPEN, CLOSED)")
p.filters[0][0]["value"] = ["CANCELLED"]
p.filters[0][0]["value"].append("CANCELLED")
cqlang.Client("http://x", "k").voice_campaign_requests("c", exclude=[1, 2])
"""


def _mypy(tmp_path: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    cache = str(tmp_path / "cache")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", cache, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=HERE.parent,
    )


def test_the_documented_usage_passes_mypy_strict_and_the_misuse_does_not(
    tmp_path: Path,
) -> None:
    misuse = tmp_path / "misuse.py"
    misuse.write_text(MISUSE, encoding="utf-8")
    good = _mypy(tmp_path, HERE / "typed_api_usage.py")
    assert good.returncode == 0, good.stdout + good.stderr
    bad = _mypy(tmp_path, misuse)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    errors = [line for line in bad.stdout.splitlines() if ": error:" in line]
    assert {line.split(":")[1] for line in errors} == {"4", "5", "6"}, bad.stdout
    assert "Unsupported target for indexed assignment" in bad.stdout


def test_the_documented_usage_runs(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    typed_api_usage.main(tmp_path)
