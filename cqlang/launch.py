"""The ``cqlang`` console script: starts ``cqlang compile`` without click.

Most runs of the command are ``cqlang compile QUERY`` in a shell pipeline,
and for those the start is most of the cost: importing click, the config
reader and platformdirs costs more than compiling. So :func:`main` answers
one shape of command line here, with the library alone:

    cqlang compile [--format json|param] [--strict] [--tz ZONE] [--now DATETIME]
                   [--param NAME=VALUE | -p NAME=VALUE]... [--] QUERY

and only where no config file would be read (:func:`cqlang.config.locate.no_config_file`)
and click's shell completion is not asked for (``_CQLANG_COMPLETE``).
``--file/-f`` and a QUERY that looks like a file name (cqlang.queryfile)
go to click too.
Everything else, and every mistake in those options (a bad --tz, --now or
--param), goes to the click application in :mod:`cqlang.cli`, which stays
the one definition of the command line: it does the same work with the same
inputs, and tests/test_launch.py runs both on the same command lines and
compares what they print and how they exit.

The exit statuses and the handling of output that cannot be written live
here too, shared with cqlang.cli (docs/cli.md lists them).
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Sequence

from .config import locate

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import NoReturn, TextIO

    from .planner import Plan

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_API = 3
EXIT_INTERNAL = 70
EXIT_IO = 74  # writing the output failed (a full disk, a closed device)
EXIT_INTERRUPTED = 130
# What writing to stdout fails with when the fault is where it goes.
WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF})


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print ``cqlang: message`` on stderr and exit with ``code``."""
    if sys.stderr is not None:
        sys.stderr.write(f"cqlang: {message}\n")
        sys.stderr.flush()
    sys.exit(code)


def quiet_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush of
    what could not be written does not fail a second time at exit."""
    if sys.stdout is None:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def exit_for(exc: Exception) -> NoReturn:
    """End the run for an exception no command expected: a one-line message
    and its exit status, never a traceback (unless $CQLANG_DEBUG is set)."""
    if isinstance(exc, BrokenPipeError):  # the reader went away: not an error
        quiet_stdout()
        sys.exit(EXIT_OK)
    status = getattr(exc, "cqlang_exit_status", None)
    if isinstance(status, int):  # cqlang.config.ConfigError and kin
        fail(str(exc), status)
    if isinstance(exc, OSError) and exc.filename is None and exc.errno in WRITE_ERRORS:
        # Printing failed: a full disk or a closed device under stdout.
        quiet_stdout()
        fail(f"cannot write the output: {exc.strerror}", EXIT_IO)
    if os.environ.get("CQLANG_DEBUG"):
        raise exc
    name = type(exc).__name__
    fail(f"internal error: {name}: {exc} (set CQLANG_DEBUG=1 for details)", EXIT_INTERNAL)


def split_param(item: str) -> tuple[str, str] | None:
    """``NAME=VALUE`` (a leading ``$`` on NAME allowed) as (NAME, VALUE), or
    None when it is not of that form."""
    name, sep, value = item.partition("=")
    name = name.strip().lstrip("$")
    if not sep or not name:
        return None
    return name, value


class _Job:
    """A command line of the shape this module answers, read but not yet
    checked (the zone, the clock and the parameters are checked by run)."""

    __slots__ = ("fmt", "now", "params", "query", "strict", "tz")

    def __init__(self) -> None:
        self.fmt = "json"
        self.strict = False
        self.tz: str | None = None
        self.now: str | None = None
        self.params: list[str] = []
        self.query: str | None = None


_VALUED = {"--format": "fmt", "--tz": "tz", "--now": "now", "--param": "params", "-p": "params"}


def read_command_line(args: Sequence[str]) -> _Job | None:
    """The compile job ``args`` asks for, or None when they are not of the
    one shape answered here (then click reads them)."""
    if not args or args[0] != "compile":
        return None
    job = _Job()
    rest = list(args[1:])
    rest.reverse()  # popped from the end, in order
    while rest:
        arg = rest.pop()
        if arg == "--":
            if len(rest) != 1 or job.query is not None:
                return None
            job.query = rest.pop()
        elif arg == "--strict":
            job.strict = True
        elif arg.startswith("-") and arg != "-":
            name, eq, value = arg.partition("=")
            if name not in _VALUED or (eq and name == "-p"):
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


def run(job: _Job) -> int | None:
    """Compile and print; the exit status, or None to leave the job to click
    (a usage error, or anything unexpected: compiling has no side effect)."""
    from .errors import CqlError

    try:
        plan = _plan(job)
    except CqlError as exc:
        from .errors import CqlSyntaxError
        from .queryfile import looks_like_path

        if isinstance(exc, CqlSyntaxError) and looks_like_path(job.query or ""):
            return None  # `compile q.cql`: click says to use -f
        return _print(_painted(exc.rendered_for("cli")), sys.stderr, EXIT_INVALID)
    except Exception:
        return None
    if plan is None:
        return None
    from .diagnostics import render, render_capped

    text = job.query or ""
    warnings = [d for d in plan.warnings if d.severity == "warning"]
    if warnings:
        drawn = render_capped(warnings, lambda d: render(d, text))
        _print(_painted(drawn), sys.stderr, EXIT_OK)
    filters = plan.branches[0]
    if job.fmt == "json":
        import json

        out = json.dumps(filters, ensure_ascii=False)
    else:
        from .encoding import encode

        out = encode(filters) if filters else ""
    return _print(out, sys.stdout, EXIT_OK)


def _plan(job: _Job) -> Plan | None:
    """The job's one-request plan (CqlError if there is none), or None for
    a usage error."""
    from . import api, timeexpr
    from .env import Env

    params: dict[str, str] = {}
    for item in job.params:
        pair = split_param(item)
        if pair is None:
            return None
        params[pair[0]] = pair[1]
    try:
        if job.tz is not None:
            timeexpr.zone(job.tz)
        now = None if job.now is None else timeexpr.parse_now(job.now)
    except timeexpr.TimeError:
        return None
    text = job.query or ""
    plan = api.plan(text, Env(params=params, tz=job.tz, now=now, strict=job.strict))
    api.strict_check(plan, text)
    return plan


def _painted(diagnostics: str) -> str:
    """Rendered diagnostics, coloured for a terminal (cqlang.colour)."""
    from .colour import enabled, paint

    return paint(diagnostics) if enabled(None, sys.stderr) else diagnostics


def _utf8(stream: TextIO) -> bool:
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
    return encoding in ("utf-8", "utf8")


def _print(text: str, stream: TextIO, status: int) -> int:
    try:
        stream.write(text + "\n")
        stream.flush()
    except Exception as exc:
        exit_for(exc)
    return status


def main() -> None:
    """The ``cqlang`` command (pyproject's console script)."""
    job = read_command_line(sys.argv[1:])
    if (
        job is not None
        and _utf8(sys.stdout)  # click re-wraps a stream that is not UTF-8
        and _utf8(sys.stderr)
        and not any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)
        and locate.no_config_file()
    ):
        try:
            status = run(job)
        except KeyboardInterrupt:  # as click's commands end
            status = EXIT_INTERRUPTED
        if status is not None:
            sys.exit(status)
    from .cli import main as click_main

    click_main()
