"""The ``;``-separated statements of a text, found with the lexer's tokens.

The REPL reads several queries on a line (``state = OPEN; priority > 5``);
``;`` is no token of the language, so it separates exactly where the lexer
of :mod:`cqlang.parser` stops at one between two tokens: never inside a
string or a ``#`` comment, which the lexer reads whole. Where the lexer
stops at a character it has no token for, the reading goes on after it; at
a quote that opens a string never closed on its line (CQL003), after that
line (a string never runs past its line: a backslash there ends it too).

The REPL asks on every key press (the status line, completion), so:

* a text with no ``;`` is one statement, and nothing is lexed;
* only the text up to the last ``;`` is lexed;
* the reading resumes from where the previous text's did, at the last
  checkpoint (the end of a token that a blank follows) that the new text
  shares, blank included: the lexer decided that token, and everything
  before it, on characters before that blank (no token reads across a
  blank but a string, which ends at its quote), so typing after it
  changes none of them;
* past the change, once the reading reaches one of the previous text's
  checkpoints in the end both texts share, the rest is the previous
  reading's, moved: from one offset on, over the same characters, the
  reading makes the same decisions.
"""

from __future__ import annotations

from .parser.lexer import _SKIP_RE, _TOKEN_RE  # the lexer's own token and blank patterns

__all__ = ["shared_end", "shared_start", "statement_spans"]

#: Characters lexed between two checkpoints, at least.
_CHECKPOINT_EVERY = 256

_Checkpoint = tuple[int, int, int]  # offset (a token's end), spans before it, statement start
# The previous reading: its text, its spans and its checkpoints.
_last: tuple[str, tuple[tuple[int, int], ...], tuple[_Checkpoint, ...]] = ("", (), ())


def shared_start(a: str, b: str) -> int:
    """The length of the longest common prefix of ``a`` and ``b`` (slices
    compared by halves: a few memory comparisons, not a loop per
    character). With :func:`shared_end`, what changed between two readings
    of the input: here and in the REPL's highlighting."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def statement_spans(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of the statements of ``text``, blank ones
    included, in order; they cover all of it but the ``;`` between them."""
    global _last
    n = len(text)
    last = text.rfind(";")
    if last < 0:
        return [(0, n)]
    old, old_spans, old_points = _last
    if text == old:
        return list(old_spans)
    points: list[_Checkpoint] = []
    spans: list[tuple[int, int]] = []
    start = pos = 0
    limit = n  # where the end both texts share starts
    join: dict[int, int] = {}  # the previous checkpoints there, by offset
    delta = n - len(old)
    if old_points:
        shared = shared_start(old, text)
        for point in old_points:
            if point[0] >= shared:  # its blank (at point[0]) must be shared too
                break
            points.append(point)
        if points:
            pos, count, start = points[-1]
            spans.extend(old_spans[:count])
        limit = n - shared_end(old, text, min(len(old), n) - shared)
        join = {c[0]: j for j, c in enumerate(old_points)}
    mark = pos
    match = _TOKEN_RE.match
    skip = _SKIP_RE.match
    while pos <= last:
        m = match(text, pos)
        if m is not None:  # a token: no token holds a `;` but a string
            pos = m.end()
            if pos >= limit and join:
                j = join.get(pos - delta)
                if j is not None:  # the previous reading from here on, moved
                    _, count, was = old_points[j]
                    done = len(spans)  # statements ended before here
                    points.extend(
                        (c + delta, done + k - count, start if st == was else st + delta)
                        for c, k, st in old_points[j:]
                    )
                    spans.append((start, old_spans[count][1] + delta))
                    spans.extend((s + delta, e + delta) for s, e in old_spans[count + 1 :])
                    _last = (text, tuple(spans), tuple(points))
                    return spans
            if pos - mark >= _CHECKPOINT_EVERY and pos < n and text[pos] in " \t\r\n\f":
                points.append((pos, len(spans), start))
                mark = pos
            continue
        at = skip(text, pos).end()  # type: ignore[union-attr]  # it always matches
        ch = text[at]  # the lexer stopped here, before the end of the text
        if ch == ";":
            spans.append((start, at))
            start = pos = at + 1
        elif ch in "\"'":
            nl = text.find("\n", at)
            pos = n if nl < 0 else nl
        else:
            pos = at + 1
    spans.append((start, n))
    _last = (text, tuple(spans), tuple(points))
    return spans


def shared_end(a: str, b: str, most: int) -> int:
    """The length of the longest common suffix of ``a`` and ``b``, at most
    ``most``."""
    lo, hi = 0, max(0, most)
    la, lb = len(a), len(b)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[la - mid : la - lo] == b[lb - mid : lb - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo
