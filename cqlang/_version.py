"""The version of cqlang (pyproject.toml's ``version``): a module of its own,
so that the modules that name it (the client's User-Agent, the language
server) do not import the package ``cqlang`` from inside it."""

__version__ = "0.1.0"
