"""Every query example in the docs is run, and must do what the docs claim.

Conventions in the Markdown files (README.md and docs/*.md):

* a ```` ```cqlang ```` block followed by a ```` ```json ```` block: the query
  compiles to exactly that filter list;
* ```` ```cqlang plan ```` followed by ```` ```json ````: ``cqlang.plan`` gives
  those requests (``"requests"``: a list of filter lists) and residual text;
* ```` ```cqlang error=CODE ````: checking the query reports that code;
* any other ```` ```cqlang ```` block: the query checks without an error;
* ```` ```filter ```` followed by ```` ```cqlang ````: decompiling gives that text;
* ```` ```pycon ```` blocks run as doctests;
* ```` ```console ```` blocks: each ``$ cqlang compile|check|fmt|decompile|explain
  ...`` line is run and its output must equal the lines after it.

Info-string options: ``tz=ZONE``, ``params=JSON``; ``emulator``: the block
talks to ``cqlang emulator --port 8080`` (1,000 records, seed 1): one is
started on a free port and its URL put in place of ``http://127.0.0.1:8080``,
with ``CONPEEK_URL``/``CONPEEK_KEY`` set, and ``$ cqlang fetch`` lines run
too (in an empty folder, with no config file); ``norun``: an example of
another library (pandas, DuckDB), shown, not run. The clock is always
2026-11-28 12:00:00 UTC.
"""

from __future__ import annotations

import json
import re
import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cqlang
from cqlang.cli import main
from cqlang.diagnostics import CODES
from cqlang.emulator import Emulator
from cqlang.schema import property_table

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
RUNNABLE = {"compile", "check", "fmt", "decompile", "explain"}
#: The emulator's address in the docs (`cqlang emulator --port 8080`).
DOCS_URL = "http://127.0.0.1:8080"

_FENCE = re.compile(r"^( *)```([^\n`]*)\n(.*?)^\1```", re.S | re.M)


def blocks(path: Path) -> list[tuple[str, dict[str, Any], str, int]]:
    """(language, options, body, line) for every fenced block of a file."""
    text = path.read_text(encoding="utf-8")
    out = []
    for m in _FENCE.finditer(text):
        indent = len(m.group(1))
        info = m.group(2).split()
        lang = info[0] if info else ""
        opts: dict[str, Any] = {}
        for item in info[1:]:
            key, _, value = item.partition("=")
            opts[key] = json.loads(value) if value.startswith(("[", "{")) else (value or True)
        body = "\n".join(line[indent:] for line in m.group(3).splitlines())
        out.append((lang, opts, body, text.count("\n", 0, m.start()) + 1))
    return out


def examples() -> list[Any]:
    cases = []
    for path in DOCS:
        bs = blocks(path)
        for i, (lang, opts, body, line) in enumerate(bs):
            nxt = bs[i + 1] if i + 1 < len(bs) else None
            ident = f"{path.name}:{line}"
            if lang in ("cqlang", "filter", "console", "pycon"):
                cases.append(pytest.param(lang, opts, body, nxt, id=ident))
    return cases


def inputs(opts: dict[str, Any]) -> dict[str, Any]:
    schema = cqlang.DEFAULT_SCHEMA
    if "custom" in opts:
        schema = schema.with_custom_fields(opts["custom"], strict=bool(opts.get("strict")))
    return {
        "tz": opts.get("tz"),
        "params": opts.get("params"),
        "now": NOW,
        "schema": schema,
        "queries": opts.get("queries"),
    }


def codes_of(body: str, kw: dict[str, Any]) -> list[str]:
    """Codes that check reports, or that the strict compile raises."""
    codes = [d.code for d in cqlang.check(body, **kw)]
    try:
        cqlang.compile(body, **kw)
    except cqlang.CqlError as exc:
        codes += [d.code for d in exc.diagnostics]
    return codes


@pytest.fixture(scope="module")
def docs_emulator() -> Any:
    with Emulator(records=1000, seed=1) as emu:
        yield emu


@pytest.mark.parametrize(("lang", "opts", "body", "nxt"), examples())
def test_doc_example(
    lang: str, opts: dict[str, Any], body: str, nxt: Any, request: pytest.FixtureRequest
) -> None:
    if opts.get("norun"):
        return
    url = request.getfixturevalue("docs_emulator").url if opts.get("emulator") else None
    if lang == "console":
        if url is not None:  # files it writes go to an empty folder
            request.getfixturevalue("monkeypatch").chdir(request.getfixturevalue("tmp_path"))
        run_console(body, url)
        return
    if lang == "pycon":
        run_pycon(body if url is None else body.replace(DOCS_URL, url))
        return
    if lang == "filter":
        if "error" in opts:
            with pytest.raises(cqlang.CqlError) as info:
                cqlang.decompile(body)
            assert info.value.diagnostics[0].code == opts["error"]
            return
        assert nxt is not None and nxt[0] == "cqlang", "a filter block is followed by its query"
        assert cqlang.decompile(body) == nxt[2].strip()
        return
    kw = inputs(opts)
    if "error" in opts:
        codes = codes_of(body, kw)
        assert opts["error"] in codes, codes
        return
    errors = [d for d in cqlang.check(body, **kw) if d.severity == "error"]
    assert not errors, errors
    if nxt is not None and nxt[0] == "json":
        expected = json.loads(nxt[2])
        if "plan" in opts:
            plan = cqlang.plan(body, **kw)
            assert plan.branches == expected["requests"]
            assert (plan.residual.text if plan.residual else None) == expected.get("residual")
        else:
            assert cqlang.compile(body, **kw) == expected


def run_pycon(body: str) -> None:
    """Run a ```pycon block as a doctest."""
    import doctest

    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    test = doctest.DocTestParser().get_doctest(body, {"cqlang": cqlang}, "docs", None, 0)
    runner = doctest.DocTestRunner(optionflags=flags)
    out: list[str] = []
    runner.run(test, out=out.append)
    assert runner.failures == 0, "".join(out)


def run_console(body: str, url: str | None = None) -> None:
    """Run a console block; with ``url`` (an emulator's), ``fetch`` too, in
    the current folder (an empty one)."""
    if url is not None:
        body = body.replace(DOCS_URL, url)
        config = Path("empty.toml").resolve()
        config.write_text("", encoding="utf-8")
        env = {"CONPEEK_URL": url, "CONPEEK_KEY": "demo-key", "CQLANG_CONFIG": str(config)}
        _run_lines(CliRunner(env=env), body, RUNNABLE | {"fetch"})
        return
    _run_lines(CliRunner(), body, RUNNABLE)


def _run_lines(runner: CliRunner, body: str, runnable: set[str]) -> None:
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.startswith("$ cqlang "):
            continue
        expected = []
        while i < len(lines) and not lines[i].startswith("$ "):
            expected.append(lines[i])
            i += 1
        args = shlex.split(line[len("$ cqlang ") :])
        if not args or args[0] not in runnable:
            continue
        result = runner.invoke(main, args)
        got = (result.stdout + result.stderr).rstrip("\n").splitlines()
        assert got == [e for e in expected], f"{line}\n{result.stdout}{result.stderr}"


def test_property_table_matches_schema() -> None:
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- properties:begin -->\n(.*?)\n<!-- properties:end -->", text, re.S)
    assert m is not None
    table = property_table()
    # On a failure (a property added to the schema), the message is the
    # table to paste between the markers.
    assert m.group(1) == table, (
        "docs/language.md's property table is not the schema's: put these rows "
        "between <!-- properties:begin --> and <!-- properties:end -->:\n" + table
    )


def test_every_code_is_documented_with_an_example() -> None:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^### (CQL\d{3})", text, re.M))
    assert documented == set(CODES)
    shown = {opts.get("error") for _, opts, _, _ in blocks(ROOT / "docs" / "errors.md")}
    # A 1 MB query and a wrong Python argument have no example block.
    assert set(CODES) - shown == {"CQL006", "CQL117"}
