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

A filter list the API would refuse is reported object by object: one
diagnostic for every bad object, spanning the part of the JSON text at
fault (the property's name, the operator, the value; the whole object for
its shape), with a did-you-mean for an unknown property. The spans are in
the JSON text as given, or decoded from an encoded value or URL, or, for
Python objects, in the JSON text cqlang writes for them (``json.dumps``
with ``ensure_ascii=False``); the error carries that text as ``text``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

from . import timeexpr
from .checkvalues import SUGGEST_BUDGET
from .diagnostics import Diagnostic, make, suggest
from .digits import ascii_int
from .encoding import MAX_FILTER_DEPTH, nesting
from .errors import CqlValidationError
from .filterlists import FilterError, filter_atoms
from .formatter import format_ir
from .ir import Atom, IAnd, IExpr
from .jsonlimit import int_too_long, too_long
from .jsonspans import too_deep, value_span
from .schema import DEFAULT_SCHEMA, MAX_INT, Schema


def _load(source: Any) -> tuple[Any, str | None, int]:
    """The filter list of ``source``, with the JSON text it was read from
    and where in that text it starts (``None``, 0 for Python objects). The
    JSON text is ``source`` itself unless it was decoded from an encoded
    value or a URL."""
    if not isinstance(source, str):
        return source, None, 0
    text = source.strip()
    start = 0
    if text[:1] in ("[", "{"):
        start = len(source) - len(source.lstrip())
        text = source  # JSON text, whose string values may hold "filter=" or "%"
    elif "filter=" in text or "://" in text:
        try:
            url = urlsplit(text) if "?" in text or "://" in text else None
        except ValueError as exc:  # e.g. an unclosed [ in the host
            raise _error(source, "CQL301", f"not a URL: {exc}") from None
        query = url.query if url is not None else text
        values = parse_qs(query, keep_blank_values=True).get("filter")
        if not values:
            if url is not None and url.path.rstrip("/").endswith("/request"):
                return [], None, 0  # the endpoint without a filter: every record
            raise _error(source, "CQL301", "the URL has no filter= parameter")
        if len(values) > 1:
            raise _error(source, "CQL301", f"the URL has {len(values)} filter= parameters")
        text = values[0]
    elif "%" in text:
        # An encoded value, read as the server reads a query string: a raw
        # `+` is a space (cqlang itself always writes %2B and %20).
        text = unquote_plus(text)
    try:
        return json.loads(text), text, start
    except json.JSONDecodeError as exc:  # the caret at the character the decoder stopped at
        message = f"not JSON: {exc.msg} at character {exc.pos}"
        end = min(exc.pos + 1, len(text))
        raise _error(source, "CQL301", message, at=(text, exc.pos, end)) from None
    except ValueError as exc:
        if int_too_long(exc):  # JSON, but a number past Python's digit limit
            long = too_long(text)
            code = "CQL304" if (long.where or "").endswith(".value") else "CQL301"
            raise _error(source, code, str(long)) from None
        raise _error(source, "CQL301", f"not JSON: {exc}") from None
    except RecursionError:  # the decoder nests with Python's stack
        raise _error(source, "CQL301", _too_deep()) from None


def _too_deep() -> str:
    return f"not a filter list: nested more than {MAX_FILTER_DEPTH} levels deep"


def _error(
    source: Any, code: str, message: str, *, at: tuple[str, int, int] | None = None
) -> CqlValidationError:
    """The error of ``source`` as a whole, or, with ``at`` (a text, and the
    span of the value at fault in it: the JSON text given or decoded, or
    that cqlang writes for Python objects), at that value."""
    if at is not None:
        text, start, end = at
    else:
        text = source if isinstance(source, str) else _shown_text(source)
        start, end = 0, len(text)
    diag = make(text, code, message, start, end)
    return CqlValidationError(message, [diag], text)


def _too_deep_error(source: Any, filters: Any, text: str | None, start: int) -> CqlValidationError:
    """CQL301 for a filter list nested past :data:`MAX_FILTER_DEPTH`, the
    caret at the first list or object past it, where the text shows it."""
    if text is None:  # Python objects: the JSON text cqlang writes for them
        text, start = _shown_text(source), 0
    path = too_deep(filters, MAX_FILTER_DEPTH)
    span = value_span(text, path, start) if path is not None else None
    return _error(source, "CQL301", _too_deep(), at=(text, *span) if span is not None else None)


def filters_ir(source: Any, *, schema: Schema | None = None) -> IExpr:
    """The meaning of a filter list (all objects must hold) as IR; a
    declared custom field's value typed as declared (:func:`_declared`)."""
    filters, text, start = _load(source)
    if nesting(filters, MAX_FILTER_DEPTH) > MAX_FILTER_DEPTH:
        raise _too_deep_error(source, filters, text, start)
    schema = schema or DEFAULT_SCHEMA
    try:
        atoms = _atoms(filters, schema)
    except FilterError as exc:
        if not isinstance(filters, list | tuple):  # not a list at all: the whole input
            raise _error(source, "CQL301", str(exc)) from None
        raise _every_error(source, filters, text, start, schema) or _error(
            source, _CODES.get(exc.kind, "CQL301"), str(exc)
        ) from None
    return atoms[0] if len(atoms) == 1 else IAnd(tuple(atoms))


def _atoms(filters: Any, schema: Schema, first: int = 0) -> list[Atom]:
    """The atoms of a filter list, one per object, in order (messages
    count the objects' places from ``first``)."""
    atoms = filter_atoms(filters, schema, first=first)
    if schema.custom_fields:
        atoms = [_declared(a, schema, f"filter[{first + i}]") for i, a in enumerate(atoms)]
    return atoms


#: A mistake's code by its kind, which is also the member of the filter
#: object it is in (a mistake of shape is the whole object's: CQL301).
_CODES = {"property": "CQL302", "operator": "CQL303", "value": "CQL304"}


def _every_error(
    source: Any, filters: list[Any] | tuple[Any, ...], text: str | None, start: int, schema: Schema
) -> CqlValidationError | None:
    """The error of a filter list with bad objects: every bad object's
    diagnostic, spanning the part of the JSON text at fault (``None`` if
    no object is bad on its own)."""
    if text is None:  # Python objects: the JSON text cqlang writes for them
        text, start = _shown_text(source), 0
    spans = _object_spans(text, start, len(filters))
    suggested: dict[str, str | None] = {}
    budget = SUGGEST_BUDGET
    diags: list[Diagnostic] = []
    for i, obj in enumerate(filters):
        try:
            _atoms([obj], schema, first=i)  # read alone, named by its place
        except FilterError as exc:
            said, where = str(exc), f"filter[{i}]"
            message = said if said.startswith(where) else f"{where}: {said}"
            s, e = (0, len(text))
            members: dict[str, tuple[int, int]] = {}
            if spans is not None:
                s, e, members = spans[i]
            if exc.kind in _CODES and exc.kind in members:
                s, e = members[exc.kind]
                index = exc.index
                value = obj.get("value") if isinstance(obj, dict) else None
                if index is None and isinstance(value, list | tuple) and len(value) == 1:
                    index = 0  # a list of one value is that value (a declared custom's)
                if exc.kind == "value" and index is not None and spans is not None:
                    # The element of the list named, not the whole list.
                    element = value_span(text, (index,), spans[i][2]["value"][0])
                    if element is not None:
                        s, e = _inside(text, *element)
            hint = close = None
            name = obj.get("property") if exc.kind == "property" else None
            if isinstance(name, str):
                if name not in suggested:
                    close = None
                    if budget >= len(schema.properties):
                        budget -= len(schema.properties)
                        close = suggest(name, schema.properties)
                    suggested[name] = close
                close = suggested[name]
                hint = f"did you mean '{close}'?" if close else None
            diags.append(
                make(
                    text, _CODES.get(exc.kind, "CQL301"), message, s, e, hint=hint, suggestion=close
                )
            )
    return CqlValidationError(diags[0].message, diags, text) if diags else None


def _inside(text: str, s: int, e: int) -> tuple[int, int]:
    """A value's span, a string's without its quotes (but for ``""``), as
    :func:`_object_spans` gives members'."""
    return (s + 1, e - 1) if text[s] == '"' and e - s > 2 else (s, e)


def _shown_text(source: Any) -> str:
    """``source`` (Python objects) as the JSON text the errors show."""
    try:
        return json.dumps(source, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):  # not JSON at all, or too deep
        return f"<a Python {type(source).__name__}>"


_BLANK = " \t\n\r"  # JSON's whitespace


def _object_spans(
    text: str, start: int, count: int
) -> list[tuple[int, int, dict[str, tuple[int, int]]]] | None:
    """Where each element of the JSON list at ``text[start:]`` is, and,
    for an object, where each member's value is (a string's without its
    quotes, but for the empty string); ``None`` when ``text`` is not such
    a list of ``count`` elements (Python objects JSON cannot write). A
    walk of the list and its objects' members, each value read by the
    JSON decoder, which says where it ends."""
    decode = json.JSONDecoder().raw_decode
    out: list[tuple[int, int, dict[str, tuple[int, int]]]] = []
    i = _skip(text, start)
    if text[i : i + 1] != "[":
        return None
    i = _skip(text, i + 1)
    try:
        while text[i : i + 1] not in ("]", ""):
            s = i
            members: dict[str, tuple[int, int]] = {}
            if text[i] == "{":
                i = _skip(text, i + 1)
                while text[i] != "}":
                    key, i = decode(text, i)
                    i = _skip(text, _skip(text, i) + 1)  # past the colon
                    v = i
                    value, i = decode(text, i)
                    inside = isinstance(value, str) and i - v > 2  # a string but ""
                    members[key] = (v + 1, i - 1) if inside else (v, i)
                    i = _skip(text, i)
                    if text[i] == ",":
                        i = _skip(text, i + 1)
                i += 1
            else:
                _, i = decode(text, i)
            out.append((s, i, members))
            i = _skip(text, i)
            if text[i] == ",":
                i = _skip(text, i + 1)
    except (ValueError, IndexError, TypeError):  # not JSON after all
        return None
    return out if len(out) == count else None


def _skip(text: str, i: int) -> int:
    """The first position from ``i`` on that is not JSON whitespace."""
    n = len(text)
    while i < n and text[i] in _BLANK:
        i += 1
    return i


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
