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
   requests' records, shown in its own column;
3. one page, no HTTP: one recorded page body (bytes) given, alternating,
   to ``json.loads`` alone (what the bare loop does with it) and to what
   the client does with it before any record is used (the body decoded
   with its nesting bounded and its numbers checked, the envelope, the
   ids: ``page_records`` + ``record_ids``; the same steps with the garbage
   collector not paused beside them), ``--page-rounds`` times: the median
   CPU time per page of each, the median of the rounds' ratios to
   ``json.loads`` alone, and the ratio of the means.

``--baseline REV`` also times cqlang as it was at git revision ``REV``
(``main``, a commit), in the same rounds, alternating: its client in 1.,
its page path in 3. (before and after, measured side by side in one run).

    python benchmarks/bench_client.py [--records 100000] [--page-size 1000] [--rounds 5]
        [--page-rounds 200] [--baseline main]
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import requests

from cqlang.client import Client
from cqlang.client.page import page_records
from cqlang.recordids import record_ids

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


def with_client(
    url: str, page_size: int, query: str = "", client: type[Client] = Client
) -> Iterator[dict[str, Any]]:
    """The client's own iterator (no wrapper generator: the bare loop has none)."""
    return client(url, KEY).voice_campaign_requests(CAMPAIGN, query, page_size=page_size)


def load_baseline(rev: str) -> ModuleType:
    """cqlang as it was at git revision ``rev``, importable beside this one
    as the package ``cqlang_baseline`` (its modules import each other
    relatively; the grammar is read from beside the package)."""
    root = Path(__file__).resolve().parent.parent
    archive = subprocess.run(
        ["git", "archive", rev, "cqlang", "grammar"], cwd=root, capture_output=True, check=True
    ).stdout
    where = tempfile.mkdtemp(prefix="cqlang-baseline-")
    atexit.register(shutil.rmtree, where, ignore_errors=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and on
            tar.extractall(where, filter="data")
        else:  # our own repository's archive
            tar.extractall(where)
    os.rename(os.path.join(where, "cqlang"), os.path.join(where, "cqlang_baseline"))
    sys.path.insert(0, where)
    return importlib.import_module("cqlang_baseline")


def page_path(
    package: ModuleType | None = None, paused: bool = True
) -> Callable[[bytes], tuple[list[Any], list[str]]]:
    """What the client does with a page's body before any record is used:
    this cqlang's, or ``package``'s (a baseline; one from before
    ``cqlang.client.page`` did what its transport did: ``jsonlimit.loads``,
    the envelope, ``record_ids``). ``paused=False``: the same steps without
    the garbage collector's pause (to show what the pause is worth)."""
    if package is None and paused:
        return lambda body: (data := page_records(body), record_ids(data))
    name = "cqlang" if package is None else package.__name__
    ids = importlib.import_module(f"{name}.recordids").record_ids
    try:
        if not paused:
            raise ImportError("the steps one by one")
        records = importlib.import_module(f"{name}.client.page").page_records
    except ImportError:
        loads = importlib.import_module(f"{name}.jsonlimit").loads

        def records(body: bytes) -> list[Any]:
            doc = loads(body, 64)
            data = doc.get("data") if isinstance(doc, dict) else None
            if not isinstance(data, list):
                raise ValueError("not the envelope")
            return data

    return lambda body: (data := records(body), ids(data))


def page_costs(
    body: bytes, rounds: int, paths: dict[str, Callable[[bytes], Any]]
) -> dict[str, list[float]]:
    """CPU time (this process's) of each of ``paths`` on ``body``, in
    ``rounds`` rounds, the order shuffled in each. Each keeps its result
    until its next turn (as a fetch holds a page while the next comes) and
    touches every record of it (as a consumer does), so that collections
    the garbage collector owes it run inside its own turns."""
    kept: dict[str, Any] = dict.fromkeys(paths)
    times: dict[str, list[float]] = {name: [] for name in paths}
    order = list(paths)
    for _ in range(rounds):
        random.shuffle(order)
        for name in order:
            c0 = time.process_time()
            kept[name] = result = paths[name](body)
            for _ in result[0]:
                pass
            times[name].append(time.process_time() - c0)
    return times


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
    ap.add_argument("--page-rounds", type=int, default=200)
    ap.add_argument("--baseline", metavar="REV", help="also time cqlang at this git revision")
    args = ap.parse_args()

    base = load_baseline(args.baseline) if args.baseline else None
    t0 = time.perf_counter()
    proc, url = start_emulator(args.records)
    print(f"emulator: {args.records:,} records at {url} ({time.perf_counter() - t0:.1f} s)")
    try:
        sources: dict[str, Callable[[], Iterator[dict[str, Any]]]] = {
            "bare requests + json loop": lambda: bare_loop(url, args.page_size),
            "cqlang.Client": lambda: with_client(url, args.page_size),
        }
        if base is not None:
            base_client = base.client.Client
            sources[f"cqlang.Client at {args.baseline}"] = lambda: with_client(
                url, args.page_size, client=base_client
            )
        # Warm-up: connections, the server's caches, the JIT-less interpreter's caches.
        for source in sources.values():
            timed(source)
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in sources}
        order = list(sources)
        for _ in range(args.rounds):  # interleaved, so load on the machine hits each
            random.shuffle(order)
            for name in order:
                t, c, n = timed(sources[name])
                assert n == args.records, n
                runs[name].append((t, c))
        pages = -(-args.records // args.page_size)
        print(f"\nfetching {args.records:,} records in pages of {args.page_size:,} "
              f"({pages} pages), {args.rounds} interleaved rounds:")  # fmt: skip
        print(f"  {'':34}{'best wall':>10}{'median':>9}{'best CPU':>10}{'median':>9}   records/s")
        for name, got in runs.items():
            walls = sorted(w for w, _ in got)
            cpus = sorted(c for _, c in got)
            print(f"  {name:34}{walls[0]:9.3f}s{statistics.median(walls):8.3f}s{cpus[0]:9.3f}s"
                  f"{statistics.median(cpus):8.3f}s   {args.records / walls[0]:9,.0f}")  # fmt: skip
        bare = runs["bare requests + json loop"]
        for name, got in list(runs.items())[1:]:
            wall_ratio = min(w for w, _ in got) / min(w for w, _ in bare)
            median_ratio = statistics.median(w for w, _ in got) / statistics.median(
                w for w, _ in bare
            )
            cpu_ratio = min(c for _, c in got) / min(c for _, c in bare)
            cpu_median = statistics.median(c for _, c in got) / statistics.median(
                c for _, c in bare
            )
            print(f"  ratio {name} / bare: best wall {wall_ratio:.3f}, median wall "
                  f"{median_ratio:.3f}, best CPU {cpu_ratio:.3f}, median CPU {cpu_median:.3f}"
                  "   (target <= 1.1)")  # fmt: skip

        print("\npeak traced memory while streaming the first N records (tracemalloc):")
        then = f"  {'at ' + args.baseline:>14}" if base is not None else ""
        print(f"  {'N':>9}  {'bare loop':>12}  {'one request':>12}  {'ratio':>6}"
              f"  {'2 requests (or)':>16}{then}")  # fmt: skip
        counts = sorted({min(args.records, n) for n in (1_000, 10_000, 30_000, 100_000)})
        for n in counts:
            bare_peak = peak_while(bare_loop(url, args.page_size), n)
            one = peak_while(with_client(url, args.page_size), n)
            two = peak_while(with_client(url, args.page_size, "state = OPEN or priority > 50"), n)
            if base is not None:
                was = peak_while(with_client(url, args.page_size, client=base.client.Client), n)
                then = f"  {was / 2**20:10.1f} MiB"
            print(f"  {n:>9,}  {bare_peak / 2**20:8.1f} MiB  {one / 2**20:8.1f} MiB"
                  f"  {one / bare_peak:6.3f}  {two / 2**20:12.1f} MiB{then}")  # fmt: skip
        print("  (target, issue 15: the client at most 1.1x the bare loop in time and memory)")
        print("  (one request: one page in memory, flat; a plan of several requests also "
              "keeps the ids\n   delivered by the earlier requests, to merge them)")  # fmt: skip

        body = requests.get(
            f"{url}/voice_campaign/{CAMPAIGN}/request?limit={args.page_size}&offset=0",
            headers={"Authorization": KEY},
            timeout=(5, 30),
        ).content
        paths: dict[str, Callable[[bytes], Any]] = {
            "json.loads alone": lambda body: (json.loads(body)["data"],),
            "the client's page path": page_path(),
            "... without the collector's pause": page_path(paused=False),
        }
        if base is not None:
            paths[f"the page path at {args.baseline}"] = page_path(base)
        for path in paths.values():
            path(body)
        costs = page_costs(body, args.page_rounds, paths)
        print(f"\none page of {args.page_size:,} records ({len(body) / 2**20:.2f} MiB), no HTTP, "
              f"{args.page_rounds} rounds, CPU time:")  # fmt: skip
        print(f"  {'':34}{'median':>9}{'ratio':>8}{'mean':>11}{'ratio':>8}")
        floor = costs["json.loads alone"]
        for name, cpu in costs.items():
            ratio = statistics.median(a / b for a, b in zip(cpu, floor, strict=True))
            mean = statistics.fmean(cpu)
            print(f"  {name:34}{statistics.median(cpu) * 1000:6.2f} ms{ratio:8.3f}"
                  f"{mean * 1000:8.2f} ms{mean / statistics.fmean(floor):8.3f}")  # fmt: skip
        print("  (ratios to json.loads alone: the median of the rounds' ratios, and of the means;")
        print("   each path holds its page until its next turn and touches every record, as a")
        print("   fetch does, so the collections it causes fall in its own turns)")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
