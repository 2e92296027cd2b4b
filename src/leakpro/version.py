"""LeakPro's version, in a module of its own so that any layer can read it without importing the package root
(whose lazy exports reach the notebook face)."""

__version__ = "0.1.0"
