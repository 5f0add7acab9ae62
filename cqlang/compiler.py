"""What the API can say for one field: constraints to filter objects.

The planner hands over, per request, one constraint per field (a set of
allowed values, see planner.py). :func:`emit` answers with the filter
objects that express it, as one or several alternatives (several means one
request each), each marked exact or not (not exact: the filter lets through
a superset, and the rest is left to the client). The rules, per how the
schema says the API tests the property:

* ``range`` (``priority``, the dates): bounds become ``gte``/``lte`` (or
  ``gt``/``lt`` where the user wrote them and the API has them), a single
  value ``eq`` where available; one hole in a range is ``ne``; dates, which
  have only ``gte``/``lte``, are exact to the second. Several disjoint ranges
  are one request each; many single holes keep one ``ne`` and leave the rest
  to the client. A datetime's ranges that merely touch stay apart (text the
  calendar lacks lies between them, cqlang/constraints.py), and its hole is
  no ``ne``: ``ne`` lets through the text on either side of the second, which
  the ranges leave out.
* ``membership`` (``state``, ``tenant_user_id``): a finite set of values is
  one list; "anything but" a set is sent as the complement where the set is
  closed (enums), else left to the client.
* ``equality`` (``contact_number``, custom fields): one value per request.

``is null``, ``is not null`` and whatever has no form at all (``!=`` on an
open string) are left entirely to the client.
"""

from __future__ import annotations

from itertools import pairwise

from .constraints import NEG, POS, Discrete, Null, Ordered
from .ir import Atom, FieldRef, IAnd, IExpr, IOr
from .node import Node
from .schema import Property
from .timeexpr import CAL_MAX, CAL_MIN, format_utc

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

    from .constraints import Constraint
    from .types import ApiOperator, Filter, FilterValue

#: The most values sent as one membership list, or split into requests.
MAX_LIST = 1000
#: The most disjoint ranges of one field split into requests.
MAX_SPLIT = 8


class Emitted(Node):
    """Filter objects for one constraint; ``exact`` when they say all of it
    (otherwise the residual checks the rest)."""

    filters: list[Filter]
    exact: bool

    __hash__ = None  # type: ignore[assignment]  # its filters are a list


def _value(f: FieldRef, prop: Property, v: Any) -> Any:
    if f.type == "datetime":
        return format_utc(v)
    if prop.api == "equality" and not isinstance(v, str):
        return str(v)  # equality properties take strings (custom integers too)
    return v


def _obj(f: FieldRef, prop: Property, op: ApiOperator | None, value: FilterValue) -> Filter:
    # In the API page's order: property, operator, key, value.
    if op is not None:
        if f.key is not None:
            return {"property": prop.name, "operator": op, "key": f.key, "value": value}
        return {"property": prop.name, "operator": op, "value": value}
    if f.key is not None:
        return {"property": prop.name, "key": f.key, "value": value}
    return {"property": prop.name, "value": value}


def _bounds(f: FieldRef, prop: Property, c: Any, lo: int, hi: int) -> list[Filter] | None:
    ops = prop.operators
    if lo == hi and "eq" in ops:
        return [_obj(f, prop, "eq", _value(f, prop, lo))]
    # No datetime lies past the calendar: a bound written as the second
    # beyond its edge (> or < where >= or <= is not offered) says only "a
    # datetime", and that second cannot be written; it is left out.
    edge = f.type == "datetime"
    out = []
    if lo > NEG:
        if (lo - 1 in c.gt and "gt" in ops) or ("gte" not in ops and "gt" in ops):
            if not (edge and lo <= CAL_MIN):
                out.append(_obj(f, prop, "gt", _value(f, prop, lo - 1)))
        elif "gte" in ops:
            out.append(_obj(f, prop, "gte", _value(f, prop, lo)))
        else:
            return None
    if hi < POS:
        if (hi + 1 in c.lt and "lt" in ops) or ("lte" not in ops and "lt" in ops):
            if not (edge and hi >= CAL_MAX):
                out.append(_obj(f, prop, "lt", _value(f, prop, hi + 1)))
        elif "lte" in ops:
            out.append(_obj(f, prop, "lte", _value(f, prop, hi)))
        else:
            return None
    if not out and (lo > NEG or hi < POS):
        return None  # "a datetime" (not null) alone: no range filter says just that
    return out


def _nothing() -> list[Emitted]:
    """No filter object: the constraint is left to the client."""
    return [Emitted([], False)]


def emit(f: FieldRef, c: Constraint, prop: Property) -> list[Emitted]:
    """The alternatives that express constraint ``c`` on field ``f``."""
    if isinstance(c, Discrete):
        if c.pos is None:
            return _nothing()
        values = [_value(f, prop, v) for v in c.pos]
        if prop.api == "membership":
            return [Emitted([_obj(f, prop, None, values)], True)]
        if prop.api == "equality" and len(values) <= MAX_SPLIT:
            return [Emitted([_obj(f, prop, None, v)], True) for v in values]
        return _nothing()
    if isinstance(c, Null) or c.full:
        return _nothing()
    assert isinstance(c, Ordered)
    ivs = c.ivs
    finite = ivs[0][0] > NEG and ivs[-1][1] < POS
    if prop.api != "range":
        if not finite or sum(hi - lo + 1 for lo, hi in ivs) > MAX_LIST:
            return _nothing()
        if c.gaps and any(lo != hi for lo, hi in ivs):
            # The seconds of a datetime range, one by one, leave out the
            # text between them that the range holds (a custom datetime is
            # compared as text): no list of values says the range.
            return _nothing()
        points = [v for lo, hi in ivs for v in range(lo, hi + 1)]
        if prop.api == "membership":
            return [Emitted([_obj(f, prop, None, [_value(f, prop, p) for p in points])], True)]
        if len(points) <= MAX_SPLIT:
            return [Emitted([_obj(f, prop, None, _value(f, prop, p))], True) for p in points]
        return _nothing()
    if len(ivs) == 1:
        got = _bounds(f, prop, c, *ivs[0])
        return [Emitted(got, True)] if got is not None else _nothing()
    holes = _holes(ivs)
    single = all(lo == hi for lo, hi in holes)
    hull = _bounds(f, prop, c, ivs[0][0], ivs[-1][1])
    if single and "ne" in prop.operators and hull is not None and not c.gaps:
        ne = _obj(f, prop, "ne", _value(f, prop, holes[0][0]))
        return [Emitted([*hull, ne], len(holes) == 1)]
    if len(ivs) <= MAX_SPLIT:
        alts = [_bounds(f, prop, c, lo, hi) for lo, hi in ivs]
        if all(a is not None for a in alts):
            return [Emitted(a, True) for a in alts if a is not None]
    return [Emitted(hull, False)] if hull is not None else _nothing()


def constraint_ir(f: FieldRef, c: Constraint) -> IExpr:
    """A constraint back as an expression (for the client-side residual)."""
    if isinstance(c, Null):
        return Atom(f, "null", None, *c.span)
    s, e = c.span
    if isinstance(c, Discrete):
        if c.pos is None:
            if not c.neg:
                return Atom(f, "notnull", None, s, e)
            neg = tuple(sorted(c.neg, key=str))
            return Atom(f, "ne", neg[0], s, e) if len(neg) == 1 else Atom(f, "nin", neg, s, e)
        return Atom(f, "eq", c.pos[0], s, e) if len(c.pos) == 1 else Atom(f, "in", c.pos, s, e)
    holes = _holes(c.ivs)
    if holes and not c.gaps and all(_values_hole(c, lo, hi) for lo, hi in holes):
        # Values left out are written as the user writes them (`!= 3`,
        # `not in (3, 4)`), inside the bounds, if any. Not a datetime's: its
        # `!=` would be the text that differs, wider than the ranges (text
        # the calendar lacks lies between two seconds), so the ranges are
        # written out.
        points = tuple(v for lo, hi in holes for v in range(lo, hi + 1))
        return _without(f, c, points, s, e)
    parts: list[IExpr] = []
    for lo, hi in c.ivs:
        if lo == hi:
            parts.append(Atom(f, "eq", lo, s, e))
        elif lo == NEG and hi == POS:
            parts.append(Atom(f, "notnull", None, s, e))
        elif lo == NEG:
            parts.append(_upper(f, c, hi, s, e))
        elif hi == POS:
            parts.append(_lower(f, c, lo, s, e))
        else:
            parts.append(IAnd((Atom(f, "ge", lo, s, e), Atom(f, "le", hi, s, e)), s, e))
    return parts[0] if len(parts) == 1 else IOr(tuple(parts), s, e)


# Bounds the user wrote as < or > are written back that way.
def _upper(f: FieldRef, c: Ordered, hi: int, s: int, e: int) -> Atom:
    lt = hi + 1 in c.lt
    return Atom(f, "lt" if lt else "le", hi + 1 if lt else hi, s, e)


def _lower(f: FieldRef, c: Ordered, lo: int, s: int, e: int) -> Atom:
    gt = lo - 1 in c.gt
    return Atom(f, "gt" if gt else "ge", lo - 1 if gt else lo, s, e)


def _without(f: FieldRef, c: Ordered, points: tuple[int, ...], s: int, e: int) -> IExpr:
    """The range of ``c`` (its lowest value to its highest) but ``points``."""
    first, last = c.ivs[0][0], c.ivs[-1][1]
    items: list[IExpr] = []
    if first != NEG:
        items.append(_lower(f, c, first, s, e))
    if len(points) == 1:
        items.append(Atom(f, "ne", points[0], s, e))
    else:
        items.append(Atom(f, "nin", points, s, e))
    if last != POS:
        items.append(_upper(f, c, last, s, e))
    return items[0] if len(items) == 1 else IAnd(tuple(items), s, e)


def _values_hole(c: Ordered, lo: int, hi: int) -> bool:
    """Whether the hole ``lo..hi`` of ``c`` is written as its values: one
    value, or values the query left out one by one (``not in (3, 4)``), so
    never more values than the query wrote (a range it left out, ``not
    between 3 and 900``, stays a range)."""
    return lo == hi or (
        hi - lo < len(c.left_out) and all(v in c.left_out for v in range(lo, hi + 1))
    )


def _holes(ivs: Any) -> list[tuple[int, int]]:
    """The gaps between consecutive (sorted, disjoint) intervals."""
    return [(a[1] + 1, b[0] - 1) for a, b in pairwise(ivs)]


def split_reason(f: FieldRef) -> str:
    return f"the API takes one range or value of {f.display} per request"


def residual_reason(f: FieldRef) -> str:
    return f"the API cannot express this test of {f.display}: it is checked on the client"
