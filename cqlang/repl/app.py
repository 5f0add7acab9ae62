"""The interactive REPL on prompt_toolkit.

:class:`Repl` owns the prompt loop only: reading input (highlighted by
:class:`cqlang.highlight.CqlangLexer`, lexed again only from where it
changed: :mod:`cqlang.repl.highlighting`; completed by
:class:`~cqlang.repl.completer.CqlangCompleter`, checked live in the bottom
toolbar), handing each submission to the
:class:`~cqlang.repl.commands.Dispatcher` and printing its reply. Input and
output are injectable (prompt_toolkit's ``create_pipe_input`` and
``DummyOutput`` in the tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import os
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.application.current import get_app
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.output import ColorDepth, Output
from prompt_toolkit.styles import Style

from ..visible import visible
from .commands import COMMANDS, Dispatcher
from .completer import CqlangCompleter
from .highlighting import IncrementalHighlighter
from .lines import Joiner
from .meta import Registry, Reply
from .session import Session, needs_more_input
from .statusline import Kind, status
from .texts import CONTINUATION, PROMPT

if TYPE_CHECKING:
    from ..term.instant import Hold

__all__ = [
    "PROMPT",
    "LiveStatus",
    "PrivateFileHistory",
    "Repl",
    "file_history",
    "handover_input",
    "history_path",
]


_STYLE = Style.from_dict(
    {
        "bottom-toolbar": "noreverse bg:#303030 #d0d0d0",
        "bottom-toolbar.error": "#ff8787 bold",
        "bottom-toolbar.warning": "#ffd75f",
        "bottom-toolbar.ok": "#87d787",
    }
)


def history_path() -> Path:
    """Where the REPL keeps its history: ``user_state_path("cqlang")/history``."""
    import platformdirs

    return Path(platformdirs.user_state_path("cqlang")) / "history"


class PrivateFileHistory(FileHistory):
    """prompt_toolkit's FileHistory, but a file it (re)creates is readable by
    its owner only: the history holds the values of past queries (phone
    numbers, names)."""

    def store_string(self, string: str) -> None:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        with open(os.open(self.filename, flags, 0o600), "ab") as f:
            # The format FileHistory reads back: a comment, then "+" lines.
            f.write(f"\n# {datetime.datetime.now()}\n".encode())
            for line in string.split("\n"):
                f.write(f"+{line}\n".encode("utf-8", errors="replace"))


def _private(fd_or_path: int | Path, mode: int) -> None:
    """Take group and other permissions away from a file or folder of ours
    that has them (earlier versions made the history 0644 in a 0755 folder)."""
    st = os.stat(fd_or_path)
    if os.name == "posix" and st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(fd_or_path, mode)


def file_history() -> History:
    """The history file, or an in-memory history when it cannot be made.
    As psql's: the file is created 0600 in a folder created 0700; an
    existing one of ours that others can read is made so too."""
    path = history_path()
    try:
        path.parent.parent.mkdir(parents=True, exist_ok=True)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        _private(path.parent, 0o700)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags, 0o600)
        try:
            _private(fd, 0o600)
        finally:
            os.close(fd)
    except OSError:
        return InMemoryHistory()
    return PrivateFileHistory(str(path))


class LiveStatus:
    """The bottom toolbar: the status line of the text as typed
    (:func:`~cqlang.repl.statusline.status_line`), computed ``delay``
    seconds after the last change (debounced)."""

    def __init__(
        self, session: Session, delay: float = 0.15, commands: Registry[Any] | None = None
    ) -> None:
        self.session = session
        self.delay = delay
        self.commands = COMMANDS if commands is None else commands
        self.line, self.kind = status(session, "", self.commands)
        self.computed_for = ""
        self._generation = 0

    def reset(self) -> None:
        """Back to what an empty prompt shows (after a submission or Ctrl-C:
        the new prompt is empty), dropping any check still pending."""
        self._generation += 1
        self.compute("")

    def compute(self, text: str) -> str:
        kind: Kind
        try:
            line, kind = status(self.session, text, self.commands)
        except Exception as exc:  # broad on purpose: a bug must not break the prompt; shown as one
            from ..status import internal_error

            line, kind = f"(no status: {internal_error(exc, hint=False)})", "error"
        self.line, self.kind, self.computed_for = line, kind, text
        return line

    def on_text_changed(self, buffer: Buffer) -> None:
        self._generation += 1
        generation, text = self._generation, buffer.text
        app = get_app()

        async def later() -> None:
            await asyncio.sleep(self.delay)
            if generation == self._generation:
                self.compute(text)
                app.invalidate()

        app.create_background_task(later())

    def toolbar(self) -> StyleAndTextTuples:
        """The status line coloured by its kind (:class:`Status`): decided
        with the line, from the data, never read back from its words."""
        return [(f"class:bottom-toolbar.{self.kind}", " " + self.line)]


class Repl:
    """The prompt loop. ``input``/``output`` are prompt_toolkit's (``None``:
    the terminal); replies go to ``stdout``."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        input: Input | None = None,
        output: Output | None = None,
        stdout: TextIO | None = None,
        history: History | None = None,
        vi: bool = False,
        debounce: float = 0.15,
        pager: bool = False,
        color: bool = True,
    ) -> None:
        self.dispatcher = dispatcher
        self.session = dispatcher.session
        self.stdout = stdout if stdout is not None else sys.stdout
        self.pager = pager
        self.live = LiveStatus(self.session, debounce, dispatcher.commands)
        self.highlighter = IncrementalHighlighter()
        self._warming = False
        #: A paste of several lines being run (see :meth:`_paste`): its
        #: inputs not yet run (read lazily by the joiner, which holds an
        #: unfinished query), and what follows the last line.
        self._pasted: Iterator[tuple[str, bool]] | None = None
        self._joiner: Joiner | None = None
        self._rest = ""
        self.prompt: PromptSession[str] = PromptSession(
            PROMPT,
            multiline=True,
            prompt_continuation=CONTINUATION,
            lexer=self.highlighter,
            completer=CqlangCompleter(self.session, dispatcher.commands),
            complete_in_thread=True,
            complete_while_typing=True,
            auto_suggest=AutoSuggestFromHistory(),
            history=history if history is not None else InMemoryHistory(),
            vi_mode=vi,
            key_bindings=self._key_bindings(),
            bottom_toolbar=self.live.toolbar,
            style=_STYLE,
            # --color never, NO_COLOR: no colours in the prompt either.
            color_depth=None if color else ColorDepth.DEPTH_1_BIT,
            input=input,
            output=output,
        )
        self.prompt.default_buffer.on_text_changed += self.live.on_text_changed

    def _key_bindings(self) -> KeyBindings:
        kb = KeyBindings()

        @kb.add("enter")
        def _enter(event: KeyPressEvent) -> None:
            buf = event.current_buffer
            state = buf.complete_state
            if state is not None and state.current_completion is not None:
                buf.apply_completion(state.current_completion)
                return
            if state is not None:
                buf.cancel_completion()
            doc = buf.document
            if doc.is_cursor_at_the_end and needs_more_input(doc.text, self.session):
                buf.insert_text("\n")
            else:
                buf.validate_and_handle()

        @kb.add("escape", "enter")
        def _submit(event: KeyPressEvent) -> None:
            event.current_buffer.validate_and_handle()

        @kb.add(Keys.BracketedPaste)
        def _paste(event: KeyPressEvent) -> None:
            self._paste(event.current_buffer, event.data)

        return kb

    # ------------------------------------------------------------- pastes
    def _paste(self, buf: Buffer, data: str) -> None:
        """A bracketed paste. One line is inserted as typed; several are
        read as piped input is (cqlang.repl.lines): each complete input runs
        in turn, shown on its own prompt as if typed, meta commands
        included (the first is submitted here, the others by :meth:`run`);
        what follows the last line break (with a query the lines
        leave unfinished) stays in the buffer to edit. The text before the
        cursor starts the first line, the text after it ends the last."""
        data = data.replace("\r\n", "\n").replace("\r", "\n")
        if "\n" not in data:
            buf.insert_text(data)
            return
        doc = buf.document
        lines = (doc.text_before_cursor + data).split("\n")
        self._rest = lines[-1] + doc.text_after_cursor
        self._joiner = Joiner(self.session)
        self._pasted = self._joiner.inputs(lines[:-1], then=self._rest)
        first = self._next_pasted()
        if first is None:  # nothing complete: the lines stay in the buffer
            self._stop_pasted()
            buf.insert_text(data)
            return
        buf.document = Document(first, len(first))
        buf.validate_and_handle()

    def _next_pasted(self) -> str | None:
        """The next complete input of the paste being run, or None when its
        lines are all read (what is left then is in :meth:`_left_over`)."""
        if self._pasted is None:
            return None
        text, _ = next(self._pasted, (None, False))
        return text

    def _left_over(self) -> str:
        """What the paste leaves in the buffer (once), and the paste done."""
        joiner, self._joiner, self._pasted = self._joiner, None, None
        if joiner is None:
            return ""
        rest, self._rest = self._rest, ""
        return "\n".join([*joiner.pending, rest])

    def _interrupt_paste(self) -> None:
        """Ctrl-C stopped an input of a paste: the inputs after it are not
        run (nor is what the paste would leave to edit), and the user is
        told how many there were, as a script stopped half-way says so."""
        if self._pasted is None:
            return
        left = sum(1 for _ in self._pasted)
        self._stop_pasted()
        if left:
            plural = "input" if left == 1 else "inputs"
            self.write(f"paste stopped: {left} more {plural} of it not run")

    def _stop_pasted(self) -> None:
        self._pasted = self._joiner = None
        self._rest = ""

    def write(self, text: str) -> None:
        """Print a reply; through the pager when it is on and the text does
        not fit the terminal (cqlang.term.pager: $PAGER, LESS=-SRXF)."""
        if self.pager and self.session.pager:
            import shutil

            from ..term import pager

            rows = shutil.get_terminal_size((100, 24)).lines
            if pager.needed(text, rows) and pager.page(text):
                return
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def handle(self, text: str) -> Reply:
        reply = self.dispatcher.handle(text)
        if reply.text:
            self.write(reply.text)
        return reply

    def _after_first_draw(self) -> None:
        """Called as each prompt starts (``pre_run``): the first time, asks
        the event loop to start :func:`_warm_up` once the prompt is drawn
        (the loop runs its callbacks after the first redraw), so that what
        the first key press needs is built while the user reads the prompt,
        not before it shows."""
        if self._warming:
            return
        self._warming = True
        highlighter = self.highlighter

        def start() -> None:
            threading.Thread(target=_warm_up, args=(highlighter,), daemon=True).start()

        asyncio.get_running_loop().call_soon(start)

    def run(self) -> int:
        """Read and run until ``\\quit`` or end of input; exit status 0."""
        while True:
            try:
                text = self.prompt.prompt(pre_run=self._after_first_draw, default=self._left_over())
            except KeyboardInterrupt:
                self._stop_pasted()
                self.live.reset()
                continue
            except EOFError:
                break
            reply = self.handle(text)
            try:
                while not reply.quit and not reply.interrupted:
                    if (text := self._next_pasted() or "") == "":
                        break
                    reply = self._run_pasted(text)
            except KeyboardInterrupt:  # between two inputs of a paste
                reply = Reply(interrupted=True)
            if reply.interrupted:
                self._interrupt_paste()
            self.live.reset()
            if reply.quit:
                break
        return 0

    def _run_pasted(self, text: str) -> Reply:
        """Run an input of a paste after its first: shown on a prompt of its
        own as if typed (keys typed meanwhile wait for the next prompt), and
        kept in the history. The echo is text from outside, drawn visible
        (cqlang.visible) as every reply is: a pasted escape sequence, bell,
        NUL or ^D shows as a symbol, never acts on the terminal."""
        lines = visible(text, lines=True).split("\n")
        shown = [PROMPT + lines[0], *(CONTINUATION + line for line in lines[1:])]
        self.stdout.write("\n".join(shown) + "\n")
        self.stdout.flush()
        self.prompt.history.append_string(text)
        return self.handle(text)


def handover_input(stdin: TextIO, hold: Hold) -> Input:
    """The editor's input for a terminal the instant prompt holds
    (cqlang/term/instant.py): prompt_toolkit's, except that the first time
    the editor takes the terminal (its raw mode) the hold hands it over
    first, so that the settings the editor saves, and restores when it is
    done, are the user's, not the hold's. The keys typed at the painted
    prompt, read to show them (cqlang/term/echo.py), are the editor's
    type-ahead, which it reads before what is still queued."""
    from contextlib import AbstractContextManager

    from prompt_toolkit.input.typeahead import store_typeahead
    from prompt_toolkit.input.vt100 import Vt100Input  # POSIX only, as the hold
    from prompt_toolkit.input.vt100_parser import Vt100Parser
    from prompt_toolkit.key_binding import KeyPress

    hold_left: Hold | None = hold

    class HandOverInput(Vt100Input):
        def raw_mode(self) -> AbstractContextManager[None]:
            nonlocal hold_left
            if hold_left is not None:
                hold_left.hand_over()
                hold_left = None
            return super().raw_mode()

    editor_input = HandOverInput(stdin)
    typed = hold.typed()
    if typed:
        keys: list[KeyPress] = []
        # As the editor decodes what it reads (a byte that is not UTF-8 kept).
        Vt100Parser(keys.append).feed_and_flush(typed.decode("utf-8", "surrogateescape"))
        store_typeahead(editor_input, keys)
    return editor_input


def _warm_up(highlighter: IncrementalHighlighter) -> None:
    """Build the lexer's rules and the completion parser before the first
    key press needs them."""
    # Broad on purpose: this only builds ahead of time what the first key
    # press builds anyway, where a failure is reported (not in this thread).
    with contextlib.suppress(Exception):
        highlighter.prepare()
        from ..completion import complete

        complete("", 0)
