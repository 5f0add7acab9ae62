"""The REPL's state and its pure helpers (no prompt_toolkit here).

:class:`Session` holds what a REPL session knows: the campaign, the time
zone, bound parameters, named queries, the schema, custom keys seen in
fetched records and the last valid query. The helpers split input into
statements, decide whether Enter should submit, and compute the live status
line; all are plain functions of the text and the session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from ..config.connection import why_not
from ..config.fetchspec import FetchSpec, Settings, prepare
from ..diagnostics import ERROR, WARNING, Diagnostic, for_front_end
from ..encoding import masked_repr
from ..env import Env, chosen_zone
from ..planner import Plan
from ..schema import DEFAULT_SCHEMA, Schema
from ..statements import statement_spans

__all__ = [
    "Session",
    "bare_command",
    "needs_more_input",
    "split_statements",
    "statement_spans",
]

#: Codes the REPL does not show: a session's parameters are bound for every
#: query, so most queries leave some of them unused.
QUIET_CODES = frozenset({"CQL114"})


def shown(diags: Sequence[Diagnostic]) -> list[Diagnostic]:
    """``diags`` as the REPL shows them: errors first, the quiet ones left
    out, hints worded for the REPL (CQL204 names ``\\set max_branches``)."""
    found = [d for d in diags if d.code not in QUIET_CODES]
    return for_front_end(sorted(found, key=lambda d: d.severity != ERROR), "repl")


def drawn_warnings(plan: Plan, text: str) -> str:
    """The plan's warnings (it carries the checker's) drawn under ``text``
    as the REPL shows them, or ``""``: what a query, ``\\explain`` and
    ``\\fetch`` print (CQL206 when the server narrows nothing)."""
    from ..diagnostics import render, render_capped

    warnings = [d for d in shown(plan.warnings) if d.severity == WARNING]
    if not warnings:
        return ""
    return render_capped(warnings, lambda d: render(d, text), sep="\n")


@dataclass
class Session:
    """What one REPL session knows. Plain data: the dispatcher changes it.

    ``campaign``, ``tz``, ``max_branches`` and ``page_size`` are what the
    user set (``--campaign``, ``\\tz``, ``\\set``...); ``defaults`` are the
    connection's (the profile's). A lone ``@NAME``'s own settings come
    between the two (:meth:`spec`), as on the command line.
    """

    campaign: str | None = None
    tz: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    last_query: str | None = None
    #: Whether the last query typed was refused (\\save then says that it
    #: saves the last valid one, ``last_query``).
    last_refused: bool = False
    config_file: str | None = None
    queries: dict[str, Any] = field(default_factory=dict)
    schema: Schema = DEFAULT_SCHEMA
    custom_keys: set[str] = field(default_factory=set)
    base_url: str | None = None
    api_key: str | None = None
    fetch_size: int = 20
    max_branches: int | None = None
    page_size: int | None = None
    defaults: Settings = field(default_factory=Settings)
    profile: str | None = None
    #: \x: records one block each; \pager; \o FILE (None: the screen).
    expanded: bool = False
    pager: bool = True
    output: str | None = None
    #: The records the last \fetch showed (for \show).
    last_records: list[dict[str, Any]] = field(default_factory=list)
    #: Why ``base_url`` or ``api_key`` is missing, in the connection
    #: resolver's words (:attr:`cqlang.config.connection.ConnectionSettings.missing`).
    missing: Mapping[str, str] = field(default_factory=dict)
    #: Where ``base_url`` and ``api_key`` came from (``$CONPEEK_KEY``, a
    #: config file's ``api_key_env``...), as the command line's client says
    #: it (:attr:`cqlang.config.connection.ConnectionSettings.sources`).
    sources: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # the key hidden, a password in the base URL masked
        return masked_repr(self, [f.name for f in fields(self) if f.repr])

    def cannot_fetch(self) -> str | None:
        """Why ``\\fetch`` cannot connect, when the resolver said why the base
        URL or the key is missing; else ``None`` (the client factory judges,
        :func:`~.integrations.make_client` in the same words: :func:`why_not`)."""
        for key in ("base_url", "api_key"):
            if not getattr(self, key) and key in self.missing:
                return f"cannot fetch: {why_not(self.missing, key, front_end='repl')}"
        return None

    # ----------------------------------------------------------- settings
    @property
    def zone(self) -> str | None:
        """The time zone of queries that name none: set, else the profile's."""
        return chosen_zone(self.tz, fallback=self.defaults.timezone)[0]

    @property
    def default_campaign(self) -> str | None:
        """The campaign of queries that name none: set, else the profile's."""
        return self.campaign or self.defaults.campaign

    # ------------------------------------------------------------ queries
    def env(self) -> Env:
        """The compile-time inputs of this session."""
        # A zone set in the session (\\tz) holds inside named queries too.
        zone, on_purpose = chosen_zone(self.tz, fallback=self.defaults.timezone)
        return Env(self.schema, self.params, zone, None, self.queries, override_tz=on_purpose)

    def spec(self, text: str) -> FetchSpec:
        """``text`` with the session's settings resolved, as the command line
        resolves a query's (cqlang.config.fetchspec): a lone ``@NAME`` brings its
        parameter defaults, time zone, campaign, exclude, limit and
        max_branches; what the session set wins."""
        return prepare(
            text,
            queries=self.queries,
            schema=self.schema,
            defaults=self.defaults,
            params=self.params,
            tz=self.tz,
            campaign=self.campaign,
            page_size=self.page_size,
            max_branches=self.max_branches,
        )

    def diagnostics(self, text: str) -> list[Diagnostic]:
        """Errors then warnings for ``text``, without the quiet ones."""
        return self.assess(text)[0]

    def assess(self, text: str) -> tuple[list[Diagnostic], Plan | None]:
        """What to show about ``text`` (errors then warnings, without the quiet
        ones) and its plan, ``None`` when it has errors. A valid text is
        planned once (the plan carries its warnings, and is cached); only an
        invalid one is checked for all its diagnostics."""
        from .. import api

        spec = self.spec(text)
        plan, diags = api.plan_and_check(spec.text, spec.env())
        return shown(diags), plan

    # -------------------------------------------------------- named queries
    def query_names(self) -> list[str]:
        return sorted(self.queries)

    def query_text(self, name: str) -> str:
        entry = self.queries[name]
        if isinstance(entry, str):
            return entry
        return str(getattr(entry, "text", entry))


# ------------------------------------------------------------- statements


def split_statements(text: str) -> list[str]:
    """The statements of ``text`` (see :func:`statement_spans`) that hold
    a query: one of only blanks and ``#`` comments is none (a note, as
    psql skips a line of ``--``), where running it would make "every
    record" the current query."""
    from ..parser import skip_trivia

    out = []
    for s, e in statement_spans(text):
        stmt = text[s:e].strip()
        if stmt and skip_trivia(stmt) < len(stmt):
            out.append(stmt)
    return out


#: Words that, typed alone, act as the meta command (as in psql).
BARE_COMMANDS = {"quit": "quit", "exit": "quit", "help": "help"}


def bare_command(text: str) -> str | None:
    """The meta command that ``text`` is when it is only ``quit``, ``exit``
    or ``help`` (any case; blanks, ``;`` and ``#`` comments after it, as
    the lexer skips them), as psql reads them; else ``None``. (A lone word
    is never a query.)"""
    from ..parser import skip_trivia

    body = text.lstrip()
    n = 0
    while n < len(body) and body[n].isascii() and body[n].isalpha():
        n += 1
    word = BARE_COMMANDS.get(body[:n].lower())
    if word is None:
        return None
    pos = skip_trivia(body, n)
    while pos < len(body) and body[pos] == ";":
        pos = skip_trivia(body, pos + 1)
    return word if pos == len(body) else None


def needs_more_input(text: str, session: Session | None = None) -> bool:
    """Whether Enter should start a new line rather than submit: only when
    the last statement's one complaint is that it ends too early (CQL004),
    as after ``and`` or inside parentheses."""
    if text.lstrip().startswith("\\") or bare_command(text) is not None:
        return False
    spans = statement_spans(text)
    s, e = spans[-1]
    last = text[s:e]
    if not last.strip():
        return False
    from .. import api

    env = session.env() if session is not None else None
    diags = [d for d in api.check(last, env) if d.severity == ERROR]
    return len(diags) == 1 and diags[0].code == "CQL004"
