"""The formatter's layout: comments kept in place, long queries broken one
and/or operand a line, nested groups indented; idempotent, and the AST and
the comments survive (property tests over random queries and comments)."""

from __future__ import annotations

from typing import Any

import pytest
import strategies as S
from hypothesis import given
from hypothesis import strategies as st

import cqlang
from cqlang import ast


@pytest.mark.parametrize(
    ("text", "formatted"),
    [
        # Fits, no comment: the canonical line.
        ("STATE=open AND (priority>=3)", "STATE = open and priority >= 3"),
        # A trailing comment stays on its line; one on its own line stays there.
        ("# saved\nstate = OPEN # open ones", "# saved\nstate = OPEN  # open ones"),
        (
            "@open_requests   # another named query\nand priority >= $min  # bound below\n"
            "and custom.score >= $min_score\n",
            "@open_requests  # another named query\nand priority >= $min  # bound below\n"
            "and custom.score >= $min_score",
        ),
        # A comment inside a predicate breaks the predicate after its token
        # (as black and ruff do): the rest on a continuation line.
        ("state # c\n = OPEN and x = 1", "state  # c\n    = OPEN\nand x = 1"),
        ("priority between 1 # lo\n and 5 # hi", "priority between 1  # lo\n    and 5  # hi"),
        ("state in (OPEN, # a\n CLOSED # b\n)", "state in (OPEN,  # a\n    CLOSED  # b\n)"),
        ("state in ( # a\n OPEN, CLOSED)", "state in (  # a\n    OPEN, CLOSED)"),
        (
            "x = 1 and not state = # c\n OPEN or y = 2",
            "(\n    x = 1\n    and not state =  # c\n        OPEN\n)\nor y = 2",
        ),
        ("not # a\n state = OPEN # b", "not  # a\n    state = OPEN  # b"),
        ("a = 1 and ( # c\n b = 2)", "a = 1\nand  # c\n    b = 2"),
        # After a parenthesis left out, on a line that has a comment already:
        # on a line of its own after it (docs/cli.md).
        ("(state = OPEN # a\n) # b", "state = OPEN  # a\n# b"),
        # One on a line of its own inside a predicate stays on its own line.
        ("priority between 1\n# lo\nand 5", "priority between 1\n    # lo\n    and 5"),
        # After a group's closing parenthesis: the group stays on one line.
        (
            "x = 1 and (a=1 or b=2) # why\nand c = 3",
            "x = 1\nand (a = 1 or b = 2)  # why\nand c = 3",
        ),
        # Inside a group: the group opens on its own line, indented.
        (
            "x = 1 and (a=1 # first\n or b=2)",
            "x = 1\nand (\n    a = 1  # first\n    or b = 2\n)",
        ),
        # Comments after the query, on their own lines.
        ("state = OPEN\n# one\n# two\n", "state = OPEN\n# one\n# two"),
        ("# only\n# comments", "# only\n# comments"),
    ],
)
def test_layout_examples(text: str, formatted: str) -> None:
    assert cqlang.format(text) == formatted
    assert cqlang.format(formatted) == formatted


def test_a_long_query_is_one_operand_a_line_and_groups_are_indented() -> None:
    keys = " and ".join(f'custom.k{i} = "v{i}"' for i in range(8))
    text = f"state = OPEN or priority > 5 and (closed_date is null or contact_try < 3) and {keys}"
    assert cqlang.format(text) == "\n".join(
        [
            "state = OPEN",
            "or (",
            "    priority > 5",
            "    and (closed_date is null or contact_try < 3)",
            *(f'    and custom.k{i} = "v{i}"' for i in range(8)),
            ")",
        ]
    )
    narrow = cqlang.format("not (a = 1 or b = 2 and (c = 3 or d = 4))", width=30)
    assert narrow == "\n".join(
        [
            "not (",
            "    a = 1",
            "    or (",
            "        b = 2",
            "        and (c = 3 or d = 4)",
            "    )",
            ")",
        ]
    )


def test_redundant_parentheses_and_comments_between_them() -> None:
    text = "((a = 1 or b = 2) # c\n) and x = 1"
    out = cqlang.format(text)
    assert S.comment_texts(out) == ["# c"]
    assert cqlang.parse(out) == cqlang.parse(text)
    assert cqlang.format(out) == out


def _too_wide_lines_are_unbreakable(formatted: str, width: int) -> None:
    """A line wider than ``width`` (its comment aside) holds one operand
    that cannot be broken: a predicate, or a `not` of one."""
    for line in formatted.split("\n"):
        code = line.split("  #", 1)[0].rstrip() if not line.lstrip().startswith("#") else ""
        if len(code) <= width or code.endswith("("):
            continue
        body = code.strip()
        for word in ("and ", "or "):
            body = body.removeprefix(word)
        try:
            expr: Any = cqlang.parse(body).expr
        except cqlang.CqlSyntaxError:  # a piece of a predicate broken at a comment
            continue
        while isinstance(expr, ast.Not):
            expr = expr.expr
        assert not isinstance(expr, ast.And | ast.Or), line


@given(st.data(), st.sampled_from([20, 40, 88]))
def test_format_keeps_ast_and_comments_and_is_idempotent(data: st.DataObject, width: int) -> None:
    expr, text = data.draw(S.query_texts(max_leaves=12))
    text = data.draw(S.commented(text))
    formatted = cqlang.format(text, width=width)
    assert cqlang.parse(formatted).expr == expr
    assert S.comment_texts(formatted) == S.comment_texts(text)
    assert cqlang.format(formatted, width=width) == formatted
    _too_wide_lines_are_unbreakable(formatted, width)
