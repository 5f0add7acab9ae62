"""JSON from outside, with a bound on its nesting.

``json.loads`` recurses once per level of nesting: a body nested 100,000
deep would end in a ``RecursionError``, and one nested a few hundred deep
parses but breaks any recursive code that meets it later. :func:`loads`
parses (the C parser's own recursion guard turns a body too deep for it
into :class:`TooDeep`) and then measures the depth of what it got without
recursing, level by level with C-level walks over the containers
(``gc.get_referents``), so the check costs about a microsecond per record
of an API page.
"""

from __future__ import annotations

import gc
import json
from typing import Any

#: The deepest nesting accepted by default: API records are shallow (a
#: page is 5 levels deep: envelope, list, record, history, its entries).
MAX_DEPTH = 64


class TooDeep(ValueError):
    """JSON nested deeper than allowed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"nested deeper than {limit} levels")
        self.limit = limit


def depth_exceeds(value: Any, limit: int) -> bool:
    """Whether JSON data ``value`` (lists, dicts, scalars) is nested more
    than ``limit`` levels deep (a scalar is 0 levels, ``[]`` 1, ``[[]]``
    2). Iterative; stops at the first level past ``limit``."""
    level = [value] if isinstance(value, list | dict) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below = gc.get_referents(*level)
        # Strings and numbers are not tracked by the garbage collector;
        # lists always are, and so is a dict that holds a list or a dict. A
        # dict of scalars may not be: it adds one last level, nothing below.
        level = list(filter(gc.is_tracked, below))
        if not level and dict in set(map(type, below)):
            return depth + 1 > limit
    return False


def loads(data: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads(data)``, refusing nesting deeper than ``max_depth``
    with :class:`TooDeep` (a ``ValueError``, like every other refusal)."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise TooDeep(max_depth) from None
    if depth_exceeds(value, max_depth):
        raise TooDeep(max_depth)
    return value
