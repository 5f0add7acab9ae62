"""What an operator or a value means, in Markdown, for completion's
documentation and hover: worded from the schema (the property's type, its
description, its enum values, how the API takes it), never per item."""

from __future__ import annotations

from ..kinds import TOML, written
from ..schema import Schema

#: What each operator means, by the kind of value it compares: ordered
#: values (integers) and times (datetimes, a date being its whole day).
_MEANING = {
    "=": "equal to the value",
    "!=": "not equal to the value",
    "<": "less than the value",
    "<=": "at most the value",
    ">": "greater than the value",
    ">=": "at least the value",
    "in": "equal to any of the values",
    "not in": "equal to none of the values",
    "between": "from the first value to the second, both included",
    "not between": "outside the range of the two values",
    "is null": "missing or null (the only test, with is not null, that holds on a missing field)",
    "is not null": "present, not null",
}
_TIME_MEANING = {
    "=": "within the time's interval (a date: that whole day)",
    "!=": "outside the time's interval",
    "<": "earlier than the time",
    "<=": "no later than the time (its interval's end)",
    ">": "later than the time (its interval's end)",
    ">=": "no earlier than the time",
    "in": "within any of the times' intervals",
    "not in": "within none of the times' intervals",
    "between": "from the first time to the second, both included",
    "not between": "outside the range of the two times",
}
#: How the API takes each kind of property (schema ``api``).
_SENT = {
    "range": "the API takes its bounds ({ops}); the rest is checked on the client",
    "membership": "the API takes a list of values for it",
    "equality": "the API takes one value for it; other tests are checked on the client",
}


def field_of(schema: Schema, field: str) -> tuple[str, str | None, tuple[str, ...], str]:
    """``(shown name, type, enum values, description)`` of a property or
    ``custom.KEY`` (type ``None`` when the property is unknown)."""
    if field.startswith("custom."):
        key = field[len("custom.") :]
        declared = schema.custom_field(key)
        if declared is None:
            return field, "string", (), f"custom field `{key}` (not declared: a string)"
        about = f"custom field `{key}`, declared {declared.type}"
        return field, declared.type, declared.values, about
    prop = schema.lookup(field)
    if prop is None:
        return field, None, (), ""
    return prop.name, prop.type, prop.values, prop.description


def operator_doc(schema: Schema, field: str, op: str) -> str:
    """What ``op`` means on ``field`` (by its type), and how the API takes
    that property; without a known field, what the operator means."""
    name, typ, _values, _about = field_of(schema, field) if field else (field, None, (), "")
    meaning = (_TIME_MEANING if typ == "datetime" else _MEANING).get(op) or _MEANING.get(op, op)
    if typ is None:
        return f"**{op}**: {meaning}"
    lines = [f"**{op}** on `{name}` ({typ}): {meaning}"]
    prop = schema.keyed if name.startswith("custom.") else schema.lookup(name)
    if prop is not None and prop.api in _SENT:
        lines.append(_SENT[prop.api].format(ops=", ".join(prop.operators)))
    return "\n\n".join(lines)


def value_doc(schema: Schema, field: str, value: str) -> str:
    """What ``value`` (as written) is for ``field``: an enum value (which
    property, its other values), a number or a string compared with it."""
    name, typ, values, about = field_of(schema, field)
    if typ is None:
        return ""
    said = f" ({about})" if about else ""
    if values:
        same = [v for v in values if v == value]
        same = same or [v for v in values if v.upper() == value.upper()]
        if same:
            others = ", ".join(f"`{v}`" for v in values if v != same[0]) or "none"
            return f"`{same[0]}`: a value of `{name}`{said}; its other values: {others}"
        listed = ", ".join(f"`{v}`" for v in values)
        return f"`{value}` is not a value of `{name}`{said}: its values are {listed}"
    kind = {"integer": "an integer", "datetime": "a time"}.get(typ, "a string")
    return f"`{value}`: {kind} compared with `{name}`{said}"


def code(text: str) -> str:
    """``text`` as a Markdown code span, whatever backticks it holds: set
    off by one backtick more than its longest run of them (and a space
    where it starts or ends with one)."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def default_doc(value: object) -> str:
    """A named query's parameter default as its config file writes it (TOML:
    ``"x"``, ``true``, ``2021-01-01T10:00:00``), as its diagnostics do,
    never Python's repr."""
    return code(written(value, TOML))
