"""The ``cqlang`` console script: starts ``compile``, ``check``,
``explain`` and ``repl`` without click.

Most runs of the command are ``cqlang compile QUERY`` in a shell pipeline
(or ``check`` and ``explain`` from an editor or a shell), and for those the
start is most of the cost: importing click, the config reader and
platformdirs costs more than compiling. So :func:`main` answers one shape
of command line for each of the three here, with the library alone:

    cqlang compile [--format json|param] [--strict] [COMMON]... [--] QUERY
    cqlang check   [--json] [--strict] [COMMON]... [--] QUERY
    cqlang explain [--json] [COMMON]... [--] QUERY

    COMMON: --tz ZONE | --now DATETIME | --param NAME=VALUE | -p NAME=VALUE

and only where no config file would be read (:func:`cqlang.config.locate.no_config_file`)
and click's shell completion is not asked for (``_CQLANG_COMPLETE``).
``--file/-f``, ``--max-branches`` and a QUERY that looks like a file name
(cqlang.queryfile) go to click too.
Everything else, and every mistake in those options (a bad --tz, --now or
--param), goes to the click application in :mod:`cqlang.cli`, which stays
the one definition of the command line: it does the same work with the same
inputs, and tests/test_launch.py runs both on the same command lines and
compares what they print and how they exit.

Both end a run the same way, through :mod:`cqlang.status` (the exit
statuses, and the handling of output that cannot be written).

``cqlang repl`` with the options it takes (:func:`read_repl_command_line`;
``--help`` and every mistake go to click) is started here too, for two
reasons: click is a fifth of the REPL's start before its prompt can show,
and the REPL's instant prompt (:mod:`cqlang.term.instant`, docs/repl.md)
holds the terminal from here, the first thing the run does, so that keys
typed while the rest loads are kept for the line editor and not echoed.
tests/test_launch.py compares this path and click's on the same command
lines (with input that is not a terminal).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from .config import locate
from .params import not_utf8_value, split_param
from .status import ExitStatus, exit_for, forgiving_stderr
from .utf8 import is_utf8

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import TextIO

    from .diagnostics import Diagnostic
    from .env import Env
    from .planner import Plan

#: The commands answered here, and the options each takes besides COMMON.
COMMANDS = {
    "compile": frozenset({"--format", "--strict"}),
    "check": frozenset({"--json", "--strict"}),
    "explain": frozenset({"--json"}),
}
_COMMON = frozenset({"--tz", "--now", "--param", "-p"})
_FLAGS = frozenset({"--strict", "--json"})
_VALUED = {"--format": "fmt", "--tz": "tz", "--now": "now", "--param": "params", "-p": "params"}


class _Job:
    """A command line of the shape this module answers, read but not yet
    checked (the zone, the clock and the parameters are checked by run)."""

    __slots__ = ("as_json", "command", "fmt", "now", "params", "query", "strict", "tz")

    def __init__(self, command: str) -> None:
        self.command = command
        self.fmt = "json"
        self.as_json = False
        self.strict = False
        self.tz: str | None = None
        self.now: str | None = None
        self.params: list[str] = []
        self.query: str | None = None


def read_command_line(args: Sequence[str]) -> _Job | None:
    """The job ``args`` asks for, or None when they are not of the one
    shape answered here (then click reads them)."""
    if not args or args[0] not in COMMANDS:
        return None
    job = _Job(args[0])
    allowed = COMMANDS[job.command] | _COMMON
    rest = list(args[1:])
    rest.reverse()  # popped from the end, in order
    while rest:
        arg = rest.pop()
        if arg == "--":
            if len(rest) != 1 or job.query is not None:
                return None
            job.query = rest.pop()
        elif arg in _FLAGS and arg in allowed:
            if arg == "--strict":
                job.strict = True
            else:
                job.as_json = True
        elif arg.startswith("-") and arg != "-":
            name, eq, value = arg.partition("=")
            if name not in _VALUED or name not in allowed or (eq and name == "-p"):
                return None  # --help, --config, --format=url, -pNAME=V, ...
            if not eq:
                if not rest or rest[-1].startswith("-"):
                    return None
                value = rest.pop()
            attr = _VALUED[name]
            if attr == "params":
                job.params.append(value)
            else:
                setattr(job, attr, value)
        elif job.query is None:
            job.query = arg
        else:
            return None  # a second QUERY
    if job.query is None or job.query == "-" or job.fmt not in ("json", "param"):
        return None
    texts = [job.query, *job.params]
    if any(not c.isprintable() and c not in "\t\n\r" for t in texts for c in t):
        return None  # click strips escape sequences from what it prints
    return job


#: What a job prints: (stream, text) pairs in order (1: stdout, 2: stderr),
#: and its exit status.
_Answer = tuple[list[tuple[int, str]], int]


def run(job: _Job) -> int | None:
    """Run the job and print what it prints; the exit status, or None to
    leave the job to click (a usage error, or anything unexpected: none of
    the three has a side effect, and nothing is printed before the answer
    is complete)."""
    try:
        env = _env(job)
        if env is None or _names_a_file(job.query or ""):
            return None
        lines, status = _check(job, env) if job.command == "check" else _plan(job, env)
    except Exception:  # broad: click runs the job again, and reports a bug as internal error
        return None
    for stream, text in lines:
        _print(text, sys.stdout if stream == 1 else sys.stderr)
    return status


def _env(job: _Job) -> Env | None:
    """The job's compile-time inputs, or None for a usage error."""
    from . import timeexpr
    from .env import Env, chosen_zone

    params: dict[str, str] = {}
    for item in job.params:
        pair = split_param(item)
        if pair is None or not_utf8_value(pair[1]) is not None:
            return None
        params[pair[0]] = pair[1]
    try:
        if job.tz is not None:
            timeexpr.zone(job.tz)
        now = None if job.now is None else timeexpr.parse_now(job.now, job.tz)
    except timeexpr.TimeError:
        return None
    tz, on_purpose = chosen_zone(job.tz)  # as the command proper resolves --tz
    return Env(params=params, tz=tz, now=now, strict=job.strict, override_tz=on_purpose)


def _names_a_file(text: str) -> bool:
    """A QUERY that does not parse and looks like a file name: click says
    to use -f (cqlang.queryfile)."""
    from .queryfile import looks_like_path

    if not looks_like_path(text):
        return False
    from .parser import parse_diagnostics

    return parse_diagnostics(text)[0] is None


def _check(job: _Job, env: Env) -> _Answer:
    """``check``: every diagnostic, as JSON or drawn on stderr, or ``ok``."""
    from . import api
    from .diagnostics import for_front_end, to_json

    text = job.query or ""
    diags = for_front_end(api.check(text, env), "cli")
    if job.as_json:
        lines = [(1, to_json(diags))]
    elif diags:
        lines = _diagnostics(diags, text, every=True)
    else:
        lines = [(1, "ok")]
    invalid = any(d.severity == "error" for d in diags)
    return lines, ExitStatus.INVALID if invalid else ExitStatus.OK


def _plan(job: _Job, env: Env) -> _Answer:
    """``compile`` (the one filter list, strictly) and ``explain`` (the plan)."""
    from . import api
    from .errors import CqlError

    text = job.query or ""
    try:
        plan = api.plan(text, env)
        if job.command == "compile":
            api.strict_check(plan, text)
    except CqlError as exc:
        return [(2, _painted(exc.rendered_for("cli")))], ExitStatus.INVALID
    if job.command == "explain":
        return _explain(job, plan, text), ExitStatus.OK
    filters = plan.branches[0]
    if job.fmt == "json":
        from .visible import json_text

        out = json_text(filters)
    else:
        from .encoding import encode

        out = encode(filters) if filters else ""
    return [*_diagnostics(plan.warnings, text), (1, out)], ExitStatus.OK


def _explain(job: _Job, plan: Plan, text: str) -> list[tuple[int, str]]:
    if job.as_json:
        from .visible import json_text

        out = plan.to_json()
        out["warnings"] = [d.to_dict() for d in plan.warnings]
        return [(1, json_text(out, indent=2))]
    return [(1, plan.explain()), *_diagnostics(plan.warnings, text)]


def _diagnostics(
    diags: Sequence[Diagnostic], text: str, *, every: bool = False
) -> list[tuple[int, str]]:
    """The warnings (``every``: all the diagnostics) drawn for stderr, as
    the click commands draw them (cqlang.cli.show.print_query_diagnostics)."""
    from .diagnostics import for_front_end, render, render_capped

    shown = for_front_end([d for d in diags if every or d.severity == "warning"], "cli")
    if not shown:
        return []
    return [(2, _painted(render_capped(shown, lambda d: render(d, text))))]


def _painted(diagnostics: str) -> str:
    """Rendered diagnostics, coloured for a terminal (cqlang.term.colour)."""
    from .term.colour import enabled, paint

    return paint(diagnostics) if enabled(None, sys.stderr) else diagnostics


def _print(text: str, stream: TextIO) -> None:
    """Write a line; a failure ends the run as the click commands end it."""
    try:
        stream.write(text + "\n")
        stream.flush()
    except Exception as exc:  # broad: exit_for words each (a bug as internal error, exit 70)
        exit_for(exc)


class _ReplJob:
    """``cqlang repl`` with the options it was given (as click would pass
    them to :func:`cqlang.repl.run`)."""

    __slots__ = ("campaign", "color", "config_file", "group_profile", "profile", "tz", "vi")

    def __init__(self) -> None:
        self.campaign: str | None = None
        self.profile: str | None = None  # repl's own --profile
        self.group_profile: str | None = None  # `cqlang --profile NAME repl`
        self.tz: str | None = None
        self.vi = False
        self.config_file: str | None = None
        self.color: str | None = None


#: The options taken before ``repl`` (the group's: cqlang.cli.context) and
#: after it (cqlang.cli.servers.repl_cmd and the shared ones), by the
#: attribute of the job they set.
_GROUP_OPTIONS = {"--config": "config_file", "--profile": "group_profile", "--color": "color"}
_REPL_OPTIONS = {
    "--campaign": "campaign",
    "--profile": "profile",
    "--tz": "tz",
    "--config": "config_file",
    "--color": "color",
}
_COLOR_MODES = ("auto", "always", "never")


def read_repl_command_line(args: Sequence[str]) -> _ReplJob | None:
    """The ``repl`` job ``args`` ask for, or None when they are not of the
    one shape answered here (then click reads them):

        cqlang [GROUP]... repl [OPTION]...

        GROUP:  --config FILE | --profile NAME | --color WHEN
        OPTION: --campaign ID | --profile NAME | --tz ZONE | --vi
                | --config FILE | --color WHEN

    each ``--name VALUE`` or ``--name=VALUE``, the last one given winning,
    as click reads them. ``--help``, anything else, and every mistake (a
    missing value, a ``--color`` that is no mode) go to click."""
    if any(not c.isprintable() for a in args for c in a):
        return None
    job = _ReplJob()
    options = _GROUP_OPTIONS
    command = False
    rest = list(args)
    rest.reverse()  # popped from the end, in order
    while rest:
        arg = rest.pop()
        if not command and arg == "repl":
            command, options = True, _REPL_OPTIONS
            continue
        if command and arg == "--vi":
            job.vi = True
            continue
        name, eq, value = arg.partition("=")
        if name not in options:
            return None  # --help, --vi=x, --, an argument, another command
        if not eq:
            if not rest or rest[-1].startswith("-"):
                return None
            value = rest.pop()
        if name == "--color" and value not in _COLOR_MODES:
            return None
        setattr(job, options[name], value)
    return job if command else None


def _repl(job: _ReplJob) -> int:
    """``cqlang repl``, as the click command runs it (cqlang.cli.servers),
    with the instant prompt's hold on the terminal taken first thing
    (cqlang/term/instant.py) and put back on every way out."""
    from .term.instant import Hold

    hold = Hold.start(sys.stdin, sys.stdout)
    try:
        try:
            from .repl import run

            return run(
                campaign=job.campaign,
                profile=job.profile or job.group_profile,
                tz=job.tz,
                vi=job.vi,
                config_file=job.config_file,
                color=job.color,
                instant=hold,
            )
        finally:
            if hold is not None:
                hold.release()
    except KeyboardInterrupt:  # as click's commands end (cqlang.cli.lazygroup)
        return ExitStatus.INTERRUPTED
    except Exception as exc:  # broad: the top of the run (a bug: internal error, exit 70)
        from .errors import CqlError
        from .status import entry

        found = entry(exc)
        if isinstance(exc, CqlError) and (found is None or found[0] is CqlError):
            from .cli.show import report

            report(exc)
        exit_for(exc)


def _completing() -> bool:
    """Whether click's shell completion is asked for (``_CQLANG_COMPLETE``)."""
    return any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)


def main() -> None:
    """The ``cqlang`` command (pyproject's console script)."""
    forgiving_stderr()  # a message that cannot be written does not change the status
    if not is_utf8(sys.stdout):  # a character the locale's encoding lacks is escaped, not fatal
        from .term.streams import never_fail

        never_fail(sys.stdout)
    repl_job = None if _completing() else read_repl_command_line(sys.argv[1:])
    if repl_job is not None:
        sys.exit(_repl(repl_job))
    job = read_command_line(sys.argv[1:])
    if (
        job is not None
        and is_utf8(sys.stdout)  # click re-wraps a stream that is not UTF-8
        and is_utf8(sys.stderr)
        and not _completing()
        and locate.no_config_file()
    ):
        try:
            status = run(job)
        except KeyboardInterrupt:  # as click's commands end
            status = ExitStatus.INTERRUPTED
        if status is not None:
            sys.exit(status)
    from .cli import main as click_main

    click_main()
