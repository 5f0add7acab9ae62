"""cqlang/schema.py: the properties as data, and what is kept beside them
by hand (the property tests' strategies)."""

from __future__ import annotations

import strategies as S

from cqlang.schema import DEFAULT_SCHEMA


def test_strategies_know_every_property_of_the_schema() -> None:
    """tests/strategies.py generates queries and records per kind of
    property; a property added to the schema (docs/architecture.md,
    "Adding a record property") must be added there too, with its kind."""
    kinds = {name: p.type for name, p in DEFAULT_SCHEMA.properties.items() if not p.keyed}
    assert kinds == S.PROPERTY_KIND, (
        "tests/strategies.py's property lists are not the schema's: "
        f"missing {sorted(kinds.keys() - S.PROPERTY_KIND.keys())}, "
        f"stale {sorted(S.PROPERTY_KIND.keys() - kinds.keys())}"
    )
    for name, values in S.ENUM_PROPS.items():
        assert values == DEFAULT_SCHEMA.properties[name].values
    ranged = {n for n, p in DEFAULT_SCHEMA.properties.items() if p.api == "range"}
    assert ranged == {*S.DATE_PROPS, *S.RANGE_INT_PROPS}
