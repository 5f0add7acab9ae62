"""Checking every named query of a config, as ``queries check`` does, as the
number of queries grows, side by side: a chain (``@qI`` is ``@qI+1``) and a
cycle of 250 and of 2,000 queries. Each named query is parsed once per
config (cqlang/refs.py keeps the graph with the frozen queries), so 8x the
queries should cost about 8x the time (it cost about 64x: every query
re-parsed every query it reached). Prints the time of each and the ratio.
"""

from __future__ import annotations

import time
from pathlib import Path
from tempfile import TemporaryDirectory

import cqlang


def config(n: int, cycle: bool) -> str:
    last = f'[queries.q{n}]\nquery = "state = OPEN"\n' if not cycle else ""
    nxt = (lambda i: (i + 1) % n) if cycle else (lambda i: i + 1)
    return "".join(f'[queries.q{i}]\nquery = "@q{nxt(i)}"\n' for i in range(n)) + last


def timed(path: Path) -> float:
    cfg = cqlang.Config.load(path)
    started = time.perf_counter()
    cfg.lint()
    return time.perf_counter() - started


def main() -> None:
    with TemporaryDirectory() as tmp:
        print("named queries benchmark: queries check of a chain and of a cycle")
        for cycle in (False, True):
            paths = {}
            for n in (250, 2000):
                paths[n] = Path(tmp, f"{n}-{cycle}.toml")
                paths[n].write_text(config(n, cycle), encoding="utf-8")
            best = {n: min(timed(paths[n]) for _ in range(3)) for n in paths}
            kind = "cycle" if cycle else "chain"
            print(f"  {kind}:   250 queries: {best[250] * 1000:8.1f} ms")
            print(f"  {kind}: 2,000 queries: {best[2000] * 1000:8.1f} ms")
            print(
                f"  ratio: {best[2000] / best[250]:.1f}x the time for 8x the queries (target ~8x)"
            )


if __name__ == "__main__":
    main()
