"""The REPL's commands about records: ``\\fetch``, ``\\count``, ``\\show``,
``\\x``, ``\\o`` and ``\\pager``, as a part of the
:class:`~cqlang.repl.commands.Dispatcher`.

``\\fetch`` draws a table (or, after ``\\x``, one block per record), or,
after ``\\o FILE``, writes the records to FILE in the format its extension
names (Parquet included: :mod:`cqlang.output.writers`), replacing it as ``cqlang
fetch -o`` does: every matching record (a file is no screen), or with
``\\fetch N`` the first N, saying when more match. ``\\show ID`` finds
the record among those the last ``\\fetch`` brought, else pages through
the campaign for it (the API has no filter on ``id``).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..config.fetchspec import FetchSpec, SettingError, owner_name
from ..diagnostics import no_campaign
from ..errors import CqlError, MissingExtra, OutputError, OutputSettingError
from ..output.columns import HEAVY_FIELDS
from ..output.display import custom_keys_of, render_expanded, render_record, render_table
from ..output.misfits import shown_by
from ..visible import shorten
from .integrations import ClientLike, Unavailable
from .meta import Reply
from .session import drawn_warnings

if TYPE_CHECKING:
    from .session import Session

__all__ = ["RecordCommands", "as_number", "on_off"]

#: The most records ``\\fetch N`` shows.
MAX_SHOWN = 10_000


def as_number(text: str) -> int | None:
    """A count written in ASCII digits (:func:`cqlang.digits.ascii_int`:
    ``'²'`` and ``'١'`` are no numbers here), else ``None``."""
    from ..digits import ascii_int

    text = text.strip()
    if not text.isdigit() or len(text) > 9:  # no sign: a count
        return None
    return ascii_int(text)


def on_off(arg: str, current: bool) -> bool | None:
    """``on``/``off`` (and their usual spellings), nothing to toggle
    ``current``; ``None`` for anything else."""
    word = arg.strip().lower()
    if not word:
        return not current
    if word in ("on", "true", "yes", "1"):
        return True
    if word in ("off", "false", "no", "0"):
        return False
    return None


def _reply(text: str = "", ok: bool = True) -> Reply:
    return Reply(text, ok=ok)


def _client_warnings(
    command: Callable[[RecordCommands, str], Reply],
) -> Callable[[RecordCommands, str], Reply]:
    """``command`` with the client's warnings while it ran (the results
    moved, the server caps its pages, ...) before its reply, one
    ``warning:`` line each, as ``fetch`` prints them on stderr."""
    import functools

    @functools.wraps(command)
    def run(self: RecordCommands, arg: str) -> Reply:
        from dataclasses import replace

        from ..term.loglines import client_log

        said: list[str] = []
        with client_log(False, said.append):
            reply = command(self, arg)
        if not said:
            return reply
        lines = "\n".join(line.removeprefix("cqlang: ") for line in said)
        return replace(reply, text=f"{lines}\n{reply.text}" if reply.text else lines)

    return run


def _warned(warnings: str, reply: Reply) -> Reply:
    """``reply`` after the plan's drawn ``warnings`` (coloured), if any."""
    if not warnings:
        return reply
    return Reply(f"{warnings}\n{reply.text}", ok=reply.ok, paint=True)


class RecordCommands:
    """The record commands; the dispatcher supplies ``session``,
    ``client_factory``, ``width`` and ``_failed``."""

    session: Session
    client_factory: Callable[[str | None, str | None], ClientLike]
    width: int | None

    def columns(self) -> int:
        """The width to fill: ``width``, else the terminal's now (100
        columns where there is no terminal)."""
        if self.width is not None:
            return self.width
        import shutil

        return shutil.get_terminal_size((100, 24)).columns

    def _failed(self, exc: CqlError) -> Reply:
        raise NotImplementedError

    def _client(self) -> ClientLike:
        return self.client_factory(self.session.base_url, self.session.api_key)

    def _last_spec(self) -> FetchSpec | Reply:
        s = self.session
        if s.last_query is None:
            return _reply("no query to fetch yet: type one first", ok=False)
        spec = s.spec(s.last_query)
        if not spec.campaign:
            return _reply(no_campaign("repl"), ok=False)
        why = s.cannot_fetch()
        if why is not None:
            return _reply(why, ok=False)
        return spec

    # ---------------------------------------------------------------- fetch
    @_client_warnings
    def cmd_fetch(self, arg: str) -> Reply:
        s = self.session
        word = arg.strip()
        everything = word.lower() == "all"
        if everything and s.output is None:
            return _reply("\\fetch all writes to a file: name one with \\o FILE first", ok=False)
        n = s.fetch_size  # `\fetch N` shows N this once; `\fetch` alone, the default
        given: int | None = None
        if word and not everything:
            given = as_number(word)
            # On the screen, at most MAX_SHOWN; a file takes any count.
            most = MAX_SHOWN if s.output is None else 999_999_999
            if given is None or not 1 <= given <= most:
                return _reply(
                    "usage: \\fetch [N], N from 1 to 10000 (after \\o FILE: any N, or all)",
                    ok=False,
                )
            n = given
        spec = self._last_spec()
        if not isinstance(spec, FetchSpec):
            return spec
        if s.output is not None:
            # A file is no screen: every matching record, unless N is given.
            return self._fetch_to_file(spec, s.output, given)
        # One more than shown, to say whether more match; a named query's
        # own limit caps what is fetched at all.
        ask = n + 1 if spec.limit is None else min(n + 1, spec.limit)
        try:
            plan = spec.plan()
            records = list(itertools.islice(spec.fetch(self._client(), plan=plan, limit=ask), ask))
        except (Unavailable, SettingError) as exc:
            return _reply(str(exc), ok=False)
        except CqlError as exc:
            return self._failed(exc)
        more = len(records) > n
        records = records[:n]
        s.last_records = records
        s.custom_keys.update(custom_keys_of(records))
        warned = drawn_warnings(plan, spec.text)  # CQL206: everything came down
        if not records:
            return _warned(warned, _reply("no records match"))
        if s.expanded:
            body = render_expanded(records, self.columns())
        else:
            body = render_table(records, self.columns())
        tail = f"{len(records)} record{'s' if len(records) != 1 else ''}"
        if more:
            # What a larger `\fetch` can show: at most MAX_SHOWN, and at most the limit.
            bigger = min(n * 5, MAX_SHOWN, spec.limit if spec.limit is not None else MAX_SHOWN)
            tail += f" shown; more match (\\fetch {bigger} shows more)"
        elif spec.limit is not None and len(records) == spec.limit and spec.named is not None:
            owner = owner_name(spec.origin("limit"))
            tail += f" (the limit of @{owner})" if owner is not None else ""
        return _warned(warned, _reply(f"{body}\n{tail}"))

    def _fetch_to_file(self, spec: FetchSpec, path: str, n: int | None) -> Reply:
        """The records to ``path``: every matching one (``n`` ``None``; a
        named query's own ``limit`` still caps them), else the first ``n``,
        saying when more match, as the screen does (one more is asked for
        to tell)."""
        from ..output.counted import fetch_counted
        from ..output.target import check_binary, check_output, choose_format
        from ..output.write import emit
        from ..timeexpr import resolve_now

        try:
            # Checked again before any request: the folder may have gone
            # since \o, and a fetch that could not be written is wasted.
            check_output(path, front="repl")
            fmt = choose_format(None, path, False, front="repl")
            check_binary(fmt, path, False)
            now = resolve_now(None)  # one clock for the plan and the file's cqlang.now
            plan = spec.plan(now=now)
            options = spec.writer_options(fmt, plan, now=now, limit=n)
            client = self._client()
            records = fetch_counted(spec, client, plan=plan, limit=n, probe=True)
            writer = emit(records, fmt, path, front="repl", ending=records.ending, **options)
        except (Unavailable, SettingError, MissingExtra, OutputError) as exc:
            return _reply(str(exc), ok=False)
        except CqlError as exc:
            return self._failed(exc)
        lines = [f"warning: {note}" for note in shown_by(client, writer.notes())]
        count = writer.count
        said = f"wrote {count:,} record{'' if count == 1 else 's'} to {path} ({fmt})"
        if records.more:
            if n is not None and (spec.limit is None or n < spec.limit):
                said += "; more match (\\fetch alone writes every one)"
            else:  # the named query's own limit stopped it
                owner = owner_name(spec.origin("limit"))
                whose = f"the limit of @{owner}" if owner is not None else "the limit"
                said += f"; more match ({whose})"
        lines.append(said)
        return _warned(drawn_warnings(plan, spec.text), _reply("\n".join(lines)))

    # ---------------------------------------------------------------- count
    @_client_warnings
    def cmd_count(self, arg: str) -> Reply:
        if arg:
            return _reply("usage: \\count (counts the records of the last query)", ok=False)
        spec = self._last_spec()
        if not isinstance(spec, FetchSpec):
            return spec
        # Only the number is wanted: the heavy fields stay on the server.
        light = spec.with_(exclude=tuple(dict.fromkeys([*(spec.exclude or ()), *HEAVY_FIELDS])))
        try:
            plan = light.plan()
            n = sum(1 for _ in light.fetch(self._client(), plan=plan))
        except (Unavailable, SettingError) as exc:
            return _reply(str(exc), ok=False)
        except CqlError as exc:
            return self._failed(exc)
        return _reply(f"{n:,} record{'' if n == 1 else 's'} match")

    # ----------------------------------------------------------------- show
    @_client_warnings
    def cmd_show(self, arg: str) -> Reply:
        from .args import one_word

        s = self.session
        ident = one_word(arg) or ""  # quotes removed, as a shell does
        if not ident or any(c.isspace() for c in ident):
            return _reply("usage: \\show ID (a record's id)", ok=False)
        exact = [r for r in s.last_records if r.get("id") == ident]
        near = exact or [
            r for r in s.last_records if isinstance(r.get("id"), str) and r["id"].startswith(ident)
        ]
        if len(near) > 1:
            ids = ", ".join(str(r.get("id")) for r in near[:5])
            said = f"{shorten(ident)} starts {len(near)} ids of the last \\fetch: {ids}"
            return _reply(said, ok=False)
        if near:
            return _reply(render_record(near[0]))
        spec = s.spec("")
        if not spec.campaign:
            return _reply(no_campaign("repl"), ok=False)
        # The API has no filter on id: page through the campaign for it.
        try:
            for rec in spec.with_(exclude=None, limit=None).fetch(self._client()):
                if rec.get("id") == ident:
                    return _reply(render_record(rec))
        except (Unavailable, SettingError) as exc:
            return _reply(str(exc), ok=False)
        except CqlError as exc:
            return self._failed(exc)
        return _reply(f"no record {shorten(ident)} in campaign {spec.campaign}", ok=False)

    # ------------------------------------------------------------- settings
    def cmd_x(self, arg: str) -> Reply:
        s = self.session
        value = on_off(arg, s.expanded)
        if value is None:
            return _reply("usage: \\x [on|off]", ok=False)
        s.expanded = value
        return _reply(f"expanded display is {'on' if value else 'off'}")

    def cmd_pager(self, arg: str) -> Reply:
        s = self.session
        value = on_off(arg, s.pager)
        if value is None:
            return _reply("usage: \\pager [on|off]", ok=False)
        s.pager = value
        return _reply(f"pager is {'on' if value else 'off'}")

    def cmd_o(self, arg: str) -> Reply:
        from ..output.target import check_binary, check_name, check_output, choose_format
        from .args import one_word

        s = self.session
        path = one_word(arg)  # quotes removed, as a shell does: \o "my file.csv"
        if path is None:
            return _reply(
                'usage: \\o [FILE] (one file; quote a name with spaces: \\o "my file.csv")',
                ok=False,
            )
        if path == "" and arg.strip():  # \o "": a name, empty; \o alone is the screen
            try:
                check_name(path, front="repl")
            except OutputSettingError as exc:
                return _reply(str(exc), ok=False)
        if not path or path == "-":
            s.output = None
            return _reply("\\fetch shows the records on the screen")
        path = os.path.expanduser(path)
        try:
            check_output(path, front="repl")
            fmt = choose_format(None, path, False, front="repl")
            check_binary(fmt, path, False)
        except OutputSettingError as exc:
            return _reply(str(exc), ok=False)
        except MissingExtra as exc:  # no pyarrow: the message names the extra
            return _reply(str(exc), ok=False)
        s.output = path
        return _reply(
            f"\\fetch writes every matching record to {path} ({fmt}), \\fetch N the first N; "
            "\\o alone: the screen"
        )
