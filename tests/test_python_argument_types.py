"""Arbitrary values for each public parameter raise only ``TypeError`` or a
``CqlError`` (docs/python-api.md, "Arguments"): never an ``AttributeError``,
a ``KeyError``, a bare ``ValueError`` or a comparison's own ``TypeError``
from deep inside... A ``TypeError`` must name the parameter it is about
(or be the query's ``a query is a str``), so an internal one cannot pass
for a checked one.

Each entry point is called with every parameter valid but one, which takes
a value from a pool of awkward ones: ``None``, bools, big and negative
ints, NaN and infinities, text (zone names, URLs, ``..``, a lone
surrogate), bytes, lists, tuples, sets, dicts with odd keys, a datetime,
an object. Nothing is fetched: a fetch's iterator is made, not consumed;
the one call that fetches at once (``to_arrow``) runs against the
emulator."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cqlang
from cqlang import Client, Config
from cqlang.client import Connection
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator

C = DEFAULT_CAMPAIGN
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


class Thing:
    """An object of no type any parameter takes."""


AWKWARD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, 1, -1, 3, 10_001]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "..",
            "id",
            "history",
            "history,dialogs",
            "Mars/X",
            "Europe/Warsaw",
            "http://127.0.0.1:9",
            "ftp://h",
            "state = OPEN",
            "priority >= $min",
            "@a",
            "x\ud800",
            "python",
        ]
    ),
    st.binary(max_size=4),
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=4), st.just("id")), max_size=3),
    st.tuples(st.integers(-3, 3), st.integers(-3, 3)),
    st.dictionaries(
        st.one_of(st.text(max_size=4), st.integers()),
        st.one_of(
            st.none(), st.integers(), st.text(max_size=4), st.lists(st.integers(), max_size=2)
        ),
        max_size=3,
    ),
    st.frozensets(st.integers(), max_size=2),
    st.just(datetime(2021, 8, 10)),
    st.builds(Thing),
)

#: What a TypeError may begin with besides the parameter's name: a query is
#: a str whatever its parameter is called.
ANY_NAME = ("a query is a str",)

#: The words a TypeError about a mapping's keys uses for the parameter.
KEYS = {
    "params": "parameter names",
    "queries": "named query",
    "fields": "custom field keys",
    "env": "env's",
}


def only_checked_errors(name: str, call: Callable[[], object]) -> None:
    try:
        result = call()
    except cqlang.CqlError:
        return
    except TypeError as exc:
        words = str(exc)
        named = re.search(rf"\b{re.escape(name)}\b", words) or words.startswith(
            (*ANY_NAME, KEYS.get(name, name))
        )
        assert named, f"{name}: a TypeError that does not name it: {words}"
        return
    if isinstance(result, Iterator):  # a fetch's records: made, never consumed
        close = getattr(result, "close", None)
        if close is not None:
            close()


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(records=20, seed=1) as running:
        yield running


@pytest.fixture(scope="module")
def client(emu: Emulator) -> Iterator[Client]:
    with Client(emu.url, "demo-key", max_retries=0) as c:
        yield c


QUERY_INPUTS = ("params", "tz", "now", "schema", "queries", "max_branches", "strict")


@given(name=st.sampled_from(("text", *QUERY_INPUTS)), value=AWKWARD)
def test_compile_check_plan_and_env(name: str, value: Any) -> None:
    for fn in (cqlang.compile, cqlang.check, cqlang.plan):
        if name == "text":
            only_checked_errors(name, lambda fn=fn: fn(value, now=NOW))
        else:
            kwargs = {"now": NOW, name: value}
            only_checked_errors(name, lambda fn=fn, kw=kwargs: fn("priority >= 3", **kw))
    if name != "text":
        only_checked_errors(name, lambda: cqlang.Env(**{name: value}))


@given(name=st.sampled_from(("text", "schema", "width", "source")), value=AWKWARD)
def test_parse_format_decompile_encode(name: str, value: Any) -> None:
    if name == "text":
        only_checked_errors("text", lambda: cqlang.parse(value))
        only_checked_errors("text", lambda: cqlang.format(value))
    elif name == "source":
        only_checked_errors("source", lambda: cqlang.decompile(value))
        only_checked_errors("filters", lambda: cqlang.encode(value))
        only_checked_errors("filters", lambda: cqlang.encode([{"property": "x", "value": value}]))
    else:
        only_checked_errors(name, lambda: cqlang.format("priority >= 3", **{name: value}))
        if name == "schema":
            only_checked_errors(name, lambda: cqlang.decompile("[]", schema=value))


PREPARE = (
    "text",
    "params",
    "tz",
    "campaign",
    "exclude",
    "limit",
    "strict",
    "profile",
    "page_size",
    "max_branches",
)


@given(name=st.sampled_from(PREPARE), value=AWKWARD)
def test_config_prepare(name: str, value: Any) -> None:
    config = Config(env={})
    if name == "text":
        only_checked_errors(name, lambda: config.prepare(value))
    else:
        only_checked_errors(name, lambda: config.prepare("state = OPEN", **{name: value}))


@given(
    name=st.sampled_from(("base_url", "filters", "client", "plan", "now", "limit", "max_branches")),
    value=AWKWARD,
)
def test_fetch_spec(client: Client, name: str, value: Any) -> None:
    spec = Config(env={}).prepare("state = OPEN", campaign=C)
    if name == "base_url":
        only_checked_errors(name, lambda: spec.request_url(value, []))
    elif name == "filters":
        only_checked_errors(name, lambda: spec.request_url("http://h", value))
    elif name == "client":
        only_checked_errors(name, lambda: spec.fetch(value))
    elif name == "max_branches":
        only_checked_errors(name, lambda: spec.plan(max_branches=value))
        only_checked_errors(name, lambda: spec.check(max_branches=value))
    else:
        only_checked_errors(name, lambda: spec.fetch(client, **{name: value}))


@given(name=st.sampled_from(("path", "profile", "cwd", "env")), value=AWKWARD)
def test_config_load(tmp_path_factory: pytest.TempPathFactory, name: str, value: Any) -> None:
    where = tmp_path_factory.getbasetemp()  # no config file in it
    kwargs: dict[str, Any] = {"cwd": where, "env": {}, name: value}
    if name == "path" and isinstance(value, str):
        kwargs["path"] = where / "none" / value.replace("\0", "")  # never a real file
    only_checked_errors(name, lambda: Config.load(**kwargs))
    if name == "profile":
        only_checked_errors(name, lambda: Config(env={}).connection(value))
        only_checked_errors(name, lambda: Client.from_config(Config(env={}), profile=value))


CLIENT_OPTIONS = (
    "timeout",
    "max_retries",
    "backoff_factor",
    "backoff_max",
    "backoff_jitter",
    "retry_after_max",
    "retry_budget",
    "overlap",
    "max_relocate",
    "max_record_size",
    "session",
    "on_request",
    "on_exchange",
    "api_key",
    "base_url",
)


@given(name=st.sampled_from(CLIENT_OPTIONS), value=AWKWARD)
def test_client_constructor(name: str, value: Any) -> None:
    kwargs: dict[str, Any] = {"base_url": "http://127.0.0.1:9", "api_key": "k", name: value}

    def make() -> None:
        Client(**kwargs).close()

    only_checked_errors(name, make)
    if name in ("api_key", "base_url"):
        pair = {"base_url": "http://127.0.0.1:9", "api_key": "k", name: value}
        only_checked_errors(name, lambda: Connection(pair["base_url"], pair["api_key"]))


FETCH = (
    "campaign_id",
    "query",
    "params",
    "tz",
    "now",
    "exclude",
    "page_size",
    "limit",
    "plan",
    "schema",
)


@given(name=st.sampled_from(FETCH), value=AWKWARD)
def test_voice_campaign_requests(client: Client, name: str, value: Any) -> None:
    kwargs: dict[str, Any] = {"campaign_id": C, "query": "state = OPEN", name: value}
    only_checked_errors(name, lambda: client.voice_campaign_requests(**kwargs))


@pytest.mark.filterwarnings("ignore::cqlang.output.columns.ColumnWarning")  # an odd name: said
@given(
    name=st.sampled_from(("columns", "batch_size", "exclude", "limit", "campaign_id", "tz")),
    value=AWKWARD,
)
def test_the_arrow_methods(client: Client, name: str, value: Any) -> None:
    pytest.importorskip("pyarrow")
    kwargs: dict[str, Any] = {"campaign_id": C, "query": "state = OPEN", "limit": 2, name: value}
    only_checked_errors(name, lambda: client.iter_batches(**kwargs))
    only_checked_errors(name, lambda: client.to_arrow(**kwargs))


@given(
    name=st.sampled_from(("fields", "strict", "spec", "text", "diags", "front", "file")),
    value=AWKWARD,
)
def test_schemas_and_diagnostics(name: str, value: Any) -> None:
    schema = cqlang.DEFAULT_SCHEMA
    (diag,) = cqlang.check("prioirty > 3")
    if name == "fields":
        only_checked_errors(name, lambda: schema.with_custom_fields(value))
    elif name == "strict":
        only_checked_errors(name, lambda: schema.with_custom_fields({}, strict=value))
    elif name == "spec":
        only_checked_errors(name, lambda: cqlang.Schema.from_dict(value))
        only_checked_errors(name, lambda: cqlang.Schema.from_dict({"properties": value}))
    elif name == "text":
        only_checked_errors(name, lambda: diag.render(value))
    elif name == "diags":
        only_checked_errors(name, lambda: cqlang.diagnostics.to_json(value))
        only_checked_errors(name, lambda: cqlang.diagnostics.for_front_end(value, "cli"))
    elif name == "front":
        only_checked_errors(name, lambda: cqlang.diagnostics.for_front_end([diag], value))
    else:
        only_checked_errors(name, lambda: cqlang.diagnostics.to_json([diag], value))


DIAGNOSTIC_FIELDS = ("code", "severity", "message", "start", "end", "line", "column", "hint")


@given(
    name=st.sampled_from((*DIAGNOSTIC_FIELDS, "suggestion", "facts", "text")),
    value=AWKWARD,
)
def test_diagnostic_replace(name: str, value: Any) -> None:
    (diag,) = cqlang.check("state = OPEN\nand prioirty > 3")
    only_checked_errors(name, lambda: diag.replace(**{name: value}))
    if name in ("start", "end"):
        text = "# a line before\nstate = OPEN\nand prioirty > 3"
        only_checked_errors(name, lambda: diag.replace(text=text, **{name: value}))
