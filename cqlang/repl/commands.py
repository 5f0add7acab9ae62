"""The REPL's command dispatcher: one line of input in, one reply out.

:class:`Dispatcher` runs a query or a meta command (``\\help``, ``\\fetch``,
...) against a :class:`~cqlang.repl.session.Session` and returns a
:class:`~cqlang.repl.meta.Reply`: the text to print, whether it went well,
whether to quit. It does no terminal input or output of its own, so the
prompt loop, the piped mode and the tests all drive it the same way. Every
reply leaves :meth:`Dispatcher.handle` drawn visible
(:func:`cqlang.visible.visible`: what it quotes of a record, a config file
or the input cannot act on the terminal), then coloured where it holds
diagnostics.

:data:`COMMANDS` is the one registry of the meta commands (name, aliases,
arguments, help, completion, handler): the dispatch, ``\\help``, the status
line and the completion all read it.

The dispatcher runs queries and the commands about them (``\\compile``,
``\\explain``, ``\\format``) here; the other commands are its parts, one
module each: :mod:`~cqlang.repl.records` (``\\fetch``, ``\\o``...),
:mod:`~cqlang.repl.settings` (``\\campaign``, ``\\tz``, ``\\param``,
``\\set``), :mod:`~cqlang.repl.saving` (``\\save``, ``\\queries``); what their
arguments complete to is :mod:`~cqlang.repl.argcompletion`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .. import api
from ..errors import CqlError
from ..output.display import render_table
from ..planner import Plan
from ..visible import json_text, visible
from .argcompletion import (
    complete_campaign,
    complete_param,
    complete_query_name,
    complete_setting,
    complete_zone,
)
from .integrations import ClientLike, Unavailable, make_client
from .meta import QUERY, MetaCommand, Registry, Reply
from .records import RecordCommands
from .saving import SavingCommands
from .session import Session, bare_command, drawn_warnings, split_statements
from .settings import SettingCommands
from .statusline import status_line

__all__ = ["COMMANDS", "Dispatcher", "Reply", "command_name", "describe", "render_table"]


def _said(exc: OSError | Unavailable) -> str:
    """An error of the system or of the REPL's surroundings, in the words
    the command line would end with (cqlang.status)."""
    from ..status import ExitStatus, exit_status, failure_text

    if isinstance(exc, OSError):
        # The command line's words, but where it would call the error a bug
        # (its status): an OSError is the system's, never a bug.
        text = failure_text(exc)
        if text is not None and exit_status(exc) != ExitStatus.INTERNAL:
            return text
        return f"error: {exc.strerror or exc}"
    return str(exc)


def _internal(exc: Exception) -> str:
    """A bug, worded as the command line words it (cqlang.status); with
    ``$CQLANG_DEBUG`` set, its traceback above."""
    import os

    from ..status import internal_error

    if not os.environ.get("CQLANG_DEBUG"):
        return internal_error(exc, hint=True)
    import traceback

    trace = "".join(traceback.format_exception(exc)).rstrip("\n")
    return f"{trace}\n{internal_error(exc, hint=False)}"


def command_name(line: str) -> tuple[str, str]:
    """``("fetch", "10")`` for ``\\fetch 10``: the name lower-cased, an alias
    resolved (:meth:`Registry.split` of :data:`COMMANDS`)."""
    return COMMANDS.split(line)


def describe(line: str) -> str:
    """One line about the meta command being typed (for the status line)."""
    return COMMANDS.describe(line)


class Dispatcher(RecordCommands, SettingCommands, SavingCommands):
    """Runs queries and meta commands against a session.

    ``client_factory(base_url, api_key)`` makes the client for ``\\fetch``
    (default: :class:`cqlang.Client`); ``width`` is the width of tables
    and of ``\\help`` (``None``: the terminal's, read each time, so that a
    resized window is filled, as psql does; :meth:`columns`);
    ``color``: diagnostics in colour (:mod:`cqlang.term.colour`);
    ``commands``: the meta commands (default: :data:`COMMANDS`).
    """

    def __init__(
        self,
        session: Session,
        *,
        client_factory: Callable[[str | None, str | None], ClientLike] | None = None,
        width: int | None = 100,
        color: bool = False,
        commands: Registry[Dispatcher] | None = None,
    ) -> None:
        self.session = session
        self.commands = COMMANDS if commands is None else commands
        self.client_factory = client_factory or self._make_client
        self.width = width
        self.color = color

    def _make_client(self, base_url: str | None, api_key: str | None) -> ClientLike:
        """The default client factory: where the key came from is the session's."""
        return make_client(base_url, api_key, self.session.sources)

    def _shown(self, reply: Reply) -> Reply:
        """The reply as it is printed: its text drawn visible (line breaks
        kept), then, when it holds diagnostics, coloured (``color``)."""
        text = visible(reply.text, lines=True)
        if self.color and reply.paint:
            from ..term.colour import paint

            text = paint(text)
        return replace(reply, text=text) if text != reply.text else reply

    def _failed(self, exc: CqlError) -> Reply:
        """A query's error as the REPL shows it (hints naming its settings)."""
        return Reply(exc.rendered_for("repl"), ok=False, paint=True)

    def _with_warnings(self, out: str, plan: Plan, text: str) -> Reply:
        """``out`` followed by the plan's warnings (it carries the checker's)."""
        drawn = drawn_warnings(plan, text)
        return Reply(f"{out}\n{drawn}", paint=True) if drawn else Reply(out)

    # -------------------------------------------------------------- entry
    def handle(self, line: str) -> Reply:
        """Run one submitted input: a meta command, or one or more queries
        separated by ``;``. Never raises for what the input or the network
        does: a failure is a reply with ``ok`` false."""
        try:
            reply = self._handle(line)
        except KeyboardInterrupt:
            reply = Reply("interrupted", ok=False, interrupted=True)
        except (CqlError, OSError, Unavailable) as exc:  # what input and the world do
            reply = self._failed(exc) if isinstance(exc, CqlError) else Reply(_said(exc), ok=False)
        except Exception as exc:  # a bug: said as the command line says it; the session goes on
            reply = Reply(_internal(exc), ok=False)
        return self._shown(reply)

    def _handle(self, line: str) -> Reply:
        if line.strip().startswith("\\"):
            return self.command(line)
        word = bare_command(line)
        if word is not None:  # `quit`, `exit`, `help` alone, as in psql
            return self.command("\\" + word)
        replies = [self.query(stmt) for stmt in split_statements(line)]
        if not replies:
            return Reply()
        return Reply(
            "\n".join(r.text for r in replies if r.text),
            ok=all(r.ok for r in replies),
            paint=any(r.paint for r in replies),
        )

    def query(self, text: str) -> Reply:
        """A submitted query: its compiled filter, or its plan when it needs
        several requests or a client-side check, or its diagnostics."""
        s = self.session
        try:
            plan = s.spec(text).plan()
        except CqlError as exc:
            s.last_refused = True
            return self._failed(exc)
        s.last_query = text
        s.last_refused = False
        if plan.never_matches or plan.requests != 1 or plan.residual is not None:
            out = plan.explain()
        else:  # what compile gives: the one filter list
            out = json_text(plan.branches[0])
        return self._with_warnings(out, plan, text)

    def command(self, line: str) -> Reply:
        """Run the meta command ``line`` through the registry."""
        found, arg = self.commands.find(line)
        if found is None:
            return Reply(self.commands.unknown(line), ok=False)
        return found.handler(self, arg)

    def status(self, text: str) -> str:
        """The live status line for the input ``text`` (see docs/repl.md)."""
        return status_line(self.session, text, self.commands)

    # ----------------------------------------------------------- commands
    def cmd_help(self, arg: str) -> Reply:
        return Reply(self.commands.help_text(self.columns()))

    def cmd_quit(self, arg: str) -> Reply:
        return Reply(quit=True)

    def _query_arg(self, arg: str) -> str | Reply:
        if arg:
            return arg
        if self.session.last_query is None:
            return Reply("no query yet: type one, or give it after the command", ok=False)
        return self.session.last_query

    def cmd_compile(self, arg: str) -> Reply:
        text = self._query_arg(arg)
        if isinstance(text, Reply):
            return text
        spec = self.session.spec(text)
        try:
            plan = spec.plan()
            api.strict_check(plan, spec.text)  # what api.compile refuses
        except CqlError as exc:
            return self._failed(exc)
        out = json_text(plan.branches[0])
        return self._with_warnings(out, plan, text)

    def cmd_explain(self, arg: str) -> Reply:
        text = self._query_arg(arg)
        if isinstance(text, Reply):
            return text
        try:
            plan = self.session.spec(text).plan()
        except CqlError as exc:
            return self._failed(exc)
        return self._with_warnings(plan.explain(), plan, text)

    def cmd_format(self, arg: str) -> Reply:
        text = self._query_arg(arg)
        if isinstance(text, Reply):
            return text
        try:
            return Reply(api.format(text, schema=self.session.schema))
        except CqlError as exc:
            return self._failed(exc)


# ------------------------------------------------------------ the registry

#: The REPL's meta commands, in the order \help lists them.
COMMANDS: Registry[Dispatcher] = Registry(
    [
        MetaCommand(
            "help", "", "list these commands (also help alone)", Dispatcher.cmd_help, ("h", "?")
        ),
        MetaCommand(
            "compile",
            "[QUERY]",
            "the one filter list of QUERY (default: the last), strictly",
            Dispatcher.cmd_compile,
            complete=QUERY,
        ),
        MetaCommand(
            "explain",
            "[QUERY]",
            "QUERY's requests and client-side check (default: the last)",
            Dispatcher.cmd_explain,
            complete=QUERY,
        ),
        MetaCommand(
            "fetch",
            "[N|all]",
            "fetch N records (default 20) of the last query as a table",
            Dispatcher.cmd_fetch,
        ),
        MetaCommand(
            "count",
            "",
            "count the records of the last query (heavy fields left out)",
            Dispatcher.cmd_count,
        ),
        MetaCommand(
            "show",
            "ID",
            "one record of the campaign in full, custom fields decoded",
            Dispatcher.cmd_show,
        ),
        MetaCommand(
            "x", "[on|off]", "toggle the expanded display: one block per record", Dispatcher.cmd_x
        ),
        MetaCommand(
            "o",
            "[FILE]",
            "\\fetch writes all matches to FILE; alone: the screen",
            Dispatcher.cmd_o,
        ),
        MetaCommand(
            "pager",
            "[on|off]",
            "toggle the pager for output taller than the screen",
            Dispatcher.cmd_pager,
        ),
        MetaCommand(
            "campaign",
            "[ID]",
            "show or set the voice campaign id used by \\fetch",
            Dispatcher.cmd_campaign,
            complete=complete_campaign,
        ),
        MetaCommand(
            "tz",
            "[ZONE]",
            "show or set the time zone of naive datetimes (an IANA name)",
            Dispatcher.cmd_tz,
            complete=complete_zone,
        ),
        MetaCommand(
            "param",
            "NAME=VALUE",
            "bind $NAME for the next queries (\\param -NAME unbinds)",
            Dispatcher.cmd_param,
            complete=complete_param,
        ),
        MetaCommand("params", "", "list the bound parameters", Dispatcher.cmd_params),
        MetaCommand(
            "set",
            "[NAME [VALUE]]",
            "show or change a setting: max_branches, page_size",
            Dispatcher.cmd_set,
            complete=complete_setting,
        ),
        MetaCommand(
            "save",
            "NAME",
            "save the last query as @NAME (--force replaces one)",
            Dispatcher.cmd_save,
            complete=complete_query_name,
        ),
        MetaCommand("queries", "", "list the named queries", Dispatcher.cmd_queries),
        MetaCommand(
            "format",
            "[QUERY]",
            "the canonical text of QUERY (default: the last query)",
            Dispatcher.cmd_format,
            complete=QUERY,
        ),
        MetaCommand(
            "quit",
            "",
            "leave (also quit or exit alone, Ctrl-D)",
            Dispatcher.cmd_quit,
            ("q", "exit"),
        ),
    ]
)
