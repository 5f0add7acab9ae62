"""Many diagnostics and a large config, side by side at two sizes.

Checks a query of 5,000 and of 50,000 unknown property names (every one a
diagnostic, drawn capped at 100 as the command line does), and runs
``cqlang config`` on a file of 800 and of 8,000 custom fields. Prints the
time of each and the ratio: linear work gives about 10x for 10x the input
(issue 16: these were quadratic, 63 s and 15 s at the larger sizes).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

import cqlang
from cqlang.cli import main
from cqlang.diagnostics import render_all


def names(n: int) -> str:
    return " and ".join(f"prop{i} = 1" for i in range(n))


def check_and_draw(text: str) -> float:
    started = time.perf_counter()
    diags = cqlang.check(text)
    render_all(diags, text)
    return time.perf_counter() - started


def config_of(n: int, where: Path) -> float:
    fields = "\n".join(f'field{i} = "string"' for i in range(n))
    path = where / f"c{n}.toml"
    path.write_text(f"[schema.custom_fields]\n{fields}\n", encoding="utf-8")
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["--config", str(path), "config"])
    assert result.exit_code == 0, result.output
    return time.perf_counter() - started


def main_() -> None:
    small, large = names(5_000), names(50_000)
    best_s = best_l = float("inf")
    for _ in range(2):  # interleaved rounds; the best of each
        best_s = min(best_s, check_and_draw(small))
        best_l = min(best_l, check_and_draw(large))
    print("diagnostics benchmark")
    print(f"  check + draw,  5,000 unknown names: {best_s * 1000:9.1f} ms")
    print(f"  check + draw, 50,000 unknown names: {best_l * 1000:9.1f} ms")
    print(f"  ratio: {best_l / best_s:.1f}x for 10x the names (linear: about 10x)")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.pop("CQLANG_CONFIG", None)
        where = Path(tmp)
        best_s = best_l = float("inf")
        for _ in range(2):
            best_s = min(best_s, config_of(800, where))
            best_l = min(best_l, config_of(8_000, where))
    print(f"  cqlang config,   800 custom fields: {best_s * 1000:9.1f} ms")
    print(f"  cqlang config, 8,000 custom fields: {best_l * 1000:9.1f} ms")
    print(f"  ratio: {best_l / best_s:.1f}x for 10x the fields (linear: about 10x)")


if __name__ == "__main__":
    main_()
