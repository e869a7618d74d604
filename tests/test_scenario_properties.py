"""Property tests: whatever a user writes, loading either works or raises ScenarioError.

A ScenarioError is what the CLI prints as `file:line: field: message`; any other exception is a
traceback in the user's face. Inputs: arbitrary text, line-level edits of a valid file (the
typos people make), and structural mutations of its data (keys deleted, values replaced by
random scalars, lists and mappings), also through ``extends:`` and variants.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario, validate_file

DATA = Path(__file__).resolve().parent / "data" / "minimal.yaml"
MINIMAL_TEXT = DATA.read_text(encoding="utf-8")
MINIMAL = yaml.safe_load(MINIMAL_TEXT)

# 150 examples keeps CI fast; ESCSIM_HYPOTHESIS_EXAMPLES=5000 for a deeper hunt. The examples are
# the same on every run (derandomized) so that CI is repeatable; ESCSIM_HYPOTHESIS_RANDOM=1 explores.
EXAMPLES = int(os.environ.get("ESCSIM_HYPOTHESIS_EXAMPLES", "150"))
FAST = settings(max_examples=EXAMPLES, deadline=None, database=None,
                derandomize=os.environ.get("ESCSIM_HYPOTHESIS_RANDOM") != "1",
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def _words(data: Any) -> set[str]:
    """Every key and string value of the scenario: mutations reuse them to stay near-valid."""
    if isinstance(data, dict):
        return {str(k) for k in data} | {w for v in data.values() for w in _words(v)}
    if isinstance(data, list):
        return {w for v in data for w in _words(v)}
    return {data} if isinstance(data, str) else set()


WORDS = sorted(_words(MINIMAL) | {"extends", "variants", "patch", "null", "free", "scripted",
                                  "badr", "israel", "unknown", "attacker", "rocket_attack", ""})
TOKENS = ["2025-13-40", "2025-02-30", "2025-06-20", "0000-00-00", "[", "]", "{", "}", "{a: 1",
          "[a, b", "*x", "&x", "&x 1", "!!python/name:os.system", "!!binary aGk=", "!!int x",
          "!!float y", "!!set {a}", "!!timestamp 2025-99-99", "'", '"', "|", ">", "- a", ": b",
          "~", ".nan", "-.inf", "1e999", "0x1F", "yes", "no", "on", "<<: {}", "? a", "%YAML 1.1",
          "---", "...", "#", "\t", "a: b: c", "@", "`", "\\0"]

scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**20) | st.floats()
           | st.text(max_size=12) | st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))
           | st.sampled_from(WORDS))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(WORDS) | st.text(max_size=6), inner,
                                        max_size=3), max_leaves=6)


def _similar(value: Any) -> st.SearchStrategy:
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, (int, float)):
        return st.integers(-3, 400) | st.floats(-2.0, 10.0) | st.sampled_from([0, 1, 0.5, -1e-9])
    if isinstance(value, dt.date):
        return st.dates(dt.date(2025, 5, 1), dt.date(2025, 8, 31))
    if isinstance(value, str):
        return st.sampled_from(WORDS)
    if isinstance(value, list):
        return st.lists(st.sampled_from(WORDS), max_size=3)
    return values


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, base: Any = MINIMAL, under: tuple = (),
            ops: tuple[str, ...] = ("delete", "replace", "similar", "similar", "add")) -> Any:
    """A copy of ``base`` with 1-3 random deletions / replacements / additions at or below ``under``."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p[:len(under)] == under]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        op = draw(st.sampled_from(ops))
        if op == "delete":
            del parent[path[-1]]
        elif op == "replace":
            parent[path[-1]] = draw(values)
        elif op == "similar":  # same type, other value: gets past the structural check
            parent[path[-1]] = draw(_similar(parent[path[-1]]))
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(WORDS))] = draw(values)
        else:
            parent.insert(path[-1], draw(values))
    return data


def check(exc: ScenarioError) -> None:
    """Every problem can be printed as file:line: field: message and points inside its file."""
    assert exc.problems
    for problem in exc.problems:
        assert problem.file and problem.message.strip()
        if problem.line is not None:
            # YAML also breaks lines at \x85, \u2028 and \u2029; splitlines() counts those too
            lines = len(Path(problem.file).read_text(encoding="utf-8").splitlines()) + 1
            assert 1 <= problem.line <= lines, problem
        assert str(problem) in str(exc)


def load_or_problem(path: Path, text: str, variant: str | None = None) -> None:
    try:
        if variant is None:
            validate_file(path)
        else:
            load_scenario(path, variant)
    except ScenarioError as exc:
        check(exc)


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@FAST
@given(text=st.text(max_size=300))
def test_any_text(text: str, tmp_path: Path) -> None:
    path = tmp_path / "any.yaml"
    path.write_text(text, encoding="utf-8")
    load_or_problem(path, text)


@FAST
@given(edits=st.lists(st.tuples(st.integers(0, MINIMAL_TEXT.count("\n")),
                                st.sampled_from(["value", "delete", "duplicate", "indent", "insert"]),
                                st.sampled_from(TOKENS) | st.text(max_size=8)),
                      min_size=1, max_size=3))
def test_line_edits_of_a_valid_file(edits: list[tuple[int, str, str]], tmp_path: Path) -> None:
    lines = MINIMAL_TEXT.splitlines()
    for index, kind, token in edits:
        index = min(index, len(lines) - 1)
        line = lines[index]
        if kind == "value" and ":" in line:
            lines[index] = line.split(":", 1)[0] + ": " + token
        elif kind == "delete":
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, line)
        elif kind == "indent":
            lines[index] = token.replace("\n", "") + line
        else:
            lines.insert(index, token)
        if not lines:
            lines = [""]
    text = "\n".join(lines) + "\n"
    path = tmp_path / "edited.yaml"
    path.write_text(text, encoding="utf-8")
    load_or_problem(path, text)


@FAST
@given(data=mutated())
def test_structural_mutations(data: Any, tmp_path: Path) -> None:
    text = dump(data)
    path = tmp_path / "mutated.yaml"
    path.write_text(text, encoding="utf-8")
    load_or_problem(path, text)


@FAST
@given(data=mutated(ops=("similar",)))
def test_type_preserving_mutations(data: Any, tmp_path: Path) -> None:
    """Values of the right type but wrong content: these reach the cross-reference checks."""
    text = dump(data)
    path = tmp_path / "mutated.yaml"
    path.write_text(text, encoding="utf-8")
    load_or_problem(path, text)


CHILD = {"extends": "parent.yaml", "id": "child",
         "injects": {"us-strike": {"date": dt.date(2025, 6, 23)}},
         "threats": {"kh-threat": {"deadline_days": 3}},
         "variants": {"calm": {"title": "Calm", "patch": {"initial_state": {"tension": 0.0}}}}}


@FAST
@given(child=mutated(CHILD))
def test_structural_mutations_of_a_child(child: Any, tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").write_text(MINIMAL_TEXT, encoding="utf-8")
    text = dump(child)
    path = tmp_path / "child.yaml"
    path.write_text(text, encoding="utf-8")
    load_or_problem(path, text)


@FAST
@given(parent=mutated(), child_patches=st.booleans())
def test_variants_and_merges_of_mutated_files(parent: Any, child_patches: bool,
                                              tmp_path: Path) -> None:
    """`escsim run FILE --variant V` on a broken file: applies V before validating."""
    text = dump(parent)
    path = tmp_path / "parent.yaml"
    path.write_text(text, encoding="utf-8")
    load_or_problem(path, text, "no-strike")
    if child_patches:
        child_text = dump(CHILD)
        child = tmp_path / "child.yaml"
        child.write_text(child_text, encoding="utf-8")
        load_or_problem(child, child_text)
