"""`.pre-commit-hooks.yaml` run as pre-commit runs it: each hook's `entry`
and `args` with the matching files of a repository appended, in the
repository's root; good files pass, bad ones fail, `--write` fixes."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HOOKS_FILE = Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml"


def read_hooks(text: str) -> dict[str, dict[str, Any]]:
    """The hooks of the file's simple form: a list of flat mappings whose
    values are plain scalars or flow lists (``[a, b]``); ``#`` comments."""
    hooks: list[dict[str, Any]] = []
    for raw in text.splitlines():
        line = raw.split(" #")[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        if line.startswith("- "):
            hooks.append({})
            line = line[2:]
        key, sep, value = line.strip().partition(":")
        assert sep and hooks, f"not of the simple form: {raw!r}"
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            hooks[-1][key] = [v.strip() for v in value[1:-1].split(",") if v.strip()]
        else:
            hooks[-1][key] = value
    return {h["id"]: h for h in hooks}


HOOKS = read_hooks(HOOKS_FILE.read_text(encoding="utf-8"))

GOOD_TOML = "[queries.open]\nquery = 'state = OPEN'\n"
UGLY_TOML = "[queries.open]\nquery = 'state=OPEN'\n"
BAD_TOML = "[queries.open]\nquery = 'state = OPNE'\n"


def run_hook(
    hook_id: str, repo: Path, args: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the hook as pre-commit would: entry, args (``args`` given in a
    user's config replace the hook's own), then every file of the repo its
    ``files`` pattern matches."""
    hook = HOOKS[hook_id]
    pattern = re.compile(hook["files"])
    files = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file())
    matched = [f for f in files if pattern.search(f)]
    entry = shlex.split(hook["entry"])
    assert entry[0] == "cqlang"
    command = [str(Path(sys.executable).parent / "cqlang"), *entry[1:]]
    command += hook.get("args", []) if args is None else args
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CQLANG_", "CONPEEK_"))}
    env.update(HOME=str(repo.parent / "home"), XDG_CONFIG_HOME=str(repo.parent / "home"))
    return subprocess.run(
        [*command, *matched], cwd=repo, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_file_offers_the_documented_hooks() -> None:
    assert set(HOOKS) == {"cqlang-fmt", "cqlang-queries-check"}
    assert HOOKS["cqlang-fmt"]["args"] == ["--write"]
    for hook in HOOKS.values():
        assert hook["language"] == "python"
        pattern = re.compile(hook["files"])
        assert pattern.search("q/a.cql") and pattern.search("sub/cqlang.toml")
        assert not pattern.search("pyproject.toml") and not pattern.search("mycqlang.toml")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "home").mkdir()
    root = tmp_path / "repo"
    (root / "queries").mkdir(parents=True)
    (root / "README.md").write_text("state=OPEN\n", encoding="utf-8")  # not matched
    return root


def test_fmt_hook_rewrites_and_check_args_only_report(repo: Path) -> None:
    (repo / "cqlang.toml").write_text(UGLY_TOML, encoding="utf-8")
    (repo / "queries" / "a.cql").write_text("priority>3\n", encoding="utf-8")
    (repo / "queries" / "b.cql").write_text("state = OPEN\n", encoding="utf-8")
    checked = run_hook("cqlang-fmt", repo, args=["--check"])
    assert checked.returncode == 1, checked.stderr
    assert (repo / "queries" / "a.cql").read_text(encoding="utf-8") == "priority>3\n"
    written = run_hook("cqlang-fmt", repo)
    assert written.returncode == 0, written.stderr
    assert (repo / "queries" / "a.cql").read_text(encoding="utf-8") == "priority > 3\n"
    assert (repo / "cqlang.toml").read_text(encoding="utf-8") == GOOD_TOML
    assert (repo / "README.md").read_text(encoding="utf-8") == "state=OPEN\n"
    again = run_hook("cqlang-fmt", repo, args=["--check"])
    assert again.returncode == 0, again.stderr + again.stdout


def test_fmt_hook_fails_on_a_query_that_does_not_parse(repo: Path) -> None:
    (repo / "queries" / "a.cql").write_text("state = (\n", encoding="utf-8")
    result = run_hook("cqlang-fmt", repo)
    assert result.returncode == 1 and "CQL001" in result.stderr
    assert (repo / "queries" / "a.cql").read_text(encoding="utf-8") == "state = (\n"


def test_queries_check_hook(repo: Path) -> None:
    (repo / "cqlang.toml").write_text(GOOD_TOML, encoding="utf-8")
    (repo / "queries" / "a.cql").write_text("@open and priority > 3\n", encoding="utf-8")
    good = run_hook("cqlang-queries-check", repo)
    assert good.returncode == 0, good.stderr
    (repo / "queries" / "b.cql").write_text("prioirty > 3\n", encoding="utf-8")
    bad_file = run_hook("cqlang-queries-check", repo)
    assert bad_file.returncode == 1 and "CQL" in bad_file.stderr
    (repo / "queries" / "b.cql").unlink()
    (repo / "cqlang.toml").write_text(BAD_TOML, encoding="utf-8")
    bad_config = run_hook("cqlang-queries-check", repo)
    assert bad_config.returncode == 1 and "OPNE" in bad_config.stderr
