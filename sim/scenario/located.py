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


_PLAIN_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
                          "tag:yaml.org,2002:omap"}


def _field(path: tuple[Any, ...]) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else ("." if i else "") + str(k)
                   for i, k in enumerate(path))


def _build(node: yaml.Node, loader: yaml.SafeLoader, file: str, path: tuple[Any, ...] = ()) -> Any:
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and \
            node.tag not in _PLAIN_COLLECTION_TAGS:
        # what yaml.safe_load refuses: a tag that would build an object from a collection
        raise ScenarioError.single(file, f"tag '{node.tag}' is not allowed (scenario files are "
                                         "plain data)", _origin(file, node).line, _field(path))
    if isinstance(node, yaml.MappingNode):
        out = LocDict(origin=_origin(file, node))
        for key_node, value_node in node.value:
            key = _build(key_node, loader, file, path)
            line = _origin(file, key_node).line
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise ScenarioError.single(file, "mapping keys must be plain text", line,
                                           _field(path))
            if key == "<<":
                raise ScenarioError.single(file, "YAML merge keys ('<<') are not supported", line,
                                           _field(path))
            if key in out:
                raise ScenarioError.single(file, f"duplicate key '{key}'", line,
                                           _field((*path, key)))
            out[key] = _build(value_node, loader, file, (*path, key))
            out.origins[key] = _origin(file, key_node)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = [_build(item, loader, file, (*path, i)) for i, item in enumerate(node.value)]
        out_list = LocList(items, origin=_origin(file, node))
        out_list.origins = [_origin(file, item) for item in node.value]
        return out_list
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, AttributeError, KeyError, TypeError):
        # e.g. 2025-13-40 looks like a timestamp but is no date, or `!!bool maybe`: keep the
        # text, and validation reports it with its field (PyYAML leaves the node marked)
        loader.recursive_objects.pop(node, None)
        return node.value


def parse_located(text: str, file: str) -> Any:
    """Parse YAML text into a located tree; syntax errors become a ScenarioError with a line."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:  # a control character: the reader refuses the text
        raise ScenarioError.single(file, f"not valid YAML: {str(exc).splitlines()[0]}",
                                   text.count("\n", 0, exc.position) + 1) from None
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
