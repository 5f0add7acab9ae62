"""The REPL's commands about the session's settings: ``\\campaign``,
``\\tz``, ``\\param``, ``\\params`` and ``\\set``, as a part of the
:class:`~cqlang.repl.commands.Dispatcher`; :data:`SETTINGS`, what ``\\set``
changes (its completion reads it too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import timeexpr
from ..diagnostics import NAME_RE, suggest
from ..kinds import JSON, written
from ..params import not_utf8_value
from ..visible import shorten
from .meta import Reply
from .records import as_number

if TYPE_CHECKING:
    from .session import Session

__all__ = ["SETTINGS", "SETTING_DEFAULTS", "SettingCommands"]

#: Settings of \\set: name -> (least, most).
SETTINGS: dict[str, tuple[int, int]] = {
    "max_branches": (1, 100_000),
    "page_size": (1, 10_000),
}
SETTING_DEFAULTS = {"max_branches": 32, "page_size": 1000}


class SettingCommands:
    """The setting commands; the dispatcher supplies ``session``."""

    session: Session

    def cmd_campaign(self, arg: str) -> Reply:
        from .args import one_word

        word = one_word(arg)  # quotes removed, as a shell does
        if word is None:
            return Reply("a campaign id has no spaces", ok=False)
        arg = word
        if not arg:
            shown = self.session.default_campaign or "none (set one with \\campaign ID)"
            return Reply(f"campaign: {shown}")
        if any(ch.isspace() for ch in arg):
            return Reply("a campaign id has no spaces", ok=False)
        from ..encoding import campaign_problem  # a control character: never echoed

        problem = campaign_problem(arg)
        if problem is not None:
            return Reply(problem, ok=False)
        self.session.campaign = arg
        return Reply(f"campaign: {arg}")

    def cmd_tz(self, arg: str) -> Reply:
        from .args import one_word

        arg = one_word(arg) or arg  # quotes removed, as a shell does
        if not arg:
            return Reply(f"time zone: {self.session.zone or 'UTC'}")
        try:
            timeexpr.zone(arg)
        except timeexpr.TimeError as exc:
            return Reply(f"{exc}" + (f" ({exc.hint})" if exc.hint else ""), ok=False)
        self.session.tz = arg
        return Reply(f"time zone: {arg}")

    def cmd_param(self, arg: str) -> Reply:
        if arg.startswith("-") and "=" not in arg:
            name = arg[1:].strip().lstrip("$")
            if self.session.params.pop(name, None) is None:
                return Reply(f"${shorten(name)} is not bound", ok=False)
            return Reply(f"${name} unbound")
        name, sep, value = arg.partition("=")
        name = name.strip().lstrip("$")
        if not sep or not NAME_RE.match(name):
            return Reply("usage: \\param NAME=VALUE (or \\param -NAME to unbind)", ok=False)
        problem = not_utf8_value(value)
        if problem is not None:  # the same bytes in a query are CQL002
            return Reply(f"\\param {name}: {problem}", ok=False)
        self.session.params[name] = value.strip()
        return Reply(f"${name} = {written(value.strip(), JSON)}")

    def cmd_params(self, arg: str) -> Reply:
        if not self.session.params:
            return Reply("no parameters bound (\\param NAME=VALUE binds one)")
        return Reply(
            "\n".join(f"${k} = {written(v, JSON)}" for k, v in sorted(self.session.params.items()))
        )

    def cmd_set(self, arg: str) -> Reply:
        s = self.session
        name, _, value = arg.replace("=", " ", 1).partition(" ")
        name, value = name.strip().lower(), value.strip()
        if not name:
            lines = [f"{n} = {self._setting(n)}" for n in SETTINGS]
            return Reply("\n".join(lines))
        if name not in SETTINGS:
            close = suggest(name, SETTINGS)
            hint = f"; did you mean {close}?" if close else f" (settings: {', '.join(SETTINGS)})"
            return Reply(f"unknown setting '{shorten(name)}'{hint}", ok=False)
        if not value:
            return Reply(f"{name} = {self._setting(name)}")
        low, high = SETTINGS[name]
        number = as_number(value)
        if value.lower() == "default":
            setattr(s, name, None)
        elif number is None or not low <= number <= high:
            return Reply(f"usage: \\set {name} N, N from {low} to {high:,} (or default)", ok=False)
        else:
            setattr(s, name, number)
        return Reply(f"{name} = {self._setting(name)}")

    def _setting(self, name: str) -> str:
        """A setting as \\set shows it: its value, and where it comes from."""
        s = self.session
        own = getattr(s, name)
        if own is not None:
            return str(own)
        profile = getattr(s.defaults, name)
        if profile is not None:
            return f"{profile} (from the config)"
        return f"{SETTING_DEFAULTS[name]} (default)"
