"""Every node of a syntax tree has a span, the root Query too (0 to the
text's length), and a type checker knows it: a client script that reads
``.start`` on what walk() and find_all() yield passes mypy --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from strategies import examples, query_texts

import cqlang
from cqlang import ast


@settings(max_examples=examples(100), deadline=None)
@given(query_texts())
def test_every_node_has_a_span_inside_its_parents(case: tuple[ast.Expr, str]) -> None:
    _, text = case
    tree = cqlang.parse(text)
    assert (tree.start, tree.end) == (0, len(text))
    for node in tree.walk():
        assert isinstance(node, ast.SyntaxNode)
        assert 0 <= node.start <= node.end <= len(text)
    for parent in tree.walk():
        for child in parent.walk():
            assert parent.start <= child.start <= child.end <= parent.end


def test_the_empty_query_spans_its_text() -> None:
    tree = cqlang.parse("  # nothing\n")
    assert tree.expr is None and (tree.start, tree.end) == (0, 12)
    assert [(n.start, n.end) for n in tree.walk()] == [(0, 12)]
    # Derived from the text: not a field to give, and no part of equality.
    assert cqlang.parse("state=OPEN") == cqlang.parse("state = OPEN")
    assert tree.replace(text="ab").end == 2


CLIENT = '''\
"""A small client script: the spans of a query's nodes."""

import cqlang
from cqlang.ast import Compare, Param, SyntaxNode


def spans(text: str) -> list[tuple[str, int, int]]:
    tree = cqlang.parse(text)
    out = [(type(n).__name__, n.start, n.end) for n in tree.walk()]
    out += [("Compare", c.start, c.end) for c in tree.find_all(Compare)]
    out += [(p.name, p.start, p.end) for p in tree.find_all(Param, Compare) if isinstance(p, Param)]
    root: SyntaxNode = tree
    return [*out, ("Query", tree.start, tree.end), ("root", root.start, root.end)]
'''


def test_a_client_script_reading_spans_passes_mypy_strict(tmp_path: Path) -> None:
    script = tmp_path / "client.py"
    script.write_text(CLIENT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), script],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).parent.parent,
    )
    assert done.returncode == 0, done.stdout + done.stderr
