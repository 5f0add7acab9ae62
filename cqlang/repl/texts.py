"""What the REPL's screen says before any input: the banner and the
prompts. One definition for the instant prompt (cqlang/term/instant.py,
painted before prompt_toolkit is loaded) and for the editor
(cqlang/repl/app.py), which draws the same prompt over it."""

from __future__ import annotations

__all__ = ["BANNER", "CONTINUATION", "PROMPT"]

#: The line printed once, before the first prompt, on a terminal.
BANNER = "cqlang repl: type a query, \\help for commands, Ctrl-D to leave."
PROMPT = "cqlang> "
CONTINUATION = "   ...> "
