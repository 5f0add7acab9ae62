"""The language server end to end: a real LSP client (pytest-lsp) talks to
`python -m cqlang lsp` over stdio, on query files (.cql) and on a
cqlang.toml, with positions in UTF-16 code units as LSP counts them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_lsp
from lsp_support import (
    CONFIG,
    SERVER,
    diagnostics_of,
    init_params,
    make_client,
    make_workspace,
    position_of,
    record_diagnostics,
    server_env,
    temp_root,
    uri_of,
    utf16,
)
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient

import cqlang
from cqlang.highlight import CqlangLexer
from cqlang.lsp.tokens import LEGEND, classify

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROOT = temp_root()
WS = make_workspace(ROOT)
TOML = WS / "cqlang.toml"
PUBLISHED: dict[Any, Any] = {}


def _client() -> LanguageClient:
    client = make_client()
    PUBLISHED.clear()
    PUBLISHED["log"] = record_diagnostics(client)
    return client


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(
        server_command=SERVER, server_env=server_env(ROOT / "home"), client_factory=_client
    ),
)
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    await lsp_client.initialize_session(init_params(WS))
    yield
    await lsp_client.shutdown_session()


_versions: dict[str, int] = {}


async def open_doc(client: LanguageClient, name: str, text: str) -> tuple[str, list[Any]]:
    """Open (or replace) a document of the workspace; its diagnostics."""
    path = WS / name
    uri = uri_of(path)
    version = _versions.get(uri, 0) + 1
    _versions[uri] = version
    if version == 1:
        lang = "toml" if name.endswith(".toml") else "cqlang"
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id=lang, version=version, text=text
                )
            )
        )
    else:
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
    return uri, await diagnostics_of(PUBLISHED["log"], uri, version)


def _doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


# ------------------------------------------------------------ diagnostics


async def test_diagnostics_of_a_query_file(client: LanguageClient) -> None:
    text = "state = OPEN\nand prioirty > 3  # a typo"
    _uri, diags = await open_doc(client, "typo.cql", text)
    assert len(diags) == 1
    d = diags[0]
    assert d.code == "CQL101"
    assert d.severity == types.DiagnosticSeverity.Error
    assert d.range == types.Range(
        start=types.Position(line=1, character=4), end=types.Position(line=1, character=12)
    )
    assert d.code_description is not None
    assert d.code_description.href.endswith("docs/errors.md#cql101")
    assert d.related_information is not None
    assert d.related_information[0].message == "did you mean 'priority'?"
    assert d.data == {"suggestion": "priority"}
    # Equal to cqlang.check of the text, as the command line says it.
    assert [x.message for x in diags] == [x.message for x in cqlang.check(text)]


async def test_diagnostic_columns_count_utf16_after_emoji_and_polish_letters(
    client: LanguageClient,
) -> None:
    text = 'close_reason = "zażółć gęślą jaźń 😀🇵🇱" and prioirty > 3'
    _uri, diags = await open_doc(client, "utf16.cql", text)
    assert [d.code for d in diags] == ["CQL101"]
    start = text.index("prioirty")
    assert diags[0].range.start == types.Position(line=0, character=utf16(text[:start]))
    assert utf16(text[:start]) == start + 3  # the emoji and the flag take 2 units more each
    assert diags[0].range.end.character == diags[0].range.start.character + len("prioirty")


async def test_diagnostics_inside_a_multiline_toml_string(client: LanguageClient) -> None:
    _uri, diags = await open_doc(client, "cqlang.toml", CONFIG)
    by_code = {}
    for d in diags:
        by_code.setdefault(d.code, []).append(d)
    typos = by_code["CQL101"]
    # In the multi-line string, after "żółw 🐢": line and UTF-16 column.
    assert typos[0].range.start == position_of(CONFIG, "prioirty", 0)
    assert typos[0].range.end.character - typos[0].range.start.character == len("prioirty")
    # In a basic string with escapes: the column in the file, escapes counted.
    assert typos[1].range.start == position_of(CONFIG, "prioirty", 1)
    assert len(typos) == 2


async def test_config_mistakes_are_diagnostics(client: LanguageClient) -> None:
    text = (
        CONFIG.replace("timezone =", "timezon =")
        + '\n[queries.worse]\nquery = "x = 1"\nlimit = "ten"\n'
    )
    _uri, diags = await open_doc(client, "cqlang.toml", text)
    config = [d for d in diags if d.code is None]
    messages = sorted(d.message for d in config)
    assert messages == [
        "expected an integer, got a string",
        "unknown key 'timezon' (did you mean 'timezone'?)",
    ]
    unknown = next(d for d in config if "timezon" in d.message)
    assert unknown.range.start == position_of(text, "timezon =")
    assert unknown.severity == types.DiagnosticSeverity.Error
    # The queries are still checked.
    assert any(d.code == "CQL101" for d in diags)
    await open_doc(client, "cqlang.toml", CONFIG)


async def test_a_config_change_rechecks_the_query_files(client: LanguageClient) -> None:
    _uri, diags = await open_doc(client, "refs.cql", "@hot and custom.regoin = PL")
    assert [d.code for d in diags] == ["CQL102"]
    assert diags[0].data == {"suggestion": "custom.region"}
    uri2, before = await open_doc(client, "unknown.cql", "@newq")
    assert [d.code for d in before] == ["CQL115"]
    # Define @newq in the (unsaved) cqlang.toml: the query file is checked again.
    mark = len(PUBLISHED["log"].events) - 1
    await open_doc(client, "cqlang.toml", CONFIG + '\n[queries.newq]\nquery = "state = OPEN"\n')
    again = await diagnostics_of(PUBLISHED["log"], uri2, _versions[uri2], after=mark)
    assert again == []
    await open_doc(client, "cqlang.toml", CONFIG)


# ------------------------------------------------------------- completion


async def test_completion_in_a_query_file(client: LanguageClient) -> None:
    text = "sta"
    uri, _ = await open_doc(client, "complete.cql", text)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=_doc(uri), position=types.Position(line=0, character=3)
        )
    )
    assert result is not None
    items = result.items if isinstance(result, types.CompletionList) else result
    first = items[0]
    assert first.label == "state"
    assert first.kind == types.CompletionItemKind.Field
    assert isinstance(first.documentation, types.MarkupContent)
    assert "OPEN" in first.documentation.value and "operators" in first.documentation.value
    assert first.text_edit is not None and first.text_edit.new_text == "state"

    text = "@hot and custom."
    uri, _ = await open_doc(client, "complete.cql", text)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=_doc(uri), position=types.Position(line=0, character=len(text))
        )
    )
    labels = [i.label for i in result.items]  # type: ignore[union-attr]
    assert {"region", "score"} <= set(labels)

    text = "state = OPEN and @"
    uri, _ = await open_doc(client, "complete.cql", text)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=_doc(uri), position=types.Position(line=0, character=len(text))
        )
    )
    items = result.items  # type: ignore[union-attr]
    hot = next(i for i in items if i.label == "@hot")
    assert hot.kind == types.CompletionItemKind.Reference
    assert "Open, important" in hot.documentation.value  # type: ignore[union-attr]


async def test_completion_in_a_toml_string_is_escaped_for_it(client: LanguageClient) -> None:
    text = CONFIG + '\n[queries.typing]\nquery = "state = OPEN and custom["\n'
    uri, _ = await open_doc(client, "cqlang.toml", text)
    at = position_of(text, 'custom["\n')
    at = types.Position(line=at.line, character=at.character + len("custom["))
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=_doc(uri), position=at)
    )
    items = {i.label: i for i in result.items}  # type: ignore[union-attr]
    assert items['"lead source"]'].text_edit.new_text == '\\"lead source\\"]'  # type: ignore[union-attr]
    await open_doc(client, "cqlang.toml", CONFIG)


# ------------------------------------------------------------------ hover


async def _hover(client: LanguageClient, uri: str, at: types.Position) -> str:
    result = await client.text_document_hover_async(
        types.HoverParams(text_document=_doc(uri), position=at)
    )
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


async def test_hover(client: LanguageClient) -> None:
    text = "priority >= 3 and @hot and created_date >= 2021-08-10 and closed_date < today - 7d"
    uri, _ = await open_doc(client, "hover.cql", text)
    prop = await _hover(client, uri, position_of(text, "priority"))
    assert "integer" in prop and "`between`" in prop
    assert "`is null`, `is not null`" in prop  # every property takes the null tests
    ref = await _hover(client, uri, position_of(text, "@hot"))
    assert "Open, important" in ref and "state = OPEN and priority >= $min" in ref
    # A date in the config's zone (Europe/Warsaw), as the UTC interval it means.
    day = await _hover(client, uri, position_of(text, "2021-08-10"))
    assert "2021-08-09 22:00:00" in day and "2021-08-10 21:59:59" in day
    rel = await _hover(client, uri, position_of(text, "today"))
    assert "2021-08-02 22:00:00" in rel  # the clock is 2021-08-10 12:00 UTC
    op = await _hover(client, uri, position_of(text, ">="))
    assert "at least" in op and "gte" in op
    whole = await _hover(client, uri, position_of(text, "and"))
    assert "1 request" in whole and "filter=" in whole


# ------------------------------------------------------------- formatting


async def test_document_formatting_keeps_comments(client: LanguageClient) -> None:
    text = "# saved\nSTATE=open AND (priority>=3 # why\n OR dialing_method == PREVIEW)"
    uri, _ = await open_doc(client, "fmt.cql", text)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=_doc(uri), options=types.FormattingOptions(tab_size=4, insert_spaces=True)
        )
    )
    assert edits is not None and len(edits) == 1
    assert edits[0].new_text == cqlang.format(text) + "\n"
    assert "# why" in edits[0].new_text


async def test_range_formatting_in_toml_touches_one_query(client: LanguageClient) -> None:
    text = CONFIG + '\n[queries.ugly]\nquery = "STATE=open AND priority>=3"\n'
    uri, _ = await open_doc(client, "cqlang.toml", text)
    at = position_of(text, "STATE=open")
    edits = await client.text_document_range_formatting_async(
        types.DocumentRangeFormattingParams(
            text_document=_doc(uri),
            range=types.Range(start=at, end=at),
            options=types.FormattingOptions(tab_size=4, insert_spaces=True),
        )
    )
    assert edits is not None and len(edits) == 1
    assert edits[0].new_text == '"STATE = open and priority >= 3"'
    assert edits[0].range.start.line == at.line
    whole = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=_doc(uri), options=types.FormattingOptions(tab_size=4, insert_spaces=True)
        )
    )
    assert whole is not None and len(whole) >= 1
    await open_doc(client, "cqlang.toml", CONFIG)


# ----------------------------------------------------------- code actions


async def _actions(client: LanguageClient, uri: str, at: types.Position) -> list[Any]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=_doc(uri),
            range=types.Range(start=at, end=at),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    return list(result or [])


async def test_quick_fix_from_the_suggestion(client: LanguageClient) -> None:
    text = "prioirty > 3 and state = OPNE"
    uri, _ = await open_doc(client, "fix.cql", text)
    actions = await _actions(client, uri, position_of(text, "OPNE"))
    fix = next(a for a in actions if a.kind == types.CodeActionKind.QuickFix)
    assert fix.title == "Replace with 'OPEN'"
    (edit,) = fix.edit.changes[uri]
    assert edit.new_text == "OPEN" and edit.range.start == position_of(text, "OPNE")


async def test_a_name_after_a_sigil_is_pointed_at_and_fixed(client: LanguageClient) -> None:
    """The server shows the parser's own diagnostics: the caret on what is
    wrong after `@`, and `@ hot`'s fix (tests/test_sigil_names.py)."""
    text = "state = OPEN and @ hot"
    uri, diags = await open_doc(client, "sigil.cql", text)
    assert [d.message for d in diags] == [x.message for x in cqlang.check(text)]
    assert diags[0].message == "a named query's name goes right after @ (no space)"
    assert diags[0].range.start == position_of(text, "@")
    actions = await _actions(client, uri, position_of(text, "@"))
    fix = next(a for a in actions if a.kind == types.CodeActionKind.QuickFix)
    assert fix.title == "Replace with '@hot'"
    _uri, diags = await open_doc(client, "sigil.cql", "@żółw")
    assert diags[0].message == "'ż' cannot be in a named query's name"
    assert diags[0].range.start == types.Position(line=0, character=1)


async def test_quick_fix_and_expand_in_toml(client: LanguageClient) -> None:
    uri, _ = await open_doc(client, "cqlang.toml", CONFIG)
    actions = await _actions(client, uri, position_of(CONFIG, "prioirty", 1))
    fix = next(a for a in actions if a.kind == types.CodeActionKind.QuickFix)
    (edit,) = fix.edit.changes[uri]
    # The whole basic string is written again, escapes kept right.
    assert edit.new_text == '"custom[\\"lead source\\"] = \\"web\\" and priority > 1"'
    actions = await _actions(client, uri, position_of(CONFIG, "@hot"))
    expand = next(a for a in actions if a.title == "Expand @hot")
    (edit,) = expand.edit.changes[uri]
    assert edit.new_text == "'(state = OPEN and priority >= $min) and custom.region = PL'"


# ------------------------------------------------- definition, references


async def test_definition_and_references_of_a_named_query(client: LanguageClient) -> None:
    await open_doc(client, "cqlang.toml", CONFIG)
    text = "@hot or priority > 1"
    uri, _ = await open_doc(client, "def.cql", text)
    where = await client.text_document_definition_async(
        types.DefinitionParams(text_document=_doc(uri), position=position_of(text, "@hot"))
    )
    assert isinstance(where, types.Location)
    assert where.uri == uri_of(TOML)
    assert where.range.start == position_of(CONFIG, "[queries.hot]")
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=_doc(uri),
            position=position_of(text, "@hot"),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    found = {(r.uri, r.range.start.line, r.range.start.character) for r in refs or []}
    toml = uri_of(TOML)
    for needle in ("[queries.hot]", "@hot"):
        at = position_of(CONFIG, needle)
        assert (toml, at.line, at.character) in found
    assert (uri, 0, 0) in found
    saved = uri_of(WS / "sub" / "saved.cql")
    assert (saved, 0, 0) in found  # a .cql file of the workspace, not open


# -------------------------------------------------------- semantic tokens


def _decode(data: list[int], text: str) -> list[tuple[str, str]]:
    lines = text.split("\n")
    out = []
    line = char = 0
    for i in range(0, len(data), 5):
        dl, dc, length, typ, _ = data[i : i + 5]
        line += dl
        char = char + dc if dl == 0 else dc
        encoded = lines[line].encode("utf-16-le")
        piece = encoded[2 * char : 2 * (char + length)].decode("utf-16-le")
        out.append((piece, LEGEND.token_types[typ]))
    return out


async def test_semantic_tokens_follow_the_pygments_lexer(client: LanguageClient) -> None:
    text = (
        'state = OPEN and custom.note = "ż 😀" # hi\nand created_date >= today - 7d and $p = @hot'
    )
    uri, _ = await open_doc(client, "tokens.cql", text)
    result = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=_doc(uri))
    )
    assert result is not None
    got = _decode(list(result.data), text)
    expected = []
    for _, kind, value in CqlangLexer().get_tokens_unprocessed(text):
        c = classify(kind)
        if c is not None and value.strip():
            expected.append((value, LEGEND.token_types[c[0]]))
    assert got == expected
    assert ("state", "property") in got and ("OPEN", "enumMember") in got
    assert ("@hot", "macro") in got and ("# hi", "comment") in got


async def test_semantic_tokens_in_toml_cover_only_queries(client: LanguageClient) -> None:
    uri, _ = await open_doc(client, "cqlang.toml", CONFIG)
    result = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=_doc(uri))
    )
    got = _decode(list(result.data), CONFIG)  # type: ignore[union-attr]
    assert ("prioirty", "variable") in got
    assert ("żółw 🐢", "string") in got
    assert not any(piece == "Open, important" for piece, _ in got)


# ------------------------------------------------------------------ plans


async def test_code_lens_and_explain_command(client: LanguageClient) -> None:
    text = 'state = OPEN or priority > 5 and close_reason != "busy"'
    uri, _ = await open_doc(client, "plan.cql", text)
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=_doc(uri))
    )
    assert lenses is not None and len(lenses) == 1
    assert lenses[0].command.title == "2 requests + client-side check"  # type: ignore[union-attr]
    assert lenses[0].command.command == "cqlang.explain"  # type: ignore[union-attr]
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="cqlang.explain", arguments=[uri])
    )
    schema = cqlang.Config.load(TOML).schema
    plan = cqlang.plan(text, schema=schema, tz="Europe/Warsaw")
    assert result["text"] == plan.explain()
    assert result["summary"] == "2 requests + client-side check"
    assert json.dumps(result["plan"]["requests"]) == json.dumps(plan.to_json()["requests"])


async def test_code_lens_of_each_named_query(client: LanguageClient) -> None:
    uri, published = await open_doc(client, "cqlang.toml", CONFIG)
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=_doc(uri))
    )
    titles = [lens.command.title for lens in lenses or []]  # type: ignore[union-attr]
    assert titles == ["1 request", "no plan: 1 error", "no plan: 1 error", "1 request"]
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="cqlang.explain", arguments=[uri, "bad"])
    )
    assert result["diagnostics"][0]["code"] == "CQL101"
    # Its LSP range is where publishDiagnostics puts it: the file's line and
    # UTF-16 units (after "żółw 🐢"), not the query's 1-based code points.
    line = CONFIG.split("\n").index('and close_reason = "żółw 🐢" and prioirty >= 3')
    (shown,) = [d for d in published if d.code == "CQL101" and d.range.start.line == line]
    start, end = shown.range.start, shown.range.end
    assert result["diagnostics"][0]["range"] == {
        "start": {"line": start.line, "character": start.character},
        "end": {"line": end.line, "character": end.character},
    }
    assert result["diagnostics"][0]["line"] == 2  # the query's second line, as the CLI says


# ------------------------------------------------------------- robustness


async def test_bad_requests_are_answered_with_errors_and_the_server_goes_on(
    client: LanguageClient,
) -> None:
    missing = uri_of(WS / "nowhere" / "missing.cql")
    with pytest.raises(JsonRpcException):
        await client.text_document_hover_async(
            types.HoverParams(
                text_document=_doc(missing), position=types.Position(line=0, character=0)
            )
        )
    with pytest.raises(JsonRpcException):
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="cqlang.explain", arguments=[42, {"x": 1}])
        )
    text = "state = OPEN"
    uri, diags = await open_doc(client, "after.cql", text)
    assert diags == []
    far = types.Position(line=99, character=999)
    await client.text_document_hover_async(types.HoverParams(text_document=_doc(uri), position=far))
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=_doc(uri), position=far)
    )
    assert result is not None


async def test_a_toml_file_that_is_no_config_file_is_left_alone(client: LanguageClient) -> None:
    text = '[package]\nname = "x"\n\n[queries.a]\nquery = "prioirty > 1"\n'
    uri, diags = await open_doc(client, "Cargo.toml", text)
    assert diags == []
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=_doc(uri))
    )
    assert not lenses


async def test_a_config_mistake_covers_a_quoted_key_whole(client: LanguageClient) -> None:
    """The span of a mistake about a key ends where the TOML scan saw the
    key end (Layout.key_ends): a basic string with an escaped quote and a
    ``#`` in it, a literal string with a dot in it; of a dotted key whose
    table is unknown, its first part."""
    text = CONFIG.replace(
        'timezone = "Europe/Warsaw"\n',
        'timezone = "Europe/Warsaw"\n"time \\"zone\\" # x" = 1 # c\n\'odd.key\' = 2\n'
        'deep."a b" = 3\n',
    )
    _uri, diags = await open_doc(client, "cqlang.toml", text)
    spans = {}
    for d in diags:
        if d.code is None:
            assert d.range.start.line == d.range.end.line
            line = text.split("\n")[d.range.start.line]
            spans[line[d.range.start.character : d.range.end.character]] = d.message
    assert set(spans) == {'"time \\"zone\\" # x"', "'odd.key'", "deep"}, spans
    await open_doc(client, "cqlang.toml", CONFIG)


async def test_a_config_mistake_covers_the_name_it_is_about(client: LanguageClient) -> None:
    text = (
        CONFIG.replace("timezone =", "timezon =")
        + '\n[wrongtable]\nx = 1\n\n["also wrong"] # why\n\n[queries.worse]\n'
        + 'query = "x = 1"\nlimit = "ten"  # a comment\n'
        + '\n[queries.worst]\nquery = "x = 1"\nlimit = 0  # none\nparams = [1, 2] # p\n'
    )
    _uri, diags = await open_doc(client, "cqlang.toml", text)
    spans = {}
    for d in diags:
        if d.code is None:
            assert d.range.start.line == d.range.end.line
            line = text.split("\n")[d.range.start.line]
            spans[line[d.range.start.character : d.range.end.character]] = d.message
    assert set(spans) == {"timezon", "wrongtable", '"also wrong"', '"ten"', "0", "[1, 2]"}
    assert "unknown key 'wrongtable'" in spans["wrongtable"]
    await open_doc(client, "cqlang.toml", CONFIG)
