"""Turn grammar/cqlang.lark into the LALR tables that cqlang's parser runs on.

Lark computes the tables; this module takes them, and the grammar's rules,
from Lark's public serialization (``Lark.save``, the data ``Lark.load``
reads back), works out for every rule how its children become the
arguments of a rule callback (which tokens are kept, which helper rules are
inlined, which ``?rule`` collapses to its only child: Lark's documented
tree construction) and writes it all down as plain data, so that
cqlang/parser/lalr.py can parse with a small driver of its own and without
importing Lark.

It runs at build time (hatch_build.py writes :func:`module_source` into the
wheel as ``cqlang/_parse_tables.py``) and, in an editable install, once
(cqlang/_tablecache.py keeps what it gives, under the grammar's hash). It imports nothing from
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
    import io
    import pickle

    import lark

    lk = lark.Lark(grammar, parser="lalr", lexer="basic", maybe_placeholders=False, cache=cache)
    # Lark's own serialization, the one Lark.load reads back: plain data.
    saved = io.BytesIO()
    lk.save(saved)
    data = pickle.loads(saved.getvalue())  # what save() wrote just above
    # Placeholders (the None of an [optional] item left out) are off: the
    # rules' empty_indices then shape no tree.
    assert not data["data"]["options"]["maybe_placeholders"]
    memo = data["memo"]
    refs = [ref["@"] for ref in data["data"]["rules"]]
    index = {ref: i for i, ref in enumerate(refs)}
    rules = [_rule(memo[ref]) for ref in refs]
    table = data["data"]["parser"]["parser"]
    names: dict[int, str] = table["tokens"]
    actions: dict[int, dict[int, tuple[int, Any]]] = table["states"]
    # Lark numbers states in an order that changes from run to run; number
    # them breadth-first from the start state instead, so that a build is
    # reproducible.
    start = table["start_states"]["start"]
    order = {start: 0}
    queue = [start]
    for state in queue:
        for _name, (action, arg) in _by_name(actions[state], names):
            if action == _SHIFT and arg not in order:
                order[arg] = len(order)
                queue.append(arg)
    states: list[dict[str, int]] = [{} for _ in order]
    for state, n in order.items():
        for name, (action, arg) in _by_name(actions[state], names):
            states[n][name] = order[arg] if action == _SHIFT else ~index[arg["@"]]
    return {
        "START": 0,
        "END": order[table["end_states"]["start"]],
        "STATES": tuple(states),
        "RULES": tuple(rules),
    }


# How Lark's serialized parse table writes an action: (0, state) shifts,
# (1, rule) reduces.
_SHIFT = 0


def _by_name(
    actions: dict[int, tuple[int, Any]], names: dict[int, str]
) -> list[tuple[str, tuple[int, Any]]]:
    return sorted(((names[t], act) for t, act in actions.items()), key=lambda item: item[0])


def _rule(rule: dict[str, Any]) -> Rule:
    """One rule of the tables, from Lark's serialized rule, shaped as Lark
    builds trees (its documented tree construction): a ``?rule`` with one
    child left is that child (unless the alternative has an alias),
    filtered-out tokens (anonymous punctuation, ``_TOKEN``) are dropped
    unless the rule keeps all tokens (``!rule``), and the children of a
    ``_rule`` are spliced into its parent."""
    options = rule["options"]
    expansion = rule["expansion"]
    keep_all = bool(options["keep_all_tokens"])
    kept: list[tuple[int, bool]] = []
    for i, symbol in enumerate(expansion):
        terminal = symbol["__type__"] == "Terminal"
        if keep_all or not (terminal and symbol["filter_out"]):
            kept.append((i, not terminal and symbol["name"].startswith("_")))
    filtered = len(kept) < len(expansion) or any(inline for _, inline in kept)
    name = rule["origin"]["name"]
    callback = rule["alias"] or options["template_source"] or name
    expand1 = bool(options["expand1"]) and not rule["alias"]
    return (str(name), len(expansion), str(callback), expand1, tuple(kept) if filtered else None)


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
