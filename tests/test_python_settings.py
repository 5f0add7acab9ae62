"""Arguments from Python to what fetches (``Config.prepare``, ``FetchSpec``,
``Config.load``, ``Client``, the Arrow methods): a wrong type is a
``TypeError`` naming the parameter, a value that cannot work a
``SettingError``, both at the call, before any request (docs/python-api.md,
"Arguments"; cqlang/argcheck.py). Each test here failed on the code
before: with an ``AttributeError``, an internal message, or a request
built from a value quietly reinterpreted (``exclude="history"`` sent as
its letters, ``limit=1.5`` sent to the API, ``limit=True`` taken as 1)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from argument_errors import setting_error, type_error
from click.testing import CliRunner

import cqlang
from cqlang import Client, Config
from cqlang.cli import main
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.errors import SettingError

C = DEFAULT_CAMPAIGN


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(records=50, seed=1) as running:
        yield running


@pytest.fixture
def client(emu: Emulator) -> Iterator[Client]:
    with Client(emu.url, "demo-key") as c:
        yield c


def sent(emu: Emulator, since: int) -> list[dict[str, list[str]]]:
    """The query parameters of each request the emulator got after ``since``."""
    return [parse_qs(urlsplit(e.target).query) for e in list(emu.log)[since:]]


# ------------------------------------------- exclude as one text, both paths


def test_one_text_of_exclude_names_fields_on_both_paths(emu: Emulator, client: Client) -> None:
    """It was split into letters by Config.prepare (and sent so) and a
    TypeError from the client: now both read it as --exclude does."""
    spec = Config().prepare("state = OPEN", campaign=C, exclude="history")
    assert spec.exclude == ("history",)
    assert Config().prepare("", exclude=" history , dialogs,").exclude == ("history", "dialogs")
    assert Config().prepare("", exclude="").exclude == ()  # nothing: overrides a named one
    before = len(emu.log)
    assert len(list(spec.fetch(client, limit=3))) == 3
    assert len(list(client.voice_campaign_requests(C, "", exclude="history", limit=3))) == 3
    got = sent(emu, before)
    assert got and all(q["exclude"] == ['["history"]'] for q in got), got
    url = spec.request_url(emu.url, [])
    assert parse_qs(urlsplit(url).query)["exclude"] == ['["history"]']


@pytest.mark.parametrize("given", [["history,dialogs"], ("id",), "history,id", [" history"]])
def test_an_exclude_name_that_cannot_work_is_refused_on_both_paths(
    client: Client, given: object
) -> None:
    for call in (
        lambda: Config().prepare("", exclude=given),
        lambda: client.voice_campaign_requests(C, "", exclude=given),
    ):
        assert setting_error(call).setting == "exclude"


EXCLUDE_TAKES = "exclude is a list of field names, one str of them separated by commas, or None"


@pytest.mark.parametrize(
    ("given", "words"),
    [
        (3, f"{EXCLUDE_TAKES}, not int"),
        ([3], "exclude holds field names (str), not int: 3"),
        (b"history", f"{EXCLUDE_TAKES}, not bytes"),
    ],
)
def test_an_exclude_of_the_wrong_type_is_a_type_error_on_both_paths(
    client: Client, given: object, words: str
) -> None:
    assert type_error(lambda: Config().prepare("", exclude=given)) == words
    assert type_error(lambda: client.voice_campaign_requests(C, "", exclude=given)) == words


# ---------------------------------------------- AttributeError no more


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: Config.load("cqlang.toml", profile=3), "profile is a str or None, not int"),
        (lambda: Config.load(env=3), "env is a mapping of str to str or None, not int"),
        (lambda: Config.load(env={"CONPEEK_URL": 3}), "env's values are str, not int: CONPEEK_URL"),
        (lambda: Config.load(3), "path is a path (a str or an os.PathLike) or None, not int"),
        (
            lambda: Config().prepare("", campaign="c").request_url(None, None),
            "base_url is a str, not NoneType",
        ),
        (
            lambda: Config().prepare("", campaign="c").request_url("http://h", None),
            "filters is a list of filter objects (dicts), not NoneType",
        ),
    ],
)
def test_a_wrong_type_is_a_type_error_that_names_the_parameter(
    call: Callable[[], object], words: str
) -> None:
    """These were AttributeErrors ('int' object has no attribute 'get'...)."""
    assert type_error(call) == words


# --------------------------------------------------- whole numbers, not bools


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("limit", 1.5, "limit is an int or None, not float"),
        ("limit", "5", "limit is an int or None, not str"),
        ("limit", True, "limit is an int or None, not bool"),
        ("page_size", 2.0, "page_size is an int or None, not float"),
        ("page_size", False, "page_size is an int or None, not bool"),
        ("max_branches", True, "max_branches is an int or None, not bool"),
    ],
)
def test_a_count_that_is_no_int_is_refused_before_any_request(
    emu: Emulator, client: Client, key: str, value: object, words: str
) -> None:
    before = len(emu.log)
    assert type_error(lambda: Config().prepare("", campaign=C, **{key: value})) == words
    spec = Config().prepare("", campaign=C)
    if key == "limit":
        assert type_error(lambda: spec.fetch(client, limit=value)) == words  # type: ignore[arg-type]
    if key != "max_branches":  # the client takes no max_branches
        client_words = words.replace(" or None", "") if key == "page_size" else words
        call = lambda: client.voice_campaign_requests(C, "", **{key: value})  # noqa: E731
        assert type_error(call) == client_words
    else:
        assert (
            type_error(lambda: cqlang.compile("", max_branches=value))
            == "max_branches is an int, not bool"
        )
    assert len(emu.log) == before  # nothing was sent


def test_any_integer_type_is_a_count(client: Client) -> None:
    class Index:
        def __index__(self) -> int:
            return 4

    assert Config().prepare("", limit=Index()).limit == 4  # type: ignore[arg-type]
    assert type(Config().prepare("", limit=Index()).limit) is int  # type: ignore[arg-type]
    assert len(list(client.voice_campaign_requests(C, "", limit=Index()))) == 4  # type: ignore[arg-type]


# ---------------------------------------------- prepare checks its settings


def test_prepare_refuses_settings_that_failed_only_when_fetching() -> None:
    assert (
        type_error(lambda: Config().prepare("", tz=3))
        == "tz is an IANA zone name (a str), a tzinfo or None, not int"
    )
    assert (
        type_error(lambda: Config().prepare("", campaign=3)) == "campaign is a str or None, not int"
    )
    assert type_error(lambda: Config().prepare(3)) == "a query is a str, not int"  # type: ignore[arg-type]
    assert (
        type_error(lambda: Config().prepare("", strict=1))
        == "strict is a bool (True or False) or None, not int"
    )
    error = setting_error(lambda: Config().prepare("", tz="Mars/X"))
    assert error.setting == "tz" and str(error).startswith("tz: unknown time zone 'Mars/X'")
    for campaign in ("..", "", " ", "a\x07b"):
        call = lambda c=campaign: Config().prepare("", campaign=c)  # noqa: E731
        assert setting_error(call).setting == "campaign"
    assert Config().prepare("", tz="Europe/Warsaw", campaign="c1").tz == "Europe/Warsaw"


def test_request_url_reads_the_base_url_as_every_base_url() -> None:
    spec = Config().prepare("", campaign="c1")
    for url in ("ftp://h", "h", "http://user:pw@", "http://h:0"):
        assert setting_error(lambda u=url: spec.request_url(u, [])).setting == "base_url"
    url = spec.request_url("http://h/api/", [])
    assert url == "http://h/api/voice_campaign/c1/request?limit=1000&offset=0"


def test_a_max_branches_of_zero_is_refused_not_taken_for_none() -> None:
    """FetchSpec.env and NamedQuery.env read max_branches=0 as "not given"."""
    spec = Config().prepare("state = OPEN")
    with pytest.raises(SettingError, match="max_branches must be at least 1, not 0"):
        spec.plan(max_branches=0)
    cfg = Config.load(env={})
    from cqlang.config.named import NamedQuery

    named = NamedQuery(name="q", text="state = OPEN", config=cfg)
    with pytest.raises(SettingError, match="max_branches must be at least 1, not 0"):
        named.env(max_branches=0)
    assert (
        type_error(lambda: named.env(strict="yes"))
        == "strict is a bool (True or False) or None, not str"
    )


def test_fetch_refuses_what_is_no_client() -> None:
    spec = Config().prepare("", campaign="c1")
    assert type_error(lambda: spec.fetch(None)) == "client is a cqlang.Client, not NoneType"


# ------------------------------------------------------------------ strict


@pytest.mark.parametrize("strict", ["yes", 1, 0, ""])
def test_strict_is_a_bool(strict: object) -> None:
    words = type_error(lambda: Config().prepare("", strict=strict))  # type: ignore[arg-type]
    assert words == f"strict is a bool (True or False) or None, not {type(strict).__name__}"


# ------------------------------------------------------------------ the client


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (
            {"timeout": "5"},
            "timeout is a number of seconds (an int or a float) "
            "or a (connect, total) tuple of them, not str",
        ),
        (
            {"timeout": True},
            "timeout is a number of seconds (an int or a float) "
            "or a (connect, total) tuple of them, not bool",
        ),
        (
            {"timeout": (1, 2, 3)},
            "timeout is a number of seconds or a (connect, total) pair of them, not a tuple of 3",
        ),
        ({"max_retries": 2.5}, "max_retries is an int, not float"),
        ({"max_record_size": "x"}, "max_record_size is an int, not str"),
        ({"overlap": "2"}, "overlap is an int, not str"),
        ({"max_relocate": None}, "max_relocate is an int, not NoneType"),
        ({"session": "s"}, "session is a requests.Session or None, not str"),
        ({"on_request": 3}, "on_request is a function or None, not int"),
        ({"api_key": 3}, "api_key is a str or None, not int"),
    ],
)
def test_the_client_refuses_arguments_of_the_wrong_type(
    options: dict[str, Any], words: str
) -> None:
    options = {"api_key": "k", **options}
    assert type_error(lambda: Client("http://127.0.0.1:9", **options)) == words


@pytest.mark.parametrize("options", [{"overlap": 0}, {"max_relocate": -1}, {"max_record_size": 0}])
def test_the_client_refuses_counts_out_of_range(options: dict[str, int]) -> None:
    """overlap=0 was taken for 1 without a word."""
    error = setting_error(lambda: Client("http://127.0.0.1:9", "k", **options))
    assert error.setting == next(iter(options))


def test_voice_campaign_requests_checks_before_sending(emu: Emulator, client: Client) -> None:
    before = len(emu.log)
    assert type_error(lambda: client.voice_campaign_requests(3)) == "campaign_id is a str, not int"  # type: ignore[arg-type]
    assert setting_error(lambda: client.voice_campaign_requests("..")).setting == "campaign_id"
    assert (
        type_error(lambda: client.voice_campaign_requests(C, plan=3))
        == "plan is a cqlang.Plan, not int"
    )
    plan = cqlang.plan("state = OPEN")
    for extra in ({"query": "priority > 3"}, {"tz": "UTC"}, {"params": {}}):
        words = type_error(lambda x=extra: client.voice_campaign_requests(C, plan=plan, **x))
        assert words.startswith("plan= runs a plan made already: give it or ")
    assert len(emu.log) == before


def test_the_arrow_methods_check_their_own_arguments(client: Client) -> None:
    pytest.importorskip("pyarrow")
    assert (
        type_error(lambda: client.iter_batches(C, "", columns=3))
        == "columns is a list of column names, one str of them, or None, not int"
    )
    assert (
        type_error(lambda: client.iter_batches(C, "", columns=["id", 3]))
        == "columns holds column names (str), not int: 3"
    )
    assert (
        type_error(lambda: client.to_arrow(C, "", batch_size=1.5))
        == "batch_size is an int, not float"
    )
    assert setting_error(lambda: client.to_arrow("..", "")).setting == "campaign_id"
    table = client.to_arrow(C, "", columns="id,history", exclude="dialogs", limit=2)
    assert table.num_rows == 2


def test_from_config_takes_a_profile_name(client: Client) -> None:
    assert (
        type_error(lambda: Client.from_config(Config(), profile=3))
        == "profile is a str or None, not int"
    )


def test_the_repl_refuses_a_campaign_it_could_never_fetch() -> None:
    result = CliRunner().invoke(main, ["repl", "--campaign", "a\x07"], input="state = OPEN\n")
    assert result.exit_code == 2
    assert (
        "cqlang: --campaign: a campaign id cannot hold a control character (U+0007" in result.stderr
    )


# -------------------------------------- found by tests/test_python_argument_types.py


@pytest.mark.parametrize("name", ["a\x00b", "x\ud800"])
def test_a_config_path_no_file_can_have_is_a_config_error(name: str) -> None:
    """os.open raised ValueError (a NUL) or UnicodeEncodeError (a lone
    surrogate) out of Config.load."""
    with pytest.raises(cqlang.ConfigError, match="cannot be a file name"):
        Config.load(name, env={})


def test_an_exclude_name_with_a_lone_surrogate_or_a_control_character(
    emu: Emulator, client: Client, tmp_path: Any
) -> None:
    """A lone surrogate was sent to the encoder (UnicodeEncodeError when the
    records were read); a control character was sent as it is."""
    before = len(emu.log)
    for name in ("x\ud800", "a\x07"):
        for call in (
            lambda n=name: Config().prepare("", exclude=[n]),
            lambda n=name: client.voice_campaign_requests(C, "", exclude=[n]),
        ):
            assert setting_error(call).setting == "exclude"
    assert len(emu.log) == before
    config = tmp_path / "c.toml"
    config.write_text('[queries.q]\nquery = "state = OPEN"\nexclude = ["a\\u0007"]\n')
    with pytest.raises(cqlang.ConfigError, match="control character"):
        Config.load(config, env={})
