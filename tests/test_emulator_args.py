"""Emulator(...) checks its Python arguments as every entry point does
(docs/python-api.md, "Arguments"; docs/emulator.md): a wrong type is a
TypeError naming the parameter, before any value check or record; and data
given as a mapping is checked for repeated ids per campaign served, not per
key (1 and "1" are one campaign)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from cqlang.emulator import Emulator


def test_data_keys_naming_one_campaign_are_checked_together() -> None:
    # 1 and "1" are both served as campaign "1": a page would hold "a" twice.
    with pytest.raises(
        ValueError,
        match=r"data\[1\] and data\['1'\] \(all campaign '1'\): "
        r"record 2 \(id 'a'\) repeats the id of record 1",
    ):
        Emulator(data={1: [{"id": "a"}], "1": [{"id": "a"}]})


def test_data_keys_naming_one_campaign_with_distinct_ids_are_served() -> None:
    with Emulator(data={1: [{"id": "a"}], "1": [{"id": "b"}]}) as emu:
        assert [r["id"] for r in emu.records("1")] == ["a", "b"]
