"""Compile speed, side by side with the cost of just sending the filter.

Prints, measured in one run on this machine:

* the median time of ``cqlang.compile`` + ``cqlang.encode`` on 3-, 20- and
  200-clause queries, each call on a distinct text (no cache helps), as a
  ratio to ``json.dumps`` plus percent-encoding of the same filter list
  (targets: at most 10x for 3 clauses, 12x for 200);
* the same for a repeated identical query (target: at most 2x, the cache);
* the cold start of ``cqlang compile`` against ``python -c pass``
  (target, issue 12: at most 4x), of ``cqlang check`` and ``cqlang explain``
  (at most 5x) and of ``cqlang --help`` (at most 6x), run in a folder with
  no config file to read; beside them ``compile`` with a config file (which
  takes the full click command and reads TOML), compiling, checking and
  explaining from ``python -c`` without the command line, and importing
  click and dataclasses alone.

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

import cqlang

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "300"))


def query(clauses: int, variant: int) -> str:
    """A query of ``clauses`` distinct predicates; ``variant`` makes the text unique."""
    base = [
        f"priority >= {variant % 7}",
        "state in (OPEN, PROCESSING)",
        f'custom.region = "PL{variant}"',
    ]
    parts = base[:clauses]
    for i in range(len(parts), clauses):
        parts.append(f'custom.k{i} = "v{variant}-{i}"')
    return " and ".join(parts)


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
    exe = shutil.which("cqlang") or os.path.join(os.path.dirname(sys.executable), "cqlang")
    with open(exe, encoding="utf-8") as f:
        first = f.readline()
    python = first[2:].strip() if first.startswith("#!") else sys.executable
    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if k != "CQLANG_CONFIG"}
        env["XDG_CONFIG_HOME"] = folder  # no user config file either
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


def main() -> None:
    print(f"cqlang compile benchmark ({ROUNDS} distinct queries per size)")
    print(f"{'clauses':>8} {'baseline µs':>12} {'compile µs':>11} {'ratio':>7}  target")
    for clauses, target in ((3, 10), (20, None), (200, 12)):
        # The filters the baseline encodes come from other texts, so that
        # compiling the measured texts finds nothing in the cache.
        filters = [cqlang.compile(query(clauses, 10**6 + i)) for i in range(ROUNDS)]
        texts = [query(clauses, i) for i in range(ROUNDS)]
        base, comp = side_by_side(texts, filters)
        tgt = f"<= {target}x" if target else ""
        print(f"{clauses:>8} {base / 1e3:>12.1f} {comp / 1e3:>11.1f} {comp / base:>6.1f}x  {tgt}")
    text = query(3, 424242)
    compile_and_encode(text)
    base, comp = side_by_side([text] * ROUNDS, [cqlang.compile(text)] * ROUNDS)
    print(f"repeated identical 3-clause query: {comp / base:.1f}x the baseline (target <= 2x)")
    times, backend = cold_start()
    p = times.pop("pass")
    print(f"cold start, python -c pass = {p * 1e3:.0f} ms (tables: {backend}):")
    targets = {"cqlang compile": 4, "cqlang check": 5, "cqlang explain": 5, "cqlang --help": 6}
    for name, t in times.items():
        target = f"  target <= {targets[name]}x" if name in targets else ""
        print(f"  {name:<40} {t * 1e3:5.0f} ms {t / p:5.1f}x{target}")
    print("  (for the wheel's numbers: make wheel-check, then PATH=.wheel-venv/bin:$PATH)")


if __name__ == "__main__":
    main()
