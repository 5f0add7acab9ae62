"""``cqlang queries``: the named queries of the config files (list, show,
check, save, rm; docs/config.md).
"""

from __future__ import annotations

import math
import os
import sys
from typing import TYPE_CHECKING, Any

import click

from ..status import ExitStatus, fail
from ..visible import json_text
from .context import config_path, load_config
from .inputs import (
    compile_options,
    file_option,
    max_branches_option,
    parse_now,
    parse_params,
    query_input,
)
from .lazygroup import CqlGroup
from .paramtypes import IntRange
from .show import echo_diagnostics, print_query_diagnostics, print_warnings, say

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..checker import RefParam
    from ..config import Config


def _show_value(value: Any) -> str:
    """A parameter value as --param would write it."""
    if isinstance(value, list | tuple):
        return ",".join(_show_value(v) for v in value)
    from datetime import datetime

    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _reference_defaults(ref_params: Iterable[RefParam]) -> dict[str, list[tuple[Any, str]]]:
    """For each parameter, the defaults of the named queries inlined that
    the checker used (its own default, not one a query around it or the
    caller set: :class:`~cqlang.checker.RefParam`), each with the name of
    the query whose default it is, in the order of the walk, each pair
    once: two references may give one parameter two values."""
    found: dict[str, list[tuple[Any, str]]] = {}
    for u in ref_params:
        if u.source != u.ref:
            continue
        pairs = found.setdefault(u.param, [])
        if not any(r == u.ref and _same(w, u.value) for w, r in pairs):
            pairs.append((u.value, u.ref))
    return found


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _json_value(value: Any) -> Any:
    """A parameter value in JSON output: integers and lists keep their type,
    a TOML date or datetime is its text as --param would take it."""
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no nan or inf
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return _show_value(value)


def _param_default(value: str) -> str | int:
    """A --param of `queries save`, as written in the file: digits without a
    leading zero are an integer, anything else a string (as the REPL's
    \\save stores them)."""
    from ..config.fetchspec import stored_param

    stored: str | int = stored_param(value)
    return stored


def _named_query(cfg: Config, name: str) -> Any:
    from ..config import UnknownQueryError
    from ..diagnostics import suggest

    name = name.removeprefix("@")
    named = cfg.queries.get(name)
    if named is None:
        close = suggest(name, cfg.queries)
        hint = f" (did you mean '@{close}'?)" if close else ""
        if not cfg.queries:
            hint = " (the config defines no named queries; see `cqlang config`)"
        raise UnknownQueryError(f"no named query '@{name}'{hint}")
    return named


def _query_json(named: Any) -> dict[str, Any]:
    loc = named.location()
    return {
        "name": named.name,
        "description": named.description,
        "query": named.text,
        "params": {k: _json_value(v) for k, v in named.params.items()},
        "campaign": named.campaign,
        "exclude": list(named.exclude) if named.exclude is not None else None,
        "limit": named.limit,
        "max_branches": named.max_branches,
        "timezone": named.timezone,
        "file": str(named.path) if named.path is not None else None,
        "line": loc[0] if loc else None,
    }


@click.group("queries", cls=CqlGroup)
def queries_group() -> None:
    """The named queries of the config files: `@NAME` in any query uses one.

    list, show, check, save and rm them (docs/config.md).
    """


@queries_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print them as JSON.")
def queries_list_cmd(as_json: bool) -> None:
    """List the named queries with their parameters and descriptions."""

    cfg = load_config()
    if as_json:
        out = [_query_json(q) for q in cfg.queries.values()]
        click.echo(json_text(out, indent=2))
        return
    if not cfg.queries:
        where = "" if cfg.files else " (no config file was found; see `cqlang config`)"
        say(f"no named queries{where}", err=True)
        return
    width = max(len(n) for n in cfg.queries) + 1
    for q in cfg.queries.values():
        params = " ".join(f"${k}={_show_value(v)}" for k, v in q.params.items())
        about = " ".join((q.description or "").split())  # one line, whatever the file holds
        line = f"@{q.name}".ljust(width) + "  " + about
        if params:
            line += f"  [{params}]"
        say(line.rstrip())  # a description is the file's text: drawn


@queries_group.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print it and its plan as JSON.")
@max_branches_option
@compile_options
def queries_show_cmd(
    name: str,
    as_json: bool,
    max_branches: int | None,
    params: tuple[str, ...],
    tz: str | None,
    now: str | None,
) -> None:
    """Show the named query NAME: its text, its parameters and its plan."""

    from ..checker import check_text
    from ..config.fetchspec import owner_name

    cfg = load_config()
    named = _named_query(cfg, name)
    given = parse_params(params)
    q = cfg.prepare(f"@{named.name}", params=given, tz=tz, max_branches=max_branches)
    when = parse_now(now, tz)
    diags = q.check(now=when)
    checked = check_text(q.text, q.env(now=when))
    inherited = _reference_defaults(checked.ref_params)
    rows: list[tuple[str, Any, str]] = []
    for pname in sorted(set(q.params) | checked.params_used):
        owner = q.param_origin(pname)  # the query's own default, or an alias's
        if pname in given:
            rows.append((pname, given[pname], "--param"))
        elif owner is named:
            rows.append((pname, q.params[pname], "default"))
        elif owner is not None:
            rows.append((pname, q.params[pname], f"default of @{owner_name(owner)}"))
        else:
            rows.extend((pname, v, f"default of @{ref}") for v, ref in inherited.get(pname, ()))
    errors = [d for d in diags if d.severity == "error"]
    plan = None if errors else q.plan(now=when)
    if as_json:
        out = _query_json(named)
        out["alias_of"] = owner_name(q.chain[1]) if len(q.chain) > 1 else None
        # A parameter with one source: {value, from}; one that references
        # give different defaults: a list of them, one per reference.
        bound: dict[str, Any] = {}
        for p, v, src in rows:
            entry = {"value": _json_value(v), "from": src}
            if p not in bound:
                bound[p] = entry
            else:
                bound[p] = [*(bound[p] if isinstance(bound[p], list) else [bound[p]]), entry]
        out["bound"] = bound
        out["plan"] = plan.to_json() if plan is not None else None
        out["diagnostics"] = [d.to_dict() for d in diags]
        click.echo(json_text(out, indent=2))
    else:
        head = f"@{named.name}" + (f": {named.description}" if named.description else "")
        lines = [head]
        loc = named.location()
        if named.source is not None:
            lines.append(f"  in {named.source.display()}" + (f":{loc[0]}" if loc else ""))
        if len(q.chain) > 1:  # an alias: its text is a lone @OTHER
            lines.append(f"  alias of @{owner_name(q.chain[1])}")
        for key in ("campaign", "timezone", "limit", "max_branches", "exclude"):
            owner = q.origin(key)  # its own key, else the one of the query it stands for
            if owner is None:
                continue
            value = getattr(owner, key)
            shown = ", ".join(value) if key == "exclude" else str(value)
            of = f" (of @{owner_name(owner)})" if owner is not named else ""
            lines.append(f"  {key} {shown}{of}")
        lines += ["", "query:"]
        lines += ["  " + t for t in named.text.strip("\n").replace("\r\n", "\n").split("\n")]
        if rows:
            lines += ["", "parameters:"]
            w = max(len(p) + len(_show_value(v)) for p, v, _ in rows) + 4
            for p, v, src in rows:
                lines.append(f"  {f'${p} = {_show_value(v)}'.ljust(w)}  ({src})")
        if plan is not None:
            lines += ["", "plan:", plan.explain()]
        say("\n".join(lines))  # the file's text (description, query) drawn visible
    print_query_diagnostics(q, diags, all=True)
    if errors:
        sys.exit(ExitStatus.INVALID)


@queries_group.command("check")
@click.argument("files", nargs=-1, metavar="[FILES...]")
@click.option("--strict", is_flag=True, help="An undeclared custom field is an error.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def queries_check_cmd(files: tuple[str, ...], strict: bool, as_json: bool) -> None:
    """Check every named query of every config file read, each with its
    parameter defaults; every mistake is shown at FILE:LINE:COL with a caret
    (exit 1 on an error).

    With FILES (as the pre-commit hook passes them): each config file
    (.toml) is checked on its own, as with --config FILE, and each query
    file (.cql) with the config in effect.
    """

    from ..errors import ConfigError, QueryFileError

    unreadable: list[ConfigError | QueryFileError] = []
    if files:
        from ..config.lintfiles import lint_files
        from .lenient import config_for_text, in_files, query_files_needs

        # A mistake in a config file named is reported when its turn comes.
        config = config_for_text(lambda: query_files_needs(files), lambda p: in_files(p, files))
        # A file that cannot be read is named and the others still checked,
        # as `fmt --check` does; the run then ends with exit 2.
        cfg, findings = lint_files(files, config, strict=strict, unreadable=unreadable)
        for exc in unreadable:
            say(f"cqlang: {exc}", err=True)
    else:
        cfg = load_config()
        findings = cfg.lint(strict=strict)
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if as_json:
        click.echo(json_text([f.to_dict() for f in findings], indent=2))
    else:
        if findings:
            from ..diagnostics import render_capped

            shown = render_capped(findings, lambda f: f.rendered, severity=lambda f: f.severity)
            echo_diagnostics(shown + "\n")
        count = sum(len(f.queries) for f in cfg.files)
        read = len(cfg.files)
        if not read and not unreadable:
            say("no config file was found (see `cqlang config`)", err=True)
        else:
            found = []
            if errors:
                found.append(f"{errors:,} error{'s' if errors != 1 else ''}")
            if warnings:
                found.append(f"{warnings:,} warning{'s' if warnings != 1 else ''}")
            if unreadable:
                n = len(unreadable)
                found.append(f"{n} file{'s' if n != 1 else ''} could not be read")
            say(
                f"{count:,} quer{'ies' if count != 1 else 'y'} in {read} "
                f"file{'s' if read != 1 else ''}: " + (", ".join(found) or "ok")
            )
    if unreadable:  # as for fmt --check: a file named that cannot be read is a usage error
        sys.exit(ExitStatus.USAGE)
    if errors:
        sys.exit(ExitStatus.INVALID)


@queries_group.command("save")
@click.argument("name")
@click.argument("query", required=False)
@file_option
@click.option("--description", "-d", metavar="TEXT", help="What the query is for.")
@click.option(
    "--force", is_flag=True, help="Replace a query of that name (no short form: -f is --file)."
)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A default for $NAME (repeatable).",
)
@click.option(
    "--max-branches",
    type=IntRange(min=1),
    metavar="N",
    help="Store max_branches = N with it: the most requests the query may need "
    "(default: the config's, else 32).",
)
def queries_save_cmd(
    name: str,
    query: str | None,
    query_file: str | None,
    description: str | None,
    force: bool,
    params: tuple[str, ...],
    max_branches: int | None,
) -> None:
    """Save QUERY (or the query of --file FILE) as @NAME in the --config
    file, else the nearest cqlang.toml, else a new ./cqlang.toml (comments
    and layout are kept). An invalid query is refused, and so is an existing
    NAME without --force."""
    from ..config import (
        Config,
        ConfigError,
        NamedQuery,
        QueryExistsError,
        display_path,
        save_query,
        target_file,
    )
    from ..diagnostics import for_front_end, render_all

    name = name.removeprefix("@")
    path = target_file(config_path())
    try:
        cfg = load_config()
    except ConfigError as exc:
        if os.path.lexists(path) or exc.path is None or exc.path.absolute() != path.absolute():
            raise
        cfg = Config()  # the file to create is the one named
    # A file's (or standard input's) last line break is no part of the query.
    text = query_input(query, query_file).rstrip("\r\n")
    defaults = {k: _param_default(v) for k, v in parse_params(params).items()}
    other = cfg.queries.get(name)
    if other is not None and not force:
        where = other.source.display() if other.source is not None else "the config"
        raise QueryExistsError(
            f"a query named '@{name}' exists already in {where} (use --force to replace it)"
        )
    candidate = NamedQuery(
        name, text, description, params=defaults, max_branches=max_branches, config=cfg
    )
    # Checked as `queries check` will check it (an alias with what it inherits).
    diags = for_front_end(cfg.check_query(candidate, {**cfg.queries, name: candidate}), "cli")
    if any(d.severity == "error" for d in diags):
        echo_diagnostics(render_all(for_front_end(diags, "cli"), text))
        fail(f"'@{name}' was not saved: the query has errors", ExitStatus.INVALID)
    print_warnings(diags, text)
    save_query(
        path,
        name,
        text,
        description=description,
        params=defaults,
        force=force,
        max_branches=max_branches,
    )
    say(f"saved @{name} in {display_path(path)}")


@queries_group.command("rm")
@click.argument("name")
def queries_rm_cmd(name: str) -> None:
    """Remove @NAME from the --config file, else the nearest cqlang.toml
    (comments and layout around it are kept)."""
    from ..config import Config, display_path, remove_query, target_file
    from ..errors import CqlError
    from ..refs import references_in

    name = name.removeprefix("@")
    path = target_file(config_path())
    remove_query(path, name)
    say(f"removed @{name} from {display_path(path)}")
    try:
        cfg = Config.load(config_path())
    except (CqlError, OSError) as exc:  # removed; only the check of what is left cannot run
        say(f"note: the config could not be read again to look for references: {exc}", err=True)
        return
    still = cfg.queries.get(name)
    if still is not None and still.source is not None:
        say(f"note: @{name} is still defined in {still.source.display()}", err=True)
    users = [q.name for q in cfg.queries.values() if name in references_in(q.text)]
    if users and still is None:
        refs = ", ".join(f"@{u}" for u in users)
        say(f"warning: {refs} still refer{'s' if len(users) == 1 else ''} to @{name}", err=True)
