"""Names a package exports but imports on first use (PEP 562), so that
importing the package stays cheap: each such package's ``__getattr__``
hands the name to :func:`load` (importing this module then, on the first
use of a lazy name, not with the package)."""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from collections.abc import Collection, Mapping
    from typing import Any


def load(
    package: str,
    where: Mapping[str, str],
    namespace: dict[str, Any],
    name: str,
    submodules: Collection[str] = (),
) -> Any:
    """``name`` looked up in ``package`` for its ``__getattr__``: a name of
    ``where`` is imported from its module (``x`` or ``.x``: a module of the
    package, ``..x`` one beside it; ``cqlang.x``: that module) and kept in
    ``namespace`` (the package's ``globals()``), so the next look-up is a
    plain one; a name of ``submodules`` is that submodule of the package;
    any other name is an ``AttributeError``. (The package ``cqlang`` keeps
    its own ``__getattr__``: it reaches any submodule.)"""
    import importlib

    module = where.get(name)
    if module is not None:
        if module.startswith("cqlang."):
            found = importlib.import_module(module)
        else:
            relative = module if module.startswith(".") else f".{module}"
            found = importlib.import_module(relative, package)
        value = getattr(found, name)
        namespace[name] = value
        return value
    if name in submodules:
        return importlib.import_module(f".{name}", package)
    raise AttributeError(f"module {package!r} has no attribute {name!r}")
