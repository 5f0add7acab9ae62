"""The terminal, as the command line and the REPL both use it: whether and
how to colour (:mod:`~cqlang.term.colour`), the pager
(:mod:`~cqlang.term.pager`) and ``fetch``'s progress line
(:mod:`~cqlang.term.progress`). Each module imports only the standard
library; this package imports none of them.
"""
