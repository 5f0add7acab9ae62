"""Lone surrogates in records: text that UTF-8 cannot hold.

JSON can spell a lone UTF-16 surrogate (``"a\\ud800"``), and Python decodes
it to a string holding one (U+D800 to U+DFFF, unpaired). No UTF-8 file can
hold that character: JSON (``--format json|jsonl``) writes it back as its
escape, but a CSV cell, a Parquet or Arrow string cannot. There each lone
surrogate is written as U+FFFD (the replacement character), and the values
so changed are counted, per column, for the writers' notes (docs/client.md,
"Text UTF-8 cannot hold").

The writers try the fast path first and come here only when it failed
(a CSV row whose text does not encode, a batch pyarrow could not convert):
clean text pays nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["LONE", "mend_record", "mend_text", "note"]

#: A lone surrogate (Python's strings never hold a paired one: JSON's
#: ``\\ud83d\\ude00`` decodes to one character).
LONE = re.compile("[\ud800-\udfff]")


def mend_text(text: str) -> str:
    """``text`` with each lone surrogate written as U+FFFD."""
    return LONE.sub("\ufffd", text)


def _mend(value: Any, changed: list[bool]) -> Any:
    if type(value) is str:
        if LONE.search(value) is None:
            return value
        changed[0] = True
        return mend_text(value)
    if type(value) is list:
        return [_mend(v, changed) for v in value]
    if type(value) is dict:
        return {_mend(k, changed): _mend(v, changed) for k, v in value.items()}
    return value


def mend_record(record: Mapping[str, Any], counts: dict[str, int]) -> dict[str, Any]:
    """``record`` with every text mended, its field names too; a value
    changed counts under the field's (mended) name: the column it becomes."""
    out = {}
    for name, value in record.items():
        changed = [False]
        column = _mend(name, changed)
        out[column] = _mend(value, changed)
        if changed[0]:
            counts[column] = counts.get(column, 0) + 1
    return out


def note(counts: Mapping[str, int]) -> list[str]:
    """The counts in words, for the warnings after a fetch (none: ``[]``)."""
    if not counts:
        return []
    total = sum(counts.values())
    parts = ", ".join(f"{col} ({n:,})" for col, n in counts.items())
    noun = "value holds" if total == 1 else "values hold"
    return [
        f"{total:,} {noun} a lone surrogate (U+D800 to U+DFFF), which UTF-8 cannot hold, "
        f"written as U+FFFD: {parts} (JSON Lines keeps it as its \\u escape)"
    ]
