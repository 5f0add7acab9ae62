"""Whether a config file that cqlang found (rather than was told to read)
may be trusted, as git's ``safe.directory`` does for repositories.

A discovered file decides where the API key goes (``base_url``) and which
variable holds it (``api_key_env``), so one that someone else could have
written is skipped: a file owned by another user (root aside), or one that
others may write to. A group-writable file is fine when its group is the
owner's private group (the group of the same name with no other member), as
Debian's OpenSSH allows for ``authorized_keys``: with the usual umask 002 of
such systems, every file a user makes is group-writable.
"""

from __future__ import annotations

import os
import stat


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
