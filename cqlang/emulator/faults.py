"""Fault injection for the emulator: what can go wrong, and when.

A fault spec is one string ``KIND=AMOUNT[@START]`` (spaces ignored):

``AMOUNT``
    ``N`` (a whole number): the fault hits ``N`` requests in a row, starting
    with request number ``START`` (default 1; requests are numbered from 1 in
    the order the server receives them, whatever their path);
    ``P%``: each request from ``START`` on is hit with probability ``P``
    percent, drawn from the emulator's seed (reproducible for one request
    order); for ``latency`` and ``retry-after``, a number of seconds.

Kinds (see docs/emulator.md for what a client sees):

========================  ===================================================
``latency=SECONDS``       every request from ``START`` on waits this long first
``429=N``                 answer 429 Too Many Requests with ``Retry-After``
``NNN=N``                 answer with status NNN (400-599) and a small body;
                          500 has a JSON body, 502/503/504 an HTML page (as a
                          proxy would), 503 also ``Retry-After``
``reset=N``               close the connection without answering
``drop=N``                send the headers and half the body, then close
                          (the client sees a body cut short)
``truncate=N``            a complete HTTP answer whose JSON is cut in half
``html=N``                200 with an HTML page (a captive portal, a login)
``envelope=N``            200 with JSON that is not ``{"data": [...]}``
``churn=N``               before every request from ``START`` on (never the
                          first the server sees), N new records appear at
                          random positions and N open ones are closed; here
                          N counts records, not requests, and takes no ``%``
``retry-after=SECONDS``   the ``Retry-After`` value sent with 429/503
                          (default 1; a whole number, as HTTP wants)
========================  ===================================================

Several specs combine; when more than one answer-changing fault hits the same
request, the first in this order wins: reset, drop, truncate, html, envelope,
statuses. ``latency`` and ``churn`` apply in addition.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from ..digits import MAX_SECONDS

#: Faults that replace the answer, in the order they take precedence.
ANSWER_KINDS = ("reset", "drop", "truncate", "html", "envelope")
#: Faults that take seconds, not counts.
SECONDS_KINDS = ("latency", "retry-after")
KINDS = (*ANSWER_KINDS, "latency", "churn", "retry-after")

_SPEC = re.compile(
    r"^(?P<kind>[a-z][a-z-]*|[45]\d\d)=(?P<amount>\d+(?:\.\d+)?)(?P<pct>%)?(?:@(?P<start>\d+))?$",
    re.ASCII,  # digits 0-9 only (cqlang.digits)
)


class FaultSpecError(ValueError):
    """A fault spec that does not follow ``KIND=AMOUNT[@START]``."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One parsed fault spec."""

    kind: str
    count: int = 0
    rate: float = 0.0
    seconds: float = 0.0
    start: int = 1

    @property
    def status(self) -> int | None:
        return int(self.kind) if self.kind.isdigit() else None

    def __str__(self) -> str:
        if self.kind in SECONDS_KINDS:
            amount = f"{self.seconds:g}"
        elif self.rate:
            amount = f"{self.rate * 100:g}%"
        else:
            amount = str(self.count)
        at = f"@{self.start}" if self.start != 1 else ""
        return f"{self.kind}={amount}{at}"


def parse_fault(spec: str) -> Fault:
    """Parse one ``KIND=AMOUNT[@START]`` spec; raise :class:`FaultSpecError`."""
    text = "".join(spec.split()).lower()
    m = _SPEC.match(text)
    if not m:
        raise FaultSpecError(
            f"bad fault spec {spec!r}: expected KIND=AMOUNT[@START], e.g. 500=2, 429=1@3, "
            "drop=10%, latency=0.05, churn=5"
        )
    kind, amount, pct, start_s = m["kind"], m["amount"], m["pct"], m["start"]
    start = int(start_s) if start_s else 1
    if start < 1:
        raise FaultSpecError(f"bad fault spec {spec!r}: requests are numbered from 1")
    if kind.isdigit():
        if not 400 <= int(kind) <= 599:
            raise FaultSpecError(f"bad fault spec {spec!r}: a status must be 400-599")
    elif kind not in KINDS:
        known = ", ".join((*KINDS, "NNN"))
        raise FaultSpecError(f"bad fault spec {spec!r}: unknown kind {kind!r} (known: {known})")
    if kind in SECONDS_KINDS:
        if pct:
            raise FaultSpecError(f"bad fault spec {spec!r}: {kind} takes seconds, not a rate")
        seconds = float(amount)
        if seconds > MAX_SECONDS:
            raise FaultSpecError(
                f"bad fault spec {spec!r}: at most {MAX_SECONDS:,.0f} seconds (one day)"
            )
        if kind == "retry-after" and seconds != int(seconds):
            raise FaultSpecError(f"bad fault spec {spec!r}: Retry-After is whole seconds")
        return Fault(kind, seconds=seconds, start=start)
    if pct and kind == "churn":
        raise FaultSpecError(f"bad fault spec {spec!r}: churn takes a number of records")
    if pct:
        rate = float(amount) / 100
        if not 0 <= rate <= 1:
            raise FaultSpecError(f"bad fault spec {spec!r}: a rate is 0-100%")
        return Fault(kind, rate=rate, start=start)
    if "." in amount:
        raise FaultSpecError(f"bad fault spec {spec!r}: a count is a whole number (or use P%)")
    return Fault(kind, count=int(amount), start=start)


def parse_faults(specs: Iterable[str | Fault] | str) -> list[Fault]:
    """Parse several specs (``Fault`` objects pass through; one ``str`` is
    one spec, never split into its letters). ``TypeError`` for anything
    else, naming ``faults``."""
    if isinstance(specs, str | Fault):
        specs = (specs,)
    elif not isinstance(specs, Iterable) or isinstance(specs, bytes | dict):
        takes = "a fault spec (a str or a Fault) or a list of them"
        raise TypeError(f"faults is {takes}, not {type(specs).__name__}")
    out = []
    for s in specs:
        if not isinstance(s, str | Fault):
            raise TypeError(f"faults holds specs (str or Fault), not {type(s).__name__}: {s!r}")
        out.append(s if isinstance(s, Fault) else parse_fault(s))
    return out


@dataclass(frozen=True, slots=True)
class Decision:
    """What the faults do to one request."""

    number: int
    latency: float = 0.0
    churn: int = 0
    answer: str | None = None
    status: int | None = None
    retry_after: int = 1


class FaultPlan:
    """Decides, thread-safely, which faults hit each incoming request."""

    def __init__(self, faults: Iterable[str | Fault] = (), seed: int | str = 1) -> None:
        self._lock = threading.Lock()
        self._faults = parse_faults(faults)
        self._rng = random.Random(f"cqlang-emulator-faults:{seed}")
        self._requests = 0
        # count faults still to fire, keyed by their index in _faults
        self._left = {i: f.count for i, f in enumerate(self._faults) if _counted(f)}

    @property
    def faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    @property
    def requests(self) -> int:
        """How many requests the server has received."""
        with self._lock:
            return self._requests

    def add(self, specs: Iterable[str | Fault]) -> None:
        """Arm more faults; ``@START`` counts from the next request (``500=2``
        hits the next two requests)."""
        new = parse_faults(specs)
        with self._lock:
            for f in new:
                f = Fault(f.kind, f.count, f.rate, f.seconds, f.start + self._requests)
                self._faults.append(f)
                if _counted(f):
                    self._left[len(self._faults) - 1] = f.count

    def clear(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._faults = []
            self._left = {}

    def next(self) -> Decision:
        """Number the next request and decide what happens to it."""
        with self._lock:
            self._requests += 1
            n = self._requests
            latency = 0.0
            churn = 0
            retry_after = 1
            answers: dict[str, int | None] = {}
            for i, f in enumerate(self._faults):
                if n < f.start:
                    continue
                if f.kind == "latency":
                    latency = max(latency, f.seconds)
                    continue
                if f.kind == "retry-after":
                    retry_after = int(f.seconds)
                    continue
                if f.kind == "churn":
                    if n > 1:
                        churn += f.count
                    continue
                hit = False
                if f.rate:
                    hit = self._rng.random() < f.rate
                elif self._left.get(i, 0) > 0:
                    self._left[i] -= 1
                    hit = True
                if not hit:
                    continue
                if f.kind in ANSWER_KINDS:
                    answers.setdefault(f.kind, None)
                else:
                    answers.setdefault("status", f.status)
            answer = next((k for k in (*ANSWER_KINDS, "status") if k in answers), None)
            return Decision(
                number=n,
                latency=latency,
                churn=churn,
                answer=answer,
                status=answers.get("status") if answer == "status" else None,
                retry_after=retry_after,
            )


def _counted(f: Fault) -> bool:
    return bool(f.count) and f.kind != "churn"
