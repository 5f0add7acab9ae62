"""`queries show c` for c = "@a and @b", where a and b both default $min
(5 and 2), showed "$min = 5 (default of @a)" alone while the plan used 5
in a and 2 in b. Each reference's default is now shown (and in --json, a
list of them), the referring side winning inside a reference as when the
query is checked."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from cqlang.cli import main

CONFIG = """
[queries.a]
query = "priority >= $min"
params = { min = 5 }
[queries.b]
query = "contact_try >= $min"
params = { min = 2 }
[queries.c]
query = "@a and @b"
[queries.mid]
query = "@a and consultant_try >= $min"
params = { min = 3 }
[queries.top]
query = "@mid or @b"
"""


def show(folder: Path, *args: str) -> Result:
    path = folder / "cqlang.toml"
    path.write_text(CONFIG)
    result = CliRunner().invoke(main, ["--config", str(path), "queries", "show", *args])
    assert result.exit_code == 0, result.output
    return result


def test_each_references_default_is_shown(config_home: Path) -> None:
    out = show(config_home, "c").stdout
    assert "$min = 5  (default of @a)\n  $min = 2  (default of @b)\n" in out
    assert '"value": 5}' in out and '"value": 2}' in out  # what the plan uses


def test_json_lists_them(config_home: Path) -> None:
    bound = json.loads(show(config_home, "c", "--json").stdout)["bound"]
    assert bound == {
        "min": [{"value": 5, "from": "default of @a"}, {"value": 2, "from": "default of @b"}]
    }
    # One source stays one object.
    assert json.loads(show(config_home, "a", "--json").stdout)["bound"] == {
        "min": {"value": 5, "from": "default"}
    }


def test_inside_a_reference_the_referring_side_wins(config_home: Path) -> None:
    out = show(config_home, "top").stdout
    # @mid's 3 holds inside its @a (not a's 5); @b keeps its 2.
    assert "$min = 3  (default of @mid)\n  $min = 2  (default of @b)\n" in out
    assert "default of @a" not in out
    assert '"value": 3}' in out and '"value": 5}' not in out
    given = show(config_home, "top", "-p", "min=9").stdout
    assert "$min = 9  (--param)" in given and "default of" not in given
