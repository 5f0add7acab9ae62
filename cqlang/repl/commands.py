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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .. import api, timeexpr
from ..diagnostics import NAME_CHARS, NAME_RE, suggest
from ..env import FrozenDict
from ..errors import CqlError
from ..kinds import JSON, written
from ..output.display import render_table
from ..params import not_utf8_value
from ..planner import Plan
from ..visible import json_text, shorten, visible
from .integrations import ClientLike, Unavailable, make_client, save_query
from .meta import QUERY, MetaCommand, Registry, Reply
from .records import RecordCommands, as_number
from .session import Session, bare_command, drawn_warnings, split_statements
from .statusline import status_line

if TYPE_CHECKING:
    from ..completion import Candidate

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


class Dispatcher(RecordCommands):
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

    def cmd_campaign(self, arg: str) -> Reply:
        from .args import one_word

        word = one_word(arg)  # quotes removed, as a shell does
        if word is None:
            return Reply("a campaign id has no spaces", ok=False)
        arg = word
        if not arg:
            shown = self.session.default_campaign or "none (set one with \\campaign ID)"
            return Reply(f"campaign: {shown}")
        if any(ch.isspace() for ch in arg):
            return Reply("a campaign id has no spaces", ok=False)
        from ..encoding import campaign_problem  # a control character: never echoed

        problem = campaign_problem(arg)
        if problem is not None:
            return Reply(problem, ok=False)
        self.session.campaign = arg
        return Reply(f"campaign: {arg}")

    def cmd_tz(self, arg: str) -> Reply:
        from .args import one_word

        arg = one_word(arg) or arg  # quotes removed, as a shell does
        if not arg:
            return Reply(f"time zone: {self.session.zone or 'UTC'}")
        try:
            timeexpr.zone(arg)
        except timeexpr.TimeError as exc:
            return Reply(f"{exc}" + (f" ({exc.hint})" if exc.hint else ""), ok=False)
        self.session.tz = arg
        return Reply(f"time zone: {arg}")

    def cmd_param(self, arg: str) -> Reply:
        if arg.startswith("-") and "=" not in arg:
            name = arg[1:].strip().lstrip("$")
            if self.session.params.pop(name, None) is None:
                return Reply(f"${shorten(name)} is not bound", ok=False)
            return Reply(f"${name} unbound")
        name, sep, value = arg.partition("=")
        name = name.strip().lstrip("$")
        if not sep or not NAME_RE.match(name):
            return Reply("usage: \\param NAME=VALUE (or \\param -NAME to unbind)", ok=False)
        problem = not_utf8_value(value)
        if problem is not None:  # the same bytes in a query are CQL002
            return Reply(f"\\param {name}: {problem}", ok=False)
        self.session.params[name] = value.strip()
        return Reply(f"${name} = {written(value.strip(), JSON)}")

    def cmd_params(self, arg: str) -> Reply:
        if not self.session.params:
            return Reply("no parameters bound (\\param NAME=VALUE binds one)")
        return Reply(
            "\n".join(f"${k} = {written(v, JSON)}" for k, v in sorted(self.session.params.items()))
        )

    def cmd_queries(self, arg: str) -> Reply:
        s = self.session
        if not s.queries:
            return Reply("no named queries (\\save NAME saves the last query)")
        width = max(len(n) for n in s.queries) + 1
        return Reply("\n".join(f"@{n:<{width}} {s.query_text(n)}" for n in s.query_names()))

    def cmd_set(self, arg: str) -> Reply:
        s = self.session
        name, _, value = arg.replace("=", " ", 1).partition(" ")
        name, value = name.strip().lower(), value.strip()
        if not name:
            lines = [f"{n} = {self._setting(n)}" for n in SETTINGS]
            return Reply("\n".join(lines))
        if name not in SETTINGS:
            close = suggest(name, SETTINGS)
            hint = f"; did you mean {close}?" if close else f" (settings: {', '.join(SETTINGS)})"
            return Reply(f"unknown setting '{shorten(name)}'{hint}", ok=False)
        if not value:
            return Reply(f"{name} = {self._setting(name)}")
        low, high = SETTINGS[name]
        number = as_number(value)
        if value.lower() == "default":
            setattr(s, name, None)
        elif number is None or not low <= number <= high:
            return Reply(f"usage: \\set {name} N, N from {low} to {high:,} (or default)", ok=False)
        else:
            setattr(s, name, number)
        return Reply(f"{name} = {self._setting(name)}")

    def _setting(self, name: str) -> str:
        """A setting as \\set shows it: its value, and where it comes from."""
        s = self.session
        own = getattr(s, name)
        if own is not None:
            return str(own)
        profile = getattr(s.defaults, name)
        if profile is not None:
            return f"{profile} (from the config)"
        return f"{SETTING_DEFAULTS[name]} (default)"

    def cmd_save(self, arg: str) -> Reply:
        from .args import words as split

        s = self.session
        words = split(arg) or []  # quotes removed, as a shell does
        force = "--force" in words
        names = [w for w in words if w != "--force"]
        name = names[0].lstrip("@") if len(names) == 1 else ""
        if not NAME_RE.match(name):
            return Reply(f"usage: \\save NAME [--force] (NAME: {NAME_CHARS})", ok=False)
        if s.last_query is None:
            return Reply("no query to save yet: type one first", ok=False)
        saved = saved_query(s, s.last_query)
        try:
            where = save_query(
                name,
                saved.text,
                params=dict(saved.params),
                timezone=saved.timezone,
                max_branches=saved.max_branches,
                force=force,
                path=s.config_file,
            )
        except (CqlError, OSError) as exc:  # the config's errors: file exists, unreadable...
            return Reply(f"@{name} not saved: {exc}", ok=False)
        s.queries[name] = saved
        return Reply(_saved_words(f"saved @{name}", saved.text, f"in {where}", s))


def _saved_words(done: str, text: str, where: str, s: Session) -> str:
    """What \\save says: the text it saved (cut short, made safe to show),
    and, when the last query typed was refused, that this is the last one
    that was not."""
    said = f"{done}: {shorten(text.strip())} ({where})"
    if s.last_refused:
        said += "\nthe last query typed was refused: this is the last valid one"
    return said


#: Settings of \\set: name -> (least, most).
SETTINGS: dict[str, tuple[int, int]] = {
    "max_branches": (1, 100_000),
    "page_size": (1, 10_000),
}
SETTING_DEFAULTS = {"max_branches": 32, "page_size": 1000}


def saved_query(session: Session, text: str) -> SavedQuery:
    """What ``\\save`` keeps of ``text``: the text as typed, the session's
    bindings of the parameters it uses, the time zone it was read in when
    it reads datetimes, and the session's ``max_branches``, each only where
    the saved query would otherwise run differently (so the saved query
    means what was shown: ``queries check`` and ``fetch @NAME`` agree)."""
    from ..checker import check_text
    from ..config.fetchspec import prepare, stored_param
    from ..ir import atoms

    spec = session.spec(text)
    # What the saved text gets without the session's own settings: the
    # connection's, and for a lone @NAME (an alias) that query's.
    bare = prepare(text, queries=session.queries, schema=session.schema, defaults=session.defaults)
    result = check_text(spec.text, spec.env())
    params = {
        p: stored_param(session.params[p])
        for p in sorted(result.params_used)
        if p in session.params
    }
    reads_time = result.ir is not None and any(a.field.type == "datetime" for a in atoms(result.ir))
    # The REPL's zones are names; str() would name a tzinfo by its key.
    changed = reads_time and spec.tz is not None and spec.tz != bare.tz
    timezone = str(spec.tz) if changed else None
    bound = spec.max_branches if spec.max_branches != bare.max_branches else None
    return SavedQuery(text, FrozenDict(params), timezone, bound)  # hashable, as a spec is


@dataclass(frozen=True)
class SavedQuery:
    """A query ``\\save`` made in this session: what ``@NAME`` uses."""

    text: str
    params: Mapping[str, Any]
    timezone: str | None = None
    max_branches: int | None = None


# ------------------------------------------------ completing the arguments


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    import zoneinfo

    return tuple(sorted(zoneinfo.available_timezones()))


def _complete_zone(session: Session, typed: str) -> Iterable[Candidate]:
    from ..completion import Candidate

    if not typed:  # about 600 zones: wait for a letter
        return ()
    return [Candidate(z, "zone") for z in _zones()]


def _complete_param(session: Session, typed: str) -> Iterable[Candidate]:
    from ..completion import Candidate

    return [Candidate(f"{p}=", "param", session.params[p]) for p in sorted(session.params)]


def _complete_query_name(session: Session, typed: str) -> Iterable[Candidate]:
    from ..completion import Candidate

    return [Candidate(q, "query") for q in session.query_names()]


def _complete_campaign(session: Session, typed: str) -> Iterable[Candidate]:
    from ..completion import Candidate

    campaign = session.default_campaign
    return [Candidate(campaign, "campaign")] if campaign else []


def _complete_setting(session: Session, typed: str) -> Iterable[Candidate]:
    from ..completion import Candidate

    if " " in typed:  # the value: nothing to offer
        return []
    return [Candidate(n, "setting") for n in SETTINGS]


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
            "\\fetch to FILE (format by its extension); alone: the screen",
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
            complete=_complete_campaign,
        ),
        MetaCommand(
            "tz",
            "[ZONE]",
            "show or set the time zone of naive datetimes (an IANA name)",
            Dispatcher.cmd_tz,
            complete=_complete_zone,
        ),
        MetaCommand(
            "param",
            "NAME=VALUE",
            "bind $NAME for the next queries (\\param -NAME unbinds)",
            Dispatcher.cmd_param,
            complete=_complete_param,
        ),
        MetaCommand("params", "", "list the bound parameters", Dispatcher.cmd_params),
        MetaCommand(
            "set",
            "[NAME [VALUE]]",
            "show or change a setting: max_branches, page_size",
            Dispatcher.cmd_set,
            complete=_complete_setting,
        ),
        MetaCommand(
            "save",
            "NAME",
            "save the last query as @NAME (--force replaces one)",
            Dispatcher.cmd_save,
            complete=_complete_query_name,
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
