"""The emulator's records: generated from a seed, or loaded from a file.

:func:`generate_records` builds realistic VoiceCampaignRequest records (the
fields of docs/emulator.md and the API facts), deterministically from a seed:
the same ``(count, seed, campaign, window_days)`` always gives the same
records, in the same order (by creation time, like a database's natural
order). They are spread over ``window_days`` before :data:`REFERENCE_DATE`.

:func:`load_records` reads records from a JSON file (a list, or the API's
``{"data": [...]}`` envelope) or a JSONL file (one record per line).
"""

from __future__ import annotations

import json
import os
import random
import stat
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..encoding import nesting
from ..errors import SettingError
from ..jsonlimit import BadNumber, finite_loads
from ..recordids import id_problem

#: The fixed "now" of generated data: records are created before it.
REFERENCE_DATE = datetime(2026, 11, 1, 0, 0, 0, tzinfo=UTC)
#: The campaign served when none is named (the API page's example id).
DEFAULT_CAMPAIGN = "5b7c389fe8df7b60af688989"
#: The API key the emulator accepts when none is given.
DEFAULT_API_KEY = "demo-key"
#: Default spread of ``created_date`` before :data:`REFERENCE_DATE`, in days.
DEFAULT_WINDOW_DAYS = 90
#: The largest data file served (``--data``): 512 MiB, some 400,000 records.
MAX_DATA_BYTES = 512 * 1024 * 1024
#: The most records generated, in all campaigns together (``--records N``
#: times the campaigns): each takes some 4.5 KB of memory with the server's
#: caches, so this is about 2 GB, generated in under a minute.
MAX_RECORDS = 500_000

STATES = ("OPEN", "PROCESSING", "CLOSED")
APPLICATION_STATES_OPEN = ("NEW", "RECALL", "RETRY")
DIALING_METHODS = ("PREVIEW", "PREDICTIVE", "PROGRESSIVE")
CLOSE_REASONS = ("SUCCESS", "NO_ANSWER", "WRONG_NUMBER", "REJECTED", "CALLBACK_LIMIT", "DUPLICATE")
CALL_STATES_OPEN = ("WAITING", "DIALING", "RESERVED", "CALL_ENDED")
CALL_STATE_REASONS = ("NO_USER_RESPONSE", "BUSY", "NO_ANSWER", "REJECTED", "FAILED")
REGIONS = ("PL", "PL", "PL", "DE", "CZ", "SK", "LT", "UA")
SEGMENTS = ("retail", "SMB", "enterprise", "VIP", "B2B & partners")
LEAD_SOURCES = ("web", "phone", "partner", "email", "fair #2026", "ads+search")
CITIES = (
    "Warszawa",
    "Kraków",
    "Łódź",
    "Wrocław",
    "Poznań",
    "Gdańsk",
    "Szczecin",
    "Bielsko-Biała",
    "Zielona Góra",
    "Częstochowa",
)
FIRST_NAMES = ("Łukasz", "Zofia", "Paweł", "Małgorzata", "Jan", "Agnieszka", "Michał", "Żaneta")
LAST_NAMES = ("Wójcik", "Nowak", "Kowalczyk", "Woźniak", "Dąbrowski", "Zieliński", "Szymańska")
PRODUCTS = ("fiber 300", "mobile XL", "TV+net", "energia zielona", "OC/AC")

_DAYS: dict[int, str] = {}


def _fmt(epoch: int) -> str:
    """An epoch second as the API writes it, ``YYYY-MM-DD HH:MM:SS`` (UTC),
    fast (day prefixes cached)."""
    day, sec = divmod(epoch, 86400)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d ")
        _DAYS[day] = prefix
    h, rest = divmod(sec, 3600)
    m, s = divmod(rest, 60)
    return f"{prefix}{h:02d}:{m:02d}:{s:02d}"


class _Rng:
    """Fast draws on top of ``random.Random`` (``random()`` only: C speed)."""

    __slots__ = ("bits", "random")

    def __init__(self, rng: random.Random) -> None:
        self.random = rng.random
        self.bits = rng.getrandbits

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def between(self, lo: int, hi: int) -> int:
        """An int in ``[lo, hi)``."""
        return lo + int(self.random() * (hi - lo))

    def pick(self, seq: tuple[Any, ...]) -> Any:
        return seq[int(self.random() * len(seq))]

    def digits(self, n: int) -> str:
        return str(self.between(10 ** (n - 1), 10**n))

    def phone(self) -> str:
        return "48" + self.digits(9)


def generate_records(
    count: int,
    seed: int | str = 1,
    campaign: str = DEFAULT_CAMPAIGN,
    *,
    window_days: float = DEFAULT_WINDOW_DAYS,
    reference: datetime = REFERENCE_DATE,
) -> list[dict[str, Any]]:
    """``count`` records of ``campaign``, deterministic from ``seed``.

    Sorted by ``created_date`` (then generation order), the order the
    emulator serves them in.
    """
    rng = random.Random(f"cqlang-emulator:{seed}:{campaign}")
    fast = _Rng(rng)
    window = max(1, round(window_days * 86400))
    end = int(reference.timestamp())
    start = end - window
    project_id = fast.between(1000, 10000)
    stamps = sorted(fast.between(start, end) for _ in range(count))
    seen: set[str] = set()
    out = []
    for created in stamps:
        rec = _record(fast, created, end, campaign, project_id)
        while rec["id"] in seen:  # 64 random bits: practically never
            rec["id"] = f"{created:08x}{fast.bits(64):016x}"
        seen.add(rec["id"])
        out.append(rec)
    return out


def make_record(
    rng: random.Random, created: int, now: int, campaign: str, project_id: int = 4242
) -> dict[str, Any]:
    """One record created at epoch second ``created``, seen at ``now``."""
    return _record(_Rng(rng), created, now, campaign, project_id)


def _record(rng: _Rng, created: int, now: int, campaign: str, project_id: int) -> dict[str, Any]:
    r = rng.random
    pick = rng.pick
    state = STATES[0 if r() < 0.45 else 1 if r() < 0.3 else 2]
    closed = state == "CLOSED"
    contact = rng.phone()
    current = contact if r() < 0.85 else rng.phone()
    if r() < 0.7:
        pnb = created + rng.below(3 * 86400)
    else:
        pnb = created + rng.between(3 * 86400, 30 * 86400)
    contact_try = rng.below(8)
    if closed:
        app_state = "CLOSED"
        closed_at: int | None = min(now - 1, created + rng.between(60, 20 * 86400))
        close_reason: str | None = pick(CLOSE_REASONS)
        call_state = "CALL_ENDED"
        call_reason = None if close_reason == "SUCCESS" else pick(CALL_STATE_REASONS)
    else:
        app_state = pick(APPLICATION_STATES_OPEN) if contact_try else "NEW"
        closed_at = None
        close_reason = None
        call_state = pick(CALL_STATES_OPEN)
        call_reason = pick(CALL_STATE_REASONS) if r() < 0.4 else None
    tenant: int | None = rng.between(10, 40) if r() < 0.8 else None
    assigned: int | None = rng.between(10, 40) if r() < 0.6 else None
    custom: dict[str, Any] = {}
    if r() < 0.9:
        custom["region"] = pick(REGIONS)
    if r() < 0.8:
        custom["segment"] = pick(SEGMENTS)
    if r() < 0.7:
        custom["lead source"] = pick(LEAD_SOURCES)
    if r() < 0.85:
        custom["score"] = rng.below(101)
    if r() < 0.6:
        custom["city"] = pick(CITIES)
    if r() < 0.5:
        custom["customer"] = f"{pick(FIRST_NAMES)} {pick(LAST_NAMES)}"
    if r() < 0.3:
        custom["product"] = pick(PRODUCTS)
    history = []
    call_history = []
    dialogs = []
    t = created
    for _ in range(min(contact_try, 3)):
        t += rng.between(300, 86400)
        when = _fmt(min(t, now - 1))
        history.append(
            {"date": when, "state": pick(("OPEN", "PROCESSING")), "tenant_user_id": tenant}
        )
        duration = rng.below(600)
        result = pick(_CALL_RESULTS)
        call_history.append({"start_time": when, "duration": duration, "result": result})
        if result == "ANSWERED":
            dialogs.append(
                {"id": f"{rng.bits(96):024x}", "direction": "OUT", "talking_time": duration}
            )
    from_time = pick((8, 9, 10)) * 3600
    return {
        "id": f"{created:08x}{rng.bits(64):016x}",
        "name": f"SPRAWA #{rng.between(1_000_000, 10_000_000)}",
        "contact_number": contact,
        "current_contact_number": current,
        "contact_identifier": rng.digits(8) if r() < 0.7 else f"CRM-{rng.digits(6)}",
        "case_id": rng.digits(7),
        "case_group": pick(("A", "B", "C", "windykacja", "sprzedaż")),
        "state": state,
        "application_state": app_state,
        "call_state": call_state,
        "call_state_reason": call_reason,
        "priority": pick((0, 1, 2, 3, 5, 10, 50, 100)),
        "consultant_try": min(contact_try, rng.below(5)),
        "contact_try": contact_try,
        "user_reservation_try": rng.below(3),
        "created_date": _fmt(created),
        "process_not_before": _fmt(pnb),
        "closed_date": None if closed_at is None else _fmt(closed_at),
        "dialing_method": pick(DIALING_METHODS),
        "tenant_user_id": tenant,
        "assigned_tenant_user_id": assigned,
        "project_id": project_id,
        "voice_campaign_id": campaign,
        "close_reason": close_reason,
        "custom": json.dumps(custom, ensure_ascii=False),
        "process_date": None,
        "process_from_time": from_time,
        "process_to_time": from_time + pick((8, 9, 10)) * 3600,
        "process_days": [1, 2, 3, 4, 5] if r() < 0.8 else [1, 2, 3, 4, 5, 6],
        "history": history,
        "call_history": call_history,
        "dialogs": dialogs,
    }


_CALL_RESULTS = (*CALL_STATE_REASONS, "ANSWERED")


def close_record(rec: dict[str, Any], rng: random.Random, now: int) -> dict[str, Any]:
    """A copy of ``rec`` closed at epoch second ``now``."""
    out = dict(rec)
    out["state"] = "CLOSED"
    out["application_state"] = "CLOSED"
    out["call_state"] = "CALL_ENDED"
    out["closed_date"] = _fmt(now)
    out["close_reason"] = CLOSE_REASONS[int(rng.random() * len(CLOSE_REASONS))]
    return out


#: The deepest a loaded record may nest (the API's records nest 4 or 5
#: levels: history entries inside lists inside the record).
MAX_RECORD_DEPTH = 64


def load_records(path: str | Path) -> list[dict[str, Any]]:
    """Records from a JSON Lines file (``.jsonl``, ``.ndjson``: one record a
    line, however many lines) or a JSON file: a list of records, the API's
    ``{"data": [...]}``, or a lone record (an object without ``"data"``,
    read as JSON Lines of one line). Raises ValueError, in words, for
    anything else: JSON nested deeper than :data:`MAX_RECORD_DEPTH`, and a
    number no double holds (``NaN``, ``Infinity``, ``1e400``: the API's
    JSON has none, and the emulator would serve them as no JSON reader
    takes them)."""
    text = read_data_file(path)
    stripped = text.lstrip()
    if not stripped:  # no JSON at all: a file cut short or never written, not "no records"
        raise ValueError(
            f"{path}: empty, not JSON (a data file holds a JSON list of records, "
            '{"data": [...]} or JSON lines; for no records at all, write [])'
        )
    records: Any = None
    lines = Path(path).suffix.lower() in (".jsonl", ".ndjson")
    if not lines and stripped.startswith(("[", "{")):
        try:  # parsed once: one JSON document, or else (from `{`) JSONL
            records = finite_loads(stripped)
        except RecursionError:  # the decoder nests with Python's stack
            raise ValueError(f"{path}: {_TOO_DEEP}") from None
        except BadNumber as exc:
            raise ValueError(f"{path}: {exc}") from None
        except ValueError:
            if stripped.startswith("["):
                raise
    if isinstance(records, dict):
        if "data" not in records:  # one record: JSON Lines of one line
            records = [records]
        elif isinstance(records["data"], list):
            records = records["data"]
        else:
            raise ValueError(
                f"{path}: a JSON object with \"data\" must be {{'data': [...]}} "
                "(a record is an object without it)"
            )
    elif records is None:
        records = list(_jsonl(text, str(path)))
    if not isinstance(records, list):
        raise ValueError(f"{path}: expected a list of JSON objects")
    for n, r in enumerate(records, 1):
        if not isinstance(r, dict):
            raise ValueError(f"{path}: record {n} {id_problem(r)}: records are JSON objects")
    if nesting(records, MAX_RECORD_DEPTH + 1) > MAX_RECORD_DEPTH + 1:  # +1: the list
        raise ValueError(f"{path}: {_TOO_DEEP}")
    return records


_TOO_DEEP = f"a record nests more than {MAX_RECORD_DEPTH} levels deep"


def checked_records(
    records: Any, where: str = "data", setting: str = "data"
) -> list[dict[str, Any]]:
    """Records given in Python (``Emulator(data=[...])``, ``emu.insert``)
    as the emulator serves them: a list of dicts nested at most
    :data:`MAX_RECORD_DEPTH` levels (measured without recursion: serving a
    deeper one would exhaust Python's stack). Raises ``TypeError`` naming
    ``where`` for what is no list of mappings (a wrong type, given from
    Python), a :class:`~cqlang.errors.SettingError` for ``setting`` (a
    ``ValueError``) for records nested too deep."""

    if not isinstance(records, Iterable) or isinstance(records, str | bytes | Mapping):
        raise TypeError(f"{where} is a list of records (mappings), not {type(records).__name__}")
    out = []
    for n, r in enumerate(records, 1):
        if not isinstance(r, Mapping):
            raise TypeError(f"{where}: record {n} is {type(r).__name__}, not a mapping")
        out.append(dict(r))
    if nesting(out, MAX_RECORD_DEPTH + 1) > MAX_RECORD_DEPTH + 1:  # +1: the list
        raise SettingError(f"{where}: {_TOO_DEEP}", setting)
    return out


def read_data_file(path: str | Path, limit: int | None = None) -> str:
    """The text of a data file: a regular file (not a device, a pipe or a
    directory, which could be read forever or block) of at most ``limit``
    bytes (default :data:`MAX_DATA_BYTES`). Raises ``ValueError`` (or
    ``OSError`` when it cannot be opened) naming the file."""
    limit = MAX_DATA_BYTES if limit is None else limit
    # O_NONBLOCK: opening a named pipe must not wait for a writer.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
    except OSError:
        os.close(fd)
        raise
    if not stat.S_ISREG(info.st_mode):  # before fdopen, which refuses a folder in its own words
        os.close(fd)
        what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise ValueError(f"{path}: {what} (a data file is JSON or JSONL)")
    with os.fdopen(fd, "rb") as f:
        if info.st_size > limit:
            raise ValueError(f"{path}: {info.st_size:,} bytes, more than {limit:,} bytes")
        data = f.read(limit + 1)  # it may have grown since
    if len(data) > limit:
        raise ValueError(f"{path}: more than {limit:,} bytes")
    try:
        return data.decode("utf-8-sig")  # a byte order mark before the JSON is no mistake
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None


def _jsonl(text: str, name: str) -> Iterator[dict[str, Any]]:
    # Lines end at "\n" only (a "\r" before it is a blank to JSON):
    # str.splitlines would also split at U+2028, U+0085 and others, which
    # JSON text may hold raw inside a string.
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            obj = finite_loads(line)
        except RecursionError:
            raise ValueError(f"{name}:{n}: {_TOO_DEEP}") from None
        except BadNumber as exc:
            raise ValueError(f"{name}:{n}: {exc}") from None
        except ValueError as exc:
            raise ValueError(f"{name}:{n}: not JSON: {exc}") from None
        if not isinstance(obj, dict):
            raise ValueError(f"{name}:{n}: expected a JSON object")
        yield obj


__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_CAMPAIGN",
    "DEFAULT_WINDOW_DAYS",
    "MAX_DATA_BYTES",
    "MAX_RECORDS",
    "REFERENCE_DATE",
    "checked_records",
    "close_record",
    "generate_records",
    "load_records",
    "make_record",
]
