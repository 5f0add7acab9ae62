"""``make demo``: the main job, end to end, on the built-in emulator.

Compiles a few realistic queries (filters and encoded parameters), shows one
error message, then starts the emulator in this process on a free loopback
port and fetches records for a query with ``or``, one with a client-side
residual, and a named query from ``examples/cqlang.toml``, each with its plan
and the records as a table. Each step first shows the ``cqlang`` command
that does the same; the end says what to try next. No credentials, no
network.
"""

from __future__ import annotations

import json
import shlex
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
    # The first side is rare (5 records of 5,000), so the first 8 records
    # show both sides: those created before 01:30, then CLOSED ones.
    (
        "an 'or' over two properties: two requests, merged by id",
        'created_date < "2026-08-03 01:30" or state = CLOSED',
    ),
    (
        "'!=' on a custom field: the server narrows by state, the client checks the rest",
        'state = PROCESSING and custom.region != "PL" and contact_try <= 2',
    ),
]
LIMIT = 8
HEAVY = ("history", "call_history", "dialogs")
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


def command(console: Console, *words: str) -> None:
    """Echo the ``cqlang`` command line a step stands for, as a shell shows it."""
    line = "$ cqlang " + " ".join(shlex.quote(w) for w in words)
    console.print(line, style="dim", markup=False, highlight=False, soft_wrap=True)


def show_fetch(
    console: Console, client: Any, title: str, plan: cqlang.Plan, query: str, *config: str
) -> None:
    command(console, *config, "explain", query)
    console.print(plan.explain(), markup=False, highlight=False, soft_wrap=True)
    # The emulator's URL in CONPEEK_URL, its key (demo-key) in CONPEEK_KEY.
    fetch = ("fetch", "--campaign", DEFAULT_CAMPAIGN, "--limit", str(LIMIT))
    command(console, *config, *fetch, "--exclude", ",".join(HEAVY), query)
    records = list(
        client.voice_campaign_requests(
            DEFAULT_CAMPAIGN, plan=plan, limit=LIMIT, exclude=list(HEAVY)
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
        command(console, "compile", text)
        console.print(f"  filter  = {json.dumps(filters, ensure_ascii=False)}", soft_wrap=True)
        console.print(f"  encoded = {cqlang.encode(filters)}", soft_wrap=True)
    console.rule("[bold]2. A query with two mistakes")
    command(console, "compile", MISTAKE)
    try:
        cqlang.compile(MISTAKE)
    except cqlang.CqlError as exc:
        console.print(str(exc), markup=False, highlight=False, soft_wrap=True)

    console.rule("[bold]3. Fetching from the built-in emulator")
    from cqlang.client import Client

    with Emulator(records=5000, seed=1, api_key=DEFAULT_API_KEY) as emu:
        command(console, "emulator", "--port", "0", "--records", "5000", "--seed", "1")
        console.print(f"emulator listening on {emu.url} (5,000 generated records)")
        client = Client(emu.url, DEFAULT_API_KEY)
        for title, text in FETCHED:
            console.print(f"\n[bold]{title}[/bold]")
            show_fetch(console, client, title, cqlang.plan(text), text)
        if EXAMPLES.is_file():
            show_named_query(console, client)
        else:  # an installed wheel: examples/ is in the source tree only
            console.print(
                "\n(named queries: skipped, examples/cqlang.toml comes with a source "
                "checkout, not with the installed package)"
            )
    try_next(console)


def try_next(console: Console) -> None:
    """What to try next, as the README's tutorial does it."""
    console.rule("[bold]Try next")
    for line in (
        "cqlang emulator --port 8080 &",
        f"CONPEEK_KEY={DEFAULT_API_KEY} cqlang fetch --base-url http://127.0.0.1:8080 "
        f"--campaign {DEFAULT_CAMPAIGN} 'state = OPEN or custom.region != \"PL\"' --limit 5",
        f"CONPEEK_URL=http://127.0.0.1:8080 CONPEEK_KEY={DEFAULT_API_KEY} cqlang repl "
        f"--campaign {DEFAULT_CAMPAIGN}   # a query, then \\fetch (\\help: the commands)",
    ):
        console.print(f"  $ {line}", markup=False, highlight=False, soft_wrap=True)
    console.print("  the docs: README.md, docs/cli.md, docs/repl.md", markup=False, highlight=False)


def show_named_query(console: Console, client: Any) -> None:
    from cqlang.config import Config

    config = Config.load(EXAMPLES)
    name = "hot_leads" if "hot_leads" in config.queries else next(iter(config.queries))
    named = config.queries[name]
    console.print(f"\n[bold]named query @{name}[/bold] from {EXAMPLES.name}:")
    console.print(named.text.strip(), markup=False, highlight=False)
    plan = cqlang.plan(f"@{name}", queries=config.queries, schema=config.schema)
    show_fetch(console, client, f"@{name}", plan, f"@{name}", "--config", "examples/cqlang.toml")


if __name__ == "__main__":
    main()
