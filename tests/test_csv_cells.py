"""A CSV cell is written fast (cqlang/output/cells.py: an integer as JSON
writes it, a list or an object by one C encoder made once) and exactly as
before, when each went through `json_of` and so `json.dumps` with a new
encoder per cell, most of a CSV fetch's time. The oracle below is that
former reading, cell and row; the writer must match it byte for byte,
errors included."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cqlang.emulator import generate_records
from cqlang.errors import OutputError
from cqlang.jsonlimit import Number
from cqlang.output.cells import CellText
from cqlang.output.columns import decode_custom, parse_columns
from cqlang.output.writers import CsvWriter, json_of, make_writer, write_all
from cqlang.schema import DEFAULT_SCHEMA, CustomField


def oracle_cell(value: Any, number: int, column: str) -> str | None:
    """The former cell: text and null as they are, the rest through json_of."""
    if value is None or type(value) is str:
        return value
    return json_of(value, number, column, separators=(",", ":"))


class OracleCsv(CsvWriter):
    """The former row: every column through ``oracle_cell``."""

    def write(self, record: Mapping[str, Any]) -> None:
        if not self.started:
            self._start()
        custom = decode_custom(record)[0] if self.decode else None
        n = self.count + 1
        row = [oracle_cell(c.get(record, custom), n, c.name) for c in self.columns]
        if self.rest:
            row.append(oracle_cell(record.get("custom"), n, "custom"))
            if not self.known.issuperset(record):
                for name in record:
                    if name not in self.known:
                        self.left_out[name] = self.left_out.get(name, 0) + 1
        self._writerow(row)
        self.count += 1


def outcome(fn: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "ok", fn(*args)
    except (OutputError, ValueError, TypeError, RecursionError) as exc:
        return type(exc).__name__, str(exc)


# Text the screen rule escapes (controls, bidi, separators, a lone
# surrogate), with a quote and a backslash, beside plain text.
_text = st.text(
    st.sampled_from(["a", "ż", '"', "\\", ",", "\n", "\x1b", "\x85", "\u202e", "\u2028", "\ud800"])
    | st.characters(),
    max_size=8,
)
_numbers = st.sampled_from(["12.50", "1E3", "0.10000000000000000001", "-0.0"]).map(Number)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats()  # NaN and infinities: errors, the same ones
    | _numbers
    | _text
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(_text, inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=400)
@given(value=_values)
def test_a_cell_is_what_json_of_wrote(value: Any) -> None:
    cell = CellText(json_of)
    assert outcome(cell, value, 7, "c") == outcome(oracle_cell, value, 7, "c")
    # And again: an error left nothing behind in the reused encoder.
    assert outcome(cell, [value], 8, "c") == outcome(oracle_cell, [value], 8, "c")


def test_after_an_error_the_same_lists_are_written_again() -> None:
    """The C encoder remembers the containers it is inside (to refuse a
    circle) and forgets them only on success: after a NaN deep inside,
    the same lists must not look like a circle."""
    cell = CellText(json_of)
    shared = [1, 2]
    inner = [shared, float("nan")]
    bad = [{"x": inner}]
    assert outcome(cell, bad, 1, "c") == outcome(oracle_cell, bad, 1, "c")
    inner[1] = 3  # mended: the same containers again
    assert cell(bad, 2, "c") == '[{"x":[[1,2],3]}]'
    assert cell([shared, shared], 3, "c") == "[[1,2],[1,2]]"


def test_nan_is_named_as_before() -> None:
    cell = CellText(json_of)
    with pytest.raises(OutputError, match=r"record 4 holds nan at history\[0\]\.x"):
        cell([{"x": float("nan")}], 4, "history")


def csv_of(writer_class: type[CsvWriter], records: Sequence[Mapping[str, Any]], **kw: Any) -> str:
    out = io.StringIO(newline="")
    schema = kw.pop("schema", DEFAULT_SCHEMA)
    columns = kw.pop("columns", None)
    cols = parse_columns(columns, schema) if columns is not None else None
    writer = writer_class(out, cols, schema, kw.pop("exclude", None), **kw)
    write_all(records, writer)
    return out.getvalue()


def hostile(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The emulator's records, some with values a server should not send."""
    odd = [dict(r) for r in records[:40]]
    odd[0]["priority"] = "7"
    odd[1]["priority"] = 7.5
    odd[2]["process_days"] = [1, True, None, "x"]
    odd[3]["history"] = [{"date": "2026-01-01 00:00:00", "note": "\x1b[31m\u202e"}]
    odd[4]["name"] = ""
    odd[5]["custom"] = json.dumps({"region": "PL", "price": 12.5})
    odd[6]["newer_field"] = {"a": [1, 2]}
    odd[7]["contact_try"] = 10**30
    odd[8]["state"] = None
    odd[9]["dialogs"] = [{"id": "d\ud800"}]
    odd[10]["priority"] = True
    return odd + records


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"columns": "id,priority,history,custom.region,custom"},
        {"exclude": ["history", "dialogs"]},
        {"terminal": True},
        {"schema": DEFAULT_SCHEMA.with_custom_fields({"region": "string", "score": "integer"})},
    ],
    ids=["default", "columns", "exclude", "terminal", "declared"],
)
def test_the_csv_is_byte_for_byte_what_it_was(options: dict[str, Any]) -> None:
    records = hostile(json.loads(json.dumps(generate_records(400, seed=11))))
    assert csv_of(CsvWriter, records, **dict(options)) == csv_of(OracleCsv, records, **options)


def test_numbers_keep_their_text_in_lists() -> None:
    """A record read with its numbers' texts (the writers' reading of a
    page) holds Numbers: the careful path writes their text."""
    from cqlang.jsonlimit import EXACT

    record = EXACT.decode('{"id": "a", "history": [{"x": 12.50}], "process_days": [1.0]}')
    out = io.StringIO(newline="")
    write_all([record], make_writer("csv", out, columns=parse_columns("id,history,process_days")))
    assert out.getvalue().splitlines()[1] == 'a,"[{""x"":12.50}]",[1.0]'


def test_declared_custom_fields_still_decode() -> None:
    schema = DEFAULT_SCHEMA.with_custom_fields({"score": "integer"})
    assert isinstance(schema.custom_fields["score"], CustomField)
    record = {"id": "a", "custom": json.dumps({"score": 5, "tags": ["x"]})}
    from cqlang.output.columns import ColumnWarning

    with pytest.warns(ColumnWarning, match="custom.tags is not a declared custom field"):
        text = csv_of(CsvWriter, [record], schema=schema, columns="id,custom.score,custom.tags")
    assert text.splitlines()[1] == 'a,5,"[""x""]"'


def test_a_csv_makes_no_json_encoder_per_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cost that was: `json.dumps(..., separators=...)` builds a
    `JSONEncoder` at every call, one per integer, list and object cell.
    Counted, not timed: writing 200 records builds a handful at most."""
    made = [0]
    init = json.JSONEncoder.__init__

    def counting(self: json.JSONEncoder, *args: Any, **kwargs: Any) -> None:
        made[0] += 1
        init(self, *args, **kwargs)

    records = json.loads(json.dumps(generate_records(200, seed=3)))
    monkeypatch.setattr(json.JSONEncoder, "__init__", counting)
    out = io.StringIO(newline="")
    write_all(records, make_writer("csv", out))
    assert out.getvalue().count("\r\n") == 201
    assert made[0] <= 3
