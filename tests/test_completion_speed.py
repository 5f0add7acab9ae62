"""benchmarks/bench_repl.py, briefly: completion and live validation of a
20-clause query stay well under 20 ms of CPU per call."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_repl.py"


def test_key_press_work_is_under_budget() -> None:
    spec = importlib.util.spec_from_file_location("bench_repl", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    results = bench.measure(rounds=15)
    assert len(results) == 7
    over = {name: ms for name, ms in results.items() if ms >= bench.BUDGET_MS}
    assert not over, over
