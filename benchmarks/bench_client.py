"""Client overhead and memory: ``cqlang.Client`` against a bare requests loop.

Starts the emulator in a separate process (``cqlang emulator``) serving
``--records`` records (default 100,000), then, in this process:

1. time: fetches every record in pages of ``--page-size`` (default 1,000),
   ``--rounds`` times each, alternating a bare ``requests`` + ``json`` loop
   over the same pages and ``Client.voice_campaign_requests``; prints wall
   and CPU times (best and median) and their ratios (the target is at most
   1.1, issue 15). The machine's other load shows in the wall times: the CPU
   time of this process, where the client runs, is the steadier measure;
2. memory: the peak traced by ``tracemalloc`` while the bare loop and the
   client stream the first N records, for growing N, and their ratio: it
   stays flat (one page in memory), and the client's is at most 1.1x the
   bare loop's. A multi-request plan also keeps the ids of the earlier
   requests' records, shown in its own column.

    python benchmarks/bench_client.py [--records 100000] [--page-size 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import requests

from cqlang.client import Client

CAMPAIGN = "5b7c389fe8df7b60af688989"
KEY = "bench-key"


def start_emulator(records: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "cqlang.cli", "emulator", "--port", "0",
         "--records", str(records), "--api-key", KEY],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("cqlang emulator listening on "):
        proc.kill()
        raise SystemExit(f"the emulator did not start: {line!r}")
    return proc, line.strip().rsplit(" ", 1)[1]


def bare_loop(url: str, page_size: int) -> Iterator[dict[str, Any]]:
    """What one writes by hand: requests + json, limit/offset to a short page."""
    base = f"{url}/voice_campaign/{CAMPAIGN}/request"
    with requests.Session() as s:
        offset = 0
        while True:
            r = s.get(
                f"{base}?limit={page_size}&offset={offset}",
                headers={"Authorization": KEY},
                timeout=(5, 30),
            )
            r.raise_for_status()
            data = r.json()["data"]
            yield from data
            if len(data) < page_size:
                return
            offset += page_size


def with_client(url: str, page_size: int, query: str = "") -> Iterator[dict[str, Any]]:
    """The client's own iterator (no wrapper generator: the bare loop has none)."""
    return Client(url, KEY).voice_campaign_requests(CAMPAIGN, query, page_size=page_size)


def timed(source: Callable[[], Iterator[dict[str, Any]]]) -> tuple[float, float, int]:
    """Wall time, this process's CPU time (the server runs in another), count."""
    t0, c0 = time.perf_counter(), time.process_time()
    n = 0
    for _ in source():
        n += 1
    return time.perf_counter() - t0, time.process_time() - c0, n


def peak_while(source: Iterator[dict[str, Any]], limit: int) -> int:
    """Peak traced memory while consuming ``limit`` records."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    for n, _ in enumerate(source, 1):
        if n >= limit:
            break
    if hasattr(source, "close"):
        source.close()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--page-size", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    t0 = time.perf_counter()
    proc, url = start_emulator(args.records)
    print(f"emulator: {args.records:,} records at {url} ({time.perf_counter() - t0:.1f} s)")
    try:
        # Warm-up: connections, the server's caches, the JIT-less interpreter's caches.
        timed(lambda: bare_loop(url, args.page_size))
        bare: list[tuple[float, float]] = []
        ours: list[tuple[float, float]] = []
        for _ in range(args.rounds):  # interleaved, so load on the machine hits both
            t, c, n = timed(lambda: bare_loop(url, args.page_size))
            assert n == args.records, n
            bare.append((t, c))
            t, c, n = timed(lambda: with_client(url, args.page_size))
            assert n == args.records, n
            ours.append((t, c))
        pages = -(-args.records // args.page_size)
        print(f"\nfetching {args.records:,} records in pages of {args.page_size:,} "
              f"({pages} pages), {args.rounds} interleaved rounds:")  # fmt: skip
        print(f"  {'':28}{'best wall':>10}{'median':>9}{'best CPU':>10}   records/s")
        for name, runs in (("bare requests + json loop", bare), ("cqlang.Client", ours)):
            walls = sorted(w for w, _ in runs)
            cpu = min(c for _, c in runs)
            print(f"  {name:28}{walls[0]:9.3f}s{statistics.median(walls):8.3f}s{cpu:9.3f}s"
                  f"   {args.records / walls[0]:9,.0f}")  # fmt: skip
        wall_ratio = min(w for w, _ in ours) / min(w for w, _ in bare)
        median_ratio = statistics.median(w for w, _ in ours) / statistics.median(w for w, _ in bare)
        cpu_ratio = min(c for _, c in ours) / min(c for _, c in bare)
        print(f"  ratio client / bare: best wall {wall_ratio:.3f}, median wall "
              f"{median_ratio:.3f}, best CPU {cpu_ratio:.3f}   (target <= 1.1)")  # fmt: skip

        print("\npeak traced memory while streaming the first N records (tracemalloc):")
        print(f"  {'N':>9}  {'bare loop':>12}  {'one request':>12}  {'ratio':>6}"
              f"  {'2 requests (or)':>16}")  # fmt: skip
        counts = sorted({min(args.records, n) for n in (1_000, 10_000, 30_000, 100_000)})
        for n in counts:
            bare_peak = peak_while(bare_loop(url, args.page_size), n)
            one = peak_while(with_client(url, args.page_size), n)
            two = peak_while(with_client(url, args.page_size, "state = OPEN or priority > 50"), n)
            print(f"  {n:>9,}  {bare_peak / 2**20:8.1f} MiB  {one / 2**20:8.1f} MiB"
                  f"  {one / bare_peak:6.3f}  {two / 2**20:12.1f} MiB")  # fmt: skip
        print("  (target, issue 15: the client at most 1.1x the bare loop in time and memory)")
        print("  (one request: one page in memory, flat; a plan of several requests also "
              "keeps the ids\n   delivered by the earlier requests, to merge them)")  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
