"""One definition each of the identifier rule (diagnostics.NAME_RE, with
its words NAME_CHARS) and of an integer's canonical text
(digits.CANONICAL_INT), and every user reads that one."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import cqlang
from cqlang.completion import value_literal
from cqlang.config.fetchspec import stored_param
from cqlang.diagnostics import NAME_RE
from cqlang.digits import CANONICAL_INT
from cqlang.evaluator import as_int
from cqlang.repl.commands import Dispatcher
from cqlang.repl.session import Session

WORDS = st.text(alphabet=st.sampled_from("aZ_09-é. "), max_size=6)


KEYWORDS = {"null", "and", "or", "not", "in", "between", "is", "now", "today", "yesterday"}


@given(WORDS)
def test_completion_writes_bare_exactly_the_names(word: str) -> None:
    if word.lower() not in KEYWORDS:
        assert (value_literal(word) == word) is (NAME_RE.match(word) is not None)


def test_save_takes_exactly_the_names(tmp_path: Path) -> None:
    config = str(tmp_path / "cqlang.toml")
    for name, ok in (("hot", True), ("_x1", True), ("1x", False), ("a-b", False), ("ż", False)):
        d = Dispatcher(Session(last_query="state = OPEN", config_file=config))
        reply = d.handle(f"\\save {name}")
        assert ("ASCII letters" in reply.text) is not ok, reply.text


@given(st.text(alphabet=st.sampled_from("-0123456789 +"), max_size=20))
def test_one_canonical_integer(text: str) -> None:
    canonical = CANONICAL_INT.match(text) is not None
    assert (as_int(text) is not None) is canonical
    assert isinstance(stored_param(text), int) is canonical


def test_formatter_quotes_a_key_that_is_no_name() -> None:
    assert cqlang.format('custom["a b"] = 1') == 'custom["a b"] = 1'
    assert cqlang.format('custom["ab"] = 1') == "custom.ab = 1"
