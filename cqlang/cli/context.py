"""What every command shares: ``--config FILE``, ``--profile NAME`` and
``--color WHEN``, accepted before the command (on the group) and by every
command (:class:`cqlang.cli.lazygroup.CqlGroup` adds them); the last one given
wins. They land in click's ``ctx.meta``; the configuration is read once, on
first use (cqlang.config is imported only then).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["colour_mode", "config_params", "config_path", "config_profile", "load_config"]

# The keys of click's ctx.meta they set.
_CONFIG_FILE = "cqlang.config_file"
_CONFIG_PROFILE = "cqlang.config_profile"
_CONFIG_LOADED = "cqlang.config"
_COLOR = "cqlang.color"


def _remember_config(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None:
        ctx.meta[_CONFIG_FILE if param.name == "config_file" else _CONFIG_PROFILE] = value
        ctx.meta.pop(_CONFIG_LOADED, None)
    return value


def _remember_color(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None:
        ctx.meta[_COLOR] = value
    return value


def config_params() -> list[click.Parameter]:
    """Fresh --config, --profile and --color options (they set click's ctx.meta)."""
    return [
        click.Option(
            ["--config", "config_file"],
            metavar="FILE",
            expose_value=False,
            is_eager=True,
            callback=_remember_config,
            help="Read only this config file (default: $CQLANG_CONFIG, else the nearest "
            "cqlang.toml, [tool.cqlang] in pyproject.toml and the user's config).",
        ),
        click.Option(
            ["--profile", "config_profile"],
            metavar="NAME",
            expose_value=False,
            is_eager=True,
            callback=_remember_config,
            help="Connect with [profiles.NAME] of the config.",
        ),
        click.Option(
            ["--color", "color_mode"],
            type=click.Choice(("auto", "always", "never")),
            expose_value=False,
            is_eager=True,
            callback=_remember_color,
            help="Colour diagnostics: auto (a terminal, unless NO_COLOR is set), always, never.",
        ),
    ]


def load_config() -> Config:
    """The configuration in effect for this run (read once); a bad or
    insecure file raises ConfigError, which exits 2."""
    ctx = click.get_current_context()
    cfg: Config | None = ctx.meta.get(_CONFIG_LOADED)
    if cfg is None:
        from ..config import Config

        cfg = Config.load(ctx.meta.get(_CONFIG_FILE), profile=ctx.meta.get(_CONFIG_PROFILE))
        ctx.meta[_CONFIG_LOADED] = cfg
        for skipped in cfg.skipped:  # a discovered file someone else could have written
            from ..visible import visible  # a file name: drawn, never sent as it is

            click.echo(f"cqlang: warning: {visible(str(skipped), lines=True)}", err=True)
    return cfg


def config_path() -> str | None:
    """The --config FILE given, if any."""
    value = click.get_current_context().meta.get(_CONFIG_FILE)
    return str(value) if value is not None else None


def colour_mode() -> str | None:
    """--color, as given before the command or to it (None: auto)."""
    ctx = click.get_current_context(silent=True)
    return None if ctx is None else ctx.meta.get(_COLOR)


def config_profile() -> str | None:
    """The --profile NAME given before the command or to it, if any."""
    value = click.get_current_context().meta.get(_CONFIG_PROFILE)
    return str(value) if value is not None else None
