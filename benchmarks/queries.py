"""The queries the compile benchmarks run, in cqlang and in the peers'
languages (benchmarks/bench_peers.py): the same filters, clause by clause.

A query of ``n`` clauses joined by ``and`` starts with the three of the
README's example (``priority``, ``state in``, a custom field), then the
other kinds of property once each (a datetime, ``between``, ``!=`` on an
enum, a string), then custom fields, text and numbers in turn, each on its
own key: every clause becomes a filter object of its own, so the floor
(the filter list as JSON, percent-encoded) grows with the query. ``variant``
changes the values, so that no two texts are the same.

scim2-filter-parser's numbers are quoted: the version that installs beside
odata-query (0.4.2; both pin sly) reads one digit as a number.
"""

from __future__ import annotations

LANGUAGES = ("cqlang", "scim2-filter-parser", "luqum", "odata-query", "cel-python")

# One clause kind per entry: how each language writes it. {i} is the
# clause's index, {v} a value that changes with the variant, {d} a day.
_KINDS: dict[str, dict[str, str]] = {
    "priority": {
        "cqlang": "priority >= {v}",
        "scim2-filter-parser": 'priority ge "{v}"',
        "luqum": "priority:>={v}",
        "odata-query": "priority ge {v}",
        "cel-python": "priority >= {v}",
    },
    "state": {
        "cqlang": "state in (OPEN, PROCESSING)",
        "scim2-filter-parser": '(state eq "OPEN" or state eq "PROCESSING")',
        "luqum": "state:(OPEN OR PROCESSING)",
        "odata-query": "state in ('OPEN', 'PROCESSING')",
        "cel-python": 'state in ["OPEN", "PROCESSING"]',
    },
    "text": {
        "cqlang": 'custom.k{i} = "v{v}"',
        "scim2-filter-parser": 'k{i} eq "v{v}"',
        "luqum": 'k{i}:"v{v}"',
        "odata-query": "k{i} eq 'v{v}'",
        "cel-python": 'k{i} == "v{v}"',
    },
    "number": {
        "cqlang": "custom.n{i} = {v}",
        "scim2-filter-parser": 'n{i} eq "{v}"',
        "luqum": "n{i}:{v}",
        "odata-query": "n{i} eq {v}",
        "cel-python": "n{i} == {v}",
    },
    "date": {
        "cqlang": "created_date >= 2021-08-{d}",
        "scim2-filter-parser": 'created_date ge "2021-08-{d}"',
        "luqum": "created_date:[2021-08-{d} TO *]",
        "odata-query": "created_date ge 2021-08-{d}",
        "cel-python": 'created_date >= timestamp("2021-08-{d}T00:00:00Z")',
    },
    "between": {
        "cqlang": "contact_try between 1 and {v}",
        "scim2-filter-parser": '(contact_try ge 1 and contact_try le "{v}")',
        "luqum": "contact_try:[1 TO {v}]",
        "odata-query": "(contact_try ge 1 and contact_try le {v})",
        "cel-python": "(contact_try >= 1 && contact_try <= {v})",
    },
    "not equal": {
        "cqlang": "application_state != CLOSED",
        "scim2-filter-parser": 'application_state ne "CLOSED"',
        "luqum": "NOT application_state:CLOSED",
        "odata-query": "application_state ne 'CLOSED'",
        "cel-python": 'application_state != "CLOSED"',
    },
    "string": {
        "cqlang": "dialing_method = PREDICTIVE",
        "scim2-filter-parser": 'dialing_method eq "PREDICTIVE"',
        "luqum": "dialing_method:PREDICTIVE",
        "odata-query": "dialing_method eq 'PREDICTIVE'",
        "cel-python": 'dialing_method == "PREDICTIVE"',
    },
}
_FIRST = ("priority", "state", "text", "date", "between", "not equal", "string")
_JOIN = {
    "cqlang": " and ",
    "scim2-filter-parser": " and ",
    "luqum": " AND ",
    "odata-query": " and ",
    "cel-python": " && ",
}


def kinds(n: int) -> list[str]:
    """The kinds of the ``n`` clauses of a query (module docstring)."""
    rest = ("number", "text")
    return [_FIRST[i] if i < len(_FIRST) else rest[i % 2] for i in range(n)]


def query(n: int, variant: int, language: str = "cqlang") -> str:
    """A query of ``n`` clauses in ``language``."""
    parts = [
        _KINDS[kind][language].format(i=i, v=variant + i + 1, d=f"{1 + (variant + i) % 28:02d}")
        for i, kind in enumerate(kinds(n))
    ]
    return _JOIN[language].join(parts)
