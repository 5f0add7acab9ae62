"""``cqlang repl``: queries typed and checked as you go.

The parts, each usable on its own:

* :class:`~cqlang.repl.session.Session`: the state (campaign, time zone,
  parameters, named queries, last query) and the live status line;
* :class:`~cqlang.repl.commands.Dispatcher`: one input in, one
  :class:`~cqlang.repl.meta.Reply` out (queries and meta commands), the
  meta commands from one registry (:data:`~cqlang.repl.commands.COMMANDS`);
* :class:`cqlang.repl.app.Repl`: the prompt_toolkit loop (imported only for
  a terminal, so piped use never loads prompt_toolkit);
* :func:`run_script`: the same without a terminal, one query per line.
"""

from __future__ import annotations

import sys

from ..status import ExitStatus

TYPE_CHECKING = False  # typing is not imported at run time: the first prompt comes first
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any, TextIO

    from ..term.instant import Hold
    from .commands import COMMANDS, Dispatcher
    from .integrations import Environment
    from .meta import Reply
    from .session import Session, needs_more_input, split_statements, statement_spans

__all__ = [
    "COMMANDS",
    "Dispatcher",
    "Reply",
    "Session",
    "needs_more_input",
    "run",
    "run_script",
    "split_statements",
    "statement_spans",
]

#: The public names of the package's modules, imported on first use (PEP
#: 562), so that ``cqlang repl`` can paint its first prompt (the instant
#: prompt, cqlang/term/instant.py) before it loads the REPL's modules.
_WHERE = {
    "COMMANDS": "commands",
    "Dispatcher": "commands",
    "Reply": "meta",
    "Session": "session",
    "needs_more_input": "session",
    "split_statements": "session",
    "statement_spans": "session",
}


def __getattr__(name: str) -> Any:
    from .._lazy import load  # on first use: importing the package stays light

    return load(__name__, _WHERE, globals(), name)


def run_script(lines: Iterable[str], dispatcher: Dispatcher, out: TextIO, err: TextIO) -> int:
    """Run input that is not a terminal, read as the terminal reads it:
    each line is a meta command, or queries separated by ``;``; a line
    that cannot end a query (after ``and``, an operator, an open
    parenthesis: :func:`needs_more_input`) is joined with the next, though
    a meta command line is never swallowed (the unfinished query before it
    is run as it is): :class:`cqlang.repl.lines.Joiner`, which a paste of
    several lines on the terminal goes through too. A byte order mark
    before the first line is skipped. Results go to ``out``, diagnostics
    and failed commands to ``err``. Returns 0 if every query was valid
    and every command succeeded, else 1."""
    from .lines import Joiner
    from .session import bare_command, split_statements

    ok = True
    joiner = Joiner(dispatcher.session)

    def submit(text: str, command: bool) -> bool:
        """Run ``text``; whether to quit."""
        nonlocal ok
        stmts = [text] if command or bare_command(text) else split_statements(text)
        for stmt in stmts:
            reply = dispatcher.handle(stmt)
            if reply.text:
                (out if reply.ok else err).write(reply.text + "\n")
            ok = ok and reply.ok
            if reply.quit:
                return True
        return False

    def stripped() -> Iterator[str]:
        first = True
        for raw in lines:
            line = raw.rstrip("\r\n")
            if first:
                line, first = line.removeprefix("\ufeff"), False
            yield line

    for text, command in joiner.inputs(stripped()):
        if submit(text, command):
            break
    return ExitStatus.OK if ok else ExitStatus.INVALID


def run(
    *,
    campaign: str | None = None,
    profile: str | None = None,
    tz: str | None = None,
    vi: bool = False,
    config_file: str | None = None,
    color: str | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    instant: Hold | None = None,
) -> int:
    """``cqlang repl``: interactive on a terminal, else :func:`run_script`.
    ``config_file`` is ``--config FILE``; ``color`` is ``--color``
    (``auto``, ``always``, ``never``; ``None``: auto). ``instant``: the
    terminal held by the launcher for the instant prompt (the banner and
    the prompt are painted before prompt_toolkit is imported, and the
    editor takes the terminal from it). Returns the exit status (2 for a
    bad ``--tz``, ``--campaign`` or config)."""
    from ..term.colour import enabled
    from ..visible import visible  # what a config file or --tz quotes: drawn
    from .integrations import Unavailable, load_environment

    stdin = stdin if stdin is not None else sys.stdin
    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    try:
        env = load_environment(profile, config_file)
    except Unavailable as exc:
        stderr.write(f"cqlang: {visible(str(exc), lines=True)}\n")
        return ExitStatus.USAGE
    problem = _option_problem(tz, campaign)
    if problem is not None:
        stderr.write(f"cqlang: {problem}\n")
        return ExitStatus.USAGE
    for note in env.notes:
        stderr.write(f"cqlang: note: {visible(note, lines=True)}\n")
    interactive = stdin.isatty()
    # The instant prompt (cqlang/term/instant.py): the first screen drawn
    # as soon as nothing else can be printed before it (the notes and the
    # mistakes above), before the REPL's modules and prompt_toolkit are
    # imported; the editor draws over it.
    from .texts import BANNER, PROMPT

    held = instant if interactive and instant is not None and instant.held else None
    if held is not None:
        held.paint(f"{BANNER}\n{PROMPT}")

    from .commands import Dispatcher

    session = _new_session(env, campaign=campaign, tz=tz, config_file=config_file, profile=profile)
    # Diagnostics are coloured where they are printed: stdout on a
    # terminal, stderr when piped. Tables fill the terminal's width as it
    # is at each \fetch (width=None), so a resized window is honoured.
    painted = enabled(color, stdout if interactive else stderr)
    dispatcher = Dispatcher(session, width=None, color=painted)
    if not interactive:
        # Read as UTF-8 whatever the locale, a byte that is not UTF-8 kept
        # for the parser to report (CQL002), as for `cqlang check -`.
        from ..queryfile import utf8_input

        return run_script(utf8_input(stdin), dispatcher, stdout, stderr)
    if held is None:
        stdout.write(BANNER + "\n")
    from .app import Repl, file_history, handover_input

    prompt_colour = enabled(color, stdout)
    return Repl(
        dispatcher,
        input=None if held is None else handover_input(stdin, held),
        history=file_history(),
        vi=vi,
        pager=stdout.isatty(),
        color=prompt_colour,
    ).run()


def _option_problem(tz: str | None, campaign: str | None) -> str | None:
    """What is wrong with ``--tz`` or ``--campaign`` (the option named), or
    ``None``: checked before anything is drawn."""
    from ..visible import visible

    if tz:
        from .. import timeexpr

        try:
            timeexpr.zone(tz)
        except timeexpr.TimeError as exc:
            return f"--tz: {visible(str(exc), lines=True)}"
    if campaign:  # as \campaign checks one: every query is prepared with it
        from ..encoding import campaign_problem

        problem = campaign_problem(campaign)
        if problem is not None:
            return f"--campaign: {problem}"
    return None


def _new_session(
    env: Environment,
    *,
    campaign: str | None,
    tz: str | None,
    config_file: str | None,
    profile: str | None,
) -> Session:
    """The REPL's state at its start: the options, over the settings of
    the config's connection (a lone ``@NAME``'s own settings win over the
    latter)."""
    from ..config.fetchspec import Settings
    from .session import Session

    return Session(
        campaign=campaign or None,
        tz=tz or None,
        config_file=config_file,
        queries=env.queries,
        schema=env.schema,
        base_url=env.base_url,
        api_key=env.api_key,
        defaults=Settings(
            campaign=env.campaign,
            timezone=env.tz,
            page_size=env.page_size,
            max_branches=env.max_branches,
        ),
        profile=profile,
        missing=env.missing,
        sources=env.sources,
    )
