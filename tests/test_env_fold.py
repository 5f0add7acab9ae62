"""The plan cache and the night clocks go back: Europe/Warsaw's
2026-10-25 02:30 happens twice (``fold=0`` at 00:30 UTC, ``fold=1`` at
01:30 UTC), and Python's ``==`` ignores ``fold`` between datetimes of one
zone. ``Env(now=d1)`` found the plan cached for ``Env(now=d0)`` and
compiled to the instant an hour off; a datetime parameter likewise. An Env
now tells datetimes apart by instant and zone (cqlang.env.moment)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

import cqlang
from cqlang import timeexpr
from cqlang.env import NamedText, freeze

WARSAW = ZoneInfo("Europe/Warsaw")
D0 = datetime(2026, 10, 25, 2, 30, tzinfo=WARSAW)
D1 = D0.replace(fold=1)


def test_the_two_half_past_twos_are_different_envs() -> None:
    assert D0 == D1  # Python's view, which the cache must not take
    assert cqlang.Env(now=D0) != cqlang.Env(now=D1)
    assert cqlang.Env(now=D0) == cqlang.Env(now=D0.replace())
    assert hash(cqlang.Env(now=D0)) == hash(
        cqlang.Env(now=datetime(2026, 10, 25, 2, 30, tzinfo=WARSAW))
    )
    assert cqlang.Env(params={"t": D0}) != cqlang.Env(params={"t": D1})
    assert freeze({"t": [D0]}) != freeze({"t": [D1]})
    # The same instant in another zone is another input (a cache miss, never a wrong hit).
    assert cqlang.Env(now=D0) != cqlang.Env(now=D0.astimezone(UTC))


@pytest.mark.parametrize("first", [D0, D1])
def test_now_is_not_served_the_other_folds_plan(first: datetime) -> None:
    second = D1 if first is D0 else D0
    expected = ["2026-10-25 00:30:00", "2026-10-25 01:30:00"]  # by fold
    for now in (first, second, first):
        (f,) = cqlang.compile("created_date >= now", now=now)
        assert f["value"] == expected[now.fold], now.fold


@pytest.mark.parametrize("first", [D0, D1])
def test_a_datetime_parameter_is_not_served_the_other_folds_plan(first: datetime) -> None:
    second = D1 if first is D0 else D0
    expected = ["2026-10-25 00:30:00", "2026-10-25 01:30:00"]  # by fold
    for t in (first, second):
        (f,) = cqlang.compile("created_date >= $t", params={"t": t})
        assert f["value"] == expected[t.fold]
        lo, hi = cqlang.compile("created_date in $t", params={"t": [t]})
        assert lo["value"] == hi["value"] == expected[t.fold]
        # A named query's default, too.
        queries = {"q": NamedText("created_date >= $t", freeze({"t": t}))}
        (f,) = cqlang.compile("@q", queries=queries)
        assert f["value"] == expected[t.fold]


_ZONES = st.sampled_from([WARSAW, ZoneInfo("America/New_York"), UTC])
# Wall times around the autumn and spring transitions of 2026 (and far from them).
_WALLS = st.builds(
    lambda base, minutes: base + timedelta(minutes=minutes),
    st.sampled_from(
        [datetime(2026, 10, 25, 1), datetime(2026, 11, 1, 0), datetime(2026, 3, 29, 1)]
    ),
    st.integers(0, 4 * 60),
)


@settings(max_examples=examples(150), deadline=None)
@given(
    walls=st.lists(st.tuples(_WALLS, _ZONES, st.sampled_from([0, 1])), min_size=2, max_size=4),
    as_param=st.booleans(),
)
def test_a_cached_plan_is_always_that_of_the_same_instant(
    walls: list[tuple[datetime, object, int]], as_param: bool
) -> None:
    for wall, zone, fold in walls:
        moment = wall.replace(tzinfo=zone, fold=fold)  # type: ignore[arg-type]
        want = timeexpr.format_utc(timeexpr.to_epoch(moment))
        if as_param:
            (f,) = cqlang.compile("closed_date <= $t", params={"t": moment})
        else:
            (f,) = cqlang.compile("closed_date <= now", now=moment)
        assert f["value"] == want, (moment, moment.fold)
