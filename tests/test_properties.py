"""Property tests over generated queries, records, filter lists and text.

The central one: for any query and record, "the record matches the query"
computed by the evaluator equals "the record matches some branch of the plan
(under the API's semantics) and the residual".
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, unquote

import pytest
import strategies as S
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

import cqlang
from cqlang import parser
from cqlang.checker import check_text
from cqlang.diagnostics import line_col
from cqlang.encoding import encode, encode_exclude, to_json
from cqlang.env import Env
from cqlang.evaluator import compile_matcher, decode_custom, evaluate
from cqlang.filterlists import compile_filters
from cqlang.ir import INot, atoms
from cqlang.planner import Residual

# ------------------------------------------------------------------ helpers


def plan_or_none(text: str, tz: str | None) -> cqlang.Plan | None:
    """The plan, or ``None`` when the query needs more requests than the bound
    (CQL204 is a legitimate answer for a generated query, rarely; so is
    CQL205, the internal limit on planning work, more rarely still)."""
    try:
        return cqlang.plan(text, tz=tz, now=S.NOW)
    except cqlang.CqlPlanError as exc:
        assert [d.code for d in exc.diagnostics] in (["CQL204"], ["CQL205"]), exc
        return None


def plan_matches(plan: cqlang.Plan) -> Any:
    branches = [compile_filters(b) for b in plan.branches]
    residual = plan.residual

    def match(record: Any) -> bool:
        if not any(b(record) for b in branches):
            return False
        if residual is None:
            return True
        answer = residual.matches(record)
        if record.__class__ is dict:  # as the client's pages hold them
            assert residual.matches_decoded(record) is answer, record
        return answer

    return match


def no_duplicate_objects(plan: cqlang.Plan) -> None:
    for branch in plan.branches:
        keys = Counter((f["property"], f.get("key"), f.get("operator")) for f in branch)
        dups = [k for k, n in keys.items() if n > 1]
        assert not dups, f"two filter objects with the same (property, key, operator): {branch}"
        empty = [f for f in branch if f["value"] == []]
        assert not empty, f"an empty membership list is sent: {branch}"


record_lists = st.lists(S.records(), min_size=1, max_size=10)

# -------------------------------------------------------- the central test


@settings(max_examples=S.CENTRAL_EXAMPLES)
@given(S.query_texts(), st.sampled_from(S.ZONES), record_lists)
@example(
    (None, "state = OPEN and state = CLOSED"),
    None,
    [{"id": 1, "state": "OPEN"}, {"id": 2, "state": "CLOSED"}],
)
@example(
    (None, "not (priority between 1 and 3) or custom[\"lead source\"] = 'web'"),
    "Europe/Warsaw",
    [{"id": 1, "priority": 2, "custom": '{"lead source": "web"}'}, {"id": 2}],
)
@example(
    (None, "priority not in (1, 3) and custom.region != 'PL'"),
    None,
    [{"id": 1, "priority": 2, "custom": '{"region": "DE"}'}, {"id": 2, "priority": 1}],
)
@example(
    (None, "closed_date = 2021-02-28 or closed_date = 2021-03-01"),
    None,
    [
        {"id": 1, "closed_date": "2021-02-30 10:00:00"},
        {"id": 2, "closed_date": "2021-02-28 24:00:00"},
    ],
)
@example(
    (None, "closed_date < 2021-03-01 or closed_date >= 2021-03-01"),
    None,
    [{"id": 1, "closed_date": "2021-02-30 10:00:00"}],
)
def test_plan_semantics_equal_evaluator(
    case: tuple[Any, str], tz: str | None, records: list[dict[str, Any]]
) -> None:
    _, text = case
    checked = check_text(text, Env(tz=tz, now=S.NOW))
    assert checked.ok, checked.diagnostics
    assert checked.ir is not None
    direct = compile_matcher(checked.ir)
    plan = plan_or_none(text, tz)
    assume(plan is not None)
    assert plan is not None
    via_plan = plan_matches(plan)
    for record in records:
        expected = direct(record)
        assert expected == (evaluate(checked.ir, record) is True), record
        assert compile_matcher(checked.ir, plain_dicts=True)(record) == expected, record
        assert via_plan(record) == expected, (record, plan.branches, plan.residual)
    # The plan's shape.
    no_duplicate_objects(plan)
    if plan.never_matches:
        assert plan.branches == [] and plan.residual is None
    else:
        assert plan.branches, "a query that may match needs at least one request"
    codes = [d.code for d in cqlang.check(text, tz=tz, now=S.NOW)]
    assert ("CQL201" in codes) == plan.never_matches
    # The strict compile agrees with the plan.
    single = not plan.never_matches and len(plan.branches) == 1 and plan.residual is None
    if single:
        assert cqlang.compile(text, tz=tz, now=S.NOW) == plan.branches[0]
    else:
        with pytest.raises(cqlang.CqlPlanError):
            cqlang.compile(text, tz=tz, now=S.NOW)


@settings(max_examples=300)
@given(S.query_texts(max_leaves=12), record_lists)
def test_plans_stay_exact_when_the_comparison_budget_runs_out(
    case: tuple[Any, str], records: list[dict[str, Any]]
) -> None:
    """Past the comparison budget, merging finds only what its hash index
    finds: a plan may then send more requests, never select other records."""
    from cqlang import dnf

    _, text = case
    checked = check_text(text, Env(now=S.NOW))
    assert checked.ir is not None
    saved = dnf.COMPARE_BUDGET
    dnf.COMPARE_BUDGET = 0
    try:
        cqlang.api._cache.clear()
        plan = plan_or_none(text, None)
    finally:
        dnf.COMPARE_BUDGET = saved
        cqlang.api._cache.clear()
    assume(plan is not None)
    assert plan is not None
    direct = compile_matcher(checked.ir)
    via_plan = plan_matches(plan)
    for record in records:
        assert via_plan(record) == direct(record), (record, plan.branches)


@given(S.query_texts(max_leaves=12))
def test_no_two_filter_objects_share_property_key_operator(case: tuple[Any, str]) -> None:
    _, text = case
    plan = plan_or_none(text, None)
    assume(plan is not None)
    assert plan is not None
    no_duplicate_objects(plan)


@given(S.query_texts(), st.sampled_from(S.ZONES), record_lists)
def test_residual_text_means_the_residual(
    case: tuple[Any, str], tz: str | None, records: list[dict[str, Any]]
) -> None:
    """explain shows the residual as query text: that text, checked in any
    zone, selects what the residual selects."""
    _, text = case
    plan = plan_or_none(text, tz)
    assume(plan is not None and plan.residual is not None)
    assert plan is not None and plan.residual is not None
    again = check_text(plan.residual.text, Env(tz="Asia/Tokyo"))
    assert again.ir is not None, (plan.residual.text, again.diagnostics)
    match = compile_matcher(again.ir)
    for record in records:
        assert match(record) == plan.residual.matches(record), record


_messy_values = st.sampled_from(
    ["3", " 3", "-1", "x", "", "open", "OPEN", "2021-08-10", "2021-08-10T14:30:05Z",
     "2021-08-10 14:30:05", "2021-13-45 99:99:99", "2021-08-10 14:30:0x", 3, 3.0, True,
     False, [1], {"a": 1}, -2, 2**60,
     # shaped like the API's datetime to a length and an index, not text:
     [" "] * 19, {i: " " if i == 10 else "-" for i in range(19)}]
)  # fmt: skip


@given(S.query_texts(), st.data())
def test_compiled_matcher_agrees_with_reference_on_messy_records(
    case: tuple[Any, str], data: st.DataObject
) -> None:
    """compile_matcher (generated code, fast paths) and evaluate (the
    three-valued reference) agree even on values of the wrong type in the
    fields the query reads."""
    _, text = case
    checked = check_text(text, Env(now=S.NOW))
    assert checked.ir is not None
    names = sorted({a.field.record_field for a in atoms(checked.ir)})
    direct = compile_matcher(checked.ir)
    for _ in range(8):
        record = data.draw(S.records())
        for name in data.draw(st.lists(st.sampled_from(names), max_size=len(names))):
            record[name] = data.draw(_messy_values)
        assert direct(record) == (evaluate(checked.ir, record) is True), record


@given(S.query_texts(), st.sampled_from(S.ZONES), st.lists(S.gap_records(), max_size=8))
@example(
    (None, "not closed_date >= 2026-03-01"),
    None,
    [{"id": 1, "closed_date": "2026-02-30 10:00:00"}],
)
@example(
    (None, "closed_date != 2026-02-28"),
    None,
    [{"id": 1, "closed_date": "2026-02-28 24:00:00"}],
)
def test_reference_reads_not_as_the_matcher_does_on_calendar_gaps(
    case: tuple[Any, str], tz: str | None, records: list[dict[str, Any]]
) -> None:
    """evaluate (the reference tests use as an oracle) and compile_matcher
    give a query and its negation one meaning on datetime text the calendar
    lacks: ``not`` of a comparison is the opposite comparison (false on such
    text like the comparison), not the complement."""
    _, text = case
    checked = check_text(text, Env(tz=tz, now=S.NOW))
    assert checked.ir is not None
    negated = INot(checked.ir, 0, len(text))
    for expr in (checked.ir, negated):
        direct = compile_matcher(expr)
        for record in records:
            assert direct(record) == (evaluate(expr, record) is True), (record, expr)


class _Text(str):
    """Text of a class of its own, as a ``StrEnum`` member is."""


def _subclassed(value: Any) -> Any:
    if type(value) is str:
        return _Text(value)
    if type(value) is dict:
        return {k: _subclassed(v) for k, v in value.items()}
    if type(value) is list:
        return [_subclassed(v) for v in value]
    return value


@given(S.query_texts(), record_lists)
def test_text_of_a_str_subclass_means_what_the_str_means(
    case: tuple[Any, str], records: list[dict[str, Any]]
) -> None:
    """A record's text held in a ``str`` subclass (a ``StrEnum`` member, a
    ``numpy.str_``) matches as the same ``str`` does, in the generated
    matcher (both its trusting and its careful code) and in the reference;
    ``custom`` given as such text or as an object holding it included."""
    _, text = case
    checked = check_text(text, Env(now=S.NOW))
    assert checked.ir is not None
    direct = compile_matcher(checked.ir)
    for record in records:
        other = _subclassed(record)
        expected = evaluate(checked.ir, record)
        assert evaluate(checked.ir, other) == expected, record
        assert direct(other) == direct(record) == (expected is True), record
        fields, ok = decode_custom(record)
        if ok and fields is not None:
            other["custom"] = _subclassed(fields)
            assert direct(other) == direct(record), record


# ------------------------------------------------------------ round trips


def _normalised(obj: dict[str, Any]) -> tuple[Any, ...]:
    value = obj["value"]
    if isinstance(value, list):
        value = frozenset(value)
    return (obj["property"], obj.get("key"), obj.get("operator"), value)


@given(st.data())
def test_rendered_text_parses_back_to_the_tree(data: st.DataObject) -> None:
    """The strategies' renderer (random case, spacing, comments, escapes,
    redundant parentheses) and the parser agree on every generated tree."""
    expr = data.draw(S.queries())
    for _ in range(3):
        text = data.draw(S.rendered(expr))
        assert cqlang.parse(text).expr == expr


@given(S.query_texts())
def test_format_round_trip_and_idempotence(case: tuple[Any, str]) -> None:
    expr, text = case
    formatted = cqlang.format(text)
    assert cqlang.parse(formatted) == cqlang.parse(text)
    assert cqlang.parse(formatted).expr == expr
    assert cqlang.format(formatted) == formatted
    # The comments are kept, in order.
    assert S.comment_texts(formatted) == S.comment_texts(text)


# Most random queries plan into several requests or a client-side check, and
# only one-request plans have a filter list to decompile: the filtering is
# expected (about 6 in 7 of the texts), not a sign of a bad strategy.
@settings(suppress_health_check=[HealthCheck.filter_too_much])
@given(S.query_texts(), record_lists)
def test_decompile_round_trip_of_compiled_queries(
    case: tuple[Any, str], records: list[dict[str, Any]]
) -> None:
    _, text = case
    plan = plan_or_none(text, None)
    assume(plan is not None and not plan.never_matches)
    assert plan is not None
    assume(len(plan.branches) == 1 and plan.residual is None)
    filters = cqlang.compile(text, now=S.NOW)
    back = cqlang.decompile(filters)
    again = cqlang.compile(back)
    assert sorted(map(_normalised, again), key=repr) == sorted(
        map(_normalised, filters), key=repr
    ), back
    original, decompiled = compile_filters(filters), compile_filters(again)
    for record in records:
        assert original(record) == decompiled(record)


@given(S.filter_lists(), record_lists)
def test_decompiled_filter_lists_mean_the_same(
    filters: list[dict[str, Any]], records: list[dict[str, Any]]
) -> None:
    """Any filter list the API accepts decompiles to a query whose plan
    selects exactly the records the list selects."""
    text = cqlang.decompile(filters)
    assert cqlang.decompile(json.dumps(filters)) == text
    assert cqlang.decompile(encode(filters)) == text
    url = f"https://x.example/voice_campaign/1/request?filter={encode(filters)}&limit=5"
    assert cqlang.decompile(url) == text
    plan = plan_or_none(text, "Europe/Warsaw")  # decompiled text is zone-independent
    assume(plan is not None)
    assert plan is not None
    api = compile_filters(filters)
    via_plan = plan_matches(plan)
    for record in records:
        assert via_plan(record) == api(record), (text, record)


@given(S.filter_objects(S.unicode_text))
def test_decompile_keeps_any_unicode_value(obj: dict[str, Any]) -> None:
    """One filter object, whatever its strings hold (quotes, backslashes,
    newlines, Polish letters, emoji), decompiles to a query that compiles
    back to that very object."""
    text = cqlang.decompile([obj])
    checked = check_text(text)
    assert checked.ok, (text, checked.diagnostics)
    assert [_normalised(f) for f in cqlang.compile(text)] == [_normalised(obj)], text


@given(S.filter_lists(S.unicode_text))
def test_encoding_round_trip(filters: list[dict[str, Any]]) -> None:
    compact = to_json(filters)
    assert compact == json.dumps(filters, ensure_ascii=False, separators=(",", ":"))
    encoded = encode(filters)
    assert re.fullmatch(r"[A-Za-z0-9\-_.!~*'()%]*", encoded), encoded
    assert unquote(encoded) == compact
    assert parse_qs(f"limit=10&filter={encoded}&offset=0")["filter"] == [compact]
    assert json.loads(unquote(encoded)) == filters


@given(st.lists(S.unicode_text, max_size=4))
def test_exclude_encoding_round_trip(fields: list[str]) -> None:
    encoded = encode_exclude(fields)
    assert parse_qs(f"exclude={encoded}")["exclude"] == [to_json(fields)]
    assert unquote(encoded) == to_json(fields)


# ------------------------------------------------------------ fuzzing


def _spaced(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return strategy.map(lambda t: f" {t} ")


def _string_literals() -> st.SearchStrategy[str]:
    @st.composite
    def lit(draw: st.DrawFn) -> str:
        return S.quote_literal(draw, draw(S.unicode_text))

    return lit()


_KEYWORDS = (
    "AND",
    "OR",
    "NOT",
    "IN",
    "BETWEEN",
    "IS",
    "NULL",
    "NOW",
    "TODAY",
    "YESTERDAY",
    "CUSTOM",
)
_WORDS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True).filter(
    lambda w: w.lower() not in {k.lower() for k in _KEYWORDS}
) | st.sampled_from([*S.PROPERTY_KIND, "OPEN", "closed", "Retry", "PREDICTIVE", "prioirty"])

GRAMMAR_EXPLICIT: dict[str, st.SearchStrategy[str]] = {
    **{k: _spaced(S.cased(k.lower())) for k in _KEYWORDS},
    "WORD": _spaced(_WORDS),
    "STRING": _spaced(_string_literals()),
    "INT": _spaced(
        st.integers(-(2**60), 2**60).map(str) | st.sampled_from(["007", "-0", "9" * 40])
    ),
    "DATETIME": _spaced(
        st.sampled_from(
            [
                *S.BARE_DATETIMES,
                "2021-02-29",
                "2021-13-01",
                "0000-01-01",
                "9999-12-31",
                "2021-08-10T25:00",
                "2021-08-10T14:30+23:59",
                "2021-08-10T14:30-0130",
            ]
        )
    ),
    "DURATION": _spaced(
        st.sampled_from(["7d", "90m", "1W", "0s", "24h", "99999999999d", "1mo", "2y", "3min"])
    ),
    "PARAM": _spaced(st.from_regex(r"\$[a-z_][a-z0-9_]{0,5}", fullmatch=True)),
    "QUERYREF": _spaced(st.from_regex(r"@[a-z_][a-z0-9_]{0,5}", fullmatch=True)),
    "CMP_OP": _spaced(st.sampled_from(["=", "==", "!=", "<>", "<", "<=", ">", ">="])),
    "COMMENT": st.from_regex(r"#[^\r\n]{0,10}", fullmatch=True).map(lambda c: f" {c}\n"),
}

grammar_texts = from_lark(parser.lark_parser(), explicit=GRAMMAR_EXPLICIT)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(grammar_texts)
def test_grammar_fuzz_parses_and_checks(text: str) -> None:
    try:
        query = cqlang.parse(text)
    except cqlang.CqlSyntaxError as exc:
        # The only syntax error a grammatical text may meet: the depth limit.
        assert [d.code for d in exc.diagnostics] == ["CQL007"], exc
        return
    diags = cqlang.check(text, now=S.NOW)
    for d in diags:
        assert 0 <= d.start <= d.end <= len(text)
    formatted = cqlang.format(text)
    assert cqlang.parse(formatted) == query
    assert cqlang.format(formatted) == formatted


def _mutations() -> st.SearchStrategy[str]:
    """Near-miss texts: a valid query with a slice cut out or junk spliced in."""

    @st.composite
    def mutated(draw: st.DrawFn) -> str:
        _, text = draw(S.query_texts())
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 6)))
        junk = draw(st.text(alphabet=st.sampled_from("()[]'\"\\,.=<>!$@#-+ \n9aZ"), max_size=3))
        return text[:i] + junk + text[j:]

    return mutated()


def _assert_only_cql_errors(text: str) -> None:
    diags = cqlang.check(text, now=S.NOW)  # never raises
    for d in diags:
        assert 0 <= d.start <= d.end <= len(text), d
        assert (d.line, d.column) == line_col(text, d.start), d
        assert re.fullmatch(r"CQL\d{3}", d.code) and d.severity in ("error", "warning")
        assert d.message
    for fn in (cqlang.parse, cqlang.format):
        with contextlib.suppress(cqlang.CqlError):
            fn(text)
    for entry in (cqlang.compile, cqlang.plan):
        try:
            entry(text, now=S.NOW)
        except cqlang.CqlError as exc:
            assert exc.diagnostics, exc
            assert str(exc)


@given(st.text())
def test_arbitrary_text_raises_only_cql_errors(text: str) -> None:
    _assert_only_cql_errors(text)


_zones = st.sampled_from(["UTC", "Europe/Warsaw", "", "../x", "EST", "Europe"]) | st.text(
    max_size=8
)
_param_values = st.one_of(
    st.text(max_size=8),
    st.integers(),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
)


@given(
    st.sampled_from(
        [
            "created_date >= $p",
            "priority = $p",
            "state in $p",
            "custom.x = $p",
            "tenant_user_id not in $p",
            "created_date between $p and today",
        ]
    ),
    _param_values,
    _zones,
)
def test_arbitrary_inputs_raise_only_cql_errors(text: str, value: Any, tz: str) -> None:
    diags = cqlang.check(text, params={"p": value}, tz=tz, now=S.NOW)
    assert all(d.code.startswith("CQL") for d in diags)
    try:
        cqlang.compile(text, params={"p": value}, tz=tz, now=S.NOW)
    except cqlang.CqlError as exc:
        assert exc.diagnostics


@given(_mutations())
def test_near_miss_text_raises_only_cql_errors(text: str) -> None:
    _assert_only_cql_errors(text)


# -------------------------------------------------- custom fields, decoded lazily


class _CountingRecord(dict):  # type: ignore[type-arg]
    """A record that counts how often its ``custom`` is read (each read of
    it by the matcher is one decoding)."""

    reads = 0

    def get(self, key: Any, default: Any = None) -> Any:
        if key == "custom":
            self.reads += 1
        return super().get(key, default)


@given(S.query_texts(), st.data())
def test_custom_is_decoded_at_most_once_and_only_when_tested(
    case: tuple[Any, str], data: st.DataObject
) -> None:
    """The matcher (what the client calls: Residual.matches) reads and
    decodes a record's ``custom`` at most once, never when the query tests
    no custom field, and agrees with the reference evaluator (issue 15)."""
    _, text = case
    checked = check_text(text, Env(now=S.NOW))
    assert checked.ir is not None
    tests_custom = any(a.field.key is not None for a in atoms(checked.ir))
    direct = Residual(checked.ir, text).matches
    messy = sorted({a.field.record_field for a in atoms(checked.ir)})
    for _ in range(8):
        record = _CountingRecord(data.draw(S.records()))
        for name in data.draw(st.lists(st.sampled_from(messy), max_size=len(messy))):
            record[name] = data.draw(_messy_values)
        expected = evaluate(checked.ir, dict(record)) is True
        assert direct(record) == expected, record
        assert record.reads <= (1 if tests_custom else 0), record
