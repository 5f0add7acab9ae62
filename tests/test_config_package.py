"""The shape of the config package (cqlang/config/): every public name
importable from ``cqlang.config``, its modules importing one another one
way (not even a type-only import back), nothing above the config imported,
no module too long."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import cqlang.config

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cqlang" / "config"

#: The package's modules, each importing only modules listed before it
#: (the order of the package docstring and docs/architecture.md).
ORDER = (
    "tomlread",
    "locate",
    "discovery",
    "tomlscan",
    "model",
    "validate",
    "files",
    "connection",
    "fetchspec",
    "named",
    "querycheck",
    "display",
    "core",
    "safewrite",
    "editing",
    "fmtfiles",
    "lintfiles",
    "compat",
)

#: What the config may import outside itself: the layers below it, and of
#: the client its Connection value alone (compat's wrapper aside).
ALLOWED = {
    "cqlang.api",
    "cqlang.argcheck",
    "cqlang.client.connection",
    # FetchSpec.request_url: the URL of the first page, from the client's own
    # builder (compile --format url prints what fetch sends), and the
    # FilterError of an `ne` object its guard cannot read.
    "cqlang.client.urls",
    "cqlang.filterlists",
    "cqlang.diagnostics",
    "cqlang.digits",  # CANONICAL_INT: a stored integer parameter read back
    "cqlang.encoding",
    "cqlang.env",
    "cqlang.errors",
    "cqlang.formatter",
    "cqlang.kinds",  # the config check names a value's kind in TOML's words
    "cqlang.node",
    # The one check of a file that must not be replaced (read-only) and the
    # carrying over of its mode and owner, shared with fetch -o's writer.
    "cqlang.output.atomic",
    # FetchSpec.iter_batches/to_arrow: the records as Arrow data, as fetch
    # -o FILE.parquet makes them (imported when called: pyarrow only then).
    "cqlang.output.arrow",
    # FetchSpec.writer_options/file_metadata: the one recipe of a fetch's
    # writer options (fetch -o, \\o, iter_batches); plain data and text.
    "cqlang.output.filemeta",
    "cqlang.output.formats",
    "cqlang.planner",
    "cqlang.queryfile",
    "cqlang.refs",
    "cqlang.schema",
    "cqlang.timeexpr",
    "cqlang.types",
    # first_break: a file's own line ending, which fmt --write and queries
    # save keep (the lowest layer: plain text helpers).
    "cqlang.visible",
}


def imported(path: Path) -> set[str]:
    """Every cqlang module ``path`` imports: at the top, in functions and
    under ``TYPE_CHECKING`` alike."""
    package = "cqlang.config"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                name = f"{module}.{alias.name}"
                is_module = (ROOT / (name.replace(".", "/") + ".py")).exists()
                found.add(name if is_module else module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m == "cqlang" or m.startswith("cqlang.")}


def test_every_module_is_listed() -> None:
    on_disk = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert on_disk == set(ORDER)


def test_the_modules_import_one_another_one_way() -> None:
    wrong = {}
    for i, name in enumerate(ORDER):
        inside = {
            m.removeprefix("cqlang.config.")
            for m in imported(PACKAGE / f"{name}.py")
            if m.startswith("cqlang.config.")
        }
        later = inside - set(ORDER[:i])
        if later:
            wrong[name] = sorted(later)
    assert not wrong, wrong


def test_the_config_imports_only_lower_layers() -> None:
    wrong = {}
    for name in ORDER:
        outside = {
            m
            for m in imported(PACKAGE / f"{name}.py")
            if m != "cqlang.config" and not m.startswith("cqlang.config.")
        }
        if name == "compat":  # client_from_config: the client, when called
            outside -= {"cqlang.client"}
        bad = outside - ALLOWED
        if bad:
            wrong[name] = sorted(bad)
    assert not wrong, wrong


def test_no_module_is_too_long() -> None:
    long = {
        p.name: n
        for p in PACKAGE.glob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert not long, long


def test_every_public_name_comes_from_its_module() -> None:
    for name in cqlang.config.__all__:
        value = getattr(cqlang.config, name)
        module = importlib.import_module(
            cqlang.config._WHERE[name]
            if cqlang.config._WHERE[name].startswith(".")
            else f"cqlang.config.{cqlang.config._WHERE[name]}",
            "cqlang.config",
        )
        assert getattr(module, name) is value, name
    assert sorted(cqlang.config.__all__) == cqlang.config.__all__
    assert set(ORDER) <= set(dir(cqlang.config))


#: Names that the package's modules give one another (or that are used
#: from their module: ``cqlang.config.tomlscan.scan``), not the package's.
OWN = {
    "tomlscan": None,  # the whole module: scan, Located, Layout...
    "model": {"merged", "thaw"},
    "safewrite": None,
    "locate": None,
    "validate": None,
    "discovery": {"untrusted"},
    "files": {"layout_of", "origin_of", "read_found", "toml_problem", "where_in"},
    "querycheck": {"Checked", "check_query", "lint"},
    "connection": {"ConnectionSource", "resolve"},
    "named": {"QuerySource"},
    "display": {"Described", "shown"},
    "editing": {"locked_for_edit", "read_for_edit", "write_back"},
}


def test_each_module_exports_what_the_package_lists() -> None:
    """Every name in a module's ``__all__`` is a public name of the package,
    but for what the modules give one another (:data:`OWN`)."""
    missing = {}
    for name in ORDER:
        own = OWN.get(name, set())
        if own is None:
            continue
        module = importlib.import_module(f"cqlang.config.{name}")
        extra = set(getattr(module, "__all__", ())) - set(cqlang.config.__all__) - own
        if extra:
            missing[name] = sorted(extra)
    assert not missing, missing


def test_the_type_checking_imports_match_the_table() -> None:
    """The names mypy sees (imported under TYPE_CHECKING) are the names
    looked up at run time."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    seen = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and node.module not in (None, "typing", "__future__", "_lazy")  # _lazy: the loader
        for alias in node.names
    }
    assert seen == set(cqlang.config.__all__)


# ------------------------------------------------- fresh interpreters


def test_each_module_imports_on_its_own() -> None:
    """Each module of the package, imported first in a fresh interpreter:
    no cycle that only a lucky import order hides. The interpreters run
    side by side (each bounded by the timeout)."""
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-c", f"import cqlang.config.{name}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for name in ORDER
    }
    procs["(package)"] = subprocess.Popen(
        [sys.executable, "-c", "import cqlang.config"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    failed = {}
    for name, proc in procs.items():
        out, _ = proc.communicate(timeout=120)
        if proc.returncode != 0:
            failed[name] = out.decode(errors="replace")[-500:]
    assert not failed, failed


def test_importing_the_package_stays_light() -> None:
    """``import cqlang.config`` alone (the fast launcher imports it for
    :mod:`.locate`) loads none of the libraries its modules use, nor the
    client; the first use of a name loads that name's module."""
    code = (
        "import sys, cqlang\n"
        "before = set(sys.modules)\n"
        "import cqlang.config\n"
        "assert set(sys.modules) - before == {'cqlang.config'}, set(sys.modules) - before\n"
        "heavy = ('tomlkit', 'tomllib', 'platformdirs', 'requests', 'click', 'lark',\n"
        "         'dataclasses', 'typing', 'cqlang.client')\n"
        "loaded = [m for m in heavy if m in sys.modules]\n"
        "assert loaded == [], loaded\n"
        "cqlang.config.discover\n"
        "assert 'cqlang.config.discovery' in sys.modules\n"
        "assert 'cqlang.config.core' not in sys.modules and 'tomlkit' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# ------------------------------------------------- documented names

DOCS = (ROOT / "docs" / "config.md", ROOT / "docs" / "python-api.md", ROOT / "README.md")


def _resolve(dotted: str) -> object:
    """The object a dotted path names: the longest module prefix, then
    attributes."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            value: object = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            value = getattr(value, attr)
        return value
    raise ImportError(dotted)


def _python_section(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    start = text.index("## In Python")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def test_the_documented_paths_resolve() -> None:
    """Every ``cqlang.config...`` path and every ``from cqlang.config...
    import ...`` of the docs names something that exists."""
    seen = set()
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for dotted in re.findall(r"\bcqlang\.config(?:\.[A-Za-z_]\w*)*", text):
            seen.add(dotted)
            _resolve(dotted)
        for module, names in re.findall(r"from (cqlang\.config[\w.]*) import ([\w, ]+)", text):
            for name in (n.strip() for n in names.split(",")):
                seen.add(f"{module}.{name}")
                assert hasattr(importlib.import_module(module), name), (module, name)
    assert "cqlang.config.fetchspec.FetchSpec" in seen  # the scan found something


def test_the_python_section_names_what_exists() -> None:
    """The attributes docs/config.md's "In Python" names (``config.NAME``,
    and ``.NAME`` of a named query, a FetchSpec or the connection
    settings) exist, on the config of examples/cqlang.toml."""
    from cqlang.config import Config

    section = _python_section(ROOT / "docs" / "config.md")
    config = Config.load(ROOT / "examples" / "cqlang.toml", env={})
    named = next(iter(config.queries.values()))
    holders = (
        named,
        config.prepare(f"@{named.name}"),
        config.connection(),
        config.merged,
        config.merged.connection,
    )
    config_attrs = set(re.findall(r"\bconfig\.([a-z_]\w*)", section))
    assert {"files", "schema", "queries", "connection", "prepare", "merged"} <= config_attrs
    missing = sorted(a for a in config_attrs if not hasattr(config, a))
    dotted = set(re.findall(r"`\.([a-z_]\w*)", section))
    missing += sorted(f".{a}" for a in dotted if not any(hasattr(h, a) for h in holders))
    assert not missing, missing
    for name in ("ConnectionSettings", "NamedQuery", "FetchSpec", "CqlangTable"):
        assert f"`{name}`" in section
        assert hasattr(importlib.import_module("cqlang.config"), name)
