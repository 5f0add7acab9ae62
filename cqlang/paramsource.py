"""Where a parameter's value came from, in the words of each front end:
the note a diagnostic about a value the caller gave ends its hint with
(``the value comes from --param p=x``), so that a mistake in that value is
not taken for one in the query or in a config file's default (those are
drawn where the default is written: :meth:`cqlang.config.NamedQuery.in_file`).
The checker words it for Python; :meth:`cqlang.diagnostics.Diagnostic.worded_for`
for the others.
"""

from __future__ import annotations

__all__ = ["GIVEN_SETTINGS", "given_hint", "without_given"]

#: How each front end gives a parameter its value, for the hint of a
#: mistake in a value the caller gave (a diagnostic at ``$name`` whose
#: ``value_from`` fact is ``caller``): ``{name}`` the parameter,
#: ``{value}`` its value as text. A config file's values are defaults,
#: drawn where they are written: that front end adds nothing.
GIVEN_SETTINGS: dict[str, str] = {
    "python": "params={{{name!r}: ...}}",
    "cli": "--param {name}={value}",
    "repl": "\\param {name}={value}",
}


def given_hint(front: str, name: str, value: str | None, hint: str | None) -> str | None:
    """``hint`` (a diagnostic's own, or ``None``) followed by where the
    caller gave the parameter ``name`` its value, worded for ``front``
    (:data:`GIVEN_SETTINGS`; ``value``: the value as text, when it is
    text): ``the value comes from --param p=x``, after the hint in
    parentheses."""
    setting = GIVEN_SETTINGS.get(front)
    if setting is None:
        return hint
    note = "the value comes from " + setting.format(name=name, value=value or "…")
    return f"{hint} ({note})" if hint else note


def without_given(hint: str | None, name: str, value: str | None) -> str | None:
    """``hint`` less the note :func:`given_hint` added to it, for any front
    end (so that wording a diagnostic again replaces the note)."""
    for front in GIVEN_SETTINGS:
        note = given_hint(front, name, value, None)
        if hint == note:
            return None
        if note is not None and hint is not None and hint.endswith(f" ({note})"):
            return hint[: -len(note) - 3]
    return hint
