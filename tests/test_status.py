"""The exit statuses (cqlang/status.py): one enum, one table from exception
class to status, and docs/errors.md and docs/cli.md in step with both."""

from __future__ import annotations

import errno
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cqlang
from cqlang import errors
from cqlang.status import ExitStatus, entry, exit_status, exit_statuses, for_signal
from cqlang.timeexpr import TimeError

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cqlang"


def error_classes() -> list[type[BaseException]]:
    found = [getattr(errors, n) for n in errors.__all__]
    return [c for c in found if isinstance(c, type) and issubclass(c, BaseException)]


def test_the_statuses_are_pinned() -> None:
    assert {s.name: int(s) for s in ExitStatus} == {
        "OK": 0,
        "INVALID": 1,
        "USAGE": 2,
        "API": 3,
        "INTERNAL": 70,
        "IO": 74,
        "SIGHUP": 129,
        "INTERRUPTED": 130,
        "SIGQUIT": 131,
        "SIGTERM": 143,
    }
    assert for_signal(1) is ExitStatus.SIGHUP
    assert for_signal(2) is ExitStatus.INTERRUPTED
    assert for_signal(3) is ExitStatus.SIGQUIT
    assert for_signal(15) is ExitStatus.SIGTERM
    assert for_signal(10) == 138


def test_every_error_has_a_status_from_the_table() -> None:
    for cls in error_classes():
        found = entry(cls)
        assert found is not None, cls
        assert issubclass(cls, found[0])
    assert exit_status(errors.ColumnError("x")) == ExitStatus.USAGE
    assert exit_status(errors.OutputError("x")) == ExitStatus.IO
    assert exit_status(errors.MissingExtra("x", "arrow")) == ExitStatus.USAGE
    assert exit_status(errors.QueryFileError("x")) == ExitStatus.USAGE
    assert exit_status(errors.ResponseTooLargeError("x")) == ExitStatus.API
    assert exit_status(errors.ConfigurationError("x")) == ExitStatus.USAGE
    assert exit_status(TimeError("x")) == ExitStatus.INVALID
    assert exit_status(KeyboardInterrupt()) == ExitStatus.INTERRUPTED
    assert exit_status(BrokenPipeError()) == ExitStatus.OK
    assert exit_status(OSError(errno.ENOSPC, "full")) == ExitStatus.IO
    # an OSError about a path the user named is theirs, never a bug (exit 70)
    assert exit_status(OSError(errno.ENOSPC, "full", "a-file")) == ExitStatus.IO
    assert exit_status(OSError(errno.ENAMETOOLONG, "too long", "x" * 300)) == ExitStatus.USAGE
    assert exit_status(PermissionError(errno.EACCES, "denied", "a-file")) == ExitStatus.USAGE
    assert exit_status(ValueError("a bug")) == ExitStatus.INTERNAL


def test_no_module_keeps_a_status_of_its_own() -> None:
    """The statuses live in the table alone: no ``cqlang_exit_status``
    attribute, no EXIT_ constant elsewhere."""
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "cqlang_exit_status" not in text, path
        assert not re.search(r"^EXIT_[A-Z]+ = \d", text, re.M), path


def documented_statuses() -> dict[str, int]:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    section = text[text.index("## Error classes and exit statuses") :]
    rows = re.findall(r"^\| `(\w+)` \| .* \| (\d+) \|$", section, re.M)
    return {name: int(status) for name, status in rows}


def test_errors_md_lists_every_error_class_with_its_status() -> None:
    documented = documented_statuses()
    assert set(documented) == {c.__name__ for c in error_classes()}
    for cls in error_classes():
        assert documented[cls.__name__] == exit_status_of(cls), cls.__name__


def exit_status_of(cls: type[BaseException]) -> int:
    found = entry(cls)
    assert found is not None
    return int(found[1])


def test_errors_md_names_every_entry_of_the_table() -> None:
    """Every class in the table is in errors.md (the two that are not
    errors of cqlang's, KeyboardInterrupt and BrokenPipeError, in its
    words), with the status the table gives it."""
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    section = text[text.index("## Error classes and exit statuses") :]
    documented = documented_statuses()
    for cls, status in exit_statuses().items():
        if cls.__name__ in documented:
            assert documented[cls.__name__] == status, cls.__name__
        else:
            assert re.search(rf"`{cls.__name__}`[^.]*\bwith {int(status)}\b", section), cls


def test_cli_md_lists_every_status() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = text[text.index("## Exit status") :]
    listed = {int(n) for n in re.findall(r"^\| (\d+) \|", section, re.M)}
    assert listed == {int(s) for s in ExitStatus}


def test_the_table_is_keyed_by_exception_classes() -> None:
    table = exit_statuses()
    assert all(isinstance(c, type) and issubclass(c, BaseException) for c in table)
    assert table[cqlang.CqlError] is ExitStatus.INVALID


@pytest.mark.parametrize(
    ("exc", "status", "message"),
    [
        (errors.ApiError("HTTP 500: boom"), 3, "cqlang: HTTP 500: boom\n"),
        (
            errors.OutputError("--output x: No space left"),
            74,
            "cqlang: --output x: No space left\n",
        ),
        (OSError(errno.ENOSPC, "No space left on device"), 74, "cqlang: cannot write the output"),
        (KeyboardInterrupt(), 130, ""),
        (ValueError("oops"), 70, "cqlang: internal error: ValueError: oops"),
    ],
)
def test_exit_for_ends_a_run_with_one_line(exc: BaseException, status: int, message: str) -> None:
    code = f"from cqlang.errors import *\nfrom cqlang.status import exit_for\nexit_for({exc!r})\n"
    env = {"PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert run.returncode == status
    assert run.stderr.startswith(message) if message else run.stderr == ""
    assert "Traceback" not in run.stderr


def test_status_is_cheap_to_import() -> None:
    """The launcher imports cqlang.status on every run: the error classes
    (and what they import) come only when the table is first asked for."""
    code = (
        "import sys, cqlang.status\n"
        "print(sorted(m for m in sys.modules if m.startswith('cqlang.') or m == 'typing'))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "['cqlang._version', 'cqlang.status']"


def test_exit_for_names_the_path_of_an_oserror() -> None:
    code = (
        "import errno\nfrom cqlang.status import exit_for\n"
        "exit_for(OSError(errno.ENAMETOOLONG, 'File name too long', '/x'))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr == "cqlang: /x: File name too long\n"
