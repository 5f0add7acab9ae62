"""A loopback stand-in for Conpeek's ``GET /voice_campaign/{id}/request``.

``Emulator`` serves deterministic, realistic records (or records from a file)
over real HTTP, with the API's paging, filtering (through the evaluator, the
one implementation of record semantics), ``exclude``, auth and error codes,
plus injectable faults. See docs/emulator.md.

>>> with Emulator(records=100, seed=1) as emu:  # doctest: +SKIP
...     emu.url
'http://127.0.0.1:54321'
"""

from .data import (
    DEFAULT_API_KEY,
    DEFAULT_CAMPAIGN,
    DEFAULT_WINDOW_DAYS,
    REFERENCE_DATE,
    generate_records,
    load_records,
)
from .faults import Fault, FaultSpecError, parse_fault, parse_faults
from .server import MAX_LIMIT, Emulator, RequestLog

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_CAMPAIGN",
    "DEFAULT_WINDOW_DAYS",
    "MAX_LIMIT",
    "REFERENCE_DATE",
    "Emulator",
    "Fault",
    "FaultSpecError",
    "RequestLog",
    "generate_records",
    "load_records",
    "parse_fault",
    "parse_faults",
]
