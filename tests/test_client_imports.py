"""The client package sits below the config and the front ends: it imports
none of them, nor the package `cqlang` itself (a cycle), and importing its
errors or its Connection does not import requests."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "cqlang" / "client"

#: The modules of cqlang below the client that it may use.
LOWER = {
    "cqlang.api",
    "cqlang.argcheck",  # the checks of arguments every entry point shares
    "cqlang.output.arrow",  # records to typed Arrow batches (iter_batches, to_arrow)
    "cqlang.diagnostics",
    "cqlang.digits",  # MAX_SECONDS, the bound on every duration
    "cqlang.encoding",
    "cqlang.env",
    "cqlang.errors",
    "cqlang.evaluator",  # the one reading of records: the guard of a request sent with ne
    "cqlang.filterlists",  # the API's reading of a filter list, for that guard
    "cqlang.ir",
    "cqlang.jsonlimit",
    "cqlang.gcpause",  # the collector paused while a page is decoded (shared with api)
    "cqlang.recordids",  # the rule for a record's id, shared with the emulator
    "cqlang.planner",
    "cqlang.schema",
    "cqlang._version",
    "cqlang._lazy",
}


def imported(path: Path) -> set[str]:
    """The cqlang modules that ``path`` imports (at any depth of its code,
    lazy imports and TYPE_CHECKING blocks included)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "cqlang")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module.split(".")[0] != "cqlang":
                continue
            if module in ("cqlang", "cqlang.client"):  # from . import x: x is the module
                found.update(f"{module}.{a.name}" for a in node.names)
            else:
                found.add(module)
    return found


def test_the_client_imports_only_itself_and_lower_layers() -> None:
    wrong = {}
    for path in sorted(CLIENT.glob("*.py")):
        bad = {m for m in imported(path) if not m.startswith("cqlang.client.") and m not in LOWER}
        if bad:
            wrong[path.name] = sorted(bad)
    assert not wrong, wrong


def test_using_the_client_imports_no_config_and_no_front_end() -> None:
    code = textwrap.dedent(
        """
        import sys
        from cqlang.emulator import Emulator
        from cqlang.client import Client

        with Emulator(records=5, seed=1, api_key="demo-key") as emu:
            with Client(emu.url, "demo-key") as c:
                assert len(list(c.voice_campaign_requests(
                    "5b7c389fe8df7b60af688989", "state = OPEN or priority > 3"))) <= 5
        print(sorted(m for m in sys.modules if m.split(".")[:2] in (
            ["cqlang", "config"], ["cqlang", "connection"], ["cqlang", "cli"],
            ["cqlang", "repl"], ["cqlang", "lsp"], ["cqlang", "launch"])))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out
