"""Arguments from Python to the language's entry points (``compile``,
``check``, ``plan``, ``Env``, ``format``, ``decompile``, ``encode``, schemas,
diagnostics): a wrong type is a ``TypeError`` naming the parameter, a
wrong value a ``CqlError``, both at the call (docs/python-api.md,
"Arguments"; cqlang/argcheck.py). Each test here failed on the code
before, with an ``AttributeError``, an internal message, a value taken
silently (``strict="yes"``, ``width=-1``) or text that is no JSON
(``encode`` of NaN). The settings of a fetch: tests/test_python_settings.py."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from argument_errors import setting_error, type_error

import cqlang
from cqlang.errors import CqlValidationError

# ------------------------------------------------ AttributeError no more


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: cqlang.plan("@a", queries={3: "x"}), "named query names are str, not int: 3"),
        (lambda: cqlang.format("x = 1", schema="x"), "schema is a cqlang.Schema or None, not str"),
        (lambda: cqlang.check("x")[0].render(3), "text is a str (the query), not int"),
        (lambda: cqlang.diagnostics.to_json(3), "diags is a list of Diagnostic, not int"),
        (
            lambda: cqlang.diagnostics.for_front_end([], "web"),
            "front is one of 'python', 'cli', 'repl', 'config', not 'web'",
        ),
        (
            lambda: cqlang.DEFAULT_SCHEMA.with_custom_fields(3),
            "fields is a mapping of keys to declarations, or CustomField objects, not int",
        ),
        (
            lambda: cqlang.DEFAULT_SCHEMA.with_custom_fields({3: "integer"}),
            "custom field keys are str, not int: 3",
        ),
        (
            lambda: cqlang.DEFAULT_SCHEMA.with_custom_fields({}, strict="x"),
            "strict is a bool (True or False) or None, not str",
        ),
        (
            lambda: cqlang.Schema.from_dict(3),
            "spec is a mapping (the shape of the schema's spec), not int",
        ),
        (
            lambda: cqlang.decompile(None),
            "source is a filter list (a list), or its JSON, encoded value or request URL "
            "(a str), not NoneType",
        ),
    ],
)
def test_a_wrong_type_is_a_type_error_that_names_the_parameter(
    call: Callable[[], object], words: str
) -> None:
    assert type_error(call) == words


# ----------------------------------------------------------------- encode


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_encode_refuses_a_number_json_cannot_hold(number: float) -> None:
    filters = [{"property": "priority", "operator": "gt", "value": number}]
    with pytest.raises(CqlValidationError) as info:
        cqlang.encode(filters)
    assert info.value.diagnostics[0].code == "CQL301"
    assert f'filters[0]["value"] is {number!r}, which JSON cannot hold' in info.value.message
    assert "NaN" not in cqlang.encode([{"property": "priority", "value": 1.5}])


def test_encode_words_a_lone_surrogate_as_compile_words_a_parameter() -> None:
    with pytest.raises(CqlValidationError) as info:
        cqlang.encode([{"property": "custom_fields", "key": "a", "value": ["ok", "x\ud800"]}])
    (d,) = info.value.diagnostics
    assert d.code == "CQL301"
    assert d.message == (
        'not a filter list: filters[0]["value"][1]: U+D800 (character 2 of the value) '
        "is a lone surrogate, not text"
    )
    str(info.value).encode("utf-8")  # drawn escaped: it can be printed
    with pytest.raises(CqlValidationError) as compiled:
        cqlang.compile("custom.a = $v", params={"v": "x\ud800"})
    assert compiled.value.diagnostics[0].code == "CQL113"
    assert compiled.value.diagnostics[0].message.endswith(d.message.split(": ", 2)[2])


@pytest.mark.parametrize(
    ("filters", "words"),
    [
        (None, "filters is a list of filter objects (dicts), not NoneType"),
        ("[]", "filters is a list of filter objects (dicts), not str"),
        ([["priority"]], "filters[0] is a filter object (a dict), not list"),
        ([{3: "x"}], "filters[0] has a key that is not a str (int): 3"),
        (
            [{"property": "state", "value": {"OPEN"}}],
            'filters[0]["value"] is no JSON value (set): give a str, int, float, bool, None, '
            "or a list or dict of them",
        ),
        (
            [{"property": "x", "value": [{1: 2}]}],
            'filters[0]["value"][0] has a key that is not a str (int): 1',
        ),
    ],
)
def test_encode_refuses_what_is_not_a_filter_list_with_a_type_error(
    filters: object, words: str
) -> None:
    assert type_error(lambda: cqlang.encode(filters)) == words  # type: ignore[arg-type]


def test_encode_refuses_a_nesting_past_the_decompilers_bound_and_a_cycle() -> None:
    deep: list[Any] = []
    for _ in range(40):
        deep = [deep]
    loop: list[Any] = []
    loop.append(loop)
    for value in (deep, loop):
        with pytest.raises(CqlValidationError, match="nests more than 32 levels deep"):
            cqlang.encode([{"property": "x", "value": value}])


def test_encode_of_a_compiled_list_or_a_tuple_is_unchanged() -> None:
    from cqlang.encoding import encode_json

    filters = cqlang.compile('state in (OPEN, CLOSED) and custom.region = "Łódź" and priority >= 3')
    assert cqlang.encode(filters) == encode_json(filters)
    as_tuple = tuple(
        {**f, "value": tuple(f["value"]) if isinstance(f["value"], list) else f["value"]}
        for f in filters
    )
    assert cqlang.encode(as_tuple) == encode_json(filters)


# ------------------------------------------------------------ format, strict


@pytest.mark.parametrize(
    ("width", "words"),
    [
        (None, "width is an int, not NoneType"),
        ("80", "width is an int, not str"),
        (2.5, "width is an int, not float"),
        (True, "width is an int, not bool"),
    ],
)
def test_format_width_of_the_wrong_type(width: object, words: str) -> None:
    assert type_error(lambda: cqlang.format("priority >= 3", width=width)) == words  # type: ignore[arg-type]


@pytest.mark.parametrize("width", [0, -1])
def test_format_width_below_one(width: int) -> None:
    assert setting_error(lambda: cqlang.format("priority >= 3", width=width)).setting == "width"
    assert cqlang.format("priority >= 3 and state = OPEN", width=1).count("\n") == 1


@pytest.mark.parametrize("strict", ["yes", 1, 0, "", None])
def test_strict_is_a_bool(strict: object) -> None:
    calls: list[Callable[[], object]] = [lambda: cqlang.Env(strict=strict)]  # type: ignore[arg-type]
    if strict is not None:  # None is "not given" to the functions
        for fn in (cqlang.compile, cqlang.check, cqlang.plan):
            calls.append(lambda fn=fn: fn("custom.x = 1", strict=strict))  # type: ignore[misc]
    for call in calls:
        assert "strict is a bool (True or False)" in type_error(call)
