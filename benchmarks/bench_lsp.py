"""The language server on a 200-clause query file: diagnostics after a
change, and completion.

Prints the median time of:

* the server's own handling, measured inside one process (CPU time,
  ``time.process_time``): after a change, checking the new text and
  turning the findings into LSP diagnostics (what is published); and
  answering a completion request at the end of the query and in the middle;
  each change a different text, so no cache helps;
* the same seen from a real client over stdio (``python -m cqlang lsp``,
  wall time: JSON-RPC and the pipe included; debounce 0).

Target: the server's own handling within 20 ms. Exits 1 if a median of the
server's own handling is over it. ``BENCH_ROUNDS`` sets the calls per
measurement (default 100).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lsprotocol import types

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bench_repl import query

from cqlang.lsp.complete import completion
from cqlang.lsp.publish import analyze, to_lsp
from cqlang.lsp.server import create_server

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "100"))
BUDGET_MS = 20.0
CLAUSES = 200


def median_ms(fn: Callable[[int], object], rounds: int, clock: Callable[[], float]) -> float:
    times = []
    for i in range(rounds):
        t = clock()
        fn(i)
        times.append(clock() - t)
    return statistics.median(times) * 1000


def in_process(folder: Path, rounds: int) -> dict[str, float]:
    ls = create_server()
    uri = (folder / "q.cql").as_uri()
    texts = [query(CLAUSES, variant=v).replace(" and ", "\nand ") for v in range(rounds + 1)]
    ls.open(uri, texts[0], 1)

    def change(i: int) -> object:
        doc = ls.open(uri, texts[i + 1], i + 2)  # what didChange does
        index = ls.index(doc)
        return [to_lsp(uri, index, f) for f in analyze(ls, doc)]

    text = texts[0]
    lines = text.split("\n")
    end = types.Position(line=len(lines) - 1, character=len(lines[-1]))
    middle = types.Position(line=len(lines) // 2, character=4)

    def complete_at(at: types.Position) -> Callable[[int], object]:
        def run(i: int) -> object:
            ls.open(uri, texts[i], i)
            params = types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=at
            )
            return completion(ls, params)

        return run

    change(0)  # warm: the parser's tables, the config looked for once
    return {
        "diagnostics after a change": median_ms(change, rounds, time.process_time),
        "completion at the end": median_ms(complete_at(end), rounds, time.process_time),
        "completion in the middle": median_ms(complete_at(middle), rounds, time.process_time),
    }


def over_stdio(folder: Path, rounds: int) -> dict[str, float]:
    from lsp_support import SyncClient, diagnostics_of

    home = folder / "home"
    home.mkdir(exist_ok=True)
    client = SyncClient(folder, home)
    uri = (folder / "q.cql").as_uri()
    texts = [query(CLAUSES, variant=v).replace(" and ", "\nand ") for v in range(rounds + 1)]
    client.open(uri, texts[0])
    client.diagnostics_for(uri, 1)

    def change(i: int) -> object:
        client.change(uri, texts[i + 1], i + 2)
        return client.run(diagnostics_of(client.published, uri, i + 2))

    lines = texts[-1].split("\n")
    end = types.Position(line=len(lines) - 1, character=len(lines[-1]))

    def complete(i: int) -> object:
        params = types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=end
        )
        return client.run(client.client.text_document_completion_async(params))

    try:
        return {
            "diagnostics after a change": median_ms(change, rounds, time.perf_counter),
            "completion at the end": median_ms(complete, rounds, time.perf_counter),
        }
    finally:
        client.close()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        text = query(CLAUSES).replace(" and ", "\nand ")
        print(
            f"{CLAUSES}-clause query file: {len(text)} characters, {text.count(chr(10)) + 1} lines;"
            f" median of {ROUNDS} calls"
        )
        own = in_process(folder, ROUNDS)
        print("the server's own handling (CPU time):")
        failed = False
        for name, ms in own.items():
            ok = ms <= BUDGET_MS
            failed = failed or not ok
            print(f"  {name:<28} {ms:7.2f} ms  {'ok' if ok else 'OVER BUDGET'}")
        print("seen from a client over stdio (wall time, JSON-RPC included):")
        for name, ms in over_stdio(folder, ROUNDS).items():
            print(f"  {name:<28} {ms:7.2f} ms")
        print(f"budget: {BUDGET_MS:.0f} ms for the server's own handling")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
