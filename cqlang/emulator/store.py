"""The emulator's records: each campaign's records with their serialized
forms (one per ``exclude`` set) and the records each filter matched, cached
until the data changes; the data sets an emulator starts with."""

from __future__ import annotations

import random
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import SettingError
from ..jsonlimit import dumps
from ..recordids import RecordIdError, record_ids
from .data import (
    DEFAULT_CAMPAIGN,
    MAX_RECORDS,
    REFERENCE_DATE,
    checked_records,
    close_record,
    generate_records,
    load_records,
    make_record,
)

#: How many distinct filters keep their matches cached.
FILTER_CACHE_SIZE = 128


class Entry:
    """One record and its serialized forms, keyed by the excluded fields."""

    __slots__ = ("blobs", "record")

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record
        self.blobs: dict[tuple[str, ...], bytes] = {}

    def blob(self, exclude: tuple[str, ...]) -> bytes:
        b = self.blobs.get(exclude)
        if b is None:
            rec = self.record
            if exclude:
                rec = {k: v for k, v in rec.items() if k not in exclude}
            # allow_nan=False: a float NaN or infinity is refused (at start,
            # by warm), never served as NaN or Infinity, which is no JSON.
            # dumps: a number read with a fraction is served as it was written.
            text = dumps(rec, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
            try:
                b = text.encode()
            except UnicodeEncodeError:
                # A lone surrogate (given from Python, or a JSON file's
                # "\udc80") has no UTF-8: served as JSON's escape, which a
                # server may send, as the client must read it.
                b = dumps(rec, separators=(",", ":"), allow_nan=False).encode()
            self.blobs[exclude] = b
        return b


class Campaign:
    def __init__(self, cid: str, records: Iterable[dict[str, Any]], seed: int | str) -> None:
        self.id = cid
        self.entries = [Entry(r) for r in records]
        self.matches: OrderedDict[str, list[Entry]] = OrderedDict()
        self.rng = random.Random(f"cqlang-emulator-churn:{seed}:{cid}")
        project = next((e.record.get("project_id") for e in self.entries[0:1]), None)
        self.project_id = project if isinstance(project, int) else 4242


class Store:
    """The campaigns' records, with the caches that make serving fast."""

    def __init__(self, campaigns: Mapping[str, list[dict[str, Any]]], seed: int | str) -> None:
        self.lock = threading.Lock()
        self.campaigns = {cid: Campaign(cid, recs, seed) for cid, recs in campaigns.items()}
        self.clock = int(REFERENCE_DATE.timestamp())

    def warm(self) -> None:
        """Serialize every record once (the full form). A record holding a
        float NaN or infinity (given from Python: a data file holding one is
        refused as it is read) is refused here, before the server listens,
        with a :class:`~cqlang.errors.SettingError` (a ``ValueError``)
        naming the record and where in it; a value JSON has no form for (a
        ``set``, a ``datetime``) with a ``TypeError`` naming the record."""
        for c in self.campaigns.values():
            for n, e in enumerate(c.entries, 1):
                serialize(e, f"campaign {c.id}: record {n}", "data")

    def matching(
        self, c: Campaign, key: str, matcher: Callable[[Mapping[str, Any]], bool] | None
    ) -> list[Entry]:
        with self.lock:
            hit = c.matches.get(key)
            if hit is not None:
                c.matches.move_to_end(key)
                return hit
            entries = c.entries if matcher is None else [e for e in c.entries if matcher(e.record)]
            c.matches[key] = entries
            if len(c.matches) > FILTER_CACHE_SIZE:
                c.matches.popitem(last=False)
            return entries

    def churn(self, n: int, bound: bool = False) -> None:
        """In every campaign, ``n`` records appear and ``n`` open ones close.
        With ``bound`` (a call from Python), a count that would take the
        records past :data:`MAX_RECORDS` in all is refused first."""
        with self.lock:
            if bound:
                now = sum(len(c.entries) for c in self.campaigns.values())
                if now + n * len(self.campaigns) > MAX_RECORDS:
                    raise SettingError(
                        f"n is {n:,}: churn would make {n * len(self.campaigns):,} records, "
                        f"past the {MAX_RECORDS:,} the emulator holds in all ({now:,} now)",
                        "n",
                    )
            for c in self.campaigns.values():
                for _ in range(n):
                    self.clock += 1
                    rec = make_record(c.rng, self.clock - 1, self.clock, c.id, c.project_id)
                    c.entries.insert(c.rng.randrange(len(c.entries) + 1), Entry(rec))
                open_ = [e for e in c.entries if e.record.get("state") != "CLOSED"]
                for e in c.rng.sample(open_, min(n, len(open_))):
                    self.clock += 1
                    e.record = close_record(e.record, c.rng, self.clock)
                    e.blobs = {}
                c.matches.clear()

    def close(self, cid: str, ids: set[str]) -> int:
        with self.lock:
            c = self.campaigns[cid]
            n = 0
            for e in c.entries:
                if e.record.get("id") in ids and e.record.get("state") != "CLOSED":
                    self.clock += 1
                    e.record = close_record(e.record, c.rng, self.clock)
                    e.blobs = {}
                    n += 1
            c.matches.clear()
            return n

    def insert(self, cid: str, index: int, records: list[dict[str, Any]]) -> None:
        """Insert ``records`` (checked by :func:`checked_records`) before
        the record at ``index`` (0 to the count: last). Each is checked as
        the records an emulator starts with (an id, none the campaign has,
        JSON's values) before any goes in."""
        _check_ids(records, "records", setting="records")
        with self.lock:
            c = self.campaigns[cid]
            if index > len(c.entries):
                raise SettingError(
                    f"index must be at most {len(c.entries)} (campaign {cid} has "
                    f"{len(c.entries)} records; {len(c.entries)} puts them last), not {index}",
                    "index",
                )
            have = {e.record.get("id") for e in c.entries}
            for n, r in enumerate(records, 1):
                if r["id"] in have:
                    raise SettingError(
                        f"records: record {n} (id {r['id']!r:.60}) has the id of a record "
                        f"campaign {cid} has: no id twice in a campaign "
                        "(the client refuses a page that breaks this)",
                        "records",
                    )
            entries = [Entry(r) for r in records]
            for n, e in enumerate(entries, 1):
                serialize(e, f"records: record {n}", "records")
            c.entries[index:index] = entries
            c.matches.clear()

    def remove(self, cid: str, ids: set[str]) -> int:
        with self.lock:
            c = self.campaigns[cid]
            before = len(c.entries)
            c.entries = [e for e in c.entries if e.record.get("id") not in ids]
            c.matches.clear()
            return before - len(c.entries)

    def records(self, cid: str) -> list[dict[str, Any]]:
        with self.lock:
            return [e.record for e in self.campaigns[cid].entries]


def check_campaign_ids(ids: Iterable[str]) -> None:
    """Refuse, as the command line does (:func:`cqlang.encoding.campaign_problem`),
    a campaign id that cannot be one path segment: ``.``, ``..``, a blank one.
    Served, it would answer requests that were never meant for it."""
    from ..encoding import campaign_problem

    for cid in ids:
        problem = campaign_problem(cid)
        if problem is not None:
            raise ValueError(problem)


def build_datasets(
    records: int,
    seed: int | str,
    campaigns: Sequence[str],
    data: str | Path | Sequence[Mapping[str, Any]] | Mapping[str, Any] | None,
    window_days: float,
) -> dict[str, list[dict[str, Any]]]:
    if data is None:
        # Checked before anything is made: a count past the bound would eat
        # the machine's memory before the server listens.
        if records < 0 or records * max(1, len(campaigns)) > MAX_RECORDS:
            each = f" in each of {len(campaigns)} campaigns" if len(campaigns) > 1 else ""
            raise ValueError(
                f"cannot generate {records:,} records{each}: at most {MAX_RECORDS:,} in all "
                "(each takes some 4.5 KB of memory); serve a --data file for other data"
            )
        return {
            cid: generate_records(records, seed, cid, window_days=window_days) for cid in campaigns
        }
    out: dict[str, list[dict[str, Any]]] = {cid: [] for cid in campaigns}
    first = campaigns[0] if campaigns else DEFAULT_CAMPAIGN
    if isinstance(data, Mapping):
        keys: dict[str, list[str]] = {}  # each campaign's keys, as given (1 and "1" are one)
        for cid, recs in data.items():
            got = checked_records(recs, f"data[{cid!r}]")
            check_campaign_ids((str(cid),))
            _check_ids(got, f"data[{cid!r}]")
            out.setdefault(str(cid), []).extend(got)
            keys.setdefault(str(cid), []).append(f"data[{cid!r}]")
        for cid, given in keys.items():  # the campaign served, all its keys together
            if len(given) > 1:
                _check_ids(out[cid], f"{' and '.join(given)} (all campaign {cid!r})")
        return out
    where = str(data) if isinstance(data, str | Path) else "data"
    recs = load_records(data) if isinstance(data, str | Path) else checked_records(data)
    places: dict[str, list[int]] = {}  # each campaign's records: their places in `recs`
    for n, r in enumerate(recs):
        owner = r.get("voice_campaign_id")
        cid = owner if isinstance(owner, str) and owner else first
        out.setdefault(cid, []).append(dict(r))
        places.setdefault(cid, []).append(n)
    check_campaign_ids(out)  # before the ids: a campaign no request can name
    for cid, place in places.items():
        _check_ids(out[cid], where, place)
    return out


def _check_ids(
    records: list[dict[str, Any]],
    where: str,
    places: list[int] | None = None,
    setting: str = "data",
) -> None:
    """Refuse records the client would refuse (:func:`cqlang.recordids.record_ids`:
    no id, one that is not a string or is empty, one that repeats in the
    campaign), naming ``where`` and the record by its place there (counted
    from 1, in the order given), with its id when it has one: a
    :class:`~cqlang.errors.SettingError` (a ``ValueError``) for ``setting``."""
    try:
        record_ids(records)
    except RecordIdError as exc:

        def place(i: int) -> int:
            return (i if places is None else places[i]) + 1

        said = f" (id {exc.ident!r:.60})" if exc.ident else ""
        if exc.first is None:
            why = f"record {place(exc.index)}{said} {exc.problem}"
        else:
            why = f"record {place(exc.index)}{said} repeats the id of record {place(exc.first)}"
        raise SettingError(
            f"{where}: {why}: every record needs an id, a non-empty string, "
            "none twice in a campaign (the client refuses a page that breaks this)",
            setting,
        ) from None


def serialize(e: Entry, where: str, setting: str) -> None:
    """Serialize a record's full form once, or refuse it naming ``where``
    (``campaign X: record 2``) and its id: a float NaN or infinity, or a
    circular one, as a :class:`~cqlang.errors.SettingError` for ``setting``
    (a ``ValueError``); a value JSON has no form for (a ``set``, a
    ``datetime``, a key that is a tuple) as a ``TypeError``."""
    ident = e.record.get("id")
    try:
        e.blob(())
    except ValueError as exc:
        from ..jsonlimit import NotFinite, non_finite

        found = non_finite(e.record)
        if found is None:  # a list or dict that holds itself
            raise SettingError(f"{where} (id {ident!r:.60}): {exc}", setting) from None
        bad = NotFinite(repr(found[0]), found[1])
        raise SettingError(
            f"{where} (id {ident!r:.60}): {bad}; JSON has no NaN or infinity", setting
        ) from None
    except TypeError as exc:
        raise TypeError(f"{where} (id {ident!r:.60}): {exc}") from None
