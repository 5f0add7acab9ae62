"""Whether a standard stream is UTF-8 is asked in one place
(cqlang.utf8.is_utf8): the launcher's fast path, the streams that escape
what their encoding lacks, and standard input read as UTF-8 agree."""

from __future__ import annotations

import ast
import codecs
import io
from pathlib import Path

import pytest

import cqlang
from cqlang.queryfile import utf8_input
from cqlang.term.streams import HANDLER, never_fail
from cqlang.utf8 import is_utf8

SPELLINGS = ["utf-8", "UTF-8", "utf8", "UTF_8", "U8", "cp65001", "utf-8-sig", "latin-1", "ascii"]


def stream(encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(b"state = OPEN\n"), encoding=encoding)


@pytest.mark.parametrize("encoding", SPELLINGS)
def test_every_reader_of_a_streams_encoding_agrees(encoding: str) -> None:
    utf8 = codecs.lookup(encoding).name == "utf-8"
    assert is_utf8(stream(encoding)) is utf8
    out = stream(encoding)
    never_fail(out)
    assert out.errors == ("strict" if utf8 else HANDLER)  # a UTF-8 stream is left alone
    inp = utf8_input(stream(encoding))
    assert is_utf8(inp) and inp.errors == "surrogateescape"
    assert inp.encoding == (encoding if utf8 else "utf-8")  # set only when it is not


def test_no_stream_or_no_encoding_is_not_utf8() -> None:
    assert not is_utf8(None)
    assert not is_utf8(io.StringIO())  # its encoding is None
    assert not is_utf8(type("S", (), {"encoding": "no-such-codec"})())


def _constants(side: ast.expr) -> list[object]:
    """The constants a side of a comparison is, or lists."""
    if isinstance(side, ast.Constant):
        return [side.value]
    if isinstance(side, (ast.Tuple, ast.List, ast.Set)):
        return [e.value for e in side.elts if isinstance(e, ast.Constant)]
    return []


def test_no_other_module_compares_an_encoding_with_utf8() -> None:
    root = Path(cqlang.__file__).parent
    where = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(
                str(c).lower() in ("utf-8", "utf8")
                for side in (node.left, *node.comparators)
                for c in _constants(side)
            ):
                where.append(path.relative_to(root).as_posix())
    assert where == ["utf8.py"]
