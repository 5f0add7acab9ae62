"""The field-set indexes of merging (cqlang/dnf.py: SetTrie, FieldSets).

They answer as a comparison with every stored set would, merging through
them makes the branches that comparing every pair of branches makes, and an
`or` of branches that all share one field (and nothing else) costs work in
proportion to the branches, not to their square (it took 1.4 s at 1,000
branches and 12.5 s at 6,000: every new branch walked past all the others).
"""

from __future__ import annotations

from typing import Any

import strategies as S
from hypothesis import given, settings
from hypothesis import strategies as st

import cqlang
from cqlang import api, dnf
from cqlang.checker import check_text
from cqlang.env import Env
from cqlang.ir import to_nnf

Key = tuple[int, ...]

keys = st.frozensets(st.integers(0, 7), max_size=6).map(lambda s: tuple(sorted(s)))


@settings(max_examples=S.examples(400))
@given(st.lists(keys, max_size=30), st.lists(keys, min_size=1, max_size=10))
def test_the_field_set_index_answers_as_comparing_every_set(
    stored: list[Key], asked: list[Key]
) -> None:
    index = dnf.FieldSets()
    trie = dnf.SetTrie()
    for key in stored:
        index.add(key)
        trie.add(key)
    distinct = set(stored)
    for key in asked:
        k = set(key)
        subsets = {s for s in distinct if set(s) <= k}
        assert sorted(index.subsets(key)) == sorted(subsets)
        assert sorted(trie.subsets(key)) == sorted(subsets)
        supersets = {s for s in distinct if set(s) >= k}
        found = index.supersets(key)
        assert len(found) == len(set(found))
        assert set(found) == supersets
        proper = any(set(s) < k for s in distinct)
        assert trie.has_proper_subset(key) == proper
        assert index.has_proper_subset(key) == proper


_CLAUSES = (
    "priority > 1",
    "priority > 3",
    "priority = 2",
    "priority between 1 and 4",
    "state = OPEN",
    "state != CLOSED",
    "state in (OPEN, PROCESSING)",
    'custom.region = "PL"',
    'custom.region != "PL"',
    "custom.k = x",
    "contact_try = 1",
    "contact_try < 3",
    "close_reason = r1",
)


@st.composite
def overlapping_ors(draw: st.DrawFn) -> str:
    """An `or` of `and`s over a few fields, often implying one another."""
    branches = draw(
        st.lists(
            st.lists(st.sampled_from(_CLAUSES), min_size=1, max_size=4), min_size=1, max_size=25
        )
    )
    text = " or ".join("(" + " and ".join(b) + ")" for b in branches)
    if draw(st.booleans()):
        a, b = draw(st.sampled_from(_CLAUSES)), draw(st.sampled_from(_CLAUSES))
        text = f"({text}) and ({a} or {b})"
    return text


def _branches_and_plan(text: str) -> tuple[Any, Any]:
    checked = check_text(text, Env(now=S.NOW))
    assert checked.ir is not None, checked.diagnostics
    branches = dnf.DNF().run(to_nnf(checked.ir))
    api._cache.clear()
    try:
        plan = cqlang.plan(text, now=S.NOW, max_branches=10_000)
        planned: Any = (plan.filters, plan.residual.text if plan.residual else None)
    except cqlang.CqlError as exc:
        planned = [(d.code, d.message) for d in exc.diagnostics]
    finally:
        api._cache.clear()
    return branches, planned


def _every_branch(self: Any, keys: Any, rests: Any) -> list[int]:
    """The reference: every branch is a candidate, oldest first."""
    return sorted(self.items)


@settings(max_examples=S.examples(300), deadline=None)
@given(st.one_of(overlapping_ors(), S.query_texts(max_leaves=12).map(lambda c: c[1])))
def test_indexed_merging_makes_the_branches_and_plan_of_comparing_every_pair(text: str) -> None:
    indexed = _branches_and_plan(text)
    saved = dnf._Or._candidates
    dnf._Or._candidates = _every_branch  # type: ignore[method-assign]
    try:
        reference = _branches_and_plan(text)
    finally:
        dnf._Or._candidates = saved  # type: ignore[method-assign]
    assert indexed == reference


def _shared_field(n: int) -> str:
    return " or ".join(f'(custom.k{i} != "v" and priority > {i})' for i in range(n))


def _merging_work(n: int) -> int:
    """The comparison budget that merging the `or` of ``n`` pairs spends."""
    checked = check_text(_shared_field(n))
    assert checked.ir is not None
    walk = dnf.DNF()
    assert len(walk.run(to_nnf(checked.ir))) == n
    return dnf.COMPARE_BUDGET - walk.budget


def test_an_or_of_branches_sharing_one_field_merges_in_linear_work() -> None:
    small, large = _merging_work(500), _merging_work(2_000)
    # Linear is 4x; every branch walking past the others was about 16x
    # (and 2,000 pairs spent about 2,000,000: the whole budget).
    assert large < 5 * small, (small, large)
    assert large < 20_000, large


def _request_work(n: int) -> int:
    """The work of finding requests narrower than others among ``n``
    requests, each of one object of a field all share and one of its own
    (as the planner numbers the objects of that `or`: field by field)."""
    trie = dnf.SetTrie()
    requests = [(1 + i, 1 + n + i) for i in range(n)]
    for key in requests:
        trie.add(key)
    assert not any(trie.has_proper_subset(key) for key in requests)
    return trie.visits + trie.looked


def test_finding_narrower_requests_among_many_sharing_a_field_is_linear_work() -> None:
    small, large = _request_work(500), _request_work(2_000)
    assert large < 5 * small, (small, large)


def test_the_shape_still_fails_with_its_count_of_requests() -> None:
    # What the editor shows: the count is the full one (no early give-up).
    try:
        cqlang.plan(_shared_field(1_000))
    except cqlang.CqlError as exc:
        (d,) = exc.diagnostics
        assert d.code == "CQL204"
        assert "1000" in d.message.replace(",", "")
    else:
        raise AssertionError("expected CQL204")
    assert cqlang.plan(_shared_field(1_000), max_branches=1_000).requests == 1_000
