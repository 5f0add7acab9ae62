"""cqlang's version, in a module of its own: a module inside the package
reads it from here, never from the package itself (``from . import
__version__`` would make the package import itself)."""

__version__ = "0.1.0"
