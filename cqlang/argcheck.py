"""Arguments given from Python, checked where they enter: one set of checks.

The rule of every public function and method (docs/python-api.md,
"Arguments"): an argument of the wrong *type* raises ``TypeError`` naming
the parameter and what it takes (``limit is an int or None, not float``);
one of the right type whose *value* cannot work raises a
:class:`~cqlang.errors.CqlError`, for a setting a
:class:`~cqlang.errors.SettingError` (a ``ValueError`` too) whose
``setting`` is the parameter (``limit must be at least 0, not -1``). Both
are raised by the entry point before any work or request, never an
``AttributeError`` or a comparison's own message from deep inside.

A ``bool`` is not taken for a number (``limit=True`` is no count, though
Python makes ``True`` an ``int``) and nothing but a ``bool`` for a flag
(``strict="yes"`` is no flag: a non-empty string is true, ``"no"`` too).
Any integer type (one with ``__index__``, such as numpy's) is a count,
and it or any real number type (``numbers.Real``) a number.
Each check returns the value it passed (a count as a plain ``int``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .errors import SettingError

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "campaign",
    "count",
    "exclude_message",
    "exclude_names",
    "flag",
    "instance",
    "integer",
    "kind",
    "mapping",
    "number",
    "path",
    "query",
    "seconds",
    "text",
    "wrong_type",
    "zone",
]


def kind(value: object) -> str:
    """The name of ``value``'s type, as a message says it."""
    return type(value).__name__


def wrong_type(name: str, takes: str, value: object) -> TypeError:
    """``TypeError: NAME is TAKES, not TYPE``: the one wording."""
    return TypeError(f"{name} is {takes}, not {kind(value)}")


def _or_none(takes: str, optional: bool) -> str:
    return f"{takes} or None" if optional else takes


def instance(name: str, value: Any, cls: type, takes: str, *, optional: bool = False) -> Any:
    """``value`` when it is a ``cls`` (or ``None``, when ``optional``),
    else ``TypeError`` saying ``takes``."""
    if isinstance(value, cls) or (optional and value is None):
        return value
    raise wrong_type(name, _or_none(takes, optional), value)


def text(name: str, value: Any, *, optional: bool = False) -> Any:
    """A ``str`` argument (or ``None``, when ``optional``)."""
    if isinstance(value, str) or (optional and value is None):
        return value
    raise wrong_type(name, _or_none("a str", optional), value)


def zone(name: str, value: Any, *, optional: bool = True) -> Any:
    """A time zone argument (``tz``, wherever one is taken): an IANA zone
    name (a ``str``) or a :class:`datetime.tzinfo` such as a
    ``zoneinfo.ZoneInfo`` (``None`` passes when ``optional``). Whether a
    name is a zone is the caller's to tell: in a query's inputs an unknown
    one is CQL108, for a setting a :class:`SettingError`."""
    from datetime import tzinfo

    if isinstance(value, str | tzinfo) or (optional and value is None):
        return value
    raise wrong_type(name, _or_none("an IANA zone name (a str), a tzinfo", optional), value)


def query(value: Any) -> str:
    """A query's text, which every entry point takes as a ``str``: the
    ``TypeError`` words it as a query, whatever the parameter is called."""
    if isinstance(value, str):
        return value
    raise TypeError(f"a query is a str, not {type(value).__name__}")


def flag(name: str, value: Any, *, optional: bool = False) -> Any:
    """A ``bool`` argument, ``True`` or ``False`` and nothing else (``None``
    too, when ``optional``: not given)."""
    if value is True or value is False or (optional and value is None):
        return value
    raise wrong_type(name, _or_none("a bool (True or False)", optional), value)


def integer(value: object) -> int | None:
    """``value`` as a plain ``int`` when it is of an integer type (``int``,
    or any type with ``__index__``, such as numpy's) but not a ``bool``
    (``True`` is no number, though Python makes it an ``int``); else
    ``None``. The one reading of an integer from Python: counts, numbers,
    the emulator's seed and a query parameter's value."""
    if isinstance(value, bool):
        return None
    index = getattr(type(value), "__index__", None)
    return None if index is None else int(index(value))


def count(name: str, value: Any, *, least: int, optional: bool = False) -> Any:
    """A whole-number argument of at least ``least`` (``None`` passes when
    ``optional``): ``TypeError`` for a value that is no integer (a float, a
    string, a ``bool``), :class:`SettingError` for one below ``least``."""
    if optional and value is None:
        return value
    number = integer(value)
    if number is None:
        raise wrong_type(name, _or_none("an int", optional), value)
    if number < least:
        raise SettingError(f"{name} must be at least {least}, not {number}", name)
    return number


def number(name: str, value: Any, *, takes: str = "a number (an int or a float)") -> float:
    """A real-number argument as a ``float``: any ``numbers.Real`` (an
    ``int``, a ``float``, a ``Fraction``, numpy's) or integer type (one
    with ``__index__``, as for :func:`count`) but a ``bool``, else
    ``TypeError`` saying ``takes`` (a numeric string is no number). An
    integer past a float's range is infinity; whether the value can work
    (NaN, infinity, a sign) is the caller's check."""
    if value.__class__ is not float and value.__class__ is not int:
        import numbers  # small, but only needed for other types

        if isinstance(value, bool):
            raise wrong_type(name, takes, value)
        if not isinstance(value, numbers.Real):
            whole = integer(value)
            if whole is None:
                raise wrong_type(name, takes, value)
            value = whole
    try:
        return float(value)
    except OverflowError:  # an integer past a float's range
        return float("inf") if value > 0 else float("-inf")


def seconds(name: str, value: Any, *, zero: bool = True) -> float:
    """A duration argument: a number of seconds (:func:`number`: any real
    number but a ``bool``; ``TypeError`` for anything else, a string
    included), then :func:`cqlang.digits.duration_problem` (a
    :class:`SettingError`: not finite, negative, zero when ``zero`` is
    false, past a day)."""
    from .digits import duration_problem

    number_ = number(name, value, takes="a number of seconds (an int or a float)")
    problem = duration_problem(number_, zero=zero)
    if problem is not None:
        raise SettingError(f"{name} {problem} (got {value!r})", name)
    return number_


def mapping(
    name: str,
    value: Any,
    *,
    takes: str = "a mapping of names to values",
    names: str = "names",
    optional: bool = False,
) -> Any:
    """A mapping whose keys are all ``str`` (``None`` passes when
    ``optional``); ``names`` words its keys in the message about one that
    is not (``parameter names are str, not int: 3``)."""
    if optional and value is None:
        return value
    if not isinstance(value, Mapping):
        raise wrong_type(name, _or_none(takes, optional), value)
    for key in value:
        if not isinstance(key, str):
            raise TypeError(f"{names} are str, not {kind(key)}: {key!r}")
    return value


def path(name: str, value: Any, *, optional: bool = False) -> Any:
    """A file system path: a ``str`` or an ``os.PathLike`` of one."""
    if isinstance(value, str) or (optional and value is None):
        return value
    fspath = getattr(type(value), "__fspath__", None)
    if fspath is not None and isinstance(fspath(value), str):
        return value
    raise wrong_type(name, _or_none("a path (a str or an os.PathLike)", optional), value)


def campaign(name: str, value: Any, *, optional: bool = False) -> Any:
    """A campaign id argument: a ``str`` (``None`` passes when
    ``optional``) that can be sent as an id, else a :class:`SettingError`
    (blank, ``..``, a control character: see
    :func:`cqlang.encoding.campaign_problem`)."""
    from .encoding import campaign_problem

    if text(name, value, optional=optional) is None:
        return value
    problem = campaign_problem(value)
    if problem is not None:
        raise SettingError(problem, name)
    return value


def exclude_names(name: str, value: Any) -> tuple[str, ...] | None:
    """The field names an ``exclude`` argument gives, each once, in order
    (``None`` for ``None``: not given). A list (any iterable) of names, or
    one text read as ``--exclude`` reads it: comma-separated, blanks
    around each name dropped (``"history, dialogs"``; ``""`` is no field,
    which overrides a named query's own ``exclude``). ``TypeError`` for
    anything else or an item that is not a ``str``; :class:`SettingError`
    for a name that cannot be excluded (``id``, a blank or empty one, see
    :func:`cqlang.encoding.exclude_problem`)."""
    if value is None:
        return None
    if isinstance(value, str):
        items: Iterable[Any] = [f.strip() for f in value.split(",") if f.strip()]
    elif isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        items = value
    else:
        takes = "a list of field names, one str of them separated by commas, or None"
        raise wrong_type(name, takes, value)
    names: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{name} holds field names (str), not {kind(item)}: {item!r}")
        problem = exclude_message(name, item)
        if problem is not None:
            raise SettingError(problem, name)
        names[item] = None
    return tuple(names)


def exclude_message(name: str, field: str, where: str = "") -> str | None:
    """Why ``field`` cannot stand in the ``exclude`` called ``name`` (with
    ``where``, such as `` (the exclude of @hot)``), in the words every
    front end gives; ``None`` when it can."""
    from .encoding import ID_REASON, exclude_problem

    problem = exclude_problem(field)
    if problem is None:
        return None
    if field == "id":
        return f"{name} cannot hold id{where}: {ID_REASON}"
    return f"{name} cannot hold {field!r}{where}: {problem}"
