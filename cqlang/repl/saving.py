"""The REPL's named queries: ``\\save NAME`` (what it keeps of the last
query: :func:`saved_query`, a :class:`SavedQuery`; written to the config
file that ``cqlang queries save`` writes) and ``\\queries``, as a part of
the :class:`~cqlang.repl.commands.Dispatcher`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..diagnostics import NAME_CHARS, NAME_RE
from ..env import FrozenDict
from ..errors import CqlError
from ..visible import shorten
from .integrations import save_query
from .meta import Reply

if TYPE_CHECKING:
    from .session import Session

__all__ = ["SavedQuery", "SavingCommands", "saved_query"]


class SavingCommands:
    """``\\save`` and ``\\queries``; the dispatcher supplies ``session``."""

    session: Session

    def cmd_queries(self, arg: str) -> Reply:
        s = self.session
        if not s.queries:
            return Reply("no named queries (\\save NAME saves the last query)")
        width = max(len(n) for n in s.queries) + 1
        return Reply("\n".join(f"@{n:<{width}} {s.query_text(n)}" for n in s.query_names()))

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
