"""Named queries whose ``[queries.NAME]`` table has a mistake (a key typo
such as ``querry``, a value of the wrong type).

The command line refuses a config file with any mistake, so such a query
is never run; the server, which reads everything without a mistake so that
the editor stays useful, leaves the table out too. But the name is not
unknown: a reference to it is told where its table is and what is wrong
with it (not ``unknown named query`` with a did-you-mean that would rename
it to another query), and go to definition goes to the table.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..config import Config, ConfigFile, check_text
from ..config.tomlscan import Statement, scan
from ..diagnostics import Diagnostic, line_col
from ..errors import display_path

__all__ = ["broken_tables", "explain_broken"]


def broken_tables(config: Config) -> dict[str, tuple[ConfigFile, Statement]]:
    """Each name a config file defines a query under that is not among
    ``config.queries`` (its table has a mistake), with the file and the
    first statement of its definition (the header when there is one)."""
    out: dict[str, tuple[ConfigFile, Statement]] = {}
    for f in config.files:
        head = (*f.prefix, "queries")
        for stmt in scan(f.text).statements:
            path = stmt.path
            if path[: len(head)] != head or len(path) <= len(head):
                continue
            name = path[len(head)]
            if name in config.queries:
                continue
            known = out.get(name)
            if known is None or (known[0] is f and stmt.header and not known[1].header):
                out[name] = (f, stmt)
    return out


def _mistakes(f: ConfigFile, name: str) -> list[str]:
    """The mistakes written in the query ``name``'s table in ``f`` (those
    placed inside one of its statements), as the command line says them
    (``cqlang.toml:2:1: unknown key 'querry' (did you mean 'query'?)``)."""
    _, problems = check_text(f.text, f.path, f.origin)
    path = (*f.prefix, "queries", name)
    spans = [(s.start, s.end) for s in scan(f.text).statements if s.path[: len(path)] == path]
    mine = [p for p in problems if p.line is not None and any(a <= p.start < b for a, b in spans)]
    return [f"{display_path(f.path)}:{p.line}:{p.column}: {p.message}" for p in mine]


def where_broken(f: ConfigFile, stmt: Statement, name: str) -> tuple[str, list[str]]:
    """``its table (FILE:LINE) has a mistake`` (or ``mistakes``) and the
    mistakes: the one wording of a broken table, for diagnostics and hover."""
    line, _ = line_col(f.text, stmt.start)
    mistakes = _mistakes(f, name)
    many = "a mistake" if len(mistakes) == 1 else "mistakes"
    return f"its table ({display_path(f.path)}:{line}) has {many}", mistakes


def explain_broken(diags: Iterable[Diagnostic], config: Config) -> list[Diagnostic]:
    """``diags`` with each CQL115 about a query whose table has a mistake
    said as what it is: the table's place and mistakes, no suggestion."""
    out = list(diags)
    names = {dict(d.facts).get("query") for d in out if d.code == "CQL115"}
    if not names - {None}:
        return out
    broken = broken_tables(config)
    for i, d in enumerate(out):
        name = dict(d.facts).get("query")
        if d.code != "CQL115" or not isinstance(name, str) or name not in broken:
            continue
        table, mistakes = where_broken(*broken[name], name)
        said = f"unknown named query '@{name}'"
        before = d.message[: -len(said)] if d.message.endswith(said) else ""
        out[i] = d.replace(
            message=f"{before}named query '@{name}' is left out: {table}",
            hint="; ".join(mistakes) or None,
            suggestion=None,
        )
    return out
