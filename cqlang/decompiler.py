"""Filter lists back to cqlang.

Accepts a filter list (Python objects), its JSON text, its percent-encoded
value, or a whole request URL holding ``filter=``, and writes the canonical
query text that compiles to an equivalent filter list. Datetimes are written
in UTC with a ``Z``, so the text means the same in any time zone; so are
the custom fields declared datetimes in the schema given, and declared
integers are written bare (the API compares custom fields as strings, but
the schema's queries write them as declared). The API's
reading of each object is the evaluator's (:func:`cqlang.filterlists.filter_atoms`),
so what the decompiler accepts is exactly what the emulator accepts.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

from . import timeexpr
from .diagnostics import make
from .digits import ascii_int
from .encoding import MAX_FILTER_DEPTH, nesting
from .errors import CqlValidationError
from .filterlists import FilterError, filter_atoms
from .formatter import format_ir
from .ir import Atom, IAnd, IExpr
from .schema import DEFAULT_SCHEMA, MAX_INT, Schema


def _load(source: Any) -> Any:
    if not isinstance(source, str):
        return source
    text = source.strip()
    if text[:1] in ("[", "{"):
        pass  # JSON text, whose string values may hold "filter=" or "%"
    elif "filter=" in text or "://" in text:
        try:
            url = urlsplit(text) if "?" in text or "://" in text else None
        except ValueError as exc:  # e.g. an unclosed [ in the host
            raise _error(source, "CQL301", f"not a URL: {exc}") from None
        query = url.query if url is not None else text
        values = parse_qs(query, keep_blank_values=True).get("filter")
        if not values:
            if url is not None and url.path.rstrip("/").endswith("/request"):
                return []  # the endpoint without a filter: every record
            raise _error(source, "CQL301", "the URL has no filter= parameter")
        if len(values) > 1:
            raise _error(source, "CQL301", f"the URL has {len(values)} filter= parameters")
        text = values[0]
    elif "%" in text:
        # An encoded value, read as the server reads a query string: a raw
        # `+` is a space (cqlang itself always writes %2B and %20).
        text = unquote_plus(text)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _error(source, "CQL301", f"not JSON: {exc.msg} at character {exc.pos}") from None
    except ValueError as exc:
        raise _error(source, "CQL301", f"not JSON: {exc}") from None
    except RecursionError:  # the decoder nests with Python's stack
        raise _error(source, "CQL301", _too_deep()) from None


def _too_deep() -> str:
    return f"not a filter list: nested more than {MAX_FILTER_DEPTH} levels deep"


def _error(source: Any, code: str, message: str) -> CqlValidationError:
    if isinstance(source, str):
        text = source
    else:
        try:
            text = json.dumps(source, ensure_ascii=False)
        except (TypeError, ValueError, RecursionError):  # not JSON at all, or too deep
            text = f"<a Python {type(source).__name__}>"
    diag = make(text, code, message, 0, len(text))
    return CqlValidationError(message, [diag], text)


def filters_ir(source: Any, *, schema: Schema | None = None) -> IExpr:
    """The meaning of a filter list (all objects must hold) as IR; a
    declared custom field's value typed as declared (:func:`_declared`)."""
    filters = _load(source)
    if nesting(filters, MAX_FILTER_DEPTH) > MAX_FILTER_DEPTH:
        raise _error(source, "CQL301", _too_deep())
    schema = schema or DEFAULT_SCHEMA
    try:
        atoms = filter_atoms(filters, schema)
        if schema.custom_fields:  # one atom per filter object, in order
            atoms = [_declared(a, schema, f"filter[{i}]") for i, a in enumerate(atoms)]
    except FilterError as exc:
        msg = str(exc)
        code = {"property": "CQL302", "operator": "CQL303", "value": "CQL304"}.get(
            exc.kind, "CQL301"
        )
        raise _error(source, code, msg) from None
    return atoms[0] if len(atoms) == 1 else IAnd(tuple(atoms))


def _declared(atom: Atom, schema: Schema, where: str) -> Atom:
    """``atom`` (a custom field's, which the API compares as a string) with
    its value in the field's declared type, so that the text written
    compiles back to the same filter with the same schema: a datetime as a
    UTC instant (written ``...Z``, whatever the zone it is read in), an
    integer bare. A value the declared type cannot hold is no filter that
    schema's queries could make: :class:`FilterError` (CQL304). Enum
    values stay quoted strings (a value with a blank could not be bare)."""
    key = atom.field.key
    declared = schema.custom_field(key) if key is not None else None
    if declared is None or declared.type == "string":
        return atom
    value = atom.value
    name = f"custom field {key!r}"
    if declared.type == "datetime":
        seconds = timeexpr.parse_utc(value) if isinstance(value, str) else None
        if seconds is None or not timeexpr.is_api_text(str(value)):
            raise FilterError(
                f"{where}: {name} is declared a datetime: it takes 'YYYY-MM-DD HH:mm:ss', "
                f"got {json.dumps(value, ensure_ascii=False)}",
                "value",
            )
        return atom.replace(field=atom.field.replace(type="datetime"), value=seconds)
    if declared.type == "integer":
        number = ascii_int(value) if isinstance(value, str) else None
        if number is None or str(number) != value or abs(number) > MAX_INT:
            raise FilterError(
                f"{where}: {name} is declared an integer: it takes an integer's plain digits, "
                f"got {json.dumps(value, ensure_ascii=False)}",
                "value",
            )
        return atom.replace(field=atom.field.replace(type="integer"), value=number)
    if value not in declared.values:  # an enum
        raise FilterError(
            f"{where}: {name} takes one of {', '.join(declared.values)}, "
            f"got {json.dumps(value, ensure_ascii=False)}",
            "value",
        )
    return atom


def decompile(source: Any, *, schema: Schema | None = None) -> str:
    """Canonical query text for a filter list, its JSON, its encoded value or
    a request URL."""
    return format_ir(filters_ir(source, schema=schema))
