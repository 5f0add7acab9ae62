"""One reading of a relative time: the text of a query (the grammar) and a
value (``--param``, a named query's params, ``params=`` in Python, the
editor's: ``cqlang.timeexpr.read_relative``) take the same forms, with the
same amounts, limits and words. They used to differ: a shift of
``0000000000000000000000000000001s`` was out of range in a query (the cap
counted digits, leading zeros too) and one second in a value; ``today - 7
d`` was an error in a query and a week ago in a value; a value's shift of
5,000 digits failed in ``int()`` and echoed the whole value."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import cqlang
from cqlang.cli import main
from cqlang.diagnostics import Diagnostic
from cqlang.env import NamedText
from cqlang.paramsource import given_hint

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


def by_query(text: str) -> tuple[list[cqlang.Filter] | None, list[Diagnostic]]:
    query = f"created_date >= {text}"
    diags = [d for d in cqlang.check(query, now=NOW) if d.severity == "error"]
    return (None if diags else cqlang.compile(query, now=NOW)), diags


def by_value(text: str) -> tuple[list[cqlang.Filter] | None, list[Diagnostic]]:
    query = "created_date >= $t"
    diags = [d for d in cqlang.check(query, params={"t": text}, now=NOW) if d.severity == "error"]
    return (None if diags else cqlang.compile(query, params={"t": text}, now=NOW)), diags


def agree(text: str) -> None:
    (q, q_diags), (v, v_diags) = by_query(text), by_value(text)
    assert q == v, (text, q_diags, v_diags)
    if q is None:
        (qd,), (vd,) = q_diags, v_diags
        assert vd.code == "CQL113", vd
        # A unit or a range refused says what the query's says (a word that
        # is no relative time, a syntax error of the query, has its own).
        if qd.code in ("CQL107", "CQL118"):
            assert vd.message == f"parameter $t: {qd.message}", (qd, vd)
            # ... and says where the value came from (a review).
            assert vd.hint == given_hint("python", "t", text, qd.hint)
        assert len(vd.message) < 200


@pytest.mark.parametrize(
    "text",
    [
        "now - 0000000000000000000000000000001s",  # one second: leading zeros aside
        "now - " + "0" * 5000 + "7d",
        "today - 000000000000000000000000000000000000000000000000001mo",
        "now - 7d",
        "NOW-90m",
        "Today -7d",
        "now\t-\n7d + 1h",
        "yesterday",
        "today - 7 d",  # a duration is one word in both
        "today - 7 days",
        "now - 7d12h",
        "now - 7d +",
        "now - 7D",
        "now - 99999999999999999999999999999999s",  # out of range in both
        "now - " + "9" * 5000 + "s",
        "now - 99999999999999999999999y - 7M",  # the unit first (CQL118), in both
        "now - 7" + "d" * 5000,
        "now7d",
        "now - 7d_",
    ],
)
def test_query_text_and_a_value_read_a_relative_time_alike(text: str) -> None:
    agree(text)


def test_leading_zeros_are_no_part_of_an_amount() -> None:
    one = cqlang.compile("created_date >= now - 0000000000000000000000000000001s", now=NOW)
    assert one == cqlang.compile("created_date >= now - 1s", now=NOW)
    assert one[0]["value"] == "2026-11-28 11:59:59"
    # An integer literal too, as its parameter's "007" is.
    zeros = "0" * 40 + "3"
    assert cqlang.compile(f"priority = {zeros}") == cqlang.compile("priority = 3")
    assert cqlang.compile(f"priority = -{zeros}") == cqlang.compile("priority = -3")
    assert cqlang.compile("priority = $p", params={"p": zeros}) == cqlang.compile("priority = 3")


def test_an_amount_apart_from_its_unit_is_refused_with_the_fix() -> None:
    (q,) = cqlang.check("created_date >= today - 7 d", now=NOW)
    assert (
        q.code == "CQL001"
        and q.message == "'7 d': a duration's amount and unit are written together"
    )
    assert q.hint == "write '7d'" and q.suggestion == "7d"
    (v,) = cqlang.check("created_date >= $t", params={"t": "today - 7 days"}, now=NOW)
    assert (
        v.code == "CQL113"
        and "'7 days'" in v.message
        and v.hint == ("write 'today - 7d' (the value comes from params={'t': ...})")
    )
    # A word that is no unit is the rest of a query, not a unit apart.
    (other,) = cqlang.check("created_date >= today - 7 and", now=NOW)
    assert other.message == "unexpected '7'"


def test_a_long_value_is_echoed_shortened_on_every_path(tmp_path: Path) -> None:
    long = "now - " + "9" * 5000 + "s"
    (tmp_path / "empty.toml").write_text("")
    result = CliRunner().invoke(
        main,
        ["compile", "--now", "2026-11-28 12:00", "--param", f"t={long}", "created_date >= $t"],
        env={"CQLANG_CONFIG": str(tmp_path / "empty.toml")},
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "CQL113" in result.output and "the relative time is out of range" in result.output
    assert len(result.output) < 1000
    junk = "now - 7d " + "x" * 5000
    (d,) = cqlang.check("created_date >= $t", params={"t": junk}, now=NOW)
    assert d.message.endswith('…" is not a relative time') and len(d.message) < 120


def test_a_named_querys_params_are_values_read_alike() -> None:
    queries = {
        "recent": NamedText("created_date >= $t", {"t": "now - 0000000000000000000000000000001s"})
    }
    assert cqlang.compile("@recent", queries=queries, now=NOW) == cqlang.compile(
        "created_date >= now - 1s", now=NOW
    )
    apart = {"recent": NamedText("created_date >= $t", {"t": "today - 7 d"})}
    (d,) = cqlang.check("@recent", queries=apart, now=NOW)
    assert d.code == "CQL113" and "written together" in d.message


_BLANKS = st.sampled_from(["", "", " ", "  ", "\t", "\n"])
_AMOUNTS = st.one_of(
    st.integers(0, 10**6).map(str),
    st.tuples(st.integers(0, 40), st.integers(0, 999)).map(lambda z: "0" * z[0] + str(z[1])),
    st.integers(1, 60).map(lambda n: "9" * n),
)
_UNITS = st.sampled_from(["s", "m", "h", "d", "w", "mo", "y", "M", "D", "days", "x", "S"])
_SHIFT = st.tuples(
    _BLANKS,
    st.sampled_from(["+", "-"]),
    _BLANKS,
    _AMOUNTS,
    st.sampled_from(["", "", "", " "]),
    _UNITS,
).map("".join)
_TEXTS = st.tuples(
    _BLANKS,
    st.sampled_from(["now", "today", "yesterday", "NOW", "Today", "yesterDay"]),
    st.lists(_SHIFT, max_size=4).map("".join),
    st.sampled_from(["", "", "", " ", " +", "1", "_", " 7d"]),
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_generated_relative_times_read_alike_in_a_query_and_as_a_value(text: str) -> None:
    """The same instant, or a refusal in both (with the same words where
    a unit or the range is refused)."""
    agree(text)
