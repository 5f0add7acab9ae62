"""Client-side checks against a hand-written lambda, side by side.

Matches the same records (1,000,000 by default, ``BENCH_RECORDS`` to
change) with what the client calls for a plan's residual
(``plan.residual.matches``, taken once and called per record, as
cqlang/client/paging.py does) and with the function a careful person would write
for the same predicate, and prints records per second and the ratio
(target, issue 15: at most 1.1x the lambda's time), for two queries:

* plain fields: ``state in (OPEN, PROCESSING) and priority >= 3 and
  created_date >= "2026-10-01"`` (one request and no residual when
  planned, so its check is made a residual here: the same matcher);
* ``state = OPEN or custom.region != "PL"``: the whole query is the
  residual; ``custom`` is a JSON string in the records, as the API sends
  it, to be decoded only for the records that are not OPEN.

Rounds are interleaved (each side first in turn, ``BENCH_ROUNDS``, default
10) and the best of each kept. The time is this process's CPU time
(``time.process_time``): the loop is all computation, and on a shared
machine the wall clock also counts the time other processes held the
core, which lands on one side or the other at random.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable
from typing import Any

import cqlang
from cqlang.checker import check_text
from cqlang.planner import Residual

N = int(os.environ.get("BENCH_RECORDS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
PLAIN = 'state in (OPEN, PROCESSING) and priority >= 3 and created_date >= "2026-10-01"'
CUSTOM_OR = 'state = OPEN or custom.region != "PL"'


def records(n: int) -> list[dict[str, object]]:
    rnd = random.Random(1)
    states = ["OPEN", "PROCESSING", "CLOSED"]
    regions = ["PL", "DE", "CZ", "PL"]
    out = []
    for i in range(n):
        rec: dict[str, object] = {
            "id": f"{i:024x}",
            "state": states[i % 3],
            "priority": rnd.randrange(0, 10) if i % 17 else None,
            "created_date": f"2026-{rnd.randrange(8, 12):02d}-{rnd.randrange(1, 29):02d} 10:00:00",
            "custom": json.dumps({"region": regions[i % 4], "source": "web", "score": i % 100}),
        }
        out.append(rec)
    return out


def plain_by_hand(r: dict[str, Any]) -> bool:
    p = r.get("priority")
    d = r.get("created_date")
    return (
        r.get("state") in {"OPEN", "PROCESSING"}
        and isinstance(p, int)
        and p >= 3
        and isinstance(d, str)
        and d >= "2026-10-01 00:00:00"
    )


def custom_or_by_hand(r: dict[str, Any]) -> bool:
    if r.get("state") == "OPEN":
        return True
    raw = r.get("custom")
    try:
        custom = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return False
    region = custom.get("region") if isinstance(custom, dict) else None
    return isinstance(region, str) and region != "PL"


def timed(fn: Callable[[Any], bool], recs: list[dict[str, object]]) -> tuple[float, int]:
    t = time.process_time()
    hits = sum(1 for r in recs if fn(r))
    return time.process_time() - t, hits


def client_check(text: str) -> Callable[[Any], bool]:
    """What the client calls per record for ``text``'s residual."""
    plan = cqlang.plan(text)
    if plan.residual is None:  # one request, nothing left: check it all the same
        checked = check_text(text)
        assert checked.ir is not None
        return Residual(checked.ir, text).matches
    return plan.residual.matches


def compare(name: str, text: str, by_hand: Callable[[Any], bool], recs: list[Any]) -> float:
    ours = client_check(text)
    best_e = best_h = float("inf")
    timed(ours, recs)  # warm: the records' memory, the matcher's caches
    for n in range(ROUNDS):  # interleaved rounds, each side first in turn; the best of each
        if n % 2:
            th, hh = timed(by_hand, recs)
            te, he = timed(ours, recs)
        else:
            te, he = timed(ours, recs)
            th, hh = timed(by_hand, recs)
        assert he == hh, (he, hh)
        best_e, best_h = min(best_e, te), min(best_h, th)
    ratio = best_e / best_h
    print(f"  {name}: {text}")
    print(f"    hand-written function: {len(recs) / best_h:>12,.0f} records/s")
    print(f"    Residual.matches:      {len(recs) / best_e:>12,.0f} records/s")
    print(f"    ratio: {ratio:.2f}x the hand-written function's time (target <= 1.1x)")
    return ratio


def main() -> None:
    recs = records(N)
    print(f"client-side check benchmark: {N:,} records")
    compare("plain fields", PLAIN, plain_by_hand, recs)
    compare("or with a custom field", CUSTOM_OR, custom_or_by_hand, recs)


if __name__ == "__main__":
    main()
