"""A Diagnostic is checked when it is made: an unknown severity, a span
that cannot be one or a code that is not CQLnnn is refused there, naming
the field, instead of failing later in rendering or in the editor."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples, filter_lists, query_texts, unicode_text

import cqlang
from cqlang.diagnostics import CODES, Diagnostic, render_all

GOOD: dict[str, Any] = {
    "code": "CQL101",
    "severity": "error",
    "message": "m",
    "start": 0,
    "end": 1,
    "line": 1,
    "column": 1,
}


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"severity": "fatal"}, TypeError, "severity"),
        ({"severity": None}, TypeError, "severity"),
        ({"code": "E101"}, ValueError, "code"),
        ({"code": "CQL1011"}, ValueError, "code"),
        ({"code": "config"}, ValueError, "code"),
        ({"code": 101}, TypeError, "code"),
        ({"start": -1}, ValueError, "start"),
        ({"start": 5, "end": 2}, ValueError, "end"),
        ({"line": 0}, ValueError, "line"),
        ({"column": 0}, ValueError, "column"),
        ({"start": True}, TypeError, "start"),
        ({"hint": 3}, TypeError, "hint"),
        ({"facts": (("a", 1.5),)}, TypeError, "facts"),
        ({"message": None}, TypeError, "message"),
    ],
)
def test_a_diagnostic_that_cannot_be_one_is_refused_naming_the_field(
    change: dict[str, Any], error: type[Exception], field: str
) -> None:
    with pytest.raises(error, match=field) as info:
        Diagnostic(**{**GOOD, **change})
    if isinstance(info.value, cqlang.errors.SettingError):
        assert info.value.setting == field


def test_every_code_cqlang_has_is_accepted() -> None:
    for code in CODES:
        Diagnostic(**{**GOOD, "code": code})


def _made(text: str, **options: Any) -> list[Diagnostic]:
    """Every diagnostic cqlang makes of ``text``; each was checked when made."""
    diags = cqlang.check(text, **options)
    render_all(diags, text)  # and each draws
    return diags


@settings(max_examples=examples(150), deadline=None)
@given(query_texts())
def test_every_diagnostic_of_a_generated_query_passes_the_checks(case: Any) -> None:
    _, text = case
    for d in _made(text, params={"p": "x"}):
        assert d.code in CODES


@settings(max_examples=examples(150), deadline=None)
@given(st.one_of(unicode_text, st.text(max_size=40)))
def test_every_diagnostic_of_arbitrary_text_passes_the_checks(text: str) -> None:
    for d in _made(text):
        assert d.code in CODES and 0 <= d.start <= d.end <= len(text)


@settings(max_examples=examples(60), deadline=None)
@given(filter_lists())
def test_every_diagnostic_of_a_filter_list_passes_the_checks(filters: Any) -> None:
    try:
        cqlang.decompile(filters)
    except cqlang.CqlError as exc:
        for d in exc.diagnostics:
            assert d.code in CODES


def test_a_valid_compile_makes_no_diagnostic(monkeypatch: pytest.MonkeyPatch) -> None:
    """The benchmarked path (bench_compile's 3-clause query) makes none: the
    check costs it nothing."""
    made: list[Diagnostic] = []
    original = Diagnostic.__post_init__

    def counting(self: Diagnostic) -> None:
        made.append(self)
        original(self)

    monkeypatch.setattr(Diagnostic, "__post_init__", counting)
    bench = str(Path(__file__).resolve().parent.parent / "benchmarks")
    sys.path.insert(0, bench)
    try:
        import queries  # type: ignore[import-not-found]  # benchmarks/queries.py: bench_compile's texts
    finally:
        sys.path.remove(bench)
    for variant in range(20):
        cqlang.encode(cqlang.compile(queries.query(3, variant)))
    cqlang.compile("state = OPEN and priority >= 3")
    assert made == []
    cqlang.check("state = OPNE")
    assert len(made) == 1
