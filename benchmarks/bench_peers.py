"""cqlang beside other Python filter-language parsers, in one run.

The peers (benchmarks/requirements.txt, installed by ``make bench``):
scim2-filter-parser (SCIM filters, sly), luqum (Lucene queries, PLY),
odata-query (OData $filter, sly) and cel-python (Google's CEL, Lark).
Each parses the same filters written in its own language
(benchmarks/queries.py), at 3 and at 200 clauses; each call a distinct
text. Printed as the median time per call and as a ratio to the floor:
``json.dumps`` and percent-encoding (``urllib.parse.quote``) of cqlang's
filter list for the same query, the cost of just sending it. All calls are
interleaved query by query, so that every column sees the same machine, and
each text's calls run in a random order (seeded: the same order at every
run), so that no column always follows the same one (the one before leaves
the processor's caches to the next: a fixed order biased the ratios by a few
per cent).

cqlang is shown twice: compiling and encoding (parse, check, plan,
compile, encode: everything up to the ``filter=`` value) and parsing
alone, to compare with the peers, which only parse. The issue 15 target:
cqlang's compile and encode ahead of every peer's parse alone at 3 clauses.

A peer that is not installed is left out with a note. ``BENCH_ROUNDS``
sets the texts per size (default 200).
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from urllib.parse import quote

import queries

import cqlang

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))


def floor(filters: list[dict[str, object]]) -> str:
    return quote(json.dumps(filters, ensure_ascii=False, separators=(",", ":")), safe="-_.!~*'()")


def peers() -> tuple[dict[str, Callable[[str], object]], list[str]]:
    """A parse function per installed peer, and the names of those missing."""
    found: dict[str, Callable[[str], object]] = {}
    missing: list[str] = []
    if importlib.util.find_spec("scim2_filter_parser"):
        from scim2_filter_parser.lexer import SCIMLexer
        from scim2_filter_parser.parser import SCIMParser

        def scim(text: str) -> object:
            return SCIMParser().parse(SCIMLexer().tokenize(text))

        found["scim2-filter-parser"] = scim
    else:
        missing.append("scim2-filter-parser")
    if importlib.util.find_spec("luqum"):
        from luqum.parser import parser as luqum_parser

        found["luqum"] = luqum_parser.parse
    else:
        missing.append("luqum")
    if importlib.util.find_spec("odata_query"):
        from odata_query.grammar import ODataLexer, ODataParser

        def odata(text: str) -> object:
            return ODataParser().parse(ODataLexer().tokenize(text))

        found["odata-query"] = odata
    else:
        missing.append("odata-query")
    if importlib.util.find_spec("celpy"):
        import celpy

        env = celpy.Environment()
        found["cel-python"] = env.compile
    else:
        missing.append("cel-python")
    return found, missing


def measure(clauses: int, rounds: int) -> dict[str, float]:
    """Median ns per call, by column, all interleaved call by call."""
    found, _ = peers()
    columns: dict[str, Callable[[int], object]] = {}
    filters = [cqlang.compile(queries.query(clauses, 10**6 + i)) for i in range(rounds)]
    # Distinct texts: neither the plan cache nor the parse cache helps.
    compiled = [queries.query(clauses, i) for i in range(rounds)]
    parsed = [queries.query(clauses, 2 * 10**6 + i) for i in range(rounds)]
    columns["floor: json.dumps + quote"] = lambda i: floor(filters[i])
    columns["cqlang compile + encode"] = lambda i: cqlang.encode(cqlang.compile(compiled[i]))
    columns["cqlang parse alone"] = lambda i: cqlang.parse(parsed[i])
    for name, parse in found.items():
        texts = [queries.query(clauses, i, name) for i in range(rounds)]
        parse(texts[0])  # build the parser's tables once, outside the timings
        columns[f"{name} parse"] = lambda i, parse=parse, texts=texts: parse(texts[i])
    times: dict[str, list[int]] = {k: [] for k in columns}
    order = list(columns.items())
    shuffle = random.Random(clauses).shuffle
    for i in range(rounds):
        shuffle(order)
        for name, call in order:
            t = time.perf_counter_ns()
            call(i)
            times[name].append(time.perf_counter_ns() - t)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> int:
    _, missing = peers()
    print(f"cqlang and its peers, {ROUNDS} distinct texts per size (median per call)")
    if missing:
        print(f"  not installed, left out: {', '.join(missing)}")
        print("  (pip install -r benchmarks/requirements.txt; make bench does)")
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))  # the peers recurse on long queries
    for clauses in (3, 200):
        rounds = ROUNDS if clauses < 100 else max(20, ROUNDS // 5)
        results = measure(clauses, rounds)
        base = results["floor: json.dumps + quote"]
        print(f"\n{clauses} clauses ({rounds} texts):")
        print(f"  {'':36}{'µs':>10}{'x floor':>10}")
        for name, ns in results.items():
            print(f"  {name:<36}{ns / 1e3:>10.1f}{ns / base:>9.1f}x")
    print("\ntarget (issue 15): cqlang compile + encode ahead of every peer's parse at 3 clauses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
