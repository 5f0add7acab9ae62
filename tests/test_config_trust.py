"""Discovered config files someone else could have written are skipped, as
git's safe.directory does (cqlang/config/discovery.py): owned by another user (root
aside), or writable by others. Files named with --config or $CQLANG_CONFIG
are read as asked.

The suite runs as root here, so "another user" is a file chowned to a uid
that is not ours (root may do that); the rule itself is also checked for a
user who is not root, with ``euid=``."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cqlang.cli import main
from cqlang.config import Config, ConfigError, discovery, target_file

OTHER = 1234  # a uid that is neither ours nor root's

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX owners and modes")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for var in ("CQLANG_CONFIG", "CONPEEK_URL", "CONPEEK_KEY"):
        monkeypatch.delenv(var, raising=False)
    work = tmp_path / "shared" / "work"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    yield work


def can_chown() -> bool:
    return os.geteuid() == 0


needs_root = pytest.mark.skipif(not can_chown(), reason="only root can give a file away")

PLANTED = """\
[connection]
base_url = "https://attacker.example"

[schema.custom_fields]
region = { type = "enum", values = ["PL", "DE"] }

[queries.planted]
query = "state = OPEN"
"""

MINE = '[connection]\nbase_url = "https://api.example.com"\ncampaign = "c-mine"\n'


def user_file(work: Path) -> Path:
    path = work.parent.parent / "home" / ".config" / "cqlang" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(MINE, encoding="utf-8")
    return path


def plant(path: Path, *, uid: int | None = OTHER, mode: int = 0o644) -> Path:
    path.write_text(PLANTED, encoding="utf-8")
    path.chmod(mode)
    if uid is not None:
        os.chown(path, uid, -1)
    return path


# ------------------------------------------------------------------ rule


def status(uid: int, gid: int, mode: int) -> os.stat_result:
    return os.stat_result((stat.S_IFREG | mode, 0, 0, 1, uid, gid, 0, 0, 0, 0))


def test_the_rule_for_a_user_who_is_not_root() -> None:
    me = 1000
    assert discovery.untrusted(status(me, 1000, 0o644), euid=me) is None
    assert discovery.untrusted(status(0, 0, 0o644), euid=me) is None  # root aside
    reason = discovery.untrusted(status(OTHER, 1000, 0o644), euid=me)
    assert reason is not None and f"uid {OTHER}" in reason and "not by you" in reason
    reason = discovery.untrusted(status(me, 1000, 0o646), euid=me)
    assert reason is not None and "anyone may write to it (mode 646)" in reason
    reason = discovery.untrusted(status(0, 0, 0o666), euid=me)
    assert reason is not None and "anyone may write" in reason


def test_the_rule_for_root() -> None:
    assert discovery.untrusted(status(0, 0, 0o644), euid=0) is None
    reason = discovery.untrusted(status(OTHER, 0, 0o644), euid=0)
    assert reason is not None and f"uid {OTHER}" in reason


def test_group_write_is_fine_only_for_the_owners_private_group() -> None:
    import grp
    import pwd

    root_group = grp.getgrgid(0)
    private = root_group.gr_name == pwd.getpwuid(0).pw_name and not set(root_group.gr_mem) - {
        "root"
    }
    assert (discovery.untrusted(status(0, 0, 0o664), euid=0) is None) == private
    shared = next(g for g in grp.getgrall() if g.gr_gid != 0)  # not root's own group
    reason = discovery.untrusted(status(0, shared.gr_gid, 0o664), euid=0)
    assert reason is not None and f"its group {shared.gr_name}" in reason


# ------------------------------------------------------------- discovery


@needs_root
def test_a_planted_file_in_a_parent_folder_is_skipped(isolated: Path) -> None:
    """The reported attack: another user's cqlang.toml above the working
    folder won over the user's own file and received the key."""
    planted = plant(isolated.parent / "cqlang.toml")
    mine = user_file(isolated)
    cfg = Config.load()
    assert [f.path for f in cfg.files] == [mine]
    (skipped,) = cfg.skipped
    assert skipped.path == planted
    assert f"uid {OTHER}" in skipped.reason
    assert cfg.connection().base_url == "https://api.example.com"
    assert "planted" not in cfg.queries
    assert cfg.schema.custom_fields == {}


@needs_root
@pytest.mark.parametrize("name", ["cqlang.toml", "pyproject.toml"])
def test_each_kind_of_discovered_file_is_checked(isolated: Path, name: str) -> None:
    text = PLANTED if name == "cqlang.toml" else PLANTED.replace("[", "[tool.cqlang.")
    path = isolated / name
    path.write_text(text, encoding="utf-8")
    os.chown(path, OTHER, -1)
    cfg = Config.load()
    assert cfg.files == () and [s.path for s in cfg.skipped] == [path]


@needs_root
def test_a_user_file_owned_by_someone_else_is_skipped(isolated: Path) -> None:
    mine = user_file(isolated)
    os.chown(mine, OTHER, -1)
    cfg = Config.load()
    assert cfg.files == () and [s.path for s in cfg.skipped] == [mine]


def test_a_world_writable_file_is_skipped_even_when_it_is_yours(isolated: Path) -> None:
    plant(isolated / "cqlang.toml", uid=None, mode=0o666)
    cfg = Config.load()
    assert cfg.files == ()
    assert "anyone may write to it (mode 666)" in cfg.skipped[0].reason


@needs_root
def test_a_file_writable_by_a_shared_group_is_skipped(isolated: Path) -> None:
    import grp

    path = plant(isolated / "cqlang.toml", uid=None, mode=0o664)
    shared = next(g for g in grp.getgrall() if g.gr_gid != os.getegid())
    os.chown(path, -1, shared.gr_gid)
    cfg = Config.load()
    assert cfg.files == () and "its group" in cfg.skipped[0].reason


@needs_root
def test_a_file_named_by_the_user_is_read_whoever_owns_it(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = plant(isolated.parent / "theirs.toml", mode=0o666)
    assert [f.path for f in Config.load(path).files] == [path]
    monkeypatch.setenv("CQLANG_CONFIG", str(path))
    cfg = Config.load()
    assert [f.path for f in cfg.files] == [path] and cfg.skipped == ()


# ------------------------------------------------------------ the CLI


@needs_root
def test_the_command_line_warns_and_cqlang_config_shows_it_skipped(isolated: Path) -> None:
    planted = plant(isolated.parent / "cqlang.toml")
    r = CliRunner().invoke(main, ["compile", "custom.region = pl"])
    assert r.exit_code == 0
    # Not declared: the planted schema is not used (an enum would say "PL").
    assert r.stdout == '[{"property": "custom_fields", "key": "region", "value": "pl"}]\n'
    assert f"cqlang: warning: skipped {planted} (nearest cqlang.toml): " in r.stderr
    assert f"owned by uid {OTHER}" in r.stderr
    r = CliRunner().invoke(main, ["config"])
    assert r.exit_code == 0
    assert "# skipped, not trusted" in r.stdout
    assert f"#   {planted}  (nearest cqlang.toml): it is owned by uid {OTHER}" in r.stdout
    assert "attacker" not in r.stdout
    r = CliRunner().invoke(main, ["config", "--json"])
    (skipped,) = json.loads(r.stdout)["skipped"]
    assert skipped["path"] == str(planted) and f"uid {OTHER}" in skipped["reason"]


@needs_root
def test_queries_save_never_writes_into_an_untrusted_nearest_file(isolated: Path) -> None:
    planted = plant(isolated.parent / "cqlang.toml")
    before = planted.read_bytes()
    with pytest.raises(ConfigError, match="not trusted"):
        target_file()
    r = CliRunner().invoke(main, ["queries", "save", "mine", "state = OPEN"])
    assert r.exit_code == 2 and "--config" in r.stderr
    assert planted.read_bytes() == before


@needs_root
def test_the_repl_notes_the_skipped_file(isolated: Path) -> None:
    from cqlang.repl.integrations import load_environment

    planted = plant(isolated.parent / "cqlang.toml")
    env = load_environment()
    assert env.base_url is None
    assert any(f"skipped {planted}" in note for note in env.notes)
