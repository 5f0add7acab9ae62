"""Where each parameter of an inlined named query gets its value is the
checker's data (`Checked.ref_params`), and `queries show` reads it: it
used to walk the references again itself (cli/queries.py,
`references_defaults`), a second statement of the rule "the referring side
wins" that could drift from the checker's."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cqlang.checker import RefParam, check_text
from cqlang.env import Env, NamedText
from cqlang.ir import Atom

QUERIES = {
    "a": NamedText("priority >= $min", {"min": 5}),
    "m1": NamedText("@a", {"min": 3}),
    "m2": NamedText("@a", {"min": 4}),
    "both": NamedText("@m1 or @m2 or @a"),
}


def test_each_reference_records_where_its_defaults_values_come_from() -> None:
    checked = check_text("@both", Env(queries=QUERIES))
    assert checked.ok
    assert checked.ref_params == [
        RefParam("m1", "min", 3, "m1"),  # its own default
        RefParam("a", "min", 3, "m1"),  # the composing query's default wins
        RefParam("m2", "min", 4, "m2"),
        RefParam("a", "min", 4, "m2"),
        RefParam("a", "min", 5, "a"),
    ]
    given_min = check_text("@both", Env(queries=QUERIES, params={"min": 9}))
    assert {(u.value, u.source) for u in given_min.ref_params} == {(9, None)}  # given


def test_queries_show_two_composing_queries_set_one_parameter_differently(
    config_home: Path,
) -> None:
    (config_home / "cqlang.toml").write_text(
        "[queries.a]\nquery = 'priority >= $min'\nparams = { min = 5 }\n"
        "[queries.m1]\nquery = '@a'\nparams = { min = 3 }\n"
        "[queries.m2]\nquery = '@a'\nparams = { min = 4 }\n"
        "[queries.both]\nquery = '@m1 or @m2'\n"
    )
    from cqlang.cli import main

    result = CliRunner().invoke(main, ["queries", "show", "both"])
    assert result.exit_code == 0, result.output
    assert "  $min = 3  (default of @m1)\n  $min = 4  (default of @m2)\n" in result.stdout
    assert "default of @a" not in result.stdout  # a's own 5 is used nowhere


def _bound_values(ir: object) -> list[int]:
    """The integers the plan compares priority with, in text order."""
    from cqlang.node import Node

    assert isinstance(ir, Node)
    return [n.value for n in ir.walk() if isinstance(n, Atom) and isinstance(n.value, int)]


defaults = st.none() | st.integers(0, 100)


@settings(max_examples=60, deadline=None)
@given(a=defaults, m1=defaults, m2=defaults, top=defaults, caller=defaults)
def test_the_recorded_values_are_those_the_plan_uses(
    a: int | None, m1: int | None, m2: int | None, top: int | None, caller: int | None
) -> None:
    """Whatever sets $min where: the value recorded inside each @a is the
    value its predicate was checked with (the two cannot drift)."""

    def named(text: str, value: int | None) -> NamedText:
        return NamedText(text, {} if value is None else {"min": value})

    queries = {
        "a": named("priority >= $min", a),
        "m1": named("@a", m1),
        "m2": named("@a", m2),
        "top": named("@m1 or @m2", top),
    }
    env = Env(queries=queries, params={} if caller is None else {"min": caller})
    checked = check_text("@top", env)
    inner = [u for u in checked.ref_params if u.ref == "a"]
    if not checked.ok:  # $min unbound somewhere: nothing to compare
        assert any(d.code == "CQL109" for d in checked.diagnostics)
        return
    if a is None:
        assert not inner  # a gives no default: nothing to record for it
        return
    assert [u.value for u in inner] == _bound_values(checked.ir)
    # The nearest the top wins: the caller, then @top, then @m1/@m2, then @a.
    for u, (name, around) in zip(inner, (("m1", m1), ("m2", m2)), strict=True):
        expected: str | None = "a"
        if caller is not None:
            expected = None
        elif top is not None:
            expected = "top"
        elif around is not None:
            expected = name
        assert u.source == expected
