"""Output formats: peak memory of ``cqlang fetch -o`` for csv and parquet at
10k, 100k and 1M records (it stays flat: both stream), and the time of a
CSV and of a Parquet fetch as ratios to a JSON Lines fetch of the same
records.

The records come from a small fake server in this process (a thread):
1,000 records of the emulator, served again and again under new ids, each
page built by joining bytes, so that the server costs little next to the
client. Each fetch is a real ``cqlang fetch`` in its own process; its peak
resident memory is what the kernel reports for that child (``wait4``), and
its time the child's wall time (the server's CPU is in this process).

    python benchmarks/bench_output.py [--sizes 10000,100000,1000000] [--rounds 3]

``BENCH_MAX`` (an environment variable) caps the sizes, e.g. ``BENCH_MAX=100000``
to leave out the 1M run, which takes about a minute per format.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cqlang.emulator import DEFAULT_CAMPAIGN, generate_records

TEMPLATES = 1000
_ID = b"@@@@@@@@@@@@@@@@@@@@@@@@"  # 24 characters, as an id


class Pages:
    """``total`` records made of :data:`TEMPLATES` emulator records."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.records = generate_records(TEMPLATES, seed=7)
        self.blobs: dict[tuple[str, ...], list[bytes]] = {}

    def blobs_for(self, exclude: tuple[str, ...]) -> list[bytes]:
        found = self.blobs.get(exclude)
        if found is None:
            found = []
            for rec in self.records:
                kept = {k: v for k, v in rec.items() if k not in exclude}
                kept["id"] = _ID.decode()
                found.append(json.dumps(kept, ensure_ascii=False).encode())
            self.blobs[exclude] = found
        return found

    def page(self, offset: int, limit: int, exclude: tuple[str, ...]) -> bytes:
        blobs = self.blobs_for(exclude)
        end = min(self.total, offset + limit)
        parts = [blobs[i % TEMPLATES].replace(_ID, b"%024x" % i, 1) for i in range(offset, end)]
        return b'{"data":[' + b",".join(parts) + b"]}"


def serve(pages: Pages) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            query = parse_qs(urlsplit(self.path).query)
            offset = int(query.get("offset", ["0"])[0])
            limit = int(query.get("limit", ["1000"])[0])
            exclude = tuple(sorted(json.loads(query.get("exclude", ["[]"])[0])))
            body = pages.page(offset, limit, exclude)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def run_fetch(url: str, out: str, fmt: str, limit: int) -> tuple[float, int]:
    """One ``cqlang fetch`` in a child process: (wall seconds, peak RSS bytes)."""
    config = os.path.join(os.path.dirname(out), "empty.toml")
    with open(config, "w", encoding="utf-8"):
        pass
    env = {**os.environ, "CONPEEK_URL": url, "CONPEEK_KEY": "bench", "CQLANG_CONFIG": config}
    args = [sys.executable, "-m", "cqlang.cli", "fetch", "--campaign", DEFAULT_CAMPAIGN,
            "--limit", str(limit), "--format", fmt, "-o", out]  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"cqlang fetch --format {fmt} failed ({proc.returncode}): {err}")
    return wall, usage.ru_maxrss * 1024  # Linux reports KiB


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    cap = int(os.environ.get("BENCH_MAX") or 0)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if cap:
        sizes = [s for s in sizes if s <= cap] or [cap]
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise SystemExit("bench_output needs pyarrow: pip install -e '.[arrow]'") from None

    pages = Pages(max(sizes))
    server, url = serve(pages)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            print("peak resident memory of `cqlang fetch -o FILE` (one process per fetch):")
            print(f"  {'records':>10}{'jsonl':>12}{'csv':>12}{'parquet':>12}")
            for n in sizes:
                row = []
                for fmt in ("jsonl", "csv", "parquet"):
                    _, peak = run_fetch(url, os.path.join(tmp, f"out.{fmt}"), fmt, n)
                    row.append(peak)
                cells = "".join(f"{p / 2**20:10.1f}MB" for p in row)
                print(f"  {n:>10,}{cells}")
            n = sizes[1] if len(sizes) > 1 else sizes[0]
            times: dict[str, list[float]] = {"jsonl": [], "csv": [], "parquet": []}
            for _ in range(args.rounds):  # interleaved: load on the machine hits both
                for fmt in times:
                    wall, _ = run_fetch(url, os.path.join(tmp, f"t.{fmt}"), fmt, n)
                    times[fmt].append(wall)
            print(f"\nfetch time at {n:,} records, {args.rounds} interleaved rounds:")
            for fmt, walls in times.items():
                print(
                    f"  {fmt:8} best {min(walls):7.2f} s   median {statistics.median(walls):7.2f} s"
                )
            for fmt, target in (("csv", ""), ("parquet", "   (target <= 1.3)")):
                best = min(times[fmt]) / min(times["jsonl"])
                median = statistics.median(times[fmt]) / statistics.median(times["jsonl"])
                print(f"  ratio {fmt} / jsonl: best {best:.2f}, median {median:.2f}{target}")
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
