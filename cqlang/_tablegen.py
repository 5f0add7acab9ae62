"""Turn grammar/cqlang.lark into the LALR tables that cqlang's parser runs on.

Lark computes the tables and, for every rule, how its children become the
arguments of a rule callback (which tokens are kept, which helper rules are
inlined, which ``?rule`` collapses to its only child). This module reads those
decisions off a Lark object and writes them down as plain data, so that
cqlang/parser.py can parse with a small driver of its own and without
importing Lark.

It runs at build time (hatch_build.py writes :func:`module_source` into the
wheel as ``cqlang/_parse_tables.py``) and, in an editable install, once at
the first parse (through Lark's grammar cache). It imports nothing from
cqlang, so the build hook can load it from the source tree by path.

The tables:

* ``STATES[s]`` maps a terminal or rule name to an action: ``n >= 0`` shifts
  (or, after a reduction, goes) to state ``n``; ``n < 0`` reduces by rule
  ``~n``.
* ``RULES[r]`` is ``(origin, size, callback, expand1, include)``: the rule's
  name, how many symbols it pops, the name of the callback that builds its
  value, whether a single remaining child is the value itself, and which
  children are kept as ``(index, inline)`` pairs (``None``: all, as they are).
  A child marked ``inline`` is a helper rule's list of children, spliced in.
* ``START`` is the start state and ``END`` the state reached once the whole
  query has been reduced to ``start``.
"""

from __future__ import annotations

from typing import Any

Rule = tuple[str, int, str, bool, "tuple[tuple[int, bool], ...] | None"]


def tables(grammar: str, *, cache: bool = False) -> dict[str, Any]:
    """The tables of ``grammar`` (the text of grammar/cqlang.lark)."""
    import lark
    from lark.parse_tree_builder import ChildFilterLALR_NoPlaceholders, ExpandSingleChild
    from lark.parsers.lalr_analysis import Shift

    lk = lark.Lark(grammar, parser="lalr", lexer="basic", maybe_placeholders=False, cache=cache)
    table = lk.parser.parser._parse_table
    builders = dict(lk._parse_tree_builder.rule_builders)
    index = {rule: i for i, rule in enumerate(lk.rules)}
    rules: list[Rule] = []
    for rule in lk.rules:
        chain = builders[rule]
        expand1 = ExpandSingleChild in chain
        include = None
        for w in chain:
            if getattr(w, "func", None) is ChildFilterLALR_NoPlaceholders:
                include = tuple((int(i), bool(x)) for i, x in w.args[0])
            elif w is not ExpandSingleChild:  # pragma: no cover - a new Lark feature
                raise ValueError(f"rule {rule}: unsupported tree-builder step {w!r}")
        callback = rule.alias or rule.options.template_source or rule.origin.name
        rules.append((str(rule.origin.name), len(rule.expansion), str(callback), expand1, include))
    # Lark numbers states in an order that changes from run to run; number
    # them breadth-first from the start state instead, so that a build is
    # reproducible.
    start = table.start_states["start"]
    order = {start: 0}
    queue = [start]
    for state in queue:
        for _symbol, (action, arg) in sorted(table.states[state].items()):
            if action is Shift and arg not in order:
                order[arg] = len(order)
                queue.append(arg)
    states: list[dict[str, int]] = [{} for _ in order]
    for state, n in order.items():
        for symbol, (action, arg) in sorted(table.states[state].items()):
            states[n][str(symbol)] = order[arg] if action is Shift else ~index[arg]
    return {
        "START": 0,
        "END": order[table.end_states["start"]],
        "STATES": tuple(states),
        "RULES": tuple(rules),
    }


def module_source(grammar: str) -> str:
    """The text of ``cqlang/_parse_tables.py`` for ``grammar``."""
    data = tables(grammar)
    lines = [
        "# Generated at build time from grammar/cqlang.lark by hatch_build.py",
        "# (cqlang/_tablegen.py): the LALR tables of cqlang's parser.",
        "# ruff: noqa",
        "",
    ]
    for name in ("START", "END"):
        lines.append(f"{name} = {data[name]!r}")
    lines.append("STATES = (")
    lines.extend(f"    {dict(sorted(s.items()))!r}," for s in data["STATES"])
    lines.append(")")
    lines.append("RULES = (")
    lines.extend(f"    {r!r}," for r in data["RULES"])
    lines.append(")")
    return "\n".join(lines) + "\n"
