"""The public entry points; each runs the phases in order.

``parse`` → ``check`` → ``plan`` → ``compile``; ``format`` and ``decompile``
beside them. A query's meaning depends on its compile-time inputs, one
:class:`~cqlang.env.Env` value: ``plan(text, env)``. The keyword arguments
of old (``plan(text, params=..., tz=...)``) build or change one.

Plans are cached by ``(text, env)``, unless the query reads the clock
without an explicit ``now`` (or an input cannot be hashed). A plan is
frozen: a cache hit hands out the plan itself, and ``compile`` a fresh list.
"""

from __future__ import annotations

from _thread import allocate_lock  # threading's Lock, without importing threading
from collections import OrderedDict

from . import argcheck, checker, diagnostics, gcpause, parser
from .ast import Query
from .diagnostics import WARNING, Diagnostic, bound_hint, make, plan_hint
from .dnf import PlanLimit, TooComplex
from .env import DEFAULT_ENV, Env
from .errors import CqlPlanError, raise_for
from .planner import Plan, made_from, plan_ir
from .schema import Schema

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime, tzinfo
    from typing import Any

    from .types import Filter

_CACHE_SIZE = 1024
_cache: OrderedDict[tuple[str, Env], Plan] = OrderedDict()
_cache_lock = allocate_lock()

# The cyclic garbage collector is paused while queries are checked and
# planned (see .gcpause: compiling makes many small containers that die
# young; the pause is the process's, counted across threads and calls).
_pause_gc = gcpause.pause
_resume_gc = gcpause.resume


def environment(
    env: Env | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    tz: str | tzinfo | None = None,
    now: datetime | None = None,
    schema: Schema | None = None,
    queries: Mapping[str, Any] | None = None,
    max_branches: int | None = None,
    strict: bool | None = None,
) -> Env:
    """``env`` (``Env()`` when ``None``) with the inputs given as keywords
    (those not ``None``) in place of its own: what the keyword arguments of
    ``check``, ``plan`` and ``compile`` mean."""
    if env is None:
        if (
            params is None
            and tz is None
            and now is None
            and schema is None
            and queries is None
            and max_branches is None
            and strict is None
        ):
            return DEFAULT_ENV  # the common call: no inputs at all
        env = DEFAULT_ENV
    elif not isinstance(env, Env):
        raise TypeError(f"env is a cqlang.Env, not {type(env).__name__}")
    given = {
        name: value
        for name, value in (
            ("params", params),
            ("tz", tz),
            ("now", now),
            ("schema", schema),
            ("queries", queries),
            ("max_branches", max_branches),
            ("strict", strict),
        )
        if value is not None
    }
    return env.replace(**given) if given else env


def parse(text: str) -> Query:
    """Parse ``text``; raise :class:`CqlSyntaxError` if it is not a query."""
    return parser.parse(text)


def check(
    text: str,
    env: Env | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    tz: str | tzinfo | None = None,
    now: datetime | None = None,
    schema: Schema | None = None,
    queries: Mapping[str, Any] | None = None,
    max_branches: int | None = None,
    strict: bool | None = None,
) -> list[Diagnostic]:
    """Every diagnostic of ``text`` (errors and warnings) with the inputs
    ``env``; never raises for a bad query."""
    argcheck.query(text)
    env = environment(
        env,
        params=params,
        tz=tz,
        now=now,
        schema=schema,
        queries=queries,
        max_branches=max_branches,
        strict=strict,
    )
    _pause_gc()
    try:
        result = checker.check_text(text, env)
        diags = list(result.diagnostics)
        if result.ir is not None:
            try:
                p = plan_ir(result.ir, env, text, result.instants)
            except PlanLimit as exc:
                diags.append(_too_many(text, exc, env.max_branches))
            else:
                diags.extend(p.warnings)
    finally:
        _resume_gc()
    return diags


def _too_many(text: str, exc: PlanLimit, limit: int) -> Diagnostic:
    if isinstance(exc, TooComplex):
        return make(
            text,
            "CQL205",
            f"the query is too complex to plan: its 'and's over its 'or's make up to "
            f"{exc.count:,} alternatives; planning stops at {exc.limit:,}",
            exc.span[0],
            exc.span[1],
            hint="a fixed limit, apart from max_branches: take common conditions out of "
            "the 'or's, or split the query",
        )
    return make(
        text,
        "CQL204",
        f"the query needs {exc.count} request{'' if exc.count == 1 else 's'}; the limit is {limit}",
        exc.span[0],
        exc.span[1],
        hint=bound_hint("python"),  # front ends word their own (for_front_end)
        facts=(("limit", limit), ("requests", exc.count)),
    )


def plan(
    text: str,
    env: Env | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    tz: str | tzinfo | None = None,
    now: datetime | None = None,
    schema: Schema | None = None,
    queries: Mapping[str, Any] | None = None,
    max_branches: int | None = None,
    strict: bool | None = None,
) -> Plan:
    """The requests and the client-side residual that answer ``text`` with
    the inputs ``env``. The plan is frozen and may be shared (cached)."""
    argcheck.query(text)
    env = environment(
        env,
        params=params,
        tz=tz,
        now=now,
        schema=schema,
        queries=queries,
        max_branches=max_branches,
        strict=strict,
    )
    found, diags = _plan_or_diagnostics(text, env)
    if found is None:
        raise_for(diags, text)
        raise AssertionError("no plan and no error")  # pragma: no cover
    return found


def plan_and_check(text: str, env: Env | None = None) -> tuple[Plan | None, list[Diagnostic]]:
    """``text``'s plan and its diagnostics, in one pass: ``(plan,
    warnings)`` for a valid query (the plan as :func:`plan` gives it, and
    caches it), ``(None, diagnostics)`` for one that cannot be planned,
    every diagnostic as :func:`check` gives them. What a front end that
    shows both wants (the REPL's status line, at each key press), without
    checking an invalid query twice."""
    argcheck.query(text)
    return _plan_or_diagnostics(text, environment(env))


def _plan_or_diagnostics(
    text: str, env: Env, pause: bool = True
) -> tuple[Plan | None, list[Diagnostic]]:
    """The plan or the diagnostics, from the cache or made (the collector
    paused while it is made, unless ``pause`` is false: the caller did)."""
    key = (text, env)
    cacheable = True
    try:
        with _cache_lock:
            hit = _cache.get(key)
            if hit is not None:
                _cache.move_to_end(key)
                return hit, list(hit.warnings)
    except TypeError:  # an input that cannot be hashed: nothing is cached
        cacheable = False
    if not pause:
        return _plan_uncached(text, env, key, cacheable)
    _pause_gc()
    try:
        return _plan_uncached(text, env, key, cacheable)
    finally:
        _resume_gc()


def _plan_uncached(
    text: str, env: Env, key: tuple[str, Env], cacheable: bool
) -> tuple[Plan | None, list[Diagnostic]]:
    result = checker.check_text(text, env)
    if result.ir is None:
        return None, list(result.diagnostics)
    try:
        p = plan_ir(result.ir, env, text, result.instants)
    except PlanLimit as exc:
        return None, [*result.diagnostics, _too_many(text, exc, env.max_branches)]
    # The checker's warnings travel with the plan, so that a caller who plans
    # (compile, explain, fetch) need not check the query a second time.
    warned = (
        tuple(d for d in result.diagnostics if d.severity == WARNING) if result.diagnostics else ()
    )
    if warned:
        p = p.replace(warnings=warned + p.warnings)
    # What it was made from, for a file's metadata (cqlang.output.filemeta).
    p = made_from(p, text, env.params or None)
    if cacheable and not result.uses_clock:
        with _cache_lock:
            _cache[key] = p
            if len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return p, list(p.warnings)


def compile(
    text: str,
    env: Env | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    tz: str | tzinfo | None = None,
    now: datetime | None = None,
    schema: Schema | None = None,
    queries: Mapping[str, Any] | None = None,
    max_branches: int | None = None,
    strict: bool | None = None,
) -> list[Filter]:
    """The one ``filter`` list for ``text`` with the inputs ``env``, a fresh
    list the caller may change. Strict: a query that needs more than one
    request, a client-side residual, or that never matches raises
    :class:`CqlPlanError` naming the part responsible."""
    argcheck.query(text)
    env = environment(
        env,
        params=params,
        tz=tz,
        now=now,
        schema=schema,
        queries=queries,
        max_branches=max_branches,
        strict=strict,
    )
    _pause_gc()  # the copy below makes as many objects as the plan holds
    try:
        p, diags = _plan_or_diagnostics(text, env, pause=False)
        if p is None:
            raise_for(diags, text)
            raise AssertionError("no plan and no error")  # pragma: no cover
        strict_check(p, text)
        return p.branch(0)  # a copy, down to the value lists: the plan is shared
    finally:
        _resume_gc()


def strict_check(p: Plan, text: str) -> None:
    """Raise unless the plan is exactly one request with no residual."""
    if p.never_matches:
        _, msg, span = p.reasons[0]
        d = make(
            text,
            "CQL201",
            msg,
            span[0],
            span[1],
            hint="nothing can match: no filter would be correct",
        )
        raise CqlPlanError(d.message, [d], text)
    n = p.requests
    if n > 1 or p.residual is not None:
        code, msg, span = next(
            (r for r in p.reasons if r[0] == ("CQL202" if n > 1 else "CQL203")),
            ("CQL202", "the query needs more than one request", (0, len(text))),
        )
        if n > 1:
            message = f"the query needs {n} requests; one filter cannot express it"
        else:
            message = "part of the query must be checked on the client; one filter cannot"
        # Python's words; a front end words its own (diagnostics.for_front_end).
        d = make(
            text,
            code,
            message,
            span[0],
            span[1],
            hint=plan_hint("python", msg),
            facts=(("reason", msg),),
        )
        raise CqlPlanError(d.message, [d], text)


def format(text: str, *, schema: Schema | None = None, width: int = 88) -> str:
    """The formatted text of a query, its comments kept: one line when it
    fits in ``width`` (at least 1) and holds no comment, else one and/or
    operand a line (raises :class:`CqlSyntaxError`)."""
    from .formatter import format_text

    argcheck.query(text)
    argcheck.instance("schema", schema, Schema, "a cqlang.Schema", optional=True)
    width = argcheck.count("width", width, least=1)
    return format_text(text, schema, width=width)


def decompile(filters_or_text: Any, *, schema: Schema | None = None) -> str:
    """Canonical query text for a filter list (a list of dicts), its JSON
    text, its encoded value or a request URL (see cqlang.decompiler)."""
    from .decompiler import decompile as _decompile

    if not isinstance(filters_or_text, str | list | tuple):
        raise argcheck.wrong_type(
            "source",
            "a filter list (a list), or its JSON, encoded value or request URL (a str)",
            filters_or_text,
        )
    argcheck.instance("schema", schema, Schema, "a cqlang.Schema", optional=True)
    return _decompile(filters_or_text, schema=schema)


__all__ = [
    "Env",
    "check",
    "compile",
    "decompile",
    "diagnostics",
    "environment",
    "format",
    "parse",
    "plan",
    "plan_and_check",
]
