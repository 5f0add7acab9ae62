"""Records drawn for reading: the table (``cqlang fetch --format table``,
the REPL's ``\\fetch``), the expanded display (``\\x``) and one record in
full (``\\show``). Plain text, no colours; record text is data, never
markup, drawn visible (:func:`cqlang.visible.visible`: ``␛``, ``<U+202E>``)
wherever the table goes; values other than text in their JSON spelling.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..evaluator import decode_custom_exact
from ..visible import json_text, visible

__all__ = [
    "COLUMNS",
    "PRIORITY",
    "custom_keys_of",
    "render_expanded",
    "render_record",
    "render_table",
]

#: Columns the table shows, when records have them (without ``--columns``).
COLUMNS = (
    "id",
    "created_date",
    "state",
    "application_state",
    "priority",
    "contact_try",
    "contact_number",
    "close_reason",
    "custom",
)
#: The order in which columns are given room when the table is narrow.
PRIORITY = (
    "id",
    "state",
    "priority",
    "created_date",
    "application_state",
    "contact_try",
    "close_reason",
    "contact_number",
    "custom",
)
_CELL_CHARS = 40
_GAP = 3  # blanks between two columns
_MIN_CUSTOM = 12


def custom_keys_of(records: Iterable[Mapping[str, Any]]) -> set[str]:
    """The custom field keys that occur in ``records`` (their ``custom``
    field, a JSON object or its text)."""
    keys: set[str] = set()
    for rec in records:
        custom = _custom(rec)
        keys.update(str(k) for k in custom)
    return keys


def _custom(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """A record's custom fields as the writers read them: numbers keep the
    text they were sent in (``12.50``), whether ``custom`` came as JSON text
    or as an object."""
    return decode_custom_exact(record)[0] or {}


def _spelt(value: Any) -> str:
    """A value in a cell as JSON spells it (``true``, ``null``, ``{"a": [1]}``,
    as psql shows a json column), text as it is."""
    if isinstance(value, str):
        return value
    return json_text(value, separators=(", ", ": "), default=str)


def _flat(value: Any, pairs: bool = False) -> str:
    """A value on one line, drawn visible (:func:`cqlang.visible.visible`):
    ``null`` empty, lists comma-joined, with ``pairs`` (the ``custom``
    column's decoded fields) a mapping as ``k=v, ...``; each value in its
    JSON spelling."""
    if value is None:
        return ""
    if pairs and isinstance(value, Mapping):
        text = ", ".join(f"{k}={_spelt(v)}" for k, v in value.items())
    elif isinstance(value, list | tuple):
        text = ", ".join(_spelt(v) for v in value)
    else:
        text = _spelt(value)
    # Every character drawn as it is, a line break or a tab as its picture
    # (a cell is one line): "a\nb" and "a b" look different.
    return visible(text)


def _cut(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: max(0, chars - 1)] + "…"


def _cell(value: Any, column: str) -> str:
    return _cut(_flat(value, pairs=column == "custom"), _CELL_CHARS)


def render_table(
    records: Sequence[Mapping[str, Any]], width: int = 100, columns: Sequence[str] | None = None
) -> str:
    """Records as a plain-text table (rich, no colours). Without
    ``columns``, columns are taken in order of :data:`PRIORITY` while they
    fit in ``width``, keeping room for ``custom``, which is cut short rather
    than left out; with ``columns``, those, in that order, all of them.
    Long cells end in ``…``; headers are never cut."""
    import io

    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    chosen: dict[str, int | None] = {}  # column: its max width (None: natural)
    if columns is not None:
        cells = {c: [_cell(r.get(c), c) for r in records] for c in columns}
        chosen = dict.fromkeys(columns)
        order = list(columns)
        used = sum(max(len(c), *(len(x) for x in cells[c])) + _GAP for c in columns)
    else:
        present = {k for r in records for k in r}
        candidates = [c for c in PRIORITY if c in present] or list(records[0])[:8]
        cells = {
            c: [_cell(_custom(r) if c == "custom" else r.get(c), c) for r in records]
            for c in candidates
        }
        natural = {c: max(len(c), *(len(x) for x in cells[c])) for c in candidates}
        # Room kept for `custom`, which is cut short rather than left out.
        reserve = _GAP + _MIN_CUSTOM if "custom" in natural else 0
        used = 0
        for c in candidates:
            if c == "custom":
                continue
            gap = _GAP if chosen else 0
            if used + gap + natural[c] + reserve <= width:
                chosen[c] = None
                used += gap + natural[c]
        if reserve:
            gap = _GAP if chosen else 0
            room = width - used - gap
            if room >= _MIN_CUSTOM:
                chosen["custom"] = min(room, natural["custom"])
                used += gap + min(room, natural["custom"])
        if not chosen:
            chosen[candidates[0]] = width
        order = list(dict.fromkeys(c for c in (*COLUMNS, *candidates) if c in chosen))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for c in order:  # a record's own field names are data too: never markup
        header = Text(visible(c))
        table.add_column(header, overflow="ellipsis", no_wrap=True, max_width=chosen[c])
    for i in range(len(records)):
        table.add_row(*(Text(cells[c][i]) for c in order))  # data, never rich markup
    buf = io.StringIO()
    console = Console(file=buf, width=max(width, used), color_system=None, force_terminal=False)
    console.print(table)
    return "\n".join(line.rstrip() for line in buf.getvalue().rstrip("\n").splitlines())


def _fields(record: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """A record's fields as (label, value): ``custom`` decoded into
    ``custom.KEY`` entries (a ``custom`` that is not a JSON object stays as
    it came)."""
    from .columns import decode_custom

    out: list[tuple[str, Any]] = []
    for name, value in record.items():
        if name != "custom":
            out.append((name, value))
            continue
        decoded, ok = decode_custom(record)
        if not ok or decoded is None:
            out.append((name, value))
        else:
            out.extend((f"custom.{k}", v) for k, v in decoded.items())
    return out


def _text(value: Any) -> str:
    return "" if value is None else _spelt(value)


def _block(number: int, rows: list[tuple[str, list[str]]], width: int | None) -> list[str]:
    # Record text is data: a control character is drawn, never sent.
    rows = [(visible(name), parts) for name, parts in rows]
    label = max((len(name) for name, _ in rows), default=2)
    head = f"-[ RECORD {number} ]"
    fill = max(label + 1 - len(head), 0)
    rule_right = (width or 40) - max(len(head) + fill, label + 1) - 1
    lines = [head + "-" * fill + "+" + "-" * max(rule_right, 1)]
    for name, parts in rows:
        for i, part in enumerate(parts or [""]):
            text = visible(part)
            if width is not None:
                text = _cut(text, max(width - label - 3, 8))
            lines.append(f"{name if i == 0 else '':<{label}} | {text}".rstrip())
    return lines


def render_expanded(records: Sequence[Mapping[str, Any]], width: int = 100) -> str:
    """Records one block each, a field a line (psql's ``\\x``): every field,
    custom fields decoded; a value longer than the line is cut short."""
    blocks: list[str] = []
    for n, rec in enumerate(records, 1):
        rows = [(name, [_text(value)]) for name, value in _fields(rec)]
        blocks.extend(_block(n, rows, width))
    return "\n".join(blocks)


def render_record(record: Mapping[str, Any]) -> str:
    """One record in full (``\\show``): every field on its own line, custom
    fields decoded, each entry of a list on a line of its own; nothing is
    cut."""
    rows: list[tuple[str, list[str]]] = []
    for name, value in _fields(record):
        if isinstance(value, list) and value and all(isinstance(e, dict) for e in value):
            rows.append((name, [_text(e) for e in value]))
        else:
            rows.append((name, [_text(value)]))
    return "\n".join(_block(1, rows, None)[1:])
