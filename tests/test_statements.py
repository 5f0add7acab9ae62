"""cqlang/statements.py's helpers for what changed between two readings of
the input: one pair (shared_start, shared_end) for the statements' reading
and the REPL's highlighting alike."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cqlang.statements import shared_end, shared_start

TEXT = st.text(st.sampled_from(list('ab; "#\n')), max_size=40)


def common_prefix(a: str, b: str) -> int:
    """The plain loop, one character at a time."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


@given(a=TEXT, b=TEXT)
def test_shared_start_is_the_common_prefix(a: str, b: str) -> None:
    n = shared_start(a, b)
    assert n == common_prefix(a, b)
    assert shared_start(b, a) == n


@given(a=TEXT, b=TEXT, data=st.data())
def test_shared_end_is_the_common_suffix_at_most_most(a: str, b: str, data: st.DataObject) -> None:
    most = data.draw(st.integers(min_value=-2, max_value=min(len(a), len(b))))
    suffix = common_prefix(a[::-1], b[::-1])
    assert shared_end(a, b, most) == max(0, min(suffix, most))


def test_the_highlighter_uses_the_same_helpers() -> None:
    from cqlang.repl import highlighting

    assert highlighting.shared_start is shared_start
    assert highlighting.shared_end is shared_end
    assert not hasattr(highlighting, "_common_prefix")
