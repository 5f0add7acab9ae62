"""Numbers are taken evenly (docs/python-api.md, "Arguments"): any integer
type (one with ``__index__``, as numpy's are) is a count, a number of
seconds and, as a query parameter, its int; any ``numbers.Real`` (numpy's
floats are registered as one) is a number of seconds. A ``bool`` is none
of these. numpy is not installed: the classes below have only what
numpy's types show the checks."""

from __future__ import annotations

import ast
import numbers
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import cqlang
from cqlang import Client, argcheck
from cqlang.errors import CqlValidationError, SettingError


class Index:
    """An integer type that is no int: only ``__index__`` (as numpy's)."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value

    def __repr__(self) -> str:
        return f"Index({self.value})"


class Real:
    """A real number type that is no float: registered with numbers.Real,
    as numpy registers its floats."""

    def __init__(self, value: float) -> None:
        self.value = value

    def __float__(self) -> float:
        return self.value

    def __repr__(self) -> str:
        return f"Real({self.value})"


numbers.Real.register(Real)

URL = "http://127.0.0.1:9"
SECONDS = ("timeout", "backoff_factor", "backoff_max", "retry_after_max", "retry_budget")


@pytest.mark.parametrize("name", SECONDS)
@pytest.mark.parametrize("value", [Index(30), Real(30.0), Fraction(61, 2)])
def test_any_real_or_integer_type_is_a_number_of_seconds(name: str, value: Any) -> None:
    Client(URL, "k", **{name: value}).close()


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (Real(float("nan")), "timeout is not a number of seconds (got Real(nan))"),
        (Real(float("inf")), "timeout is not a number of seconds"),
        (Real(-1.0), "timeout must be more than 0 seconds (got Real(-1.0))"),
        (Index(0), "timeout must be more than 0 seconds (got Index(0))"),
    ],
)
def test_a_number_of_seconds_that_cannot_work_is_a_setting_error(value: Any, said: str) -> None:
    with pytest.raises(SettingError, match=said.replace("(", r"\(").replace(")", r"\)")):
        Client(URL, "k", timeout=value)


@pytest.mark.parametrize("value", [True, "30", None, object()])
def test_a_bool_or_a_text_is_no_number_of_seconds(value: Any) -> None:
    with pytest.raises(TypeError, match=r"^timeout is a number of seconds"):
        Client(URL, "k", timeout=value)


def test_an_integer_type_is_its_int_as_a_query_parameter() -> None:
    got = cqlang.compile("priority >= $p", params={"p": Index(3)})
    assert got == [{"property": "priority", "operator": "gte", "value": 3}]
    assert type(got[0]["value"]) is int
    got = cqlang.compile("priority in $p", params={"p": [Index(3), 5]})
    assert got == cqlang.compile("priority in $p", params={"p": [3, 5]})
    got = cqlang.compile("contact_number = $p", params={"p": Index(48)})
    assert got == [{"property": "contact_number", "value": "48"}]


@pytest.mark.parametrize(
    ("query", "value", "said"),
    [
        ("priority >= $p", True, "parameter $p should be an integer, got True"),
        ("priority >= $p", Real(3.0), "parameter $p should be an integer, got Real(3.0)"),
        ("created_date >= $p", Index(3), "should be a datetime"),
    ],
)
def test_what_is_no_integer_type_stays_cql113(query: str, value: Any, said: str) -> None:
    with pytest.raises(CqlValidationError, match="CQL113") as info:
        cqlang.compile(query, params={"p": value})
    assert said in str(info.value)


@pytest.mark.parametrize("value", [Index(7), 7, Index(-2), True, False, Real(7.0), "7", 7.0])
def test_every_entry_reads_an_integer_as_argcheck_integer_does(value: Any) -> None:
    """One reading of an integer from Python (argcheck.integer): a count,
    a number, the emulator's seed and a query parameter agree on it."""
    from cqlang.emulator.options import check_seed

    whole = argcheck.integer(value)
    assert whole is None or type(whole) is int
    if whole is None:
        with pytest.raises(TypeError):
            argcheck.count("limit", value, least=-10)
    else:
        assert argcheck.count("limit", value, least=-10) == whole
        assert argcheck.number("timeout", value) == float(whole)
    if not isinstance(value, str):
        try:
            assert check_seed(value) == whole
        except TypeError:
            assert whole is None
    params = {"p": value}
    if whole is None and not isinstance(value, str):
        with pytest.raises(CqlValidationError, match="CQL113"):
            cqlang.compile("priority >= $p", params=params)
    elif whole is not None:
        assert cqlang.compile("priority >= $p", params=params)[0]["value"] == whole


def test_only_argcheck_reads_index() -> None:
    root = Path(cqlang.__file__).parent
    where = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = (isinstance(node, ast.Constant) and node.value == "__index__") or (
                isinstance(node, ast.Attribute) and node.attr == "__index__"
            )
            calls = isinstance(node, ast.Attribute) and node.attr == "index"
            calls = calls and isinstance(node.value, ast.Name) and node.value.id == "operator"
            if named or calls:
                where.add(path.relative_to(root).as_posix())
    assert where == {"argcheck.py"}
