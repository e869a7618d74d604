"""YAML loaded as data that remembers where each value came from.

``load_located`` parses a file with a bounded safe loader (``yaml.SafeLoader``'s constructors:
no tags that build objects, nothing evaluated) into ``LocDict``/``LocList`` trees: plain dicts
and lists that also carry, for each key or item, the file and line it was written on. Merging
(``extends:``, variants) keeps those origins, so an error found after merging still points at
the line a user wrote.

Bounds, so that no file can exhaust the stack, the memory or the user's patience: the file is
read by ``sim.reading`` (regular files under a size limit); collections nest at most
``MAX_DEPTH`` levels; an alias may not refer to the collection it sits in (a recursive alias);
and the document, with every alias expanded, holds at most ``MAX_VALUES`` values (which stops
"billion laughs": aliases of aliases that expand exponentially). Only the plain data tags
(strings, numbers, booleans, null, dates, mappings, lists) are accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.resolver import Resolver

from sim.reading import FileRefused, read_text
from sim.scenario.errors import ScenarioError

MAX_DEPTH = 40  # nesting of mappings and lists; a scenario needs fewer than 10
MAX_VALUES = 250_000  # values in a document, aliases expanded; a scenario needs a few thousand


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
# what the YAML resolver gives plain scalars (merge keys are refused later, with a reason)
_PLAIN_SCALAR_TAGS = {f"tag:yaml.org,2002:{t}" for t in
                      ("str", "int", "float", "bool", "null", "timestamp", "merge")}


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


class _Refused(yaml.MarkedYAMLError):
    """A document refused by the bounds (depth, recursive alias, expansion)."""


class _BoundedComposer(Composer):
    """PyYAML's composer with the bounds of this module checked as nodes are made.

    Aliases stay shared nodes here (the tree is built later, by ``_build``); what is counted is
    the size the document would have with every alias expanded.
    """

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._values = 0
        self._open_anchors: set[str] = set()
        self._sizes: dict[int, int] = {}  # id(node) -> values it expands to (anchored nodes)

    def _count(self, values: int, mark: yaml.Mark, alias: bool = False) -> None:
        self._values += values
        if self._values > MAX_VALUES:
            why = (" once its aliases are expanded (aliases repeating aliases?)" if alias
                   else "; a scenario needs far fewer")
            raise _Refused(None, None, f"the document holds more than {MAX_VALUES:,} values"
                           f"{why}", mark)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            if event.anchor in self._open_anchors:
                raise _Refused(None, None, f"alias *{event.anchor} refers to the collection it "
                               "is part of (a recursive alias)", event.start_mark)
            node = super().compose_node(parent, index)
            self._count(self._sizes.get(id(node), 1), event.start_mark, alias=True)
            return node
        if self._depth >= MAX_DEPTH:
            raise _Refused(None, None, f"values are nested more than {MAX_DEPTH} levels deep",
                           event.start_mark)
        anchor = event.anchor
        if anchor is not None:
            self._open_anchors.add(anchor)
        before = self._values
        self._count(1, event.start_mark)
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
            self._open_anchors.discard(anchor)
        if anchor is not None:
            self._sizes[id(node)] = self._values - before
        return node


def _parser_class() -> type:
    """libyaml's parser where PyYAML has it (about four times faster), else PyYAML's own."""
    try:
        from yaml._yaml import CParser
    except ImportError:
        from yaml.parser import Parser
        from yaml.reader import Reader
        from yaml.scanner import Scanner

        class PurePythonParser(Reader, Scanner, Parser):
            def __init__(self, stream: str) -> None:
                Reader.__init__(self, stream)
                Scanner.__init__(self)
                Parser.__init__(self)

        return PurePythonParser
    return CParser


_Parser = _parser_class()


class BoundedLoader(_BoundedComposer, _Parser, SafeConstructor, Resolver):  # type: ignore[misc, valid-type]
    """A safe loader whose composition is bounded (see the module's docstring).

    The composer comes first in the method order, so that libyaml's parser supplies only the
    events and PyYAML's composer (with the bounds) builds the nodes.
    """

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        _BoundedComposer.__init__(self)


def _field(path: tuple[Any, ...]) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else ("." if i else "") + str(k)
                   for i, k in enumerate(path))


def _build(node: yaml.Node, loader: yaml.SafeLoader, file: str, path: tuple[Any, ...] = ()) -> Any:
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and \
            node.tag not in _PLAIN_COLLECTION_TAGS:
        # what yaml.safe_load refuses: a tag that would build an object from a collection
        raise ScenarioError.single(file, f"tag '{_short_tag(node.tag)}' is not allowed (scenario "
                                         "files are plain data)", _origin(file, node).line,
                                   _field(path))
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
    if node.tag == "tag:yaml.org,2002:merge":  # '<<': refused as a key, with its reason
        return node.value
    if node.tag not in _PLAIN_SCALAR_TAGS:
        raise ScenarioError.single(file, f"tag '{_short_tag(node.tag)}' is not allowed (scenario "
                                         "files are plain data: text, numbers, true/false, dates)",
                                   _origin(file, node).line, _field(path))
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, AttributeError, KeyError, TypeError):
        # e.g. 2025-13-40 looks like a timestamp but is no date, or `!!bool maybe`: keep the
        # text, and validation reports it with its field (PyYAML leaves the node marked)
        loader.recursive_objects.pop(node, None)
        return node.value


def _reader_error_line(text: str, exc: yaml.reader.ReaderError) -> int:
    """The line of a character the YAML reader refused (libyaml counts bytes, PyYAML
    characters)."""
    if _Parser.__name__ == "CParser":
        return text.encode("utf-8", "surrogatepass").count(b"\n", 0, exc.position) + 1
    return text.count("\n", 0, exc.position) + 1


def parse_located(text: str, file: str) -> Any:
    """Parse YAML text into a located tree; syntax errors and refusals become a ScenarioError
    with a line."""
    loader = BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return LocDict(origin=Origin(file, 1))
        return _build(node, loader, file)
    except yaml.reader.ReaderError as exc:  # a control character: the reader refuses the text
        raise ScenarioError.single(file, f"not valid YAML: {str(exc).splitlines()[0]}",
                                   _reader_error_line(text, exc)) from None
    except _Refused as exc:
        mark = exc.problem_mark
        raise ScenarioError.single(file, f"refused: {exc.problem}",
                                   mark.line + 1 if mark is not None else None) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or str(exc)
        if exc.context and problem.startswith("but "):  # "expected X, but found Y"
            problem = f"{exc.context}, {problem}"
        raise ScenarioError.single(file, f"not valid YAML: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise ScenarioError.single(file, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def load_located(path: Path) -> Any:
    """Read (bounded: see sim.reading) and parse one YAML file into a located tree."""
    try:
        text = read_text(path)
    except FileNotFoundError:
        raise ScenarioError.single(str(path), "no such file") from None
    except FileRefused as exc:
        raise ScenarioError.single(str(path), str(exc)) from None
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
