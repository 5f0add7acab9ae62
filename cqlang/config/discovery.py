"""Which config files are read, and whether a file cqlang found may be trusted.

Where the configuration comes from, earlier winning (docs/config.md):

1. ``--config FILE`` (``Config.load(path)``);
2. the file named by ``$CQLANG_CONFIG``;
3. the nearest ``cqlang.toml``, from the working directory upward;
4. ``[tool.cqlang]`` in the nearest ``pyproject.toml`` that has that table;
5. the user's file, ``platformdirs.user_config_path("cqlang") / "config.toml"``.

The first two name the only file read. Otherwise every file found among 3-5
is read (:mod:`.core` merges them). :mod:`.locate` names the places with
:mod:`os` alone, for the fast launcher.

A discovered file decides where the API key goes (``base_url``) and which
variable holds it (``api_key_env``), so one that someone else could have
written is skipped (:func:`untrusted`), as git's ``safe.directory`` does for
repositories: a file owned by another user (root aside), or one that
others may write to. A group-writable file is fine when its group is the
owner's private group (the group of the same name with no other member), as
Debian's OpenSSH allows for ``authorized_keys``: with the usual umask 002 of
such systems, every file a user makes is group-writable.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from ..errors import ConfigError
from . import locate
from .locate import CONFIG_ENV, PROJECT_FILE, PYPROJECT_FILE

__all__ = [
    "CONFIG_ENV",
    "DISCOVERED",
    "ORIGIN_ENV",
    "ORIGIN_NEW",
    "ORIGIN_OPTION",
    "ORIGIN_PROJECT",
    "ORIGIN_PYPROJECT",
    "ORIGIN_USER",
    "discover",
    "is_user_file",
    "untrusted",
    "user_config_file",
]

ORIGIN_OPTION = "--config"
ORIGIN_ENV = f"${CONFIG_ENV}"
ORIGIN_PROJECT = "nearest cqlang.toml"
ORIGIN_PYPROJECT = "[tool.cqlang] of the nearest pyproject.toml"
ORIGIN_USER = "user config"
ORIGIN_NEW = "new file"


def user_config_file() -> Path | None:
    """The user's config file (it may not exist); None when the user has no
    home folder to keep one in."""
    found = locate.user_config_file()
    return Path(found) if found is not None else None


def _has_cqlang_table(path: Path, overlay: Mapping[Path, str] | None = None) -> bool:
    """Whether the pyproject.toml at ``path`` (open in the editor, else on
    disk) holds a ``[tool.cqlang]`` table."""
    text = overlay.get(resolved(path)) if overlay is not None else None
    if text is not None:
        return locate.pyproject_has_cqlang(text.encode("utf-8", "surrogatepass"))
    if not _is_file(path):
        return False
    try:
        raw = locate.read_pyproject(path)
    except OSError:
        return False
    return locate.pyproject_has_cqlang(raw)


def discover(
    path: str | os.PathLike[str] | None = None,
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    overlay: Mapping[Path, str] | None = None,
) -> list[tuple[Path, str]]:
    """The files to read, earliest (winning) first, each with why it is read.

    ``overlay``: files as an editor has them, saved or not, by their
    resolved paths (:func:`resolved`), with their text: each is there, and
    says what its text says (a ``pyproject.toml``'s ``[tool.cqlang]``),
    whatever the disk holds; a new ``cqlang.toml`` not yet saved is found
    (the language server's open documents)."""
    env = os.environ if env is None else env
    if path is not None:
        return [(Path(path), ORIGIN_OPTION)]
    named = env.get(CONFIG_ENV)
    if named:
        return [(Path(named), ORIGIN_ENV)]
    try:
        start = (Path(cwd) if cwd is not None else Path.cwd()).absolute()
    except FileNotFoundError:
        raise ConfigError("the working folder no longer exists: cd to one that does") from None
    project: Path | None = None
    pyproject: Path | None = None
    opened = overlay or None  # none open: the disk alone, with no path resolved
    for d in (start, *start.parents):
        if project is None and _present(d / PROJECT_FILE, opened):
            project = d / PROJECT_FILE
        if pyproject is None:
            candidate = d / PYPROJECT_FILE
            if _has_cqlang_table(candidate, opened):
                pyproject = candidate
        if project is not None and pyproject is not None:
            break
    found: list[tuple[Path, str]] = []
    if project is not None:
        found.append((project, ORIGIN_PROJECT))
    if pyproject is not None:
        found.append((pyproject, ORIGIN_PYPROJECT))
    user = user_config_file()
    if user is not None and _present(user, opened):
        found.append((user, ORIGIN_USER))
    return found


def resolved(path: Path) -> Path:
    """``path`` with its symbolic links followed (as far as they can be),
    the key of a file in :func:`discover`'s ``overlay``."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a loop of links, a folder that cannot be read
        return path.absolute()


def _present(path: Path, overlay: Mapping[Path, str] | None) -> bool:
    """Whether a config file is at ``path``: open in the editor, or on disk."""
    if overlay is not None and resolved(path) in overlay:
        return True
    return _is_file(path)


def _is_file(path: Path) -> bool:
    """Whether a config file is there; a folder on the way that may not be
    looked into is the config's error (exit 2), not a missing file."""
    try:
        return path.is_file()
    except PermissionError:
        raise ConfigError("cannot look for it: permission denied", path) from None


#: The origins of files cqlang finds by itself (rather than is told to read):
#: only these are checked for trust.
DISCOVERED = (ORIGIN_PROJECT, ORIGIN_PYPROJECT, ORIGIN_USER)


def is_user_file(path: Path) -> bool:
    """Whether ``path`` is the user's own config file (platformdirs')."""
    user = user_config_file()
    if user is None:
        return False
    try:
        return os.path.samefile(path, user)
    except (OSError, ValueError):
        return False


# ------------------------------------------------------------------ trust


def _user(uid: int) -> str:
    try:
        import pwd

        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except (ImportError, KeyError):
        return f"uid {uid}"


def _group(gid: int) -> str:
    try:
        import grp

        return f"{grp.getgrgid(gid).gr_name} (gid {gid})"
    except (ImportError, KeyError):
        return f"gid {gid}"


def _private_group(st: os.stat_result) -> bool:
    """The file's group is its owner's own: named as the owner, no other member."""
    try:
        import grp
        import pwd

        owner = pwd.getpwuid(st.st_uid).pw_name
        group = grp.getgrgid(st.st_gid)
    except (ImportError, KeyError):
        return False
    return group.gr_name == owner and set(group.gr_mem) <= {owner}


def untrusted(st: os.stat_result, euid: int | None = None) -> str | None:
    """Why a file with this status must not be trusted, or None when it may.
    ``euid`` is the user running cqlang (default: this process's)."""
    if os.name != "posix":  # pragma: no cover - no owners or modes to check
        return None
    me = os.geteuid() if euid is None else euid
    if st.st_uid not in (me, 0):
        return f"it is owned by {_user(st.st_uid)}, not by you"
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o002:
        return f"anyone may write to it (mode {mode:o})"
    if mode & 0o020 and not _private_group(st):
        return f"its group {_group(st.st_gid)} may write to it (mode {mode:o})"
    return None
