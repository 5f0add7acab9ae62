"""``python -m cqlang``: the ``cqlang`` command."""

from cqlang.launch import main

if __name__ == "__main__":
    main()
