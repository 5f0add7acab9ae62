"""Diagnostic.replace keeps line and column where start is, and checks every
value it is given; render places a diagnostic by its start in the text it is
given."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cqlang
from cqlang.diagnostics import Diagnostic, line_col
from cqlang.errors import SettingError

QUERY = "state = OPEN\nand prioirty > 3"
DOC = "# saved\n# by tool\n" + QUERY


def unknown_property() -> Diagnostic:
    (d,) = cqlang.check(QUERY)
    return d


def test_a_diagnostic_moved_into_a_longer_text_is_drawn_at_its_start() -> None:
    d = unknown_property()
    shift = len(DOC) - len(QUERY)
    moved = d.replace(start=d.start + shift, end=d.end + shift, text=DOC)
    assert (moved.line, moved.column) == (4, 5)
    drawn = moved.render(DOC)
    assert " --> 4:5\n" in drawn and "4 | and prioirty > 3\n" in drawn
    assert drawn.endswith("  |     ^^^^^^^^ did you mean 'priority'?")


def test_render_places_by_start_whatever_line_and_column_say() -> None:
    d = unknown_property()
    # line and column given by hand, wrong for DOC: render reads start.
    stale = d.replace(start=d.start + 18, end=d.end + 18, line=2, column=5)
    assert stale.render(DOC) == stale.replace(text=DOC).render(DOC)
    assert "# by tool" not in stale.render(DOC)


def test_moving_start_without_text_or_line_and_column_is_refused() -> None:
    d = unknown_property()
    with pytest.raises(TypeError, match=r"text="):
        d.replace(start=d.start + 18, end=d.end + 18)
    with pytest.raises(TypeError, match=r"text="):
        d.replace(start=d.start + 18, end=d.end + 18, line=4)
    assert d.replace(end=d.end + 1).line == d.line  # end alone moves nothing


def test_a_line_or_column_that_is_not_where_start_is_in_text_is_refused() -> None:
    d = unknown_property()
    with pytest.raises(SettingError, match=r"line 1 is not where start \(35\) is") as caught:
        d.replace(start=35, end=43, line=1, text=DOC)
    assert caught.value.setting == "line"
    with pytest.raises(SettingError, match=r"start \(99\) is past the end of text"):
        d.replace(start=99, end=99, text=DOC)
    assert d.replace(start=35, end=43, line=4, column=5, text=DOC).line == 4


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hint": 3}, "hint is a str or None, not int"),
        ({"suggestion": b"x"}, "suggestion is a str or None, not bytes"),
        ({"code": ["a"]}, "code is a str, not list"),
        ({"message": None}, "message is a str, not NoneType"),
        ({"severity": "fatal"}, "severity is 'error' or 'warning', not 'fatal'"),
        ({"severity": 1}, "severity is 'error' or 'warning', not int"),
        ({"start": 1.5, "line": 1, "column": 2}, "start is an int, not float"),
        ({"end": True}, "end is an int, not bool"),
        ({"line": "2"}, "line is an int, not str"),
        ({"facts": [("limit", 1)]}, "facts is a tuple of"),
        ({"facts": (("limit", 1.5),)}, "facts is a tuple of"),
        ({"text": 3}, "text is a str"),
    ],
)
def test_replace_checks_the_type_of_every_value(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError) as caught:
        unknown_property().replace(**changes)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end": 2}, "end must be at least start (17), not 2"),
        ({"line": 0}, "line must be at least 1, not 0"),
        ({"column": -1}, "column must be at least 1, not -1"),
    ],
)
def test_replace_refuses_a_span_that_cannot_be_one(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(SettingError) as caught:
        unknown_property().replace(**changes)
    assert str(caught.value) == message
    assert caught.value.setting == message.split()[0]


def test_replace_still_changes_what_it_is_given() -> None:
    d = unknown_property()
    assert d.replace(hint=None).hint is None
    assert d.replace(severity="warning", facts=(("limit", 2),)).fact("limit") == 2


@given(
    st.text("ab \n\t", max_size=40),
    st.data(),
)
def test_replace_with_text_puts_line_and_column_at_start(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    d = Diagnostic("CQL101", "error", "m", 0, 0, 1, 1).replace(start=start, end=end, text=text)
    assert (d.line, d.column) == line_col(text, start)
    assert f" --> {d.line}:{d.column}\n" in d.render(text)
