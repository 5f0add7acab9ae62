"""Compile speed, side by side with the cost of just sending the filter.

Prints, measured in one run on this machine:

* the median time of ``cqlang.compile`` + ``cqlang.encode`` on 3-, 20- and
  200-clause queries of mixed clauses (benchmarks/queries.py), each call on
  a distinct text (no cache helps), as a ratio to the floor: ``json.dumps``
  plus percent-encoding (``urllib.parse.quote``) of the same filter list
  (targets, issue 15: at most 6x for 3 clauses, 9x for 200); beside it
  the time of parsing alone (benchmarks/bench_peers.py puts the peers'
  parsers beside these);
* the cost per clause at 10,000 clauses against 100 (target, issue 15:
  within 10%: no bend; the cyclic garbage collector used to run two or
  three full collections inside one call at that size), with the full
  collections counted;
* the same for a repeated identical query (target: at most 2x, the cache);
* the cold start of ``cqlang compile`` against ``python -c pass``
  (target, issue 12: at most 4x), of ``cqlang check`` and ``cqlang explain``
  (at most 5x) and of ``cqlang --help`` (at most 6x), run in a folder with
  no config file to read; beside them ``compile`` with a config file (which
  takes the full click command and reads TOML), compiling, checking and
  explaining from ``python -c`` without the command line, and importing
  click and dataclasses alone; with a wheel's ``cqlang`` first on PATH
  (``make wheel-check``, then ``PATH=.wheel-venv/bin:$PATH``), this venv's
  editable install's ``cqlang compile`` beside it (issue 15: it starts as
  fast as the wheel, its parse tables read from a cache).

Ratios, not wall times, because these machines are noisy.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import quote

import queries

import cqlang

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "300"))


def query(clauses: int, variant: int) -> str:
    """A query of ``clauses`` mixed predicates; ``variant`` makes the text unique."""
    return queries.query(clauses, variant)


def baseline(filters: list[dict[str, object]]) -> str:
    return quote(json.dumps(filters, ensure_ascii=False, separators=(",", ":")), safe="-_.!~*'()")


def side_by_side(texts: list[str], filters: list[list[dict[str, object]]]) -> tuple[float, float]:
    """Median ns of the baseline and of compile+encode, the two interleaved
    call by call so that both see the same machine noise."""
    base, comp = [], []
    for text, f in zip(texts, filters, strict=True):
        t = time.perf_counter_ns()
        baseline(f)
        t1 = time.perf_counter_ns()
        compile_and_encode(text)
        t2 = time.perf_counter_ns()
        base.append(t1 - t)
        comp.append(t2 - t1)
    return statistics.median(base), statistics.median(comp)


def compile_and_encode(text: str) -> str:
    return cqlang.encode(cqlang.compile(text))


COLD_QUERY = "state = OPEN and priority >= 3"


def cold_start(runs: int = 15) -> tuple[dict[str, float], str]:
    """Median seconds of ``python -c pass``, of ``cqlang compile`` and of its
    neighbours, all run interleaved with the Python that ``cqlang`` itself
    runs on, in an empty temporary folder (not this source tree, which
    ``python -c`` would import from); and which parse tables that
    installation uses."""
    here = os.path.join(os.path.dirname(sys.executable), "cqlang")  # this venv's
    exe = shutil.which("cqlang") or here
    # Beside a wheel's command on PATH (make wheel-check), this venv's own
    # (make test's editable install): the two starts side by side.
    here_kind = "this venv's"
    with open(exe, encoding="utf-8") as f:
        first = f.readline()
    python = first[2:].strip() if first.startswith("#!") else sys.executable
    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if k != "CQLANG_CONFIG"}
        env["XDG_CONFIG_HOME"] = folder  # no user config file either
        # An editable install writes its .pyc files at the first start and
        # reads them after, as a wheel's installer writes them once.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        config = os.path.join(folder, "config.toml")
        with open(config, "w", encoding="utf-8") as f:
            f.write('[schema.custom_fields]\nregion = "string"\n')
        backend = subprocess.run(
            [python, "-c", "import cqlang.parser as p; print(p.backend_name())"],
            check=True,
            capture_output=True,
            text=True,
            cwd=folder,
            env=env,
        ).stdout.strip()
        library = f"import cqlang, json; print(json.dumps(cqlang.compile({COLD_QUERY!r})))"
        checking = f"import cqlang; print(cqlang.check({COLD_QUERY!r}))"
        explaining = f"import cqlang; print(cqlang.plan({COLD_QUERY!r}).explain())"
        with_config = {**env, "CQLANG_CONFIG": config}
        cmds = {
            "pass": ([python, "-c", "pass"], env),
            "cqlang compile": ([exe, "compile", COLD_QUERY], env),
            **(
                {f"cqlang compile, {here_kind}": ([here, "compile", COLD_QUERY], env)}
                if here != exe and os.path.exists(here)
                else {}
            ),
            "cqlang check": ([exe, "check", COLD_QUERY], env),
            "cqlang explain": ([exe, "explain", COLD_QUERY], env),
            "cqlang --help": ([exe, "--help"], env),
            "... compile with a config file": ([exe, "compile", COLD_QUERY], with_config),
            "cqlang.compile() from python -c": ([python, "-c", library], env),
            "cqlang.check() from python -c": ([python, "-c", checking], env),
            "cqlang.plan().explain() from python -c": ([python, "-c", explaining], env),
            "import click": ([python, "-c", "import click"], env),
            "import dataclasses": ([python, "-c", "import dataclasses"], env),
        }
        res: dict[str, list[float]] = {k: [] for k in cmds}
        for _ in range(runs):  # interleaved, so all see the same noise
            for name, (cmd, cmd_env) in cmds.items():
                t = time.perf_counter()
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=folder, env=cmd_env)
                res[name].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in res.items()}, backend


def per_clause(rounds: int = 5) -> tuple[float, float, float, float]:
    """Median CPU µs per clause of one compile + encode at 100 and at 10,000
    clauses (distinct texts; each round one query of 10,000 and a hundred
    of 100, interleaved; CPU time, so that time spent waiting for a core is
    left out), and the full collections of the garbage collector per call
    at each size (issue 15: two or three per call at 10,000 clauses)."""
    import gc

    small: list[float] = []
    large: list[float] = []
    full = [0]

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            full[0] += 1

    full_small = full_large = 0
    gc.callbacks.append(count)
    try:
        for r in range(rounds):
            big = query(10_000, 3 * 10**6 + r)
            batch = [query(100, 4 * 10**6 + 100 * r + k) for k in range(100)]
            before = full[0]
            t = time.process_time()
            compile_and_encode(big)
            large.append((time.process_time() - t) / 10_000)
            full_large += full[0] - before
            for text in batch:
                before = full[0]
                t = time.process_time()
                compile_and_encode(text)
                small.append((time.process_time() - t) / 100)
                full_small += full[0] - before
    finally:
        gc.callbacks.remove(count)
    return (
        statistics.median(small) * 1e6,
        statistics.median(large) * 1e6,
        full_small / len(small),
        full_large / len(large),
    )


def main() -> None:
    print(f"cqlang compile benchmark ({ROUNDS} distinct queries per size)")
    print(
        f"{'clauses':>8} {'floor µs':>9} {'compile µs':>11} {'ratio':>7}  {'parse µs':>9}  target"
    )
    for clauses, target in ((3, 6), (20, None), (200, 9)):
        rounds = ROUNDS if clauses < 100 else max(30, ROUNDS // 5)
        # The filters the floor encodes come from other texts, so that
        # compiling the measured texts finds nothing in the cache.
        filters = [cqlang.compile(query(clauses, 10**6 + i)) for i in range(rounds)]
        texts = [query(clauses, i) for i in range(rounds)]
        base, comp = side_by_side(texts, filters)
        parsed = [query(clauses, 2 * 10**6 + i) for i in range(rounds)]
        parse = statistics.median(_timed(cqlang.parse, parsed))
        tgt = f"<= {target}x" if target else ""
        print(
            f"{clauses:>8} {base / 1e3:>9.1f} {comp / 1e3:>11.1f} {comp / base:>6.1f}x"
            f"  {parse / 1e3:>9.1f}  {tgt}"
        )
    small, large, gc_small, gc_large = per_clause()
    print(
        f"per clause: {small:.1f} µs at 100 clauses, {large:.1f} µs at 10,000: "
        f"{large / small:.2f}x (target <= 1.10x: no bend); full garbage collections "
        f"per call: {gc_small:.2f} at 100, {gc_large:.1f} at 10,000"
    )
    text = query(3, 424242)
    compile_and_encode(text)
    base, comp = side_by_side([text] * ROUNDS, [cqlang.compile(text)] * ROUNDS)
    print(f"repeated identical 3-clause query: {comp / base:.1f}x the floor (target <= 2x)")
    times, backend = cold_start()
    p = times.pop("pass")
    print(f"cold start, python -c pass = {p * 1e3:.0f} ms (tables: {backend}):")
    targets = {"cqlang compile": 4, "cqlang check": 5, "cqlang explain": 5, "cqlang --help": 6}
    for name, t in times.items():
        target = f"  target <= {targets[name]}x" if name in targets else ""
        print(f"  {name:<40} {t * 1e3:5.0f} ms {t / p:5.1f}x{target}")
    print("  (for the wheel's numbers: make wheel-check, then PATH=.wheel-venv/bin:$PATH)")


def _timed(fn: object, args: list[str]) -> list[int]:
    out = []
    for a in args:
        t = time.perf_counter_ns()
        fn(a)  # type: ignore[operator]
        out.append(time.perf_counter_ns() - t)
    return out


if __name__ == "__main__":
    main()
