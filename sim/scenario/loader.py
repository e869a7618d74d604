"""Loading scenarios: YAML (safe_load only), ``extends:`` inheritance, variants, validation.

Pipeline: read the file as located data; if it ``extends`` another scenario, load that first
(recursively, refusing loops) and lay this file over it; if a variant is asked for, lay its
patch over the result; validate the structure (pydantic) and then every cross-reference
(sim.scenario.checks). Every problem is reported with the file and line the user wrote and the
path of the field.

Merging rules (for ``extends`` and for variant patches alike): mappings merge key by key; a value
of ``null`` removes the key; the id-keyed lists ``threats`` and ``injects`` (and
``history.metrics``, keyed by ``metric``) are patched with a mapping from id to an item: a new id
adds the item, an existing id merges into it, ``null`` removes it. Any other list is replaced.

What ``extends`` may name: a shipped scenario id, or a file in the folder of the file that
extends (or below it), or in a folder listed in ``ESCSIM_SCENARIO_PATH`` (separated like
``PATH``). Anything else is refused unread, so that a scenario cannot make escsim read, or echo
in an error, a file outside the places its author chose. Chains are at most
``MAX_EXTENDS_DEPTH`` files long.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.paths import scenarios_dir
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.located import LocDict, LocList, Origin, load_located, origin_of, plain
from sim.scenario.schema import Scenario

KEYED_LISTS: dict[tuple[str, ...], str] = {
    ("threats",): "id",
    ("injects",): "id",
    ("history", "metrics"): "metric",
}
SCENARIO_SUFFIXES = (".yaml", ".yml")
SCENARIO_PATH_ENV = "ESCSIM_SCENARIO_PATH"
MAX_EXTENDS_DEPTH = 10
# set by the loader from --variant; in a file it would be shown and change nothing
LOADER_FIELDS = ("variant",)


# --- finding files ----------------------------------------------------------------------------

def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario ids and their files (``actors.yaml`` and helpers excluded)."""
    out = {}
    for path in sorted(scenarios_dir().glob("*.yaml")):
        out[path.stem] = path
    return out


def resolve_path(ref: str | Path, relative_to: Path | None = None) -> Path:
    """A scenario reference (shipped id or file path) as a file path."""
    text = str(ref)
    if text.endswith(SCENARIO_SUFFIXES) or "/" in text or "\\" in text:
        path = Path(text)
        if not path.is_absolute() and relative_to is not None:
            path = relative_to / path
        return path
    shipped = shipped_scenarios()
    if text in shipped:
        return shipped[text]
    known = ", ".join(shipped) or "none"
    raise ScenarioError.single(text, f"no shipped scenario '{text}' (shipped: {known}); "
                                     "give a path to a .yaml file for your own")


# --- merging ----------------------------------------------------------------------------------

def _keyed(items: Any, key: str) -> bool:
    """A list whose items all carry a usable id (plain text or number) under ``key``."""
    return isinstance(items, list) and all(
        isinstance(i, dict) and isinstance(i.get(key), (str, int)) for i in items)


def _merge_keyed_list(base: LocList, patch: Any, key: str, path: tuple[str, ...],
                      problems: list[Problem]) -> LocList:
    """Patch a list of id'd items by a mapping id -> item / partial item / null."""
    if isinstance(patch, list):  # a full list given: items with known ids merge, others add
        patch_map = LocDict(origin=getattr(patch, "origin", None))
        for i, item in enumerate(patch):
            if not isinstance(item, dict) or not isinstance(item.get(key), (str, int)):
                origin = patch.origins[i] if isinstance(patch, LocList) else None
                problems.append(Problem(origin.file if origin else "?",
                                        origin.line if origin else None,
                                        ".".join(path), f"each item needs a '{key}'"))
                continue
            patch_map[item[key]] = item
            if isinstance(patch, LocList):
                patch_map.origins[item[key]] = patch.origins[i]
        patch = patch_map
    if not isinstance(patch, dict):
        origin = getattr(patch, "origin", None)
        problems.append(Problem(origin.file if origin else "?", origin.line if origin else None,
                                ".".join(path), f"expected a list or a mapping of {key} to item"))
        return base
    out = LocList(origin=base.origin)
    out.origins = []
    index = {item[key]: i for i, item in enumerate(base)}
    replaced: dict[int, tuple[Any, Origin | None]] = {}
    removed: set[int] = set()
    added: list[tuple[Any, Origin | None]] = []
    for item_id, value in patch.items():
        origin = patch.origins.get(item_id) if isinstance(patch, LocDict) else None
        if item_id in index:
            i = index[item_id]
            if value is None:
                removed.add(i)
            else:
                replaced[i] = (merge(base[i], value, (*path, str(item_id)), problems), origin)
        elif value is None:
            problems.append(Problem(origin.file if origin else "?", origin.line if origin else None,
                                    f"{'.'.join(path)}[{item_id}]",
                                    f"removes '{item_id}', which does not exist"))
        else:
            if isinstance(value, dict) and key not in value:
                value = LocDict({key: item_id, **value}, origin=getattr(value, "origin", None))
                value.origins = {key: origin, **getattr(patch[item_id], "origins", {})}
            added.append((value, origin))
    for i, item in enumerate(base):
        if i in removed:
            continue
        value, origin = replaced.get(i, (item, base.origins[i]))
        out.append(value)
        out.origins.append(origin or base.origins[i])
    for value, origin in added:
        out.append(value)
        out.origins.append(origin)
    return out


def merge(base: Any, patch: Any, path: tuple[str, ...] = (),
          problems: list[Problem] | None = None) -> Any:
    """Lay ``patch`` over ``base`` by the merging rules above, keeping origins."""
    problems = problems if problems is not None else []
    if path in KEYED_LISTS and isinstance(patch, dict) and not isinstance(base, list):
        base = LocList(origin=getattr(patch, "origin", None))  # patching a list not yet there
    if path in KEYED_LISTS and _keyed(base, KEYED_LISTS[path]) and isinstance(base, LocList):
        return _merge_keyed_list(base, patch, KEYED_LISTS[path], path, problems)
    if isinstance(base, dict) and isinstance(patch, dict):
        out = LocDict(origin=getattr(base, "origin", None))
        base_origins = getattr(base, "origins", {})
        patch_origins = getattr(patch, "origins", {})
        for key, value in base.items():
            out[key] = value
            if key in base_origins:
                out.origins[key] = base_origins[key]
        for key, value in patch.items():
            if value is None:
                out.pop(key, None)
                continue
            sub_path = (*path, str(key))
            if key in base or sub_path in KEYED_LISTS:
                out[key] = merge(base.get(key), value, sub_path, problems)
            else:
                out[key] = value
            if key in patch_origins:
                out.origins[key] = patch_origins[key]
        return out
    return patch


# --- loading ----------------------------------------------------------------------------------

def _load_raw(path: Path, chain: tuple[Path, ...] = ()) -> LocDict:
    """Load a file with its ``extends`` chain merged in (base first)."""
    path = path.resolve()
    tree = load_located(path)
    if not isinstance(tree, dict):
        raise ScenarioError.single(str(path), "a scenario file must be a mapping of fields", 1)
    for name in LOADER_FIELDS:
        if name in tree:
            origin = origin_of(tree, (name,))
            raise ScenarioError.single(
                str(path), f"'{name}' is not a field of a scenario file: choose a variant with "
                           "--variant (or variant= from Python); define variants under "
                           "'variants:'", origin.line if origin else None, name)
    parent_ref = tree.get("extends")
    if parent_ref is None:
        return tree
    if not isinstance(parent_ref, str) or not parent_ref.strip():
        origin = origin_of(tree, ("extends",))
        raise ScenarioError.single(str(path), "expected a scenario id or a file path",
                                   origin.line if origin else None, "extends")
    origin = origin_of(tree, ("extends",))
    line = origin.line if origin else None
    parent_path = _parent_path(parent_ref, path, line)
    if parent_path == path or parent_path in chain:
        loop = " -> ".join(p.name for p in (*chain, path, parent_path))
        raise ScenarioError.single(str(path), f"'extends' makes a loop: {loop}", line, "extends")
    if len(chain) + 1 >= MAX_EXTENDS_DEPTH:
        raise ScenarioError.single(str(path), f"'extends' chains more than {MAX_EXTENDS_DEPTH} "
                                              "files", line, "extends")
    try:
        parent = _load_raw(parent_path, (*chain, path))
    except ScenarioError as exc:
        if "makes a loop" in str(exc):
            raise
        problems = [Problem(str(path), origin.line if origin else None, "extends",
                            f"cannot extend '{parent_ref}': {exc.problems[0].message}")]
        raise ScenarioError(problems + exc.problems[1:]) from None
    problems: list[Problem] = []
    child = LocDict({k: v for k, v in tree.items() if k not in ("variants",)}, origin=tree.origin)
    child.origins = dict(tree.origins)
    parent_variants = parent.get("variants") or LocDict()
    merged = merge(parent, child, (), problems)
    # variants are inherited; the child's own are added (or replace same-named ones)
    variants = merge(parent_variants, tree.get("variants") or LocDict(), ("variants",), problems)
    if variants:
        merged["variants"] = variants
        merged.origins["variants"] = tree.origins.get("variants") or parent.origins.get("variants")
    if problems:
        raise ScenarioError(problems)
    return merged


def _parent_path(ref: str, child: Path, line: int | None) -> Path:
    """The resolved file an ``extends`` names; unusable references are the child's problem."""
    try:
        parent = resolve_path(ref, child.parent).resolve()
    except ScenarioError as exc:
        raise ScenarioError.single(str(child), f"cannot extend '{ref}': {exc.problems[0].message}",
                                   line, "extends") from None
    except (OSError, ValueError) as exc:  # e.g. a NUL character in the path
        raise ScenarioError.single(str(child), f"cannot extend {ref!r}: {exc}", line,
                                   "extends") from None
    if not any(parent.is_relative_to(folder) for folder in extends_folders(child)):
        raise ScenarioError.single(
            str(child), f"cannot extend '{ref}': 'extends' names a shipped scenario id or a file "
                        f"in this file's folder or below it (or in a folder of "
                        f"{SCENARIO_PATH_ENV}); this file is elsewhere and was not read",
            line, "extends")
    return parent


def extends_folders(child: Path) -> list[Path]:
    """The folders whose files ``child`` may extend: its own, the shipped scenarios' and those
    of ``ESCSIM_SCENARIO_PATH``."""
    folders = [child.resolve().parent, scenarios_dir().resolve()]
    for entry in os.environ.get(SCENARIO_PATH_ENV, "").split(os.pathsep):
        if entry.strip():
            folders.append(Path(entry.strip()).expanduser().resolve())
    return folders


def _not_a_mapping(tree: Any, loc: tuple[str, ...], file: str, what: str) -> ScenarioError:
    origin = origin_of(tree, loc)
    return ScenarioError.single(origin.file if origin else file, f"{what} must be a mapping",
                                origin.line if origin else None, ".".join(loc))


def _apply_variant(tree: LocDict, variant: str, file: str) -> LocDict:
    if not variant.strip():
        raise ScenarioError.single(file, "an empty variant name names no variant (leave the "
                                         "variant out for the base scenario)")
    variants = tree.get("variants") or {}
    if not isinstance(variants, dict):
        raise _not_a_mapping(tree, ("variants",), file, "'variants'")
    if variant not in variants:
        names = ", ".join(variants) or "none"
        raise ScenarioError.single(file, f"no variant '{variant}' (variants: {names})")
    spec = variants[variant]
    if not isinstance(spec, dict):
        raise _not_a_mapping(tree, ("variants", variant), file, f"variant '{variant}'")
    patch = spec.get("patch")
    if patch is not None and not isinstance(patch, dict):
        raise _not_a_mapping(tree, ("variants", variant, "patch"), file, "a variant's 'patch'")
    problems: list[Problem] = []
    merged = merge(tree, patch or LocDict(), (), problems) if patch else LocDict(tree)
    if not patch:
        merged.origin, merged.origins = tree.origin, dict(tree.origins)
    for forbidden in ("variants", "id", "extends", *LOADER_FIELDS):
        if isinstance(patch, dict) and forbidden in patch:
            origin = origin_of(spec, ("patch", forbidden))
            problems.append(Problem(origin.file if origin else file, origin.line if origin else None,
                                    f"variants.{variant}.patch.{forbidden}",
                                    f"a variant may not change '{forbidden}'"))
    if not problems and _without_variants(merged) == _without_variants(tree):
        origin = origin_of(tree, ("variants", variant))
        problems.append(Problem(origin.file if origin else file, origin.line if origin else None,
                                f"variants.{variant}",
                                f"variant '{variant}' changes nothing: its patch is empty or "
                                "repeats what the scenario already says"))
    if problems:
        raise ScenarioError(problems)
    merged["variant"] = variant
    return merged


def _without_variants(tree: LocDict) -> Any:
    return plain({k: v for k, v in tree.items() if k not in ("variants", *LOADER_FIELDS)})


def _field_path(tree: Any, loc: tuple[Any, ...]) -> str:
    """A readable field path; list items of id'd lists are shown by id."""
    parts: list[str] = []
    node = tree
    for key in loc:
        if isinstance(key, int):
            label = str(key)
            if isinstance(node, list) and 0 <= key < len(node) and isinstance(node[key], dict):
                label = str(node[key].get("id", node[key].get("metric", key)))
            parts.append(f"[{label}]")
            node = node[key] if isinstance(node, list) and 0 <= key < len(node) else None
        else:
            parts.append(("." if parts else "") + str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts)


def _describe(err: dict[str, Any]) -> str:
    kind, msg = err.get("type", ""), err.get("msg", "invalid")
    if kind == "extra_forbidden":
        return "no such field (check the spelling; see docs/scenario-format.md)"
    if kind == "missing":
        return "required field is missing"
    if kind.startswith("date"):
        return f"{msg} (expected a date like 2025-06-13)"
    if kind == "finite_number":
        return "expected a finite number (not .nan or .inf)"
    if kind in ("too_long", "too_short"):
        return f"{msg} (see the limits in docs/scenario-format.md)"
    return msg


def validation_problems(tree: LocDict, exc: ValidationError, file: str) -> list[Problem]:
    """Pydantic errors turned into problems with file, line and field path."""
    problems = []
    for err in exc.errors():
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-")))
        # pydantic tags union/enum members in loc; keep the path to real fields only
        origin = origin_of(tree, loc)
        problems.append(Problem(origin.file if origin else file, origin.line if origin else None,
                                _field_path(tree, loc), _describe(err)))
    return problems


def content_hash(scenario: Scenario) -> str:
    """SHA-256 of the validated scenario content (what a run actually used)."""
    data = scenario.model_dump(mode="json")
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def load_tree(ref: str | Path, variant: str | None = None) -> tuple[LocDict, str]:
    """The merged located tree of a scenario (and variant) and the file it came from."""
    if isinstance(ref, Scenario):
        raise TypeError("load_tree takes a reference, not a Scenario")
    path = resolve_path(ref)
    tree = _load_raw(path)
    if variant is not None:
        tree = _apply_variant(tree, variant, str(path))
    return tree, str(path)


def load_scenario(ref: str | Path | Scenario, variant: str | None = None) -> Scenario:
    """Load, merge and fully validate a scenario (and optionally one of its variants)."""
    if isinstance(ref, Scenario):
        if variant is None or ref.variant == variant:
            return ref
        return _validate_variant(_tree_of(ref), variant, ref.id)
    path = resolve_path(ref)
    tree = _load_raw(path)
    if variant is None:
        return _validate(tree, str(path))
    return _validate_variant(tree, variant, str(path))


def _validate_variant(tree: LocDict, variant: str, file: str) -> Scenario:
    """A variant of a loaded tree, validated; problems say which variant caused them."""
    patched = _apply_variant(tree, variant, file)
    try:
        return _validate(patched, file)
    except ScenarioError as exc:  # say which variant caused it: the base alone may be fine
        raise ScenarioError([Problem(p.file, p.line, p.field, f"in variant '{variant}': {p.message}")
                             for p in exc.problems]) from None


def _tree_of(scenario: Scenario) -> LocDict:
    data = scenario.model_dump(mode="python", exclude={"variant"}, exclude_none=True)
    return _to_located(data, Origin(f"<scenario {scenario.id}>", None))


def _to_located(data: Any, origin: Origin) -> Any:
    if isinstance(data, dict):
        out = LocDict({k: _to_located(v, origin) for k, v in data.items()}, origin=origin)
        out.origins = {k: origin for k in data}
        return out
    if isinstance(data, list):
        out_list = LocList([_to_located(v, origin) for v in data], origin=origin)
        out_list.origins = [origin] * len(data)
        return out_list
    return data


def _validate(tree: LocDict, file: str) -> Scenario:
    from sim.scenario.checks import check_references  # checks need the model's catalogues

    try:
        scenario = Scenario.model_validate(plain(tree))
    except ValidationError as exc:
        raise ScenarioError(validation_problems(tree, exc, file)) from None
    problems = [Problem(o.file if o else file, o.line if o else None, _field_path(tree, loc), msg)
                for loc, msg in check_references(scenario)
                for o in [origin_of(tree, loc)]]
    if problems:
        raise ScenarioError(problems)
    return scenario


def validate_file(ref: str | Path) -> list[str]:
    """Validate a scenario and every one of its variants; returns the names checked.

    The file (and what it extends) is read and parsed once; each variant is laid over that.
    Raises ScenarioError with every problem found.
    """
    path = resolve_path(ref)
    tree = _load_raw(path)
    base = _validate(tree, str(path))
    problems: list[Problem] = []
    for name in base.variants:
        try:
            _validate_variant(tree, name, str(path))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    return ["base", *base.variants]


@cache
def _cached_shipped(ref: str, variant: str | None) -> Scenario:
    return load_scenario(ref, variant)


def shipped(ref: str, variant: str | None = None) -> Scenario:
    """A shipped scenario, cached per process (scenarios are immutable)."""
    return _cached_shipped(ref, variant)
