"""The one YAML reader for every config (audit, synthetic, federated, web, CLI): plain data, nothing clever.

A config is a small tree of mappings, lists and scalars. This loader refuses what a config never needs and
an attacker can abuse:

- anchors and aliases (``&name`` / ``*name``, and so ``<<`` merge keys): a 450-byte "billion laughs" file
  expands to gigabytes. The loader stops at the first anchor, before anything is expanded;
- duplicate keys in one mapping (YAML's "last one wins" silently drops a setting);
- files over :data:`MAX_CONFIG_BYTES` and nesting deeper than :data:`MAX_DEPTH` (a config is a few
  kilobytes, a few levels deep).

Errors name the line and column and never echo the input back, so a hostile file cannot flood the terminal.

>>> load_yaml_text("seed: 7\\ndata: {builtin: adult}")
{'seed': 7, 'data': {'builtin': 'adult'}}
>>> try:
...     load_yaml_text("a: &x [1]\\nb: *x")
... except YamlConfigError as exc:
...     print(exc.problem)
YAML anchors and aliases are not allowed (line 1, column 4)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, NodeEvent
from yaml.nodes import MappingNode, Node

MAX_CONFIG_BYTES = 1 << 20  # 1 MiB: configs are a few kB; anything bigger is not a config
MAX_DEPTH = 64  # nesting levels (the deepest real config is under 10)


class YamlConfigError(ValueError):
    """A config file that is not plain YAML data; ``field``, ``problem`` and ``fix`` say what and how to fix."""

    def __init__(self, field: str, problem: str, fix: str) -> None:
        self.field, self.problem, self.fix = field, problem, fix
        super().__init__(f"{field}: {problem}. Fix: {fix}")


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "unknown position"


class _PlainDataLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors, aliases, duplicate keys and deep nesting while composing."""

    def __init__(self, stream: str, field: str) -> None:
        super().__init__(stream)
        self._field = field
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor is not None):
            raise YamlConfigError(self._field, f"YAML anchors and aliases are not allowed ({_where(event.start_mark)})",
                                  "write the repeated value out in full")
        if isinstance(event, CollectionStartEvent):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise YamlConfigError(self._field, f"nested more than {MAX_DEPTH} levels deep "
                                      f"({_where(event.start_mark)})", "a config is a few levels of mappings and lists")
        try:
            return super().compose_node(parent, index)
        finally:
            if isinstance(event, CollectionStartEvent):
                self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise YamlConfigError(self._field, f"YAML merge keys (<<) are not allowed "
                                          f"({_where(key_node.start_mark)})", "write the keys out in full")
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    raise YamlConfigError(self._field, f"a mapping key is not a plain value "
                                          f"({_where(key_node.start_mark)})", "use text keys") from None
                if key in seen:
                    shown = str(key)[:60]
                    raise YamlConfigError(self._field, f"the key {shown!r} appears twice in one mapping "
                                          f"({_where(seen[key])} and {_where(key_node.start_mark)})",
                                          "keep one of them (YAML would silently use the last)")
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def load_yaml_text(text: str, field: str = "config") -> Any:
    """Parse ``text`` as plain YAML data (see the module docstring); ``field`` names it in errors."""
    if len(text.encode("utf-8", "replace")) > MAX_CONFIG_BYTES:
        raise YamlConfigError(field, f"larger than {MAX_CONFIG_BYTES // 1024} KiB",
                              "a config is a few kilobytes; give the config file, not a data file")
    loader = _PlainDataLoader(text, field)
    try:
        return loader.get_single_data()
    except YamlConfigError:
        raise
    except yaml.constructor.ConstructorError as exc:  # a tag such as !!python/object
        raise YamlConfigError(field, f"unsupported YAML tag ({_where(exc.problem_mark)})",
                              "a config holds plain text, numbers, true/false, lists and mappings; "
                              "remove the !!tag") from None
    except yaml.MarkedYAMLError as exc:  # the message, never the snippet of the input it quotes
        problem = (exc.problem or exc.context or "syntax error")[:120]
        raise YamlConfigError(field, f"not valid YAML: {problem} ({_where(exc.problem_mark)})",
                              "fix the YAML syntax at that position") from None
    except yaml.YAMLError as exc:
        raise YamlConfigError(field, f"not valid YAML: {type(exc).__name__}", "fix the YAML syntax") from None
    except RecursionError:
        raise YamlConfigError(field, "nested too deeply", "a config is a few levels of mappings and lists") from None
    finally:
        loader.dispose()


def load_yaml_file(path: Path | str, field: str = "config") -> Any:
    """Read and parse a YAML config file (size checked before reading it whole)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise YamlConfigError(field, f"cannot read {path} ({exc.strerror or type(exc).__name__})",
                              "give the path of a readable YAML file") from None
    if size > MAX_CONFIG_BYTES:
        raise YamlConfigError(field, f"{path.name} is {size:,} bytes, larger than {MAX_CONFIG_BYTES // 1024} KiB",
                              "a config is a few kilobytes; give the config file, not a data file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlConfigError(field, f"{path.name} is not UTF-8 text (at byte offset {exc.start})",
                              "save the config as UTF-8 text") from None
    except OSError as exc:
        raise YamlConfigError(field, f"cannot read {path} ({exc.strerror or type(exc).__name__})",
                              "give the path of a readable YAML file") from None
    return load_yaml_text(text, field)
