"""cqlang/cli/dryrun.py: what `fetch --dry-run` says about the key and the
pages; one definition of the API's page maximum."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

import cqlang
from cqlang.cli import main
from cqlang.cli.dryrun import last_window, page_count, windows
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator


def run(env: dict[str, str], *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == code, result.output
    return result


def config_env(tmp_path: Path, text: str, **extra: str) -> dict[str, str]:
    config = tmp_path / "cqlang.toml"
    config.write_text(text, encoding="utf-8")
    config.chmod(0o600)
    return {"CONPEEK_URL": "", "CONPEEK_KEY": "", "CQLANG_CONFIG": str(config), **extra}


def curls(result: Result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("curl ")]


PROFILES = """
[connection]
campaign = "c1"
base_url = "http://127.0.0.1:9"

[profiles.prod]
base_url = "http://127.0.0.1:10"
api_key_env = "CONPEEK_PROD_KEY"

[profiles.inline]
base_url = "http://127.0.0.1:11"
api_key = "inline-secret-0123456789"

[profiles.bare]
base_url = "http://127.0.0.1:12"
"""


def test_dry_run_curl_names_the_variable_the_profile_reads(tmp_path: Path) -> None:
    env = config_env(tmp_path, PROFILES, CONPEEK_PROD_KEY="prod-secret-xyz")
    for extra in ({}, {"CONPEEK_PROD_KEY": ""}):  # set or not, the variable is the same
        dry = run({**env, **extra}, "fetch", "--profile", "prod", "--dry-run", "state = OPEN")
        (line,) = curls(dry)
        assert '-H "Authorization: $CONPEEK_PROD_KEY"' in line
        assert "CONPEEK_KEY" not in line and "prod-secret" not in dry.output


def test_dry_run_with_a_key_in_the_config_shows_a_placeholder(tmp_path: Path) -> None:
    env = config_env(tmp_path, PROFILES)
    dry = run(env, "fetch", "--profile", "inline", "--dry-run", "state = OPEN")
    (line,) = curls(dry)
    assert "-H 'Authorization: YOUR_API_KEY'" in line
    assert "inline-secret" not in dry.output and "$CONPEEK_KEY" not in dry.output
    assert "cqlang.toml:" in dry.stdout.splitlines()[0]  # where the key is written
    bare = run(env, "fetch", "--profile", "bare", "--dry-run", "state = OPEN")
    assert "no API key is set" in bare.stdout and "YOUR_API_KEY" in curls(bare)[0]


def test_dry_run_of_the_default_connection_still_reads_conpeek_key(tmp_path: Path) -> None:
    env = config_env(tmp_path, PROFILES, CONPEEK_KEY="default-secret")
    dry = run(env, "fetch", "--dry-run", "state = OPEN")
    assert '-H "Authorization: $CONPEEK_KEY"' in curls(dry)[0]
    assert "default-secret" not in dry.output


# -------------------------------------------------------- the paging note


def sent_pages(emulator: Emulator) -> list[tuple[int, int]]:
    out = []
    for entry in emulator.log:
        q = dict(re.findall(r"[?&](limit|offset)=(\d+)", entry.target))
        out.append((int(q["offset"]), int(q["limit"])))
    return out


def noted_pages(note: str) -> tuple[list[int], int | None]:
    """The offsets a dry run's note lists, and its page count."""
    offsets = [int(n) for n in re.findall(r"offset=([\d, ]+)", note)[0].split(", ")]
    tail = re.search(r", then offset=(\d+) with limit=(\d+)", note)
    if tail:
        offsets.append(int(tail.group(1)))
    count = re.search(r"(\d+) pages at most", note)
    return offsets, int(count.group(1)) if count else None


@pytest.mark.emulator(records=300, seed=1)
@pytest.mark.parametrize("limit", ["5", "100", "101", "250", "300"])
def test_dry_run_paging_note_under_a_limit_is_what_the_client_sends(
    emulator: Emulator, limit: str
) -> None:
    env = {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": "demo-key", "CQLANG_CONFIG": "/dev/null"}
    args = ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--limit", limit, "--page-size", "100"]
    dry = run(env, *args, "--dry-run", "priority >= 0")
    note = dry.stdout.splitlines()[0]
    assert "until a page comes back short" not in note  # the limit ends it
    run(env, *args, "--count", "priority >= 0")
    sent = sent_pages(emulator)
    if len(sent) == 1:
        assert "its one page" in note
        return
    offsets, count = noted_pages(note)
    assert offsets == [off for off, _ in sent[1:]]
    assert count == len(sent)


def test_dry_run_paging_note_without_a_limit_has_the_right_offsets() -> None:
    env = {"CONPEEK_URL": "http://127.0.0.1:9", "CONPEEK_KEY": "", "CQLANG_CONFIG": "/dev/null"}
    dry = run(env, "fetch", "--campaign", "c", "--dry-run", "state = OPEN")
    # Each page after the first starts two records before the end of the last.
    assert "then offset=998, 1998, ... with limit=1002, until a page comes back short" in dry.stdout


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 10_000), st.integers(1, 60_000))
def test_page_count_and_last_window_match_the_client_paging(size: int, limit: int) -> None:
    n = page_count(size, limit)
    if n > 40:
        return  # bounded: the client's paging is run for small counts only
    asked = windows(size, limit, most=n + 1)
    assert len(asked) == n
    assert asked[-1] == last_window(size, limit)


@pytest.mark.parametrize(("size", "limit"), [(1, 2), (1, 3), (1, 9), (2, 5), (3, 40)])
def test_the_last_window_never_starts_before_the_first_record(size: int, limit: int) -> None:
    """A page size of 1 (smaller than the overlap of 2): the second page
    starts at 0 as the client's paging clamps it (hypothesis found the dry
    run's formula saying offset -1 for a page size of 1 and a limit of 2)."""
    n = page_count(size, limit)
    assert windows(size, limit, most=n + 1)[-1] == last_window(size, limit)
    assert last_window(size, limit)[0] >= 0


def test_the_page_maximum_is_defined_once() -> None:
    root = Path(cqlang.__file__).parent
    where = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            for t in targets:
                if isinstance(t, ast.Name) and t.id == "MAX_PAGE_SIZE":
                    where.append(path.relative_to(root).as_posix())
    assert where == ["encoding.py"]
