"""Filter lists back to cqlang.

Accepts a filter list (Python objects), its JSON text, its percent-encoded
value, or a whole request URL holding ``filter=``, and writes the canonical
query text that compiles to an equivalent filter list. Datetimes are written
in UTC with a ``Z``, so the text means the same in any time zone. The API's
reading of each object is the evaluator's (:func:`cqlang.evaluator.filter_atoms`),
so what the decompiler accepts is exactly what the emulator accepts.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

from .diagnostics import make
from .encoding import MAX_FILTER_DEPTH, nesting
from .errors import CqlValidationError
from .evaluator import FilterError, filter_atoms
from .formatter import format_ir
from .ir import IAnd, IExpr
from .schema import DEFAULT_SCHEMA, Schema


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
    """The meaning of a filter list (all objects must hold) as IR."""
    filters = _load(source)
    if nesting(filters, MAX_FILTER_DEPTH) > MAX_FILTER_DEPTH:
        raise _error(source, "CQL301", _too_deep())
    try:
        atoms = filter_atoms(filters, schema or DEFAULT_SCHEMA)
    except FilterError as exc:
        msg = str(exc)
        code = {"property": "CQL302", "operator": "CQL303", "value": "CQL304"}.get(
            exc.kind, "CQL301"
        )
        raise _error(source, code, msg) from None
    return atoms[0] if len(atoms) == 1 else IAnd(tuple(atoms))


def decompile(source: Any, *, schema: Schema | None = None) -> str:
    """Canonical query text for a filter list, its JSON, its encoded value or
    a request URL."""
    return format_ir(filters_ir(source, schema=schema))
