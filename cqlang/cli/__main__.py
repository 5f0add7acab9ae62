"""``python -m cqlang.cli``: the click application, without the fast launcher."""

from cqlang.cli.group import main

if __name__ == "__main__":
    main()
