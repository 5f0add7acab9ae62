"""The base of cqlang's internal immutable value classes.

The IR (cqlang/ir.py), the planner's constraints and parser.Scan are written
out as slotted classes rather than made frozen dataclasses: creating a
dataclass compiles its methods from generated source, about half a
millisecond a class, and these modules are on the cold start of
``cqlang compile`` (docs/architecture.md, "Start-up"). This base gives them
what ``frozen=True`` gave: ``__init__`` sets each attribute with
:data:`_set` (``object.__setattr__``, as a frozen dataclass's ``__init__``
does), and assigning or deleting one afterwards raises
:class:`dataclasses.FrozenInstanceError`; pickling and copying work; the
repr names every field, in the order ``__match_args__`` gives. Each class
writes its own ``__init__``, ``__eq__``, ``__hash__`` (on the fast paths of
planning, so not generic) and ``__match_args__``.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any


#: How ``__init__`` sets an attribute of a Frozen object.
_set = object.__setattr__


class Frozen:
    __slots__ = ()
    #: The fields, in ``__init__``'s order: for ``match`` and the repr.
    __match_args__: tuple[str, ...] = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__match_args__)
        return f"{type(self).__name__}({fields})"

    def _slots(self) -> list[str]:
        return [n for c in type(self).__mro__ for n in getattr(c, "__slots__", ())]

    def __getstate__(self) -> dict[str, Any]:
        return {n: getattr(self, n) for n in self._slots()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            _set(self, name, value)
