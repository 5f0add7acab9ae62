"""One base for cqlang's value classes: :class:`Node`.

The syntax tree (cqlang/ast.py), the checked form (cqlang/ir.py), the
planner's constraints and the public results (``Diagnostic``, ``Schema``,
``Plan``, ``Env``, ...) are all nodes. A node class declares each field once,
as an annotation in its body::

    class Compare(Node):
        field: Field
        op: str
        value: Value
        start: int = field(default=0, compare=False)
        end: int = field(default=0, compare=False)

and gets what a frozen, slotted dataclass would give:

* ``__init__`` taking the fields in order (defaults as declared, keywords by
  field name), then calling ``__post_init__`` when the class has one;
* immutability: assigning or deleting an attribute raises
  :class:`FrozenError` (an ``AttributeError``); ``__slots__``, so no other
  attribute can be added either;
* ``==`` and ``hash`` on the compared fields (``compare=False`` leaves a field
  out: the spans of the trees, so that trees of differently spaced texts are
  equal), and only between objects of the same class;
* a repr naming every field (``repr=False`` leaves one out), pickling and
  copying, ``match`` by position (``__match_args__``), and
  :meth:`Node.replace` (a copy with some fields changed);
* :meth:`Node.walk` (every node below, pre-order, iteratively) and
  :meth:`Node.find_all`.

Why not dataclasses: importing :mod:`dataclasses` (and :mod:`inspect`, which
it imports) and creating a dataclass, which compiles its methods from
generated source, cost about half the cold start of ``cqlang compile``
(docs/architecture.md, "Start-up"). Here nothing is compiled per class:
``__init__``, ``__eq__`` and ``__hash__`` are copies of templates, compiled
once per number of fields, with the field names put in
(:meth:`types.CodeType.replace`), so they run as fast as methods written by
hand. Type checkers see the classes as dataclasses (``dataclass_transform``).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any, ClassVar, Self, TypeVar, dataclass_transform

    N = TypeVar("N", bound="Node")
else:

    def dataclass_transform(**_options):
        return lambda obj: obj


__all__ = ["FrozenError", "Node", "field"]


class FrozenError(AttributeError):
    """An attempt to assign to or delete an attribute of a node."""


#: How a node's ``__init__`` (and ``__post_init__``) sets an attribute.
_set = object.__setattr__


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()


class _Field:
    """A field's options, as :func:`field` declares them."""

    __slots__ = ("compare", "default", "init", "repr")

    def __init__(self, default: Any, compare: bool, repr: bool, init: bool) -> None:
        self.default = default
        self.compare = compare
        self.repr = repr
        self.init = init


def field(
    *, default: Any = _MISSING, compare: bool = True, repr: bool = True, init: bool = True
) -> Any:
    """A field with options, in a node class's body: ``compare=False`` keeps
    it out of ``==`` and ``hash``, ``repr=False`` out of the repr, and
    ``init=False`` out of ``__init__`` (then ``__post_init__`` sets it, with
    ``object.__setattr__``: a cache, such as a hash computed once)."""
    return _Field(default, compare, repr, init)


# ------------------------------------------------------------- methods

# Each generated method is a template for its kind and number of fields,
# compiled once (at the first class that needs it), with its placeholder
# names ``_0``, ``_1``, ... replaced by the class's field names: replacing
# them in a code object costs microseconds where compiling source costs a
# tenth of a millisecond a method. The methods are then what one would write
# by hand: no loop, no tuple built to compare two objects.
_TEMPLATES: dict[tuple[str, int], Callable[..., Any]] = {}


def _template_source(kind: str, n: int) -> str:
    """The source of a method over ``n`` fields named ``_0``, ``_1``, ..."""
    names = [f"_{i}" for i in range(n)]
    if kind in ("init", "init+post"):
        lines = [f"def __init__(self{''.join(', ' + p for p in names)}):"]
        lines.extend(f"    _set(self, {p!r}, {p})" for p in names)
        if kind == "init+post":
            lines.append("    self.__post_init__()")
        if n == 0 and kind == "init":
            lines.append("    pass")
    elif kind == "eq":
        same = " and ".join(f"self.{p} == other.{p}" for p in names) or "True"
        lines = [
            "def __eq__(self, other):",
            "    if other is self:",
            "        return True",
            "    if other.__class__ is not self.__class__:",
            "        return NotImplemented",
            f"    return {same}",
        ]
    else:  # hash
        fields = "".join(f"self.{p}, " for p in names)
        lines = ["def __hash__(self):", f"    return hash(({fields}))"]
    return "\n".join(lines) + "\n"


def _method(kind: str, qualname: str, names: tuple[str, ...]) -> Callable[..., Any]:
    """The ``kind`` method (``init``, ``init+post``, ``eq``, ``hash``) of
    the class ``qualname`` over the fields ``names``."""
    from types import FunctionType

    key = (kind, len(names))
    template = _TEMPLATES.get(key)
    if template is None:
        template = _TEMPLATES[key] = _compile(_template_source(kind, len(names)))
    code = template.__code__
    rename = {f"_{i}": name for i, name in enumerate(names)}
    try:
        if kind.startswith("init"):  # parameters, and the names _set is given
            code = code.replace(
                co_varnames=("self", *names, *code.co_varnames[len(names) + 1 :]),
                co_consts=tuple(rename.get(c, c) if type(c) is str else c for c in code.co_consts),
            )
        else:  # attributes read
            code = code.replace(co_names=tuple(rename.get(n, n) for n in code.co_names))
        code = code.replace(co_qualname=qualname)
    except (TypeError, ValueError):  # pragma: no cover - another interpreter's code objects
        source = _template_source(kind, len(names))
        for placeholder in sorted(rename, key=len, reverse=True):
            source = source.replace(placeholder, rename[placeholder])
        code = _compile(source).__code__
    method = FunctionType(code, template.__globals__, code.co_name)
    method.__qualname__ = qualname
    return method


def _compile(source: str) -> Callable[..., Any]:
    namespace: dict[str, Any] = {}
    exec(source, {"_set": _set}, namespace)  # this module's own text: no input in it
    (function,) = namespace.values()
    return function  # type: ignore[no-any-return]


# ------------------------------------------------------------- the class


def _fields_of(name: str, bases: tuple[type, ...], ns: dict[str, Any]) -> list[tuple[str, _Field]]:
    """The fields of a class being made: its bases' (in order), then its own
    annotations (class variables and dunder names aside), defaults taken out
    of ``ns`` (a slot cannot have a class attribute of its name)."""
    fields: dict[str, _Field] = {}
    for base in reversed(bases):
        for fname, spec in getattr(base, "__node_fields__", ()):
            fields[fname] = spec
    for fname, annotation in ns.get("__annotations__", {}).items():
        if fname.startswith("__") or "ClassVar" in str(annotation):
            continue
        value = ns.pop(fname, _MISSING)
        spec = value if isinstance(value, _Field) else _Field(value, True, True, True)
        fields[fname] = spec
    seen_default = False
    for fname, spec in fields.items():
        if not spec.init:
            continue
        if spec.default is not _MISSING:
            seen_default = True
        elif seen_default:
            raise TypeError(f"{name}: field {fname!r} without a default follows one with a default")
    return list(fields.items())


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class NodeMeta(type):
    """Makes a class of :class:`Node` from its annotated fields (see the
    module docstring)."""

    def __new__(mcls, name: str, bases: tuple[type, ...], ns: dict[str, Any]) -> NodeMeta:
        fields = _fields_of(name, bases, ns)
        inherited = {fname for base in bases for fname, _ in getattr(base, "__node_fields__", ())}
        own = tuple(fname for fname, _ in fields if fname not in inherited)
        extra = ns.get("__slots__", ())
        ns["__slots__"] = (*own, *((extra,) if isinstance(extra, str) else extra))
        cls = super().__new__(mcls, name, bases, ns)
        init_names = tuple(fname for fname, spec in fields if spec.init)
        methods: dict[str, Any] = {
            "__node_fields__": tuple(fields),
            "__node_init__": init_names,
            "__node_repr__": tuple(fname for fname, spec in fields if spec.repr),
        }
        if "__match_args__" not in ns:
            methods["__match_args__"] = init_names
        if own or "__post_init__" in ns:  # else the base's methods serve (IAnd, IOr)
            if "__init__" not in ns:
                defaults = tuple(spec.default for _, spec in fields if spec.init)
                first = next(
                    (i for i, d in enumerate(defaults) if d is not _MISSING), len(defaults)
                )
                post = hasattr(cls, "__post_init__")
                if not post and len(init_names) != len(fields):
                    raise TypeError(f"{name}: a field with init=False is set by __post_init__")
                init = _method("init+post" if post else "init", f"{name}.__init__", init_names)
                init.__defaults__ = defaults[first:] or None
                methods["__init__"] = init
            compared = tuple(fname for fname, spec in fields if spec.compare)
            if "__eq__" not in ns:
                methods["__eq__"] = _method("eq", f"{name}.__eq__", compared)
            if "__hash__" not in ns:
                methods["__hash__"] = _method("hash", f"{name}.__hash__", compared)
        for attr, value in methods.items():
            setattr(cls, attr, value)
        return cls


class Node(metaclass=NodeMeta):
    """The base of cqlang's value classes: see the module docstring."""

    __slots__ = ()
    __node_fields__: ClassVar[tuple[tuple[str, _Field], ...]] = ()
    __node_init__: ClassVar[tuple[str, ...]] = ()
    __node_repr__: ClassVar[tuple[str, ...]] = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenError(f"cannot assign to field {name!r}: {type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise FrozenError(f"cannot delete field {name!r}: {type(self).__name__} is immutable")

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__node_repr__)
        return f"{type(self).__name__}({fields})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt through __init__: caches (init=False fields) are made again.
        return (self.__class__, tuple(getattr(self, name) for name in self.__node_init__))

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` (field names and their new values)."""
        unknown = set(changes) - set(self.__node_init__)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {sorted(unknown)[0]!r}")
        values = {name: getattr(self, name) for name in self.__node_init__}
        values.update(changes)
        return self.__class__(**values)

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, pre-order (a parent before its
        children, children in field order): nodes held in fields and inside
        tuples in fields. Iterative: a deep tree cannot exhaust the stack."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            found: list[Node] = []
            for name in node.__node_init__:
                _collect(getattr(node, name), found)
            stack.extend(reversed(found))

    def find_all(self, *types: type[N]) -> Iterator[N]:
        """The nodes of :meth:`walk` that are instances of ``types``
        (classes, such as ``cqlang.ast.Compare``; a union of them too). Any
        other ``types`` is a ``TypeError`` here, at the call, not when the
        iterator is first read."""
        for cls in types:
            if not isinstance(cls, type):
                _not_a_class(cls)
        return (node for node in self.walk() if isinstance(node, types))


def _not_a_class(value: object) -> None:
    """Pass a union of classes (``Compare | In``, which ``isinstance``
    takes); raise the ``TypeError`` of :meth:`Node.find_all` for anything
    else (a class's name as a ``str``, an instance...)."""
    from types import UnionType  # only for what is not a class

    if isinstance(value, UnionType) and all(isinstance(c, type) for c in value.__args__):
        return
    shown = f": {value!r}" if isinstance(value, str) else ""
    raise TypeError(
        "types are classes (such as cqlang.ast.Compare), not " + type(value).__name__ + shown
    )


def _collect(value: object, found: list[Node]) -> None:
    """Append the nodes in ``value`` (a node, or tuples holding nodes) to
    ``found``, in order."""
    if isinstance(value, Node):
        found.append(value)
        return
    if type(value) is not tuple:
        return
    todo: list[object] = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, Node):
            found.append(item)
        elif type(item) is tuple:
            todo.extend(reversed(item))
