"""`queries save` and `queries rm` edit the config file safely: under an
exclusive lock (so that concurrent editors lose nothing), through a private
temporary file that no planted link can redirect, keeping the file's mode
(cqlang/config/safewrite.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cqlang.config import Config, remove_query, safewrite, save_query


@pytest.fixture(autouse=True)
def isolated(config_home: Path) -> Path:
    return config_home


# ------------------------------------------------------------ concurrency

# One editor: waits for the start signal (so that all of them run at once),
# then runs its `queries save`/`rm` commands one after the other and prints,
# for each, its exit status.
WORKER = r"""
import json, os, sys, time
from click.testing import CliRunner
from cqlang.cli import main

config, go, ops = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
runner = CliRunner()
deadline = time.monotonic() + 20
while not os.path.exists(go) and time.monotonic() < deadline:
    time.sleep(0.001)
codes = []
for op, name, text in ops:
    args = ["--config", config, "queries", op, name] + ([text] if op == "save" else [])
    codes.append(runner.invoke(main, args).exit_code)
print(json.dumps(codes))
"""

command = st.tuples(st.sampled_from(["save", "rm"]), st.integers(0, 2))
editors = st.lists(
    st.lists(command, min_size=4, max_size=10),
    min_size=2,
    max_size=4,
)


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(editors)
def test_concurrent_saves_and_removals_lose_nothing(
    isolated: Path, plans: list[list[tuple[str, int]]]
) -> None:
    """Several processes save and remove queries in one file at once. Each
    uses its own names, so what each command must answer and what the file
    must hold at the end follow from that process's own commands: every
    save reported as done is in the file, every removal is gone."""
    config = isolated / f"cqlang-{time.monotonic_ns()}.toml"
    config.write_text("# shared by several editors\n[connection]\ncampaign = 'c'\n")
    go = isolated / f"go-{time.monotonic_ns()}"
    jobs = []
    for i, plan in enumerate(plans):
        ops = [[op, f"p{i}_q{k}", f"priority >= {10 * i + k}"] for op, k in plan]
        jobs.append(
            subprocess.Popen(
                [sys.executable, "-c", WORKER, str(config), str(go), json.dumps(ops)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    time.sleep(0.3)  # let them import; they all start at the signal
    go.touch()
    expected: dict[str, str] = {}
    for i, (plan, job) in enumerate(zip(plans, jobs, strict=True)):
        out, err = job.communicate(timeout=120)
        assert job.returncode == 0, err
        codes = json.loads(out)
        held: set[int] = set()
        for (op, k), code in zip(plan, codes, strict=True):
            # The process's own view: a save of a name it holds is refused
            # (exists, exit 1), as is a removal of a name it does not hold.
            ok = (k not in held) if op == "save" else (k in held)
            assert code == (0 if ok else 1), (op, k, code, err)
            if ok:
                (held.add if op == "save" else held.discard)(k)
        for k in held:
            expected[f"p{i}_q{k}"] = f"priority >= {10 * i + k}"
    data = tomllib.loads(config.read_text())
    queries = data.get("queries", {})
    assert {n: q["query"] for n, q in queries.items()} == expected
    assert config.read_text().startswith("# shared by several editors\n")
    assert data["connection"] == {"campaign": "c"}
    leftovers = [p.name for p in isolated.iterdir() if p.name.startswith(f".{config.name}")]
    assert leftovers == []  # no lock or temporary file is left behind


def test_a_held_lock_makes_the_next_editor_wait(isolated: Path) -> None:
    config = isolated / "cqlang.toml"
    with safewrite.locked(config):
        held = (isolated / ".cqlang.toml.lock").stat()
        with pytest.raises(safewrite.LockTimeout), safewrite.locked(config, timeout=0.05):
            pass  # pragma: no cover - never entered
        assert (isolated / ".cqlang.toml.lock").stat().st_ino == held.st_ino
    assert not (isolated / ".cqlang.toml.lock").exists()
    save_query(config, "a", "state = OPEN")  # the lock is free again
    assert "a" in Config.load(config).queries


def test_a_link_planted_at_the_lock_name_is_not_followed(isolated: Path) -> None:
    victim = isolated / "victim.txt"
    victim.write_text("untouched\n")
    (isolated / ".cqlang.toml.lock").symlink_to(victim)
    from cqlang.config import ConfigError

    with pytest.raises(ConfigError, match="cannot lock it"):
        save_query(isolated / "cqlang.toml", "a", "state = OPEN")
    assert victim.read_text() == "untouched\n"
    assert not (isolated / "cqlang.toml").exists()


# ------------------------------------------------------- the temporary file


def test_a_link_planted_at_the_old_temporary_name_receives_nothing(isolated: Path) -> None:
    """The temporary name was predictable (.NAME.PID.tmp) and followed links:
    a link planted there received the whole config, and the config became
    that link."""
    config = isolated / "cqlang.toml"
    config.write_text('[connection]\napi_key = "s3cr3t-key-123456"\n')
    config.chmod(0o600)
    victim = isolated / "victim.txt"
    victim.write_text("untouched\n")
    planted = isolated / f".cqlang.toml.{os.getpid()}.tmp"
    planted.symlink_to(victim)
    save_query(config, "a", "state = OPEN")
    assert victim.read_text() == "untouched\n"
    assert planted.is_symlink()
    assert not config.is_symlink()
    assert "s3cr3t" in config.read_text() and "[queries.a]" in config.read_text()


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644, 0o664])
def test_save_and_rm_keep_the_mode_and_the_temporary_file_is_private(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    """Even with umask 0, the content never sits in a file others can read
    on its way: the temporary file is 0600 while it is written, and gets the
    original's mode only when complete, just before it is renamed."""
    config = isolated / "cqlang.toml"
    config.write_text("[connection]\ncampaign = 'c'\n")
    config.chmod(mode)
    seen: list[tuple[str, int]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        import stat

        st_ = os.fstat(fd)
        if stat.S_ISREG(st_.st_mode):
            seen.append(("written", st_.st_mode & 0o777))
        real_fsync(fd)

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        seen.append(("renamed", os.stat(src).st_mode & 0o777))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    old = os.umask(0)
    try:
        save_query(config, "a", "state = OPEN")
        remove_query(config, "a")
    finally:
        os.umask(old)
    assert seen == [("written", 0o600), ("renamed", mode)] * 2
    assert config.stat().st_mode & 0o777 == mode
    assert sorted(p.name for p in isolated.iterdir()) == ["cqlang.toml"]


def test_a_new_file_gets_the_mode_the_umask_gives(isolated: Path) -> None:
    old = os.umask(0o027)
    try:
        save_query(isolated / "cqlang.toml", "a", "state = OPEN")
    finally:
        os.umask(old)
    assert (isolated / "cqlang.toml").stat().st_mode & 0o777 == 0o640


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file away")
def test_root_editing_a_users_file_leaves_it_theirs(isolated: Path) -> None:
    config = isolated / "cqlang.toml"
    config.write_text("")
    os.chown(config, 1234, 1234)
    save_query(config, "a", "state = OPEN")
    assert (config.stat().st_uid, config.stat().st_gid) == (1234, 1234)


def test_editing_through_a_link_edits_its_target(isolated: Path) -> None:
    target = isolated / "real" / "config.toml"
    target.parent.mkdir()
    target.write_text("")
    link = isolated / "cqlang.toml"
    link.symlink_to(target)
    save_query(link, "a", "state = OPEN")
    assert link.is_symlink() and "[queries.a]" in target.read_text()
    assert sorted(p.name for p in target.parent.iterdir()) == ["config.toml"]
