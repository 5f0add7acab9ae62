"""Record semantics: the one implementation (spec section 6).

A record is a JSON object whose fields carry the filter properties' names;
custom fields live in ``custom``, a JSON-encoded object string in the real
API (a plain object is accepted too). A comparison with a missing or null
field is *unknown*; ``not unknown`` is unknown; ``and``/``or`` follow Kleene's
three-valued logic, and a record is returned only when the whole query is
*true*. A value of the wrong type for its field (a string where an integer
belongs, a datetime that does not parse) counts as missing.

A query means what its negation normal form means: ``not`` is pushed down
onto the atoms, and ``not`` of a comparison is the opposite comparison
(``not x < 3`` is ``x >= 3``, both unknown on a missing ``x``). On values of
the field's type that is the same as "not true"; on a record's datetime text
the calendar lacks (``2026-02-30 10:00:00``, compared as text, see
:func:`as_datetime`) it is not: that text lies between two seconds, so
``x >= 2026-03-01`` is false on it and so is its opposite ``x < 2026-03-01``
(``x <= 2026-02-28 23:59:59``). :func:`compile_matcher` puts the expression
in negation normal form, where "true" distributes over ``and``/``or``, and
generates one Python function for it, compiled once and then called per
record with no tree walk; :func:`evaluate`, the three-valued reference,
reads the same form.

The same code gives the API's semantics of a filter list
(:func:`cqlang.filterlists.compile_filters`), which the emulator serves and
the planner's contract is stated in: each filter object is an atom, and all
must hold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache

from . import timeexpr
from .digits import CANONICAL_INT
from .ir import COMPARE_TEXT, Atom, FieldRef, IAnd, IExpr, IOr, to_nnf
from .jsonlimit import EXACT, STRICT

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

    from .types import Op

    Record = Mapping[str, Any]
    Matcher = Callable[[Record], bool]

#: An atom's comparison as Python writes it, for the generated matchers.
_CMP = {op: "==" if text == "=" else text for op, text in COMPARE_TEXT.items()}


# ----------------------------------------------------------- field access


def custom_fields(record: Record) -> Mapping[str, Any]:
    """The record's custom fields as a mapping (:func:`decode_custom`): a
    ``custom`` that is missing, not a JSON object, or holds ``NaN``,
    ``Infinity`` or a number beyond a double counts as no custom fields."""
    return decode_custom(record)[0] or {}


def _decoding(decoder: Any) -> Callable[[Record], tuple[dict[str, Any] | None, bool]]:
    """:func:`decode_custom` reading with ``decoder`` (:data:`STRICT` or
    :data:`EXACT`, which take and refuse the same texts)."""
    scan = decoder.scan_once

    def decode(record: Mapping[str, Any]) -> tuple[dict[str, Any] | None, bool]:
        raw = record.get("custom")
        if raw is None:
            return None, True
        if type(raw) is str or isinstance(raw, str):
            try:
                # The decoder's C scanner alone: json.loads costs five times as
                # much on texts this short. Anything it does not take whole
                # (blanks around the object) goes to the whole decoder.
                value, end = scan(raw, 0)
                if end != len(raw):
                    value = decoder.decode(raw)
            except StopIteration:
                try:
                    value = decoder.decode(raw)
                except (ValueError, RecursionError):
                    return {}, False
            except (ValueError, RecursionError):
                return {}, False
            if type(value) is dict:
                return value, True
            return {}, False
        if isinstance(raw, dict):
            return raw, True
        return {}, False

    return decode


#: A record's custom fields: ``(fields, ok)``. ``fields`` is ``None`` when
#: ``custom`` is missing or null; ``ok`` is false when it is there but not a
#: JSON object, or holds ``NaN``, ``Infinity`` or a number beyond a double
#: (then ``fields`` is ``{}``): the one reading of ``custom``, for queries
#: (:func:`custom_fields`) and, as :func:`decode_custom_exact`, for the
#: writers' columns.
decode_custom = _decoding(STRICT)

#: :func:`decode_custom` for the writers: the same fields and ``ok``, but a
#: number with a fraction or an exponent is a :class:`~cqlang.jsonlimit.Number`
#: that keeps the text it was sent as (``12.50``), which the writers write
#: back; queries read plain floats, which cost less and count as missing.
decode_custom_exact = _decoding(EXACT)


def as_int(v: Any) -> int | None:
    """A custom field read as an integer: a JSON integer, or its canonical
    decimal text (``"5"``, not ``"05"``, ``" 5"`` or ``"-0"``), the only
    spelling the API's string comparison of custom fields agrees with."""
    if v.__class__ is int:
        return v
    if isinstance(v, str) and CANONICAL_INT.match(v):
        return int(v)
    return None


def as_str(v: Any) -> str | None:
    """A record's value read as text: a ``str`` (a subclass such as a
    ``StrEnum`` member too), or a JSON integer's decimal text."""
    if v.__class__ is str:
        return v
    if v.__class__ is int:
        return str(v)
    if isinstance(v, str):
        return v
    return None


def _literal(f: FieldRef, value: Any) -> Any:
    """An atom's value as records are compared with it: datetimes as the
    API's text (epoch seconds in the IR), lists as sets."""
    if f.type == "datetime":
        if isinstance(value, tuple):
            return frozenset(timeexpr.format_utc(v) for v in value)
        return timeexpr.format_utc(value)
    if isinstance(value, tuple):
        return frozenset(value)
    return value


#: Text in the API's shape of a datetime (``YYYY-MM-DD HH:mm:ss``), as
#: Python over a string ``v``: compared as text, as the API compares it.
#: The one statement of the rule: the generated matchers inline it, and
#: :func:`_api_shaped` is made from it.
_API_SHAPE = "len(v) == 19 and v[10] == ' ' and v[4] == '-'"
_api_shaped: Callable[[str], bool] = eval(f"lambda v: {_API_SHAPE}")


def as_canonical_datetime(v: Any) -> str | None:
    """A custom field read as a datetime: only text in the API's format,
    which is what its string comparison of custom fields sees."""
    if isinstance(v, str) and _api_shaped(v):
        return v
    return None


def as_datetime(v: Any) -> str | None:
    """A record datetime as text in the API's format, ``YYYY-MM-DD HH:mm:ss``
    (which sorts as time does), or ``None``. Text already in that format is
    compared as it is; other ISO 8601 forms are converted to UTC."""
    if not isinstance(v, str):
        return None
    if _api_shaped(v):
        return v
    seconds = timeexpr.parse_utc(v)
    return None if seconds is None else timeexpr.format_utc(seconds)


def _inclusive(field: FieldRef, op: Op, value: Any) -> tuple[Op, Any]:
    """A datetime's strict bound as the inclusive one the compiler sends
    (``< T`` as ``<= T - 1 s``, ``> T`` as ``>= T + 1 s``; the API takes
    ``gte`` and ``lte`` alone): the same answer for every second, and the
    same as the API's for text in its shape that the calendar lacks
    (``2026-04-31 10:00:00`` is compared as text: after ``2026-04-30
    23:59:59``, so not ``< 2026-05-01``), wherever the test is made."""
    if field.type == "datetime" and value.__class__ is int:
        if op == "lt" and value - 1 >= timeexpr.CAL_MIN:
            return "le", value - 1
        if op == "gt" and value + 1 <= timeexpr.CAL_MAX:
            return "ge", value + 1
    return op, value


def _own_int(v: Any) -> int | None:
    return v if v.__class__ is int else None


@lru_cache(maxsize=256)
def coercer(field: FieldRef) -> Callable[[Any], Any]:
    """How a record's value of ``field`` is read: the typed value, or
    ``None`` when it is missing, null or not a value of the field's type.

    * a record's own integer fields must be JSON integers; custom integers
      may also be canonical decimal text;
    * datetimes are compared as UTC instants; custom datetimes must be the
      API's canonical text;
    * an enum value must be one of the enum's values, spelled as declared
      (the API's enums are closed: `state != CLOSED` is sent as the list of
      the other values, so a value outside the enum must not match it).
    """
    if field.type == "enum":
        allowed = frozenset(field.values)
        return lambda v: v if isinstance(v, str) and v in allowed else None
    if field.type == "integer":
        return as_int if field.key is not None else _own_int
    if field.type == "datetime":
        return as_canonical_datetime if field.key is not None else as_datetime
    return as_str


def field_value(record: Record, field: FieldRef) -> Any:
    """The record's value of ``field``, typed, or ``None`` if missing."""
    if field.key is not None:
        raw = custom_fields(record).get(field.key)
    else:
        raw = record.get(field.record_field)
    return None if raw is None else coercer(field)(raw)


# ------------------------------------------------------- code generation


class _Gen:
    """Generates the source of one matcher function."""

    def __init__(self, *, trusting: bool = False) -> None:
        self.consts: dict[str, Any] = {}
        self.uses_custom = False
        # A trusting matcher tests membership in an enum's values without a
        # class check first; an unhashable value then raises TypeError, and
        # the careful matcher answers instead (see compile_matcher).
        self.trusting = trusting

    def read(self, f: FieldRef) -> str:
        """An expression for the record's own field ``f`` as it came. The
        trusting matcher subscripts (its function has seen that ``r`` is a
        plain dict, or was told so, and a missing key raises ``KeyError``,
        which hands the record to the careful matcher); the careful one asks
        ``get``, which takes any mapping and a missing key alike."""
        name = self.const(f.record_field)
        return f"r[{name}]" if self.trusting else f"r.get({name})"

    def const(self, value: Any) -> str:
        """A name for ``value``, or, for a string, an integer or a set of
        them, the literal itself: the generated code then loads a
        constant, as a function written by hand does, and ``x in {...}``
        is compiled into a frozenset constant by Python."""
        if value.__class__ is str or value.__class__ is int:
            return repr(value)
        if (
            value.__class__ is frozenset
            and value
            and all(v.__class__ is str or v.__class__ is int for v in value)
        ):
            return "{" + ", ".join(sorted(map(repr, value))) + "}"
        name = f"c{len(self.consts)}"
        self.consts[name] = value
        return name

    def getter(self, f: FieldRef) -> str:
        """An expression for the field's typed value (or None)."""
        if f.key is not None:
            # The custom fields are decoded at the first test of one, and
            # only then: `state = OPEN or custom.region != "PL"` decodes
            # nothing for an open record.
            self.uses_custom = True
            decode = self.const(custom_fields)
            raw = f"(cu if cu is not None else (cu := {decode}(r))).get({self.const(f.key)})"
        else:
            raw = self.read(f)
        return f"{self.const(coercer(f))}({raw})"

    def literal(self, f: FieldRef, value: Any) -> Any:
        return _literal(f, value)

    def atom(self, a: Atom) -> str:
        f = a.field
        fast = f.key is None and f.type in ("integer", "enum")
        op, value = _inclusive(f, a.op, a.value)
        if fast:
            # A record's own integers and enum values are read inline: a
            # class check (bool is not int) and, for an enum, membership in
            # its values stand in for the coercion (see coercer()).
            get = self.read(f)
            if f.type == "integer":
                present = f"(v := {get}).__class__ is int"
            elif self.trusting:
                # Only text equals an enum's value: membership alone tells
                # (a value that cannot be hashed raises TypeError).
                present = f"(v := {get}) in {self.const(frozenset(f.values))}"
            else:
                universe = self.const(frozenset(f.values))
                present = f"isinstance(v := {get}, str) and v in {universe}"
            if op == "null":
                return f"(not ({present}))"
            if op == "notnull":
                return f"({present})"
            c = self.const(self.literal(f, value))
            if f.type == "enum" and op in ("in", "eq") and self.trusting:
                # The values tested are the enum's own (the checker and
                # filterlists.filter_atoms see to it), so membership needs no other check.
                return f"({get} in {c})" if op == "in" else f"({get} == {c})"
            if op == "in":
                return f"({present} and v in {c})"
            if op == "nin":
                return f"({present} and v not in {c})"
            return f"({present} and v {_CMP[op]} {c})"
        if f.key is None and f.type == "datetime" and op not in ("null", "notnull"):
            # Canonical API datetimes compare as strings; anything else is
            # normalised first (or counts as missing).
            get = self.read(f)
            norm = self.const(as_datetime)
            c = self.const(self.literal(f, value))
            test = (
                f"v in {c}"
                if op == "in"
                else f"v not in {c}"
                if op == "nin"
                else (f"v {_CMP[op]} {c}")
            )
            api_text = _API_SHAPE
            far = _far_side(op, value)
            if far and self.trusting:
                # The far side's test comes first and compares ``v`` with
                # text: a value that is not text (None, a number, a list,
                # an object) raises TypeError there, and the careful
                # matcher answers; text needs no class check of its own.
                return (
                    f"(((v := {get}){far}) and (({api_text}) "
                    f"or (v := {norm}(v)) is not None) and {test})"
                )
            if far:
                far = f" and (v{far})"
            return (
                f"(isinstance(v := {get}, str){far} and (({api_text}) "
                f"or (v := {norm}(v)) is not None) and {test})"
            )
        if f.type == "string" and op not in ("null", "notnull"):
            # Strings (custom fields of any declared type but integers and
            # datetimes, and the record's own strings): as_str inline.
            if f.key is not None:
                self.uses_custom = True
                decode = self.const(custom_fields)
                raw = f"(cu if cu is not None else (cu := {decode}(r))).get({self.const(f.key)})"
            else:
                raw = self.read(f)
            present = (
                f"((v := {raw}).__class__ is str"
                " or (v.__class__ is int and (v := str(v)) is not None)"
                " or isinstance(v, str))"
            )
            c = self.const(self.literal(f, value))
            if op == "in":
                return f"({present} and v in {c})"
            if op == "nin":
                return f"({present} and v not in {c})"
            return f"({present} and v {_CMP[op]} {c})"
        get = self.getter(f)
        if op == "null":
            return f"({get} is None)"
        if op == "notnull":
            return f"({get} is not None)"
        c = self.const(self.literal(f, value))
        if op == "in":
            return f"((v := {get}) is not None and v in {c})"
        if op == "nin":
            return f"((v := {get}) is not None and v not in {c})"
        return f"((v := {get}) is not None and v {_CMP[op]} {c})"

    def expr(self, e: IExpr) -> str:
        # Iterative post-order, so 10,000-item chains and deep trees are fine.
        out: list[str] = []
        stack: list[tuple[IExpr, bool]] = [(e, False)]
        while stack:
            node, done = stack.pop()
            if isinstance(node, Atom):
                out.append(self.atom(node))
                continue
            assert isinstance(node, IAnd | IOr)
            if not node.items:
                out.append("True" if isinstance(node, IAnd) else "False")
                continue
            if not done:
                stack.append((node, True))
                stack.extend((x, False) for x in reversed(node.items))
                continue
            n = len(node.items)
            parts = out[-n:]
            del out[-n:]
            joiner = " and " if isinstance(node, IAnd) else " or "
            out.append("(" + joiner.join(parts) + ")")
        return out[0]


#: Two days, in seconds: farther than a record's datetime written with a
#: UTC offset (at most 23:59 either way) can lie from its own date.
_MARGIN = 2 * 86400


def _far_side(op: str, value: Any) -> str:
    """A test, put before the shape check of a record datetime ``v`` compared
    with ``op`` to ``value`` (epoch seconds), that ends the comparison as
    false without that check on the side where it cannot hold, or ``""``;
    the text goes after ``v`` (it starts with a comparison, so a value that
    is not text raises TypeError in it) and says where the comparison goes
    on. It ends it for ``>=``/``>`` when ``v`` is before two days earlier,
    as text, and starts with a digit (so it goes on when ``v >= FAR or v <
    '0'``); for ``<=``/``<``, when ``v`` is after two days later and starts
    with a digit. Either way the
    answer is the one the shape check and the normalisation would give:
    text in the API's shape compares as text (and the bounds sit on the
    literal's far side); any other text that reads as a datetime starts
    with its date, ``YYYY-MM-DD`` (it starts with a digit, so no blank was
    stripped before it), which sorts as time does and so is on the bound's
    side of it, and its offset moves it less than a day from that date;
    text that does not read as one is false anyway (tests/test_evaluator.py
    compares the two over random texts)."""
    if value.__class__ is not int or op not in ("ge", "gt", "le", "lt"):
        return ""
    if not timeexpr.CAL_MIN + _MARGIN <= value <= timeexpr.CAL_MAX - _MARGIN:
        return ""
    if op in ("ge", "gt"):
        return f" >= {timeexpr.format_utc(value - _MARGIN)!r} or v < '0'"
    return f" <= {timeexpr.format_utc(value + _MARGIN)!r} or v >= ':'"


def _generate(
    nnf: IExpr,
    *,
    trusting: bool,
    fallback: Callable[..., bool] | None = None,
    plain_dicts: bool = False,
) -> Callable[..., bool]:
    gen = _Gen(trusting=trusting)
    body = gen.expr(nnf)
    # ``cu``: the record's custom fields once decoded (see _Gen.getter); the
    # careful matcher takes those the trusting one decoded, so that a record
    # is decoded at most once either way.
    lines = ["def match(r):" if fallback is not None else "def match(r, cu=None):"]
    if fallback is not None:
        careful = gen.const(fallback)
        call = f"{careful}(r, cu)" if gen.uses_custom else f"{careful}(r)"
        if not plain_dicts:
            # The trusting code subscripts a plain dict; any other mapping
            # is read by the careful matcher (a dict subclass may answer a
            # missing key through __missing__: a defaultdict adds it).
            lines.append(f"  if r.__class__ is not dict: return {careful}(r)")
        if gen.uses_custom:
            lines.append("  cu = None")
        lines.append("  try:")
    indent = "    " if fallback is not None else "  "
    lines.append(f"{indent}return {body}")
    if fallback is not None:
        # TypeError: a value the trusting code cannot take (see atom());
        # KeyError: a field the record lacks (see _Gen.read); AttributeError:
        # a record that is no mapping, which the careful matcher's guard names.
        lines.append("  except (TypeError, KeyError, AttributeError):")
        lines.append(f"    return {call}")
    namespace: dict[str, Any] = dict(gen.consts)
    code = compile("\n".join(lines), "<cqlang matcher>", "exec")
    exec(code, namespace)
    fn: Callable[..., bool] = namespace["match"]
    return fn


def compile_matcher(expr: IExpr, *, plain_dicts: bool = False) -> Matcher:
    """A function telling whether a record makes ``expr`` true: generated
    Python, called with the record alone, with no layer around it. It
    decodes the record's ``custom`` only when it tests a custom field, and
    at most once. With ``plain_dicts`` it is for records that are plain
    ``dict``s, as JSON is decoded (the client's pages, the emulator's
    data), and skips the check that sends any other mapping to the careful
    code: given another mapping it may answer wrongly (a ``defaultdict``
    would even grow the keys it lacks)."""
    nnf = to_nnf(expr)
    careful = _generate(nnf, trusting=False)

    def guarded(r: Any, cu: Any = None) -> bool:
        # Reached only when the trusting matcher raised, or for a record
        # that is no plain dict: checked here, at no cost to a dict.
        if not isinstance(r, Mapping):
            raise TypeError(
                f"a record is a mapping (a dict, as the API sends it), not {type(r).__name__}"
            )
        return careful(r, cu)

    return _generate(nnf, trusting=True, fallback=guarded, plain_dicts=plain_dicts)


def evaluate(expr: IExpr, record: Record) -> bool | None:
    """Three-valued truth of ``expr`` on one record: True, False or None
    (unknown). A reference for tests and explanations; matching uses
    :func:`compile_matcher`. The query is read in negation normal form, as
    the matcher and the planner read it: ``not`` of a comparison is the
    opposite comparison (``not x >= T`` is ``x < T``), which for a record's
    text the calendar lacks is not the same as "not true" (module
    docstring)."""
    return _evaluate(to_nnf(expr), record)


def _evaluate(expr: IExpr, record: Record) -> bool | None:
    if isinstance(expr, Atom):
        v = field_value(record, expr.field)
        if expr.op == "null":
            return v is None
        if expr.op == "notnull":
            return v is not None
        if v is None:
            return None
        op, value = _inclusive(expr.field, expr.op, expr.value)
        c = _literal(expr.field, value)  # as the generated matchers compare
        if op == "in":
            return v in c
        if op == "nin":
            return v not in c
        result: bool = {
            "eq": v == c,
            "ne": v != c,
            "lt": v < c,
            "le": v <= c,
            "gt": v > c,
            "ge": v >= c,
        }[op]
        return result
    assert isinstance(expr, IAnd | IOr), expr  # no `not` is left in negation normal form
    values = [_evaluate(x, record) for x in expr.items]
    if isinstance(expr, IAnd):
        if any(v is False for v in values):
            return False
        return None if any(v is None for v in values) else True
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def matches(expr: IExpr, record: Record) -> bool:
    """Whether ``record`` makes ``expr`` true (compiles once per call)."""
    return compile_matcher(expr)(record)
