"""One small registry for every family of named things: attacks, executors, datasets, models, report sections.

A family keeps one :class:`Registry` and registers on import; a name registered twice is an error, and an
unknown name is answered with the known ones (and the closest, when one is close).

>>> models = Registry[int]("model")
>>> models.add("mlp", 1)
1
>>> models.names()
['mlp']
>>> models.add("mlp", 2)
Traceback (most recent call last):
...
ValueError: model 'mlp' is registered twice
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Things of one ``kind`` by name, in the order they were registered."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def add(self, name: str, item: T) -> T:
        """Register ``item`` under ``name``; returns it, so ``add`` can end a decorator."""
        if name in self._items:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        self._items[name] = item
        return item

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator form of :meth:`add`: ``@registry.register("local")``."""

        def deco(item: T) -> T:
            return self.add(name, item)

        return deco

    def get(self, name: str) -> T:
        """The item registered under ``name``; a KeyError names the closest and the known names otherwise."""
        if name not in self._items:
            raise KeyError(self.unknown(name))
        return self._items[name]

    def unknown(self, name: str) -> str:
        """The message for an unknown ``name``: the closest known name, if any, and every known name."""
        close = difflib.get_close_matches(name, self._items, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown {self.kind} {name!r}{hint}; known: {', '.join(self.names())}"

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._items)

    def items(self) -> dict[str, T]:
        """A copy of the registry, sorted by name."""
        return dict(sorted(self._items.items()))

    def values(self) -> list[T]:
        """Registered items in registration order."""
        return list(self._items.values())

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
