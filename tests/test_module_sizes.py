"""No module of the package over 600 lines (issue 12): a module that grows
past it is doing more than one job. The generated parse tables are not
source and are left out."""

from __future__ import annotations

from pathlib import Path

import cqlang

MAX_LINES = 600
GENERATED = {"_parse_tables.py"}


def test_no_module_is_over_600_lines() -> None:
    root = Path(cqlang.__file__).parent
    sizes = {
        str(p.relative_to(root)): len(p.read_text(encoding="utf-8").splitlines())
        for p in root.rglob("*.py")
        if p.name not in GENERATED
    }
    assert len(sizes) > 50  # the package was found
    over = {name: n for name, n in sizes.items() if n > MAX_LINES}
    assert not over, f"modules over {MAX_LINES} lines: {over}"
