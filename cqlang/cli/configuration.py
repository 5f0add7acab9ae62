"""``cqlang config``: the config files read, the connection in effect and
where each setting comes from, the merged configuration (secrets masked).
"""

from __future__ import annotations

import click

from ..visible import json_text
from .context import load_config
from .show import say


@click.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
def config_cmd(as_json: bool) -> None:
    """Show the config files read (an earlier one wins), the connection in
    effect with where each setting comes from, and the merged configuration
    (secrets masked)."""

    cfg = load_config()
    if not as_json:
        say(cfg.describe(), nl=False)  # the files' text is drawn visible
        return
    from ..config.display import in_effect

    conn = cfg.connection()
    settings, unusable = in_effect(conn)
    out = {
        "files": [{"path": str(f.path), "origin": f.origin} for f in cfg.files],
        "skipped": [s.to_dict() for s in cfg.skipped],
        "profile": conn.profile,
        "connection": settings,
        "not_in_effect": unusable,
        "sources": dict(conn.sources),
        "notes": list(conn.notes),
        "config": cfg.shown(),
    }
    click.echo(json_text(out, indent=2, default=str))
