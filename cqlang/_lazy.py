"""Names a package exports but imports on first use (PEP 562), so that
importing the package stays cheap: :func:`lazy_getattr` makes the
package's module-level ``__getattr__``."""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping
    from typing import Any


def lazy_getattr(
    package: str,
    where: Mapping[str, str],
    namespace: dict[str, Any],
    *,
    submodules: Collection[str] | bool = (),
) -> Callable[[str], Any]:
    """The ``__getattr__`` of ``package``: a name of ``where`` is imported
    from its module (``x`` or ``.x``: a module of the package, ``..x``
    one beside it; ``cqlang.x``: that module) and kept in ``namespace`` (the package's
    ``globals()``), so the next look-up is a plain one; a name of
    ``submodules`` (``True``: any) is that submodule of the package; any
    other name is an ``AttributeError``."""

    def __getattr__(name: str) -> Any:
        import importlib  # not loaded at start-up: only when a name is first used

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
        if submodules is True and not name.startswith("__"):
            try:
                return importlib.import_module(f".{name}", package)
            except ModuleNotFoundError as exc:
                if exc.name != f"{package}.{name}":
                    raise
        elif submodules is not True and submodules and name in submodules:
            return importlib.import_module(f".{name}", package)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
