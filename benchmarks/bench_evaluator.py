"""The evaluator against a hand-written lambda, side by side.

Matches the same predicate over the same records (1,000,000 by default,
``BENCH_RECORDS`` to change) with cqlang's compiled matcher and with the
lambda a careful person would write for it, and prints records per second
and the ratio (target: the evaluator takes at most 1.5x the lambda's time).
"""

from __future__ import annotations

import os
import random
import time

from cqlang.checker import check_text
from cqlang.evaluator import compile_matcher

N = int(os.environ.get("BENCH_RECORDS", "1000000"))
QUERY = 'state in (OPEN, PROCESSING) and priority >= 3 and created_date >= "2026-10-01"'


def records(n: int) -> list[dict[str, object]]:
    rnd = random.Random(1)
    states = ["OPEN", "PROCESSING", "CLOSED"]
    out = []
    for i in range(n):
        rec: dict[str, object] = {
            "id": f"{i:024x}",
            "state": states[i % 3],
            "priority": rnd.randrange(0, 10) if i % 17 else None,
            "created_date": f"2026-{rnd.randrange(8, 12):02d}-{rnd.randrange(1, 29):02d} 10:00:00",
        }
        out.append(rec)
    return out


def hand_written(r: dict[str, object]) -> bool:
    p = r.get("priority")
    d = r.get("created_date")
    return (
        r.get("state") in {"OPEN", "PROCESSING"}
        and isinstance(p, int)
        and p >= 3
        and isinstance(d, str)
        and d >= "2026-10-01 00:00:00"
    )


def timed(fn: object, recs: list[dict[str, object]]) -> tuple[float, int]:
    t = time.perf_counter()
    hits = sum(1 for r in recs if fn(r))  # type: ignore[operator]
    return time.perf_counter() - t, hits


def main() -> None:
    recs = records(N)
    checked = check_text(QUERY)
    assert checked.ir is not None
    matcher = compile_matcher(checked.ir)
    best_e = best_h = float("inf")
    for _ in range(3):  # interleaved rounds; the best of each
        te, he = timed(matcher, recs)
        th, hh = timed(hand_written, recs)
        assert he == hh, (he, hh)
        best_e, best_h = min(best_e, te), min(best_h, th)
    print(f"evaluator benchmark: {N:,} records, query: {QUERY}")
    print(f"  hand-written lambda: {N / best_h:>12,.0f} records/s")
    print(f"  cqlang evaluator:    {N / best_e:>12,.0f} records/s")
    print(f"  ratio: {best_e / best_h:.2f}x the lambda's time (target <= 1.5x)")


if __name__ == "__main__":
    main()
