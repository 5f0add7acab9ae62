"""The completion engine, called directly (cqlang.completion.complete)."""

from __future__ import annotations

import random
import re

import lark
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cqlang import api, parser
from cqlang.completion import complete, completions
from cqlang.parser import scan
from cqlang.schema import DEFAULT_SCHEMA, LANGUAGE_OPERATORS

SCHEMA = DEFAULT_SCHEMA.with_custom_fields(
    {
        "region": {"type": "enum", "values": ["PL", "DE"]},
        "lead source": "string",
        "score": "integer",
    }
)


def at_end(text: str, **kw: object) -> list[str]:
    return complete(text, len(text), **kw)  # type: ignore[arg-type]


# ------------------------------------------------------------ acceptance


def test_property_prefix() -> None:
    got = at_end("sta")
    assert got[0] == "state"
    assert "priority" not in got


def test_operators_of_an_enum_property() -> None:
    got = at_end("state ")
    for op in ("=", "!=", "in", "not in"):
        assert op in got
    for op in (">=", ">", "<", "<=", "between", "not between"):
        assert op not in got
    assert "is null" in got and "is not null" in got


def test_operators_of_an_integer_property() -> None:
    got = at_end("priority ")
    assert set(LANGUAGE_OPERATORS["integer"]) <= set(got)


def test_enum_values_in_a_list() -> None:
    assert at_end("state in (") == ["OPEN", "PROCESSING", "CLOSED"]


def test_enum_values_left_in_a_list() -> None:
    assert at_end("state in (OPEN, ") == ["PROCESSING", "CLOSED"]
    assert at_end("application_state not in (RETRY,") == ["NEW", "RECALL", "CLOSED"]


def test_declared_custom_keys_after_custom_dot() -> None:
    got = at_end("custom.", schema=SCHEMA)
    assert got == ["region", "score"]  # "lead source" is no identifier


def test_seen_custom_keys_join_declared_ones() -> None:
    got = at_end("custom.", schema=SCHEMA, custom_keys=["city", "region"])
    assert got == ["region", "score", "city"]
    assert at_end("custom.ci", schema=SCHEMA, custom_keys=["city"]) == ["city"]


def test_named_queries_after_at() -> None:
    queries = {"hot_leads": "priority > 5", "cold": "priority < 2"}
    assert at_end("@", queries=queries) == ["@hot_leads", "@cold"]
    assert at_end("state = OPEN and @h", queries=queries) == ["@hot_leads"]


def test_inside_a_string_only_the_fields_values() -> None:
    """Inside a string opened where a value goes, the field's own values
    (as strings); nothing for a free text field, a key or a string after
    its value."""
    assert at_end('custom.region = "P', schema=SCHEMA) == ['"PL"']
    assert at_end('dialing_method = "') == []
    assert at_end("custom['lead ", schema=SCHEMA) == []
    text = 'contact_number = "48 and st" and state = OPEN'
    assert complete(text, text.index('st"') + 2) == []


# ----------------------------------------------------------------- more


def test_start_of_query_offers_fields_and_not() -> None:
    got = at_end("", schema=SCHEMA)
    assert got[:3] == ["created_date", "closed_date", "process_not_before"]
    assert "custom." in got and "custom.region" in got and 'custom["lead source"]' in got
    assert "not" in got
    assert "custom_fields" not in got  # written custom.KEY


def test_case_insensitive_and_fuzzy() -> None:
    assert at_end("STA")[0] == "state"
    assert at_end("cdate")[:2] == ["created_date", "closed_date"]
    assert at_end("prioirty") == ["priority"]
    assert at_end("state in (op") == ["OPEN"]
    assert at_end("state = O")[0] == "OPEN"


def test_prefix_matches_rank_first() -> None:
    assert at_end("c")[:3] == ["created_date", "closed_date", "contact_number"]
    got = at_end("state")
    assert got[0] == "state" and "application_state" in got


def test_operator_prefix() -> None:
    assert at_end("state !") == ["!="]
    assert at_end("priority >") == [">", ">="]
    assert at_end("state >") == []
    assert at_end("state i") == ["in", "is null", "is not null"]


def test_a_finished_operator_asks_for_values() -> None:
    assert at_end("state=") == ["OPEN", "PROCESSING", "CLOSED"]
    assert at_end("state != ") == ["OPEN", "PROCESSING", "CLOSED"]


def test_negated_operators() -> None:
    assert at_end("state not ") == ["in"]
    assert at_end("priority not ") == ["in", "between"]


def test_null_tests() -> None:
    assert at_end("state is ") == ["null", "not null"]
    assert at_end("state is not ") == ["null"]


def test_keywords_after_a_predicate() -> None:
    assert at_end("state = OPEN ") == ["and", "or"]
    assert at_end("state = OPEN an") == ["and"]
    assert at_end("priority between 1 ") == ["and"]
    assert at_end("(state = OPEN ") == ["and", "or"]


def test_values_by_type() -> None:
    assert at_end("created_date >= ") == ["now", "today", "yesterday"]
    assert at_end("closed_date between yesterday and t") == ["today"]
    assert at_end("priority = ") == []
    assert at_end("custom.region = ", schema=SCHEMA) == ["PL", "DE"]
    assert at_end('custom["region"] in (PL, ', schema=SCHEMA) == ["DE"]
    assert at_end("custom.score = ", schema=SCHEMA) == []


def test_parameters_after_dollar() -> None:
    params = {"min_priority": "3", "states": "OPEN"}
    assert at_end("priority >= $", params=params) == ["$min_priority", "$states"]
    assert at_end("state in $s", params=params) == ["$states"]
    assert at_end("$", params=params) == []  # no parameter where a field starts


def test_bracketed_custom_keys() -> None:
    got = at_end("custom[", schema=SCHEMA)
    assert got == ['"region"]', '"lead source"]', '"score"]']


def test_nothing_in_a_comment_or_after_an_error() -> None:
    assert at_end("state = OPEN # and pr") == []
    # The properties that start so, in the schema's order (none named here:
    # a property added to the schema is one more).
    starting = [name for name in DEFAULT_SCHEMA.properties if name.startswith("pr")]
    assert len(starting) >= 2
    assert at_end("state = OPEN # x\nand pr") == starting == at_end("state = OPEN and pr")
    assert at_end("state = = ") == []
    assert at_end("state ; ") == []


def test_cursor_in_the_middle() -> None:
    text = "sta and priority > 3"
    assert complete(text, 3)[0] == "state"
    found = completions(text, 3)
    assert (found.start, found.word) == (0, "sta")


def test_span_of_the_word() -> None:
    found = completions("state = OPEN and @ho", 20, queries=["hot"])
    assert (found.start, found.word) == (17, "@ho")
    assert [c.kind for c in found.items] == ["query"]
    found = completions("state=", 6)
    assert (found.start, found.word) == (6, "")


def test_multi_line_query() -> None:
    text = "state = OPEN and\n  (priority > 3 or\n   con"
    assert at_end(text)[:2] == ["contact_number", "consultant_try"]


def test_unknown_property_gets_every_operator() -> None:
    got = at_end("prioirty ")
    assert ">=" in got and "in" in got


def test_cursor_is_clamped() -> None:
    assert complete("sta", 99)[0] == "state"
    assert complete("sta", -5)[0] == "created_date"


# ------------------------------------------------- candidates are accepted

EXAMPLES = [
    'state in (OPEN, CLOSED) and priority >= 3 and custom.region = "PL"',
    "application_state = RETRY and contact_try < 5",
    "created_date >= today - 7d and state != CLOSED",
    "not (priority between 1 and 3) or custom[\"lead source\"] = 'web'",
    "created_date = 2021-08-10 and assigned_tenant_user_id in (12, 14)",
    "closed_date is not null and state not in (OPEN) and @hot",
]


@pytest.mark.parametrize("query", EXAMPLES)
def test_every_candidate_keeps_the_text_a_query_prefix(query: str) -> None:
    """Inserting any candidate (then a blank) leaves a text the grammar
    accepts as the start of a query: completion offers only what parses."""
    for cut in range(len(query) + 1):
        found = completions(query[:cut], cut, schema=SCHEMA, queries=["hot"], params=["p"])
        for c in found.items:
            text = query[: found.start] + c.text + " "
            assert parser.scan_prefix(text).error is None, (query[:cut], c.text)


# --------------------------------------------------- the incremental scan


def _fresh(text: str) -> parser.Scan:
    parser.scan_prefix.cache_clear()
    saved = scan._last_scan  # the previous scan lives in cqlang/parser/scan.py
    scan._last_scan = ("", (), ())
    try:
        return parser.scan_prefix(text)
    finally:
        scan._last_scan = saved


def test_incremental_scan_equals_a_fresh_scan() -> None:
    """Scans resume from the previous scan's checkpoints; whatever the edit,
    the result is that of scanning the text from scratch."""
    rng = random.Random(6)
    pieces = [*EXAMPLES, "# note\n x = $p", "custom['a b'] = 2021-08-10T10:00Z", "now - 90m"]
    for _ in range(40):
        query = " or ".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))
        texts = [query[:k] for k in range(0, len(query) + 1, 3)]
        for _ in range(10):
            k = rng.randint(0, len(query))
            texts.append(query[:k] + rng.choice(' x(")1-') + query[k : k + rng.randint(0, 9)])
        for text in texts:
            parser.scan_prefix.cache_clear()
            got = parser.scan_prefix(text)
            assert got == _fresh(text), text


def test_scan_reports_tokens_accepts_and_errors() -> None:
    scan = parser.scan_prefix("state in (")
    assert [t[0] for t in scan.tokens] == ["WORD", "IN", "LPAR"]
    assert scan.tokens[0] == ("WORD", "state", 0, 5)
    assert "WORD" in scan.accepts and "RPAR" in scan.accepts
    assert scan.error is None
    bad = parser.scan_prefix('state = "abc')
    assert bad.error == 8 and bad.accepts == frozenset()


def lark_scan(text: str) -> parser.Scan:
    """The same scan, done by Lark's own interactive parser and contextual
    lexer: the reference the driver's scan must agree with."""
    lk = parser.lark_parser()
    ip = lk.parse_interactive(text)
    tokens = []
    try:
        for tok in ip.iter_parse():
            tokens.append((tok.type, str(tok), tok.start_pos, tok.end_pos))
    except lark.exceptions.UnexpectedInput as exc:
        pos = exc.pos_in_stream if exc.pos_in_stream is not None else len(text)
        return parser.Scan(tuple(tokens), frozenset(), pos)
    return parser.Scan(tuple(tokens), frozenset(ip.accepts()), None)


def same_scan(ours: parser.Scan, lark_: parser.Scan) -> bool:
    """Equal, but for the tokens of a text that fails: Lark's lexer may or
    may not have produced the token it fails at."""
    if ours.error is not None or lark_.error is not None:
        return (ours.error, ours.accepts) == (lark_.error, lark_.accepts)
    return ours == lark_


SCAN_PIECES = st.sampled_from(
    [
        "x",
        "state",
        "custom",
        ".",
        "[",
        "]",
        "(",
        ")",
        ",",
        "=",
        ">=",
        "and",
        "or",
        "not",
        "in",
        "between",
        "is",
        "null",
        "now",
        "-",
        "+",
        "7d",
        "5",
        "-5",
        "2021-08-10",
        '"s"',
        '"open',
        "$p",
        "@q",
        " ",
        "#c\n",
        "OPEN",
        "^",
    ]
)


# A keyword run into a name (`notx`): Lark's contextual lexer takes the
# keyword and leaves `x`; cqlang reads whole words (docs/language.md). A
# number before it (`5andx`) ends where the letters start, so a digit does
# not make the keyword part of a longer word: it is glued all the same.
_GLUED_KEYWORD = re.compile(
    r"(?<![A-Za-z_])(?:and|or|not|in|between|is|null|now|today|yesterday|custom)[A-Za-z0-9_]",
    re.IGNORECASE,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(SCAN_PIECES, max_size=10).map("".join))
def test_scan_agrees_with_lark(text: str) -> None:
    assume(not _GLUED_KEYWORD.search(text))
    assert same_scan(_fresh(text), lark_scan(text))


def test_keywords_are_whole_words() -> None:
    assert _fresh("x notin").error == 2
    assert _fresh("x not in").error is None
    assert parser.parse_diagnostics("x notin (1)")[1][0].code == "CQL001"


@pytest.mark.parametrize("query", EXAMPLES)
def test_scan_of_every_prefix_agrees_with_lark(query: str) -> None:
    for cut in range(len(query) + 1):
        assert same_scan(_fresh(query[:cut]), lark_scan(query[:cut])), query[:cut]


# ------------------------------------------- values that are not plain words

FLAG_VALUES = ["Lower Silesia", "null", "it's", "web", 'a"b', "true", "Now", "back\\slash"]
FLAGGED = DEFAULT_SCHEMA.with_custom_fields({"flag": {"type": "enum", "values": FLAG_VALUES}})


def test_enum_values_are_inserted_as_the_language_needs_them() -> None:
    found = completions("custom.flag = ", 14, schema=FLAGGED)
    got = {c.shown: c.text for c in found.items if c.kind == "value"}
    assert got == {
        "Lower Silesia": '"Lower Silesia"',
        "null": '"null"',
        "it's": '"it\'s"',
        "web": "web",
        'a"b': '"a\\"b"',
        "true": '"true"',
        "Now": '"Now"',
        "back\\slash": '"back\\\\slash"',
    }


@pytest.mark.parametrize("value", FLAG_VALUES)
@pytest.mark.parametrize("before", ["custom.flag = ", "custom.flag in (web, ", "custom.flag != "])
def test_each_inserted_enum_value_makes_a_valid_query(before: str, value: str) -> None:
    found = completions(before, len(before), schema=FLAGGED)
    (cand,) = [c for c in found.items if c.shown == value] or [None]
    if value == "web" and "in (" in before:
        assert cand is None  # listed already
        return
    assert cand is not None
    text = before[: found.start] + cand.text + (")" if "(" in before else "")
    assert [d.code for d in api.check(text, schema=FLAGGED)] == []


def test_values_already_listed_are_left_out_whatever_their_case_or_quotes() -> None:
    got = at_end("custom.flag in (WEB, \"Lower Silesia\", 'it\\'s', ", schema=FLAGGED)
    assert '"Lower Silesia"' not in got and "web" not in got and '"it\'s"' not in got
    assert '"null"' in got
    assert at_end("state in (open, closed, ") == ["PROCESSING"]


def test_a_value_is_found_by_its_label() -> None:
    assert at_end("custom.flag = Lo", schema=FLAGGED) == ['"Lower Silesia"']


def test_a_value_is_completed_inside_the_string_it_opens() -> None:
    """A review: `custom.region = "Lo` offered nothing, though completion
    writes such values quoted. The candidate replaces the string from its
    opening quote; an editor's paired closing quote after the cursor is
    left to close it."""
    schema = DEFAULT_SCHEMA.with_custom_fields(
        {"flag": {"type": "enum", "values": ["Lower Silesia", "null", "web"]}}
    )
    found = completions('custom.flag = "Lo', 17, schema=schema)
    assert (found.start, [c.text for c in found.items]) == (14, ['"Lower Silesia"'])
    paired = completions('custom.flag = "w"', 16, schema=schema)
    assert (paired.start, [c.text for c in paired.items]) == (14, ['"web'])
    assert [c.text for c in completions('state = "OP', 11).items] == ['"OPEN"']
    for text in ('state = "OP', 'custom.flag = "Lo'):
        done = completions(text, len(text), schema=schema).items[0].text
        assert api.compile(text[: text.index('"')] + done, schema=schema)
    assert completions('"ab', 3).items == ()  # no value goes there
