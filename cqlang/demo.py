"""``make demo``: the main job, end to end, on the built-in emulator.

Compiles a few realistic queries (filters and encoded parameters), shows one
error message, then starts the emulator in this process on a free loopback
port and fetches records for a query with ``or``, one with a client-side
residual, and a named query from ``examples/cqlang.toml``, each with its plan
and the records as a table. No credentials, no network.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

import cqlang
from cqlang.emulator import DEFAULT_API_KEY, DEFAULT_CAMPAIGN, Emulator
from cqlang.evaluator import custom_fields

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cqlang.toml"

COMPILED = [
    'state in (OPEN, CLOSED) and priority >= 3 and custom.region = "PL"',
    "application_state = RETRY and contact_try < 5",
    'created_date >= "2026-10-01" and state != CLOSED',
    "created_date = 2026-10-15 and assigned_tenant_user_id in (12, 14)",
]
MISTAKE = "state in (OPEN, CLOSED) and prioirty >= 3 and state = OPNE"
FETCHED = [
    ("an 'or' over two properties: two requests, merged by id", "state = OPEN or priority >= 9"),
    (
        "'!=' on a custom field: the server narrows by state, the client checks the rest",
        'state = PROCESSING and custom.region != "PL" and contact_try <= 2',
    ),
]
COLUMNS = ("id", "state", "priority", "contact_try", "created_date", "region", "lead source")


def records_table(title: str, records: list[dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    for col in COLUMNS:
        table.add_column(col, overflow="fold")
    for rec in records:
        custom = custom_fields(rec)
        row = []
        for col in COLUMNS:
            value = rec.get(col, custom.get(col))
            row.append("" if value is None else str(value))
        table.add_row(*row)
    return table


def show_fetch(console: Console, client: Any, title: str, plan: cqlang.Plan, limit: int) -> None:
    console.print(plan.explain(), markup=False, highlight=False, soft_wrap=True)
    records = list(
        client.voice_campaign_requests(
            DEFAULT_CAMPAIGN, plan=plan, limit=limit, exclude=["history", "call_history", "dialogs"]
        )
    )
    console.print(records_table(f"{title}: first {len(records)} records", records))


def main() -> None:
    # Not a terminal (a log, a pipe, CI): wide enough for a record's id and a
    # filter on one line, instead of rich's 80 columns; a terminal: its width.
    console = Console() if sys.stdout.isatty() else Console(width=160)
    console.rule("[bold]1. Queries compiled to the filter parameter")
    for text in COMPILED:
        filters = cqlang.compile(text)
        console.print(f"[bold]{text}[/bold]")
        console.print(f"  filter  = {json.dumps(filters, ensure_ascii=False)}", soft_wrap=True)
        console.print(f"  encoded = {cqlang.encode(filters)}", soft_wrap=True)
    console.rule("[bold]2. A query with two mistakes")
    try:
        cqlang.compile(MISTAKE)
    except cqlang.CqlError as exc:
        console.print(str(exc), markup=False, highlight=False, soft_wrap=True)

    console.rule("[bold]3. Fetching from the built-in emulator")
    from cqlang.client import Client

    with Emulator(records=5000, seed=1, api_key=DEFAULT_API_KEY) as emu:
        console.print(f"emulator listening on {emu.url} (5,000 generated requests)")
        client = Client(emu.url, DEFAULT_API_KEY)
        for title, text in FETCHED:
            console.print(f"\n[bold]{title}[/bold]\n  {text}")
            show_fetch(console, client, title, cqlang.plan(text), limit=8)
        if EXAMPLES.is_file():
            show_named_query(console, client)


def show_named_query(console: Console, client: Any) -> None:
    from cqlang.config import Config

    config = Config.load(EXAMPLES)
    name = "hot_leads" if "hot_leads" in config.queries else next(iter(config.queries))
    named = config.queries[name]
    console.print(f"\n[bold]named query @{name}[/bold] from {EXAMPLES.name}:")
    console.print(named.text.strip(), markup=False, highlight=False)
    plan = cqlang.plan(f"@{name}", queries=config.queries, schema=config.schema)
    show_fetch(console, client, f"@{name}", plan, limit=8)


if __name__ == "__main__":
    main()
