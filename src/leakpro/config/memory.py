"""Objects held in this Python session (a model, a table, arrays), named so that an audit config can point at them.

:func:`leakpro.audit_model` audits a model and data that live in a notebook. It registers them here under names
that start with ``@`` for the duration of one audit, and builds the same config a YAML file would hold, with
``data: {memory: "@data"}`` and ``target: {kind: sklearn, memory: "@model"}`` in place of file paths. The loaders
look the names up here; nothing is ever read from disk or imported for them. A name that is not held (a YAML
config written by hand that names one) is reported as a config problem like a missing file.

Only Python code of this session can hold an object here, so naming one is no more trusting than calling the
object directly: the config cannot reach anything the user did not hand over.

>>> with held({"data": [1, 2]}) as names:
...     names["data"], lookup(names["data"])
('@data', [1, 2])
>>> lookup("@data") is None
True
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

PREFIX = "@"
_HELD: dict[str, Any] = {}
_LOCK = threading.Lock()


def is_memory_name(name: object) -> bool:
    """Whether ``name`` (a config value) names an object held in this session rather than a file or a class."""
    return isinstance(name, str) and name.startswith(PREFIX)


def lookup(name: str) -> Any | None:
    """The object held under ``name``, or None."""
    with _LOCK:
        return _HELD.get(name)


def held_names() -> list[str]:
    with _LOCK:
        return sorted(_HELD)


@contextmanager
def held(objects: Mapping[str, Any]) -> Iterator[dict[str, str]]:
    """Hold ``objects`` (stem → object) while the block runs; yields stem → the ``@name`` each is held under.

    A stem already in use by another audit running at the same time (another thread) gets a numbered name
    (``@data-2``), so concurrent audits never see each other's objects.
    """
    names: dict[str, str] = {}
    with _LOCK:
        for stem, obj in objects.items():
            name, i = f"{PREFIX}{stem}", 1
            while name in _HELD:
                i += 1
                name = f"{PREFIX}{stem}-{i}"
            _HELD[name] = obj
            names[stem] = name
    try:
        yield names
    finally:
        with _LOCK:
            for name in names.values():
                _HELD.pop(name, None)
