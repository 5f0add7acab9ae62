"""cqlang/types.py's Literal types name exactly the values the code uses at
run time (kept in tuples beside the code, which never imports typing)."""

from __future__ import annotations

from typing import get_args

import cqlang
from cqlang import diagnostics, ir, parser, schema, types


def test_literals_match_the_run_time_values() -> None:
    assert set(get_args(types.Op)) == set(ir.OPS)
    assert set(get_args(types.CompareOp)) == set(parser._CANONICAL_OP.values())
    every = {op for ops in schema.LANGUAGE_OPERATORS.values() for op in ops}
    assert set(get_args(types.LanguageOp)) == every
    assert get_args(types.ValueType) == schema.TYPES
    assert get_args(types.ApiKind) == schema.API_KINDS
    assert set(get_args(types.ApiOperator)) == set(schema.API_OPERATORS)
    assert set(get_args(types.Severity)) == {diagnostics.ERROR, diagnostics.WARNING}


def test_compiled_filters_have_the_filter_shape() -> None:
    keys = types.Filter.__required_keys__ | types.Filter.__optional_keys__
    assert types.Filter.__required_keys__ == {"property", "value"}
    text = 'priority >= 3 and state = OPEN and custom.region = "PL"'
    for obj in cqlang.compile(text):
        assert set(obj) <= keys and obj.get("operator", "eq") in get_args(types.ApiOperator)
        # In the API page's order.
        assert list(obj) == [k for k in ("property", "operator", "key", "value") if k in obj]


def test_operator_tables_come_from_one_table_each() -> None:
    """The tables of operators kept by several phases are one table read
    both ways (docs/architecture.md, "Adding an operator")."""
    from cqlang import completion, evaluator, filterlists, formatter

    assert set(ir.COMPARE_OPS) == set(get_args(types.CompareOp))
    assert set(ir.COMPARE_OPS.values()) <= set(ir.OPS)
    assert {ir.COMPARE_OPS[t]: t for t in ir.COMPARE_OPS} == ir.COMPARE_TEXT
    # The formatter writes an atom back as the text the checker read.
    assert formatter.COMPARE_TEXT is ir.COMPARE_TEXT
    assert set(evaluator._CMP) == set(ir.COMPARE_TEXT)
    assert filterlists._API_OP is schema.API_OPERATOR_ATOMS
    assert tuple(schema.API_OPERATOR_ATOMS) == schema.API_OPERATORS
    assert set(schema.API_OPERATOR_ATOMS.values()) <= set(ir.OPS)
    # Every spelling the lexer takes is a canonical comparison, and completion
    # offers the same spellings.
    assert set(parser.COMPARE_SPELLINGS.values()) == set(ir.COMPARE_OPS)
    assert set(parser.COMPARE_SPELLINGS) == completion._COMPLETE_OPS
    assert set(completion._KEYWORD_TERMINALS.values()) == set(parser.KEYWORDS)


def test_language_operators_are_ordered_as_the_literal() -> None:
    """Every type's operators appear in the order of ``LanguageOp`` (which
    the table in docs/language.md and completion show), and the widest
    type's operators are all of them."""
    order = get_args(types.LanguageOp)
    for ops in schema.LANGUAGE_OPERATORS.values():
        assert list(ops) == sorted(ops, key=order.index)
    assert set(schema.LANGUAGE_OPERATORS) == set(schema.TYPES)
    assert get_args(types.ApiOperator) == schema.API_OPERATORS


def test_every_operator_has_a_meaning_for_hover() -> None:
    """cqlang/lsp/about.py words each operator by hand: one missing shows
    the bare operator in hover and completion."""
    from cqlang.lsp import about

    every = set(get_args(types.LanguageOp)) | {"is null", "is not null"}
    assert set(about._MEANING) == every
    assert set(about._TIME_MEANING) == set(schema.LANGUAGE_OPERATORS["datetime"])
