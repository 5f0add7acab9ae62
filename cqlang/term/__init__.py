"""The terminal, as the command line and the REPL both use it: whether and
how to colour (:mod:`~cqlang.term.colour`), the pager
(:mod:`~cqlang.term.pager`), ``fetch``'s progress line
(:mod:`~cqlang.term.progress`) and the REPL's instant prompt
(:mod:`~cqlang.term.instant`). Each module imports only the standard
library; this package imports none of them.
"""
