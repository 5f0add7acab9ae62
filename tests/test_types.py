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
