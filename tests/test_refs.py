"""Named queries that refer to each other (issue 16, item 8): the expansion is
walked with explicit stacks, cycles are one error naming their members, and
the expanded query keeps the limits of a typed one."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import cqlang
from cqlang.cli import main
from cqlang.parser import MAX_DEPTH, MAX_QUERY_CHARS
from cqlang.refs import MAX_REF_DEPTH


def codes(text: str, queries: dict[str, str]) -> list[str]:
    return [d.code for d in cqlang.check(text, queries=queries)]


def chain(n: int) -> dict[str, str]:
    """@q0 -> @q1 -> ... -> @q{n-1} -> a predicate."""
    queries = {f"q{i}": f"@q{i + 1}" for i in range(n - 1)}
    queries[f"q{n - 1}"] = "state = OPEN"
    return queries


def test_a_chain_within_the_limit_inlines() -> None:
    assert cqlang.compile("@q0", queries=chain(MAX_REF_DEPTH)) == [
        {"property": "state", "value": ["OPEN"]}
    ]


def test_a_chain_of_500_references_is_cql121_not_a_recursion_error() -> None:
    assert sys.getrecursionlimit() < 5000  # what a recursive expansion would exhaust
    for n in (MAX_REF_DEPTH + 1, 500, 5000):
        text = "priority > 1 and @q0"
        (diag,) = cqlang.check(text, queries=chain(n))
        assert diag.code == "CQL121"
        assert f"{n} deep" in diag.message and f"limit is {MAX_REF_DEPTH}" in diag.message
        assert text[diag.start : diag.end] == "@q0"
        assert diag.hint is not None and diag.hint.startswith("the chain: @q0 -> @q1 -> ")
        with pytest.raises(cqlang.CqlValidationError):
            cqlang.plan(text, queries=chain(n))


@pytest.mark.parametrize("n", [1, 2, 3, 500, 5000])
def test_a_cycle_is_one_error_naming_its_members(n: int) -> None:
    queries = {f"q{i}": f"@q{(i + 1) % n} or state = OPEN" for i in range(n)}
    text = "@q0 and @q0 and priority > 1"
    (diag,) = cqlang.check(text, queries=queries)
    assert diag.code == "CQL116"
    assert (diag.start, diag.end) == (0, 3)  # the first reference that reaches it
    members = " -> ".join(f"@q{i}" for i in range(n))
    if n <= 12:
        assert diag.message.endswith(f"in a cycle: {members} -> @q0")
    else:
        assert f"… {n - 12} more …" in diag.message and f"({n} named queries)" in diag.message
        assert diag.message.count("@q") == 13


def test_a_cycle_reached_through_another_query_is_named_alone() -> None:
    queries = {"top": "@a and state = OPEN", "a": "@b", "b": "@a"}
    (diag,) = cqlang.check("@top", queries=queries)
    assert diag.code == "CQL116" and diag.message.endswith("@a -> @b -> @a")


def doubling(n: int) -> dict[str, str]:
    """Each query is the one before it, twice: @q{n} inlines 2**n copies."""
    queries = {"q0": "state = OPEN and priority > 3"}
    for i in range(1, n):
        queries[f"q{i}"] = f"@q{i - 1} or @q{i - 1}"
    return queries


def test_a_doubling_config_fails_with_the_size_before_expanding() -> None:
    """A config of 30 queries, each the one before it twice: @q19 would be
    17 million characters. The size is counted per name, never by expanding."""
    queries = doubling(30)
    (diag,) = cqlang.check("@q19", queries=queries)
    assert diag.code == "CQL120"
    assert f"the limit is {MAX_QUERY_CHARS:,}" in diag.message
    assert "@q19 expands to 17,301,500 characters" in diag.message
    size = len(queries["q0"])
    for i in range(1, 30):  # each reference replaced by its query's text
        ref = f"@q{i - 1}"
        size = len(queries[f"q{i}"]) - 2 * len(ref) + 2 * size
    (diag,) = cqlang.check("@q29", queries=queries)
    assert diag.code == "CQL120" and f"@q29 expands to {size:,} characters" in diag.message
    # Within the limit it inlines, as a typed query of that size would.
    assert codes("@q10", queries) == []


def test_references_within_the_limit_that_pass_it_together() -> None:
    queries = doubling(16)  # @q14 is about half the limit
    text = "@q14 and @q14 and state = OPEN"
    (diag,) = cqlang.check(text, queries=queries)
    assert diag.code == "CQL120" and "with its named queries inlined the query is" in diag.message
    assert (diag.start, diag.end) == (0, len("@q14 and @q14"))


def test_nesting_after_inlining_keeps_the_typed_limit() -> None:
    # 50 levels of alternating and/or around the reference, 60 of `not` in it.
    deep = "@inner"
    for i in range(50):
        deep = f"(priority > {i} {'and' if i % 2 else 'or'} {deep})"
    queries = {"inner": "not " * 60 + "priority = 3", "outer": deep}
    assert cqlang.parse(deep) and cqlang.parse(queries["inner"])  # each alone is fine
    (diag,) = cqlang.check("@outer", queries=queries)
    assert diag.code == "CQL120" and f"the limit is {MAX_DEPTH}" in diag.message
    assert "levels deep" in diag.message


def test_a_named_query_that_does_not_parse_is_reported_once_on_the_reference() -> None:
    queries = {"bad": "state = = OPEN", "top": "@bad or @bad"}
    found = cqlang.check("@top", queries=queries)
    assert [d.code for d in found] == ["CQL001", "CQL001"]  # one per place it is inlined
    assert all((d.start, d.end) == (0, 4) for d in found)


# --------------------------------------------------------- from the command line


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for var in ("CQLANG_CONFIG", "CONPEEK_URL", "CONPEEK_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def toml(queries: dict[str, str]) -> str:
    return "".join(f'[queries.{k}]\nquery = "{v}"\n' for k, v in queries.items())


def test_the_cli_refuses_the_doubling_config_with_the_size(work: Path) -> None:
    (work / "cqlang.toml").write_text(toml(doubling(30)), encoding="utf-8")
    for command in ("compile", "explain", "check"):
        r = CliRunner().invoke(main, [command, "@q19"])
        assert r.exit_code == 1, r.output
        # @q19 is the text of q19, "@q18 or @q18": the first reference is
        # already past the limit, shown where the file says it.
        assert "error[CQL120]: @q18 expands to 8,650,748 characters" in r.stderr


def test_the_cli_reports_a_long_cycle_once(work: Path) -> None:
    queries = {f"c{i}": f"@c{(i + 1) % 500}" for i in range(500)}
    (work / "cqlang.toml").write_text(toml(queries), encoding="utf-8")
    r = CliRunner().invoke(main, ["compile", "@c0"])
    assert r.exit_code == 1 and r.stderr.count("error[CQL116]") == 1, r.output


@pytest.mark.parametrize(
    "deep", ["x = " + "[" * 900 + "]" * 900, "x = " + "{a = " * 900 + "1" + "}" * 900]
)
def test_a_config_nested_900_deep_is_a_config_error(work: Path, deep: str) -> None:
    (work / "cqlang.toml").write_text(deep + "\n", encoding="utf-8")
    for args in (["compile", "state = OPEN"], ["config"], ["queries", "list"]):
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 2, (args, r.output)
        assert "nested more than 32 deep" in r.stderr and "internal error" not in r.stderr


def test_references_come_from_the_tree() -> None:
    from cqlang.refs import lone_reference, references_in

    assert references_in('@a and (custom.x = "@b" or not @c) and @a  # @d') == ("a", "c")
    # Not a query: the references before the mistake.
    assert references_in("@a and @b and (") == ("a", "b")
    assert references_in("state = OPEN") == ()
    assert lone_reference("  (@hot)  # the hot ones\n") == "hot"
    assert lone_reference("@hot and state = OPEN") is None
    assert lone_reference('"@hot"') is None and lone_reference("@") is None


@pytest.mark.parametrize("cycle", [False, True], ids=["chain", "cycle"])
def test_queries_check_parses_each_named_query_once(
    cycle: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checking every query of a config parsed each named query once per
    query reaching it (a chain of 1,000 took 11 s): now once per config.
    Counted, not timed (benchmarks/bench_refs.py times it)."""
    from cqlang import refs

    n = 300
    queries = {f"c{i}": f"@c{(i + 1) % n}" for i in range(n)} if cycle else chain(n)
    path = tmp_path / "c.toml"
    path.write_text(toml(queries), encoding="utf-8")
    made: list[str] = []

    class Counted(refs.Named):
        __slots__ = ()

        def __init__(self, name: str, entry: object) -> None:
            made.append(name)
            super().__init__(name, entry)

    monkeypatch.setattr(refs, "Named", Counted)
    findings = cqlang.Config.load(path).lint()
    assert len(made) == len(set(made)) >= n - 1  # each named query parsed once
    code = "CQL116" if cycle else "CQL121"
    assert {f.diagnostic.code for f in findings} == {code}
    assert len(findings) == (1 if cycle else n - MAX_REF_DEPTH - 1)  # a cycle: once
    if not cycle:
        hints = {f.diagnostic.hint for f in findings}
        assert all(h and h.endswith(" -> … (its first 33 named queries)") for h in hints)


def test_queries_check_reports_a_cycle_once(tmp_path: Path) -> None:
    """A cycle is one error naming its members, not one per member; a query
    outside the cycle that refers into it is still reported."""
    n = 40
    text = "".join(f'[queries.c{i}]\nquery = "@c{(i + 1) % n}"\n' for i in range(n))
    text += '[queries.outside]\nquery = "@c7 and priority > 1"\n'
    config = tmp_path / "cqlang.toml"
    config.write_text(text, encoding="utf-8")
    config.chmod(0o600)
    result = CliRunner().invoke(main, ["--config", str(config), "queries", "check"], env={})
    assert result.exit_code == 1, result.output
    assert result.output.count("error[CQL116]") == 2, result.output
    assert "(query 'c0')" in result.output and "(query 'outside')" in result.output
    assert f"{n + 1} queries in 1 file: 2 errors" in result.output
