"""The public entry points; each runs the phases in order.

``parse`` → ``check`` → ``plan`` → ``compile``; ``format`` and ``decompile``
beside them. Compiled results are cached (by query text and compile-time
inputs) unless the query reads the clock without an explicit ``now``.
"""

from __future__ import annotations

from _thread import allocate_lock  # threading's Lock, without importing threading
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime

from . import checker, diagnostics, parser
from .ast import Query
from .diagnostics import WARNING, Diagnostic, bound_hint, make
from .dnf import PlanLimit, TooComplex
from .errors import CqlPlanError, raise_for
from .planner import Plan, plan_ir
from .schema import DEFAULT_SCHEMA, Schema

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

_CACHE_SIZE = 1024
_cache: OrderedDict[Any, Any] = OrderedDict()
_cache_lock = allocate_lock()


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(_freeze(v) for v in value)
    hash(value)
    return value


def _cache_key(kind: str, text: str, **inputs: Any) -> Any:
    """The key of a result in the cache, or None when some input cannot be
    one (then nothing is cached, and the check says what is wrong)."""
    if inputs.get("params") is None and inputs.get("queries") is None:
        # The common case, without walking anything.
        return (
            kind,
            text,
            inputs.get("tz"),
            inputs.get("now"),
            inputs.get("schema"),
            inputs.get("max_branches"),
        )
    try:
        return (
            kind,
            text,
            _freeze({k: v for k, v in inputs.items() if k != "schema"}),
            # The schema itself (hashed by identity), not its id: the key
            # keeps it alive, so a new schema can never inherit its plans.
            inputs.get("schema"),
        )
    except TypeError:
        return None


def parse(text: str) -> Query:
    """Parse ``text``; raise :class:`CqlSyntaxError` if it is not a query."""
    return parser.parse(text)


def check(
    text: str,
    *,
    params: Mapping[str, Any] | None = None,
    tz: str | None = None,
    now: datetime | None = None,
    schema: Schema | None = None,
    queries: Mapping[str, Any] | None = None,
    max_branches: int = 32,
) -> list[Diagnostic]:
    """Every diagnostic of ``text`` (errors and warnings); never raises for a
    bad query."""
    if not isinstance(text, str):
        raise TypeError(f"a query is a str, not {type(text).__name__}")
    result = checker.check_text(text, schema=schema, params=params, tz=tz, now=now, queries=queries)
    diags = list(result.diagnostics)
    if result.ir is not None:
        try:
            p = plan_ir(
                result.ir, text=text, schema=schema or DEFAULT_SCHEMA, max_branches=max_branches
            )
        except PlanLimit as exc:
            diags.append(_too_many(text, exc, max_branches))
        else:
            diags.extend(p.warnings)
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
        f"the query needs {exc.count} requests; the limit is {limit}",
        exc.span[0],
        exc.span[1],
        hint=bound_hint("python"),  # front ends word their own (for_front_end)
        facts=(("limit", limit), ("requests", exc.count)),
    )


def plan(
    text: str,
    *,
    params: Mapping[str, Any] | None = None,
    tz: str | None = None,
    now: datetime | None = None,
    schema: Schema | None = None,
    queries: Mapping[str, Any] | None = None,
    max_branches: int = 32,
) -> Plan:
    """The requests and the client-side residual that answer ``text``."""
    if not isinstance(text, str):
        raise TypeError(f"a query is a str, not {type(text).__name__}")
    key = _cache_key(
        "plan",
        text,
        params=params,
        tz=tz,
        now=now,
        schema=schema,
        queries=queries,
        max_branches=max_branches,
    )
    if key is not None:
        with _cache_lock:
            try:
                hit = _cache.get(key)
            except TypeError:  # an input that cannot be a key (schema={}, tz=["UTC"])
                key = hit = None
            if hit is not None:
                _cache.move_to_end(key)
                return hit.copy()  # type: ignore[no-any-return]
    result = checker.check_text(text, schema=schema, params=params, tz=tz, now=now, queries=queries)
    raise_for(result.diagnostics, text)
    assert result.ir is not None
    try:
        p = plan_ir(
            result.ir, text=text, schema=schema or DEFAULT_SCHEMA, max_branches=max_branches
        )
    except PlanLimit as exc:
        d = _too_many(text, exc, max_branches)
        raise CqlPlanError(d.message, [d], text) from None
    # The checker's warnings travel with the plan, so that a caller who plans
    # (compile, explain, fetch) need not check the query a second time.
    p.warnings = [d for d in result.diagnostics if d.severity == WARNING] + p.warnings
    if key is not None and not result.uses_clock:
        with _cache_lock:
            _cache[key] = p
            if len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
        return p.copy()  # the cache keeps the original
    return p


def compile(
    text: str,
    *,
    params: Mapping[str, Any] | None = None,
    tz: str | None = None,
    now: datetime | None = None,
    schema: Schema | None = None,
    queries: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The one ``filter`` list for ``text``. Strict: a query that needs more
    than one request, a client-side residual, or that never matches raises
    :class:`CqlPlanError` naming the part responsible."""
    p = plan(text, params=params, tz=tz, now=now, schema=schema, queries=queries)
    strict_check(p, text)
    # Copies down to the value lists: the plan is cached and shared.
    return p.branches[0]  # plan() hands out a copy


def strict_check(p: Plan, text: str) -> None:
    """Raise unless the plan is exactly one request with no residual."""
    hint = "see the plan with `cqlang explain` (or cqlang.plan() in Python)"
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
    if len(p.branches) > 1 or p.residual is not None:
        code, msg, span = next(
            (r for r in p.reasons if r[0] == ("CQL202" if len(p.branches) > 1 else "CQL203")),
            ("CQL202", "the query needs more than one request", (0, len(text))),
        )
        if len(p.branches) > 1:
            message = f"the query needs {len(p.branches)} requests; one filter cannot express it"
        else:
            message = "part of the query must be checked on the client; one filter cannot"
        d = make(text, code, message, span[0], span[1], hint=f"{msg}; {hint}")
        raise CqlPlanError(d.message, [d], text)


def format(text: str, *, schema: Schema | None = None, width: int = 88) -> str:
    """The formatted text of a query, its comments kept: one line when it
    fits in ``width`` and holds no comment, else one and/or operand a line
    (raises :class:`CqlSyntaxError`)."""
    from .formatter import format_text

    return format_text(text, schema, width=width)


def decompile(filters_or_text: Any, *, schema: Schema | None = None) -> str:
    """Canonical query text for a filter list (see cqlang.decompiler)."""
    from .decompiler import decompile as _decompile

    return _decompile(filters_or_text, schema=schema)


__all__ = ["check", "compile", "decompile", "diagnostics", "format", "parse", "plan"]
