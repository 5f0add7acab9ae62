"""The emulator refuses, before making anything, what would exhaust the
machine: a generated count past MAX_RECORDS, and records given in Python
that nest past the depth a file may have (a ValueError, never a
RecursionError)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cqlang.cli import main
from cqlang.emulator import Emulator
from cqlang.emulator.data import MAX_RECORD_DEPTH, MAX_RECORDS
from cqlang.errors import SettingError


def deep(levels: int) -> dict[str, object]:
    node: dict[str, object] = {}
    top = node
    for _ in range(levels):
        child: dict[str, object] = {}
        node["a"] = child
        node = child
    return top


@pytest.mark.parametrize(
    ("records", "campaigns"),
    [(MAX_RECORDS + 1, ("c",)), (10**11, ("c",)), (MAX_RECORDS // 2 + 1, ("a", "b"))],
)
def test_too_many_records_are_refused_before_generating(
    records: int, campaigns: tuple[str, ...]
) -> None:
    with pytest.raises(ValueError, match=f"at most {MAX_RECORDS:,} in all"):
        Emulator(records=records, campaigns=campaigns)


def test_a_negative_count_of_records_is_a_setting_error() -> None:
    with pytest.raises(SettingError, match="records must be at least 0, not -1"):
        Emulator(records=-1)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc/self/status")
def test_the_command_refuses_too_many_records_at_once() -> None:
    # In a subprocess, to see its peak memory (VmHWM: ru_maxrss would count
    # the forked test process's pages): nothing was generated.
    code = (
        "import re\n"
        "from cqlang.cli import main\n"
        "try:\n"
        "    main(['emulator', '--port', '0', '--records', '100000000000'])\n"
        "except SystemExit as e:\n"
        "    status = open('/proc/self/status').read()\n"
        "    print(e.code, re.search(r'VmHWM:\\s*(\\d+)', status).group(1))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    status, peak_kb = done.stdout.split()
    assert status == "2"
    assert int(peak_kb) < 300_000  # far below what 10^11 records would take
    assert "at most 500,000 in all" in done.stderr
    assert "Traceback" not in done.stderr


def test_two_campaigns_multiply_the_count() -> None:
    result = CliRunner().invoke(
        main,
        [
            "emulator",
            "--port",
            "0",
            "--records",
            str(MAX_RECORDS),
            "--campaign",
            "a",
            "--campaign",
            "b",
        ],
    )
    assert result.exit_code == 2
    assert "in each of 2 campaigns" in result.stderr


@pytest.mark.parametrize("shape", ["list", "mapping"])
def test_deep_records_given_in_python_are_a_value_error(shape: str) -> None:
    record = {"id": "1", "custom": deep(5000)}
    data: object = [record] if shape == "list" else {"c": [record]}
    with pytest.raises(ValueError, match=f"more than {MAX_RECORD_DEPTH} levels deep"):
        Emulator(data=data)  # type: ignore[arg-type]


def test_records_at_the_depth_limit_are_served() -> None:
    with Emulator(data=[{"id": "1", "custom": deep(MAX_RECORD_DEPTH - 2)}]) as emu:
        assert len(emu.records()) == 1


def test_data_that_is_not_records_is_a_type_error() -> None:
    # Given from Python, an item that is no mapping is the wrong type.
    with pytest.raises(TypeError, match="data: record 1 is int, not a mapping"):
        Emulator(data=[1, 2])  # type: ignore[list-item]
