"""What the REPL does on a key press, on a 20-clause query.

Prints the median CPU time (``time.process_time``) per call of:

* completion (``cqlang.completion.complete``) at the end of the query, at a
  value position and in the middle, three ways: from scratch (the scan's
  caches emptied before each call), while typing (each call one character
  more than the last, as prompt_toolkit calls it) and repeated (the same
  text again: the cache);
* live validation (``Session.status``: parse, check and plan for the status
  line), from scratch (a distinct query text each call) and repeated.

Target: every median under 20 ms. Exits 1 if one is not.
``BENCH_ROUNDS`` sets the calls per measurement (default 200).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

from cqlang import parser
from cqlang.completion import complete
from cqlang.repl import Dispatcher, Session

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
BUDGET_MS = 20.0

_CLAUSES = [
    "state in (OPEN, PROCESSING)",
    "priority >= {i}",
    'custom.region = "PL{i}"',
    "created_date >= 2021-08-{d:02d}",
    "not (contact_try between 1 and {i})",
    "application_state != CLOSED",
    "assigned_tenant_user_id in (12, 14, {i})",
    "close_reason is not null",
    "closed_date < today - {i}d",
    "dialing_method = PREDICTIVE",
]


def query(clauses: int = 20, variant: int = 0) -> str:
    """A query of ``clauses`` predicates; ``variant`` makes the text unique."""
    parts = [
        _CLAUSES[k % len(_CLAUSES)].format(i=k + 1 + variant, d=1 + (k + variant) % 28)
        for k in range(clauses)
    ]
    return " and ".join(parts)


def cpu_ms(fn: Callable[[int], object], rounds: int = ROUNDS) -> float:
    """Median CPU milliseconds of ``fn(i)`` over ``rounds`` calls."""
    times = []
    for i in range(rounds):
        t = time.process_time()
        fn(i)
        times.append(time.process_time() - t)
    return statistics.median(times) * 1000


def _cold() -> None:
    parser.scan_prefix.cache_clear()
    parser._last_scan = ("", (), ())


def measure(rounds: int = ROUNDS) -> dict[str, float]:
    """Median CPU ms per call, by case."""
    q = query(20)
    end = q + " and "
    value_at = q.index("PREDICTIVE")
    middle = len(q) // 2
    complete(end, len(end))  # build the parser once, outside the timings
    results: dict[str, float] = {}

    def cold_at(text: str, cursor: int) -> Callable[[int], object]:
        def run(_: int) -> object:
            _cold()
            return complete(text, cursor)

        return run

    results["complete: end of query, from scratch"] = cpu_ms(cold_at(end, len(end)), rounds)
    results["complete: value position, from scratch"] = cpu_ms(cold_at(q, value_at), rounds)
    results["complete: middle, from scratch"] = cpu_ms(cold_at(q, middle), rounds)

    # Typing a long tail, one character per call, as a user does.
    tail = " and ".join(query(20, variant=v) for v in range(1, 3))
    typed = [end + tail[:k] for k in range(1, len(tail) + 1)]
    _cold()
    n = min(rounds, len(typed))
    results["complete: typing at the end"] = cpu_ms(lambda i: complete(typed[i], len(typed[i])), n)
    results["complete: repeated"] = cpu_ms(lambda i: complete(end, len(end)), rounds)

    status = Dispatcher(Session()).status  # the live status line
    texts = [query(20, variant=v) for v in range(rounds)]
    results["live validation: from scratch"] = cpu_ms(lambda i: status(texts[i]), rounds)
    results["live validation: repeated"] = cpu_ms(lambda i: status(q), rounds)
    return results


def main() -> int:
    q = query(20)
    print(f"20-clause query: {len(q)} characters; median CPU time per call, {ROUNDS} calls")
    results = measure()
    width = max(len(k) for k in results)
    failed = False
    for name, ms in results.items():
        ok = ms < BUDGET_MS
        failed = failed or not ok
        print(f"  {name:<{width}}  {ms:7.3f} ms  {'ok' if ok else 'OVER BUDGET'}")
    print(f"budget: {BUDGET_MS:.0f} ms per call")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
