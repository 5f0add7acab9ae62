"""cqlang.client.scrub (every form of a secret hidden) and cqlang.jsonlimit
(nesting measured without recursion), as properties."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cqlang import jsonlimit
from cqlang.client.scrub import HIDDEN, Scrubber

#: Keys, but none holding the marker itself: hiding '<hidden>' leaves
#: '<hidden>' (Hypothesis tries the literals of the code under test).
keys = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=8, max_size=40
).filter(lambda k: HIDDEN not in k)
noise = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30)

TRANSFORMS = {
    "raw": lambda k: k,
    "upper": str.upper,
    "lower": str.lower,
    "json": lambda k: json.dumps(k)[1:-1].replace("/", "\\/"),
    "json-twice": lambda k: json.dumps(json.dumps(k))[1:-1],
    "json-unicode": lambda k: "".join(f"\\u{ord(c):04x}" for c in k),
    "percent": lambda k: quote(k, safe=""),
    "percent-lower": lambda k: "".join(f"%{b:02x}" for b in k.encode()),
    "percent-twice": lambda k: quote(quote(k, safe=""), safe=""),
    "hex": lambda k: k.encode().hex(),
    "hex-upper": lambda k: k.encode().hex().upper(),
    "html": lambda k: "".join(f"&#{ord(c)};" for c in k),
    "base64": lambda k: base64.b64encode(k.encode()).decode(),
    "base64-url": lambda k: base64.urlsafe_b64encode(k.encode()).decode(),
}


@pytest.mark.parametrize("name", TRANSFORMS)
@given(key=keys, before=noise, after=noise)
def test_every_form_of_a_secret_is_hidden(name: str, key: str, before: str, after: str) -> None:
    form = TRANSFORMS[name](key)
    out = Scrubber([key])(before + form + after)
    assert HIDDEN in out
    assert key not in out and form not in out


@given(key=keys, shift=st.text(max_size=2), before=noise, after=noise)
def test_base64_of_a_longer_text_is_hidden(key: str, shift: str, before: str, after: str) -> None:
    encoded = base64.b64encode((shift + "user:" + key + shift).encode()).decode()
    out = Scrubber([key])(before + encoded + after)
    assert HIDDEN in out


@given(key=keys, text=st.text(max_size=200))
def test_scrubbing_twice_changes_nothing_more(key: str, text: str) -> None:
    scrub = Scrubber([key])
    once = scrub(text + key + text)
    assert scrub(once) == once and key not in once


breaks = st.sampled_from(["\n", "\r\n", " ", "\t", "\n    ", "\\n", "\\r\\n", "\\\\n"])
#: Forms whose text encodes the secret as a whole: a line may break anywhere in them.
WHOLE = {"hex", "hex-upper", "base64", "base64-url"}
#: The others encode it character by character: a break falls between two.
PER_CHARACTER = {**TRANSFORMS, "json-twice": lambda k: json.dumps(json.dumps(k)[1:-1])[1:-1]}


@pytest.mark.parametrize("name", TRANSFORMS)
@given(key=keys, before=noise, after=noise, data=st.data())
def test_a_secret_split_by_line_breaks_is_hidden(
    name: str, key: str, before: str, after: str, data: st.DataObject
) -> None:
    """Wrapped (base64 at 76 characters), grouped (a hex dump), or broken
    by an escaped newline in JSON: every form, broken anywhere, is hidden."""
    whole = name in WHOLE
    text = TRANSFORMS[name](key) if whole else key
    cuts = sorted(set(data.draw(st.lists(st.integers(1, len(text) - 1), min_size=1, max_size=3))))
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    if not whole:
        pieces = [PER_CHARACTER[name](p) for p in pieces]
    echoed = pieces[0]
    for piece in pieces[1:]:
        echoed += data.draw(breaks) + piece
    out = Scrubber([key])(f"{before} {echoed} {after}")
    assert HIDDEN in out, (echoed, out)
    assert key not in out


def test_forms_covered_and_not() -> None:
    scrub = Scrubber(["SECRET-KEY-1234"])
    assert scrub("x SECRET-KEY-\n1234 y") == f"x {HIDDEN} y"
    assert scrub("x SEC\\nRET-KEY-1234 y") == f"x {HIDDEN} y"
    assert scrub("a b c d") == "a b c d"  # nothing to find: the text as it was
    # Rearranged, the key is not looked for (docs/client.md, "The key stays secret").
    assert scrub("4321-YEK-TERCES") == "4321-YEK-TERCES"


def test_short_secrets_are_not_scrubbed() -> None:
    assert Scrubber(["abc"])("abc abc") == "abc abc"


def json_values(depth: int) -> st.SearchStrategy[Any]:
    leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=3)
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3)
        ),
        max_leaves=depth,
    )


def real_depth(v: Any) -> int:
    if isinstance(v, list):
        return 1 + max((real_depth(x) for x in v), default=0)
    if isinstance(v, dict):
        return 1 + max((real_depth(x) for x in v.values()), default=0)
    return 0


@given(value=json_values(40), limit=st.integers(0, 12))
def test_depth_is_measured_exactly(value: Any, limit: int) -> None:
    parsed = json.loads(json.dumps(value))  # as json makes them (tracking and all)
    assert jsonlimit.depth_exceeds(parsed, limit) == (real_depth(parsed) > limit)


@pytest.mark.parametrize("depth", [65, 999, 5000, 200_000])
def test_deep_json_is_refused_without_recursing(depth: int) -> None:
    text = "[" * depth + "]" * depth
    with pytest.raises(jsonlimit.TooDeep):
        jsonlimit.loads(text)
    assert jsonlimit.loads("[" * 64 + "]" * 64) is not None
