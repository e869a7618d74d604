"""YAML loaded as data that remembers where each value came from.

``load_located`` parses a file with ``yaml.SafeLoader`` (no tags that build objects, nothing
evaluated) into ``LocDict``/``LocList`` trees: plain dicts and lists that also carry, for each key
or item, the file and line it was written on. Merging (``extends:``, variants) keeps those
origins, so an error found after merging still points at the line a user wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.scenario.errors import ScenarioError


@dataclass(frozen=True)
class Origin:
    file: str
    line: int | None


class LocDict(dict):
    """A dict whose keys remember the file and line they were written on."""

    def __init__(self, *args: Any, origin: Origin | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.origin = origin
        self.origins: dict[Any, Origin] = {}


class LocList(list):
    """A list whose items remember the file and line they were written on."""

    def __init__(self, *args: Any, origin: Origin | None = None):
        super().__init__(*args)
        self.origin = origin
        self.origins: list[Origin | None] = [None] * len(self)


def _origin(file: str, node: yaml.Node) -> Origin:
    return Origin(file, node.start_mark.line + 1)


def _build(node: yaml.Node, loader: yaml.SafeLoader, file: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = LocDict(origin=_origin(file, node))
        for key_node, value_node in node.value:
            key = _build(key_node, loader, file)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise ScenarioError.single(file, "mapping keys must be plain text",
                                           _origin(file, key_node).line)
            if key == "<<":
                raise ScenarioError.single(file, "YAML merge keys ('<<') are not supported",
                                           _origin(file, key_node).line)
            if key in out:
                raise ScenarioError.single(file, f"duplicate key '{key}'",
                                           _origin(file, key_node).line)
            out[key] = _build(value_node, loader, file)
            out.origins[key] = _origin(file, key_node)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = [_build(item, loader, file) for item in node.value]
        out_list = LocList(items, origin=_origin(file, node))
        out_list.origins = [_origin(file, item) for item in node.value]
        return out_list
    return loader.construct_object(node, deep=True)


def parse_located(text: str, file: str) -> Any:
    """Parse YAML text into a located tree; syntax errors become a ScenarioError with a line."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return LocDict(origin=Origin(file, 1))
        return _build(node, loader, file)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ScenarioError.single(file, f"not valid YAML: {exc.problem or exc}", line) from None
    except yaml.YAMLError as exc:
        raise ScenarioError.single(file, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def load_located(path: Path) -> Any:
    """Read and parse one YAML file into a located tree."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError.single(str(path), "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError.single(str(path), f"cannot be read: {exc}") from None
    return parse_located(text, str(path))


def origin_of(tree: Any, path: tuple[Any, ...]) -> Origin | None:
    """The origin of the deepest value along ``path`` that has one."""
    best: Origin | None = getattr(tree, "origin", None)
    node = tree
    for key in path:
        if isinstance(node, LocDict) and key in node:
            best = node.origins.get(key, best)
            node = node[key]
        elif isinstance(node, LocList) and isinstance(key, int) and 0 <= key < len(node):
            best = node.origins[key] or best
            node = node[key]
        else:
            break
    return best


def plain(tree: Any) -> Any:
    """A copy of a located tree as ordinary dicts and lists."""
    if isinstance(tree, dict):
        return {k: plain(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [plain(v) for v in tree]
    return tree
