"""JSON from outside, with a bound on its nesting.

``json.loads`` recurses once per level of nesting: a body nested 100,000
deep would end in a ``RecursionError``, and one nested a few hundred deep
parses but breaks any recursive code that meets it later. :func:`loads`
parses (the C parser's own recursion guard turns a body too deep for it
into :class:`TooDeep`) and then measures the depth of what it got without
recursing, level by level with C-level walks over the containers
(``gc.get_referents``): when the text held no number with a fraction or an
exponent (an API page, mostly), with no Python call per value at all
(:func:`_plain_depth_exceeds`), about 5% of decoding a page; else with
the careful walk of :func:`depth_exceeds`, which passes over Numbers.

It also refuses what is no JSON number, which ``json.loads`` takes:
``NaN``, ``Infinity`` and ``-Infinity`` (not JSON at all), and a number
beyond the range of a double (``1e400``, which ``json.loads`` turns into
``inf``): :class:`NotFinite`, naming where it is (``data[2].priority``);
and an integer longer than Python reads (4300 digits), which ``json``
refuses with ``int()``'s words: :class:`TooLong`, named likewise.
Nothing cqlang reads can then hold a float NaN or infinity, which no JSON
writer may write back (:func:`finite_loads` for a text that needs no depth
bound, :func:`non_finite` for data made in Python).

A number with a fraction or an exponent is read as a :class:`Number`: a
``float`` (queries see a float, as before) that keeps the text it was
written with, which :func:`dumps` writes back, so ``12.50`` and
``0.10000000000000000001`` leave cqlang as they came (docs/client.md,
"The columns and their types"). :data:`EXACT` reads a record's ``custom``
so for the writers; :data:`STRICT`, the query path's reading, makes plain
floats, which cost less.
"""

from __future__ import annotations

import gc
import json
import math
import re
import sys

TYPE_CHECKING = False  # typing is not imported at run time (the evaluator imports this)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

#: The deepest nesting accepted by default: API records are shallow (a
#: page is 5 levels deep: envelope, list, record, history, its entries).
MAX_DEPTH = 64


class TooDeep(ValueError):
    """JSON nested deeper than allowed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"nested deeper than {limit} levels")
        self.limit = limit


class BadNumber(ValueError):
    """A number in JSON that cqlang cannot read: :class:`NotFinite` or
    :class:`TooLong`, each naming where it is (``where``)."""

    where: str | None


class TooLong(BadNumber):
    """A JSON integer of more digits than Python turns into an ``int``
    (``sys.get_int_max_str_digits()``, 4300 by default): ``digits`` of
    them, at ``where`` (as :class:`NotFinite` says it). Without this,
    ``json`` lets ``int()``'s refusal through, which names no place and
    tells the user to call ``sys.set_int_max_str_digits()``."""

    def __init__(self, digits: int, where: str | None) -> None:
        self.digits = digits
        self.where = where
        place = "" if where is None else f" at {where or 'the top'}"
        super().__init__(f"a number of {digits:,} digits, too long to read{place}")


class NotFinite(BadNumber):
    """A number JSON data cannot hold as a double: ``text`` as written
    (``NaN``, ``1e400``; for data made in Python, the float's repr), at
    ``where`` (a path such as ``data[2].priority``; ``""``: the value
    itself; ``None``: not known, the value replaced by a repeated key)."""

    def __init__(self, text: str, where: str | None) -> None:
        self.text = text
        self.where = where
        if text.lstrip("-") in ("NaN", "Infinity", "nan", "inf"):
            what = f"{text} is not a JSON number"
        else:
            what = f"{text} is beyond the range of a double (about 1.8e308)"
        place = "" if where is None else f" at {where or 'the top'}"
        super().__init__(what + place)


#: Not empty once this process has made a :class:`Number`: until then no
#: value can hold one, and :func:`dumps` is ``json.dumps`` at no cost.
_made: list[bool] = []


class Number(float):
    """A JSON number with a fraction or an exponent, as read: a ``float``
    (arithmetic, comparisons and ``isinstance`` as for any float) that
    keeps ``text``, the number as it was written (``12.50``, ``1E3``,
    ``0.10000000000000000001``), for :func:`dumps` to write back."""

    __slots__ = ("text",)

    text: str

    def __new__(cls, text: str) -> Number:
        self = float.__new__(cls, text)
        self.text = text
        if not _made:
            _made.append(True)
        return self

    def __reduce__(self) -> tuple[type[Number], tuple[str]]:
        return Number, (self.text,)


class _Read(float):
    """A float that is no JSON number, as read, kept with its text until
    :func:`non_finite` finds where it is."""

    text: str


def finite_loads(data: str | bytes) -> Any:
    """``json.loads(data)``, refusing with :class:`NotFinite` a ``NaN``,
    an ``Infinity`` or a number beyond the range of a double (the first,
    in document order, named by where it is). Nesting is not bounded here
    (:func:`loads` bounds it). The decoder's C scanner calls back only for
    a number with a fraction or an exponent and for the three literals, so
    data without them costs what ``json.loads`` does, and the walk that
    says where runs only for a body that is refused."""
    return _finite_loads(data)[0]


def _finite_loads(data: str | bytes) -> tuple[Any, bool]:
    """:func:`finite_loads`, and whether the value may hold a
    :class:`Number` (``False``: it holds none, as no number with a
    fraction or an exponent was read)."""
    if isinstance(data, bytes | bytearray):
        data = data.decode(json.detect_encoding(data), "surrogatepass")
    elif not isinstance(data, str):
        raise TypeError(f"the JSON object must be str or bytes, not {type(data).__name__}")
    if data.startswith("\ufeff"):  # as json.loads says it
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", data, 0)
    found: list[_Read] = []
    numbers = False

    def read(text: str) -> float:
        nonlocal numbers
        numbers = True
        value = Number(text)
        if value - value == 0:  # finite (inf - inf and nan - nan are nan)
            return value
        bad = _Read(value)
        bad.text = text
        found.append(bad)
        return bad

    try:
        value = json.JSONDecoder(parse_constant=read, parse_float=read).decode(data)
    except ValueError as exc:
        if int_too_long(exc):
            raise too_long(data) from None
        raise
    if found:
        where = non_finite(value)
        if where is None:  # one a repeated key replaced: still no JSON number
            raise NotFinite(found[0].text, None)
        number, path = where
        raise NotFinite(number.text if type(number) is _Read else repr(number), path)
    return value, numbers


def int_too_long(exc: BaseException) -> bool:
    """Whether ``exc``, from ``json`` decoding a text, is ``int()``'s
    refusal of an integer past Python's digit limit (a plain
    ``ValueError``, where a mistake of the text is a ``JSONDecodeError``)."""
    return type(exc) is ValueError and "digits" in str(exc)


class _Long:
    """An integer too long to read, kept as its count of digits."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits


def too_long(data: str | bytes) -> TooLong:
    """The :class:`TooLong` of JSON text ``data``, which ``json`` refused
    for an integer past the digit limit (:func:`int_too_long`): the first
    such integer, in document order, and where it is. Reads the text once
    more, the long integers counted instead of read: only for a text that
    is refused."""
    limit = sys.get_int_max_str_digits()

    def read_int(text: str) -> int | _Long:
        digits = len(text) - text.startswith("-")
        return _Long(digits) if limit and digits > limit else int(text)

    if isinstance(data, bytes | bytearray):
        data = data.decode(json.detect_encoding(data), "surrogatepass")
    value = json.JSONDecoder(parse_int=read_int, parse_constant=float).decode(data)
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, _Long):
            return TooLong(item.digits, path)
        if isinstance(item, dict):
            stack.extend(reversed([(v, _key_path(path, k)) for k, v in item.items()]))
        elif isinstance(item, list):
            stack.extend(reversed([(v, f"{path}[{i}]") for i, v in enumerate(item)]))
    longest = max(map(len, re.findall(r"[0-9]+", data)), default=0)  # a repeated key dropped it
    return TooLong(longest, None)


def _refuse_constant(text: str) -> float:
    raise ValueError(f"{text} is not a JSON number")


def _finite(kind: Callable[[str], float]) -> Callable[[str], float]:
    """A JSON number's reading as ``kind`` (``float``, or :class:`Number`
    keeping its text) that refuses one beyond the range of a double."""

    def read(text: str) -> float:
        value = kind(text)
        if value - value != 0:  # NaN or an infinity
            raise ValueError(f"{text} is beyond the range of a double")
        return value

    return read


_finite_float = _finite(float)


#: A decoder that refuses ``NaN``, ``Infinity`` and a number beyond the
#: range of a double at once, saying nothing of where (``ValueError``): for
#: JSON inside a value, which is read whole or not at all (a record's
#: ``custom``: the evaluator and the writers read it so, and one refused
#: counts as no custom fields, as any ``custom`` that is not JSON does).
STRICT = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


#: :data:`STRICT` that reads a number with a fraction or an exponent as a
#: :class:`Number`, keeping its text: the writers' reading of ``custom``
#: (the same texts taken and refused as :data:`STRICT`).
EXACT = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite(Number))


def holds_number(value: Any) -> bool:
    """Whether JSON data ``value`` holds a :class:`Number` (at any depth).
    Free while this process has made none (most: an API record's own
    fields are integers and text); else walked a level at a time with
    C-level walks (``gc.get_referents``), as :func:`depth_exceeds` does."""
    if not _made:
        return False
    if value.__class__ is Number:
        return True
    if not gc.is_tracked(value):  # text, a plain number, a dict of those
        return False
    level = [value]
    while level:
        # Containers and Numbers are tracked by the garbage collector;
        # text and plain numbers are not (nor, mostly, a dict of them).
        tracked = list(filter(gc.is_tracked, gc.get_referents(*level)))
        if Number in set(map(type, tracked)):
            return True
        level = [v for v in tracked if isinstance(v, list | dict | tuple)]
    return False


def _floatstr(allow_nan: bool) -> Any:
    def floatstr(value: float) -> str:
        if isinstance(value, Number):
            return value.text
        if value != value or value in (math.inf, -math.inf):
            if not allow_nan:
                raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
            return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
        return float.__repr__(value)

    return floatstr


def dumps(value: Any, **options: Any) -> str:
    """``json.dumps(value, **options)``, but a :class:`Number` is written
    as the text it was read from (``12.50`` stays ``12.50``, where a float
    would be ``12.5``). Data without one (most: :func:`holds_number` says
    so at C speed) goes to ``json.dumps`` itself; data with one to the
    standard library's own pure-Python encoder, given a float writer that
    knows :class:`Number` (the C encoder writes any float by its repr)."""
    if not holds_number(value):
        return json.dumps(value, **options)
    enc = json.JSONEncoder(**options)
    make = json.encoder._make_iterencode  # type: ignore[attr-defined]
    strings = (
        json.encoder.encode_basestring_ascii if enc.ensure_ascii else json.encoder.encode_basestring
    )
    parts = make(
        {} if enc.check_circular else None,
        enc.default,
        strings,
        enc.indent,
        _floatstr(enc.allow_nan),
        enc.key_separator,
        enc.item_separator,
        enc.sort_keys,
        enc.skipkeys,
        False,
    )
    return "".join(parts(value, 0))


def non_finite(value: Any) -> tuple[float, str] | None:
    """The first float NaN or infinity in ``value`` (lists, dicts and
    scalars, in order; walked without recursion) and where it is (a path
    such as ``data[2].priority``), or ``None``."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return item, path
        elif isinstance(item, dict):
            stack.extend(reversed([(v, _key_path(path, k)) for k, v in item.items()]))
        elif isinstance(item, list | tuple):
            stack.extend(reversed([(v, f"{path}[{i}]") for i, v in enumerate(item)]))
    return None


def _key_path(path: str, key: Any) -> str:
    name = str(key)
    if name.isidentifier():
        return f"{path}.{name}" if path else name
    return f"{path}[{json.dumps(name, ensure_ascii=False)}]"


def depth_exceeds(value: Any, limit: int) -> bool:
    """Whether JSON data ``value`` (lists, dicts, scalars) is nested more
    than ``limit`` levels deep (a scalar is 0 levels, ``[]`` 1, ``[[]]``
    2). Iterative; stops at the first level past ``limit``."""
    level: list[Any] = [value] if isinstance(value, list | dict) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below = gc.get_referents(*level)
        # Strings and plain numbers are not tracked by the garbage
        # collector; lists always are, and so is a dict that holds a list or
        # a dict. A dict of scalars may not be: it adds one last level,
        # nothing below. A Number is tracked (it has a slot) but is no
        # container: below it are its text and its class, not data. The
        # level is filtered in C; a second pass leaves Numbers out only
        # where one is there (the test, too, runs in C).
        level = list(filter(gc.is_tracked, below))
        if _made and Number in map(type, level):
            level = [v for v in level if v.__class__ is not Number]
        if not level and dict in set(map(type, below)):
            return depth + 1 > limit
    return False


def _plain_depth_exceeds(value: Any, limit: int) -> bool:
    """:func:`depth_exceeds` for what ``json`` made of a text with no
    number with a fraction or an exponent in it (no :class:`Number`: only
    lists, dicts with text keys, text, integers, ``True``, ``False`` and
    ``None``). Of those only lists and dicts are containers to the
    garbage collector, and ``gc.get_referents`` passes over the rest (no
    Python call per value, no filter): each level of the walk is the whole
    level below, values and all, and the walk ends at the first level
    where nothing is below. The deepest level holds plain values (the
    depth is the count of levels that had something below them) or, as
    well, empty lists or dicts (one more level): that is looked at only
    when it decides."""
    if value.__class__ is not list and value.__class__ is not dict:
        return False  # a scalar: 0 levels
    level: list[Any] = [value]
    depth = 0  # the levels that held something below them
    while True:
        below = gc.get_referents(*level)
        if not below:
            break
        depth += 1
        if depth > limit:
            return True
        level = below
    if depth < limit:
        return False
    kinds = set(map(type, level))
    return list in kinds or dict in kinds  # an empty one: a level more


def loads(data: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads(data)``, refusing nesting deeper than ``max_depth``
    with :class:`TooDeep` and what is no JSON number with
    :class:`NotFinite` and an integer too long to read with :class:`TooLong`
    (all ``ValueError``, like every other refusal)."""
    try:
        value, numbers = _finite_loads(data)
    except RecursionError:
        raise TooDeep(max_depth) from None
    if (depth_exceeds if numbers else _plain_depth_exceeds)(value, max_depth):
        raise TooDeep(max_depth)
    return value
