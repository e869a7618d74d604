"""Hypothesis writes hostile YAML (anchors, aliases, recursion, depth, fan-out, odd types and
tags) and `validate` must answer every document with a ScenarioError or a valid scenario.

The documents are generated as text, so that they can hold what no YAML dumper writes: an
alias inside the collection it names, aliases of aliases that expand exponentially, nesting
past any sane depth, tags that would build objects, numbers no field admits. They go in as a
whole file, as a value somewhere inside a valid scenario, and through ``extends:``. The
examples are derandomized (tests/conftest.py), so CI sees the same ones every run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario.errors import ScenarioError
from sim.scenario.loader import validate_file

MINIMAL = (Path(__file__).resolve().parent / "data" / "minimal.yaml").read_text(encoding="utf-8")
EXAMPLES = int(os.environ.get("ESCSIM_HYPOTHESIS_EXAMPLES", "150"))

SCALARS = [
    "0", "-1", "1000000000000000000000000000000", "9223372036854775807", "2.5", ".nan", "-.inf",
    "1e999", "0x1F", "true", "no", "~", "null", "2025-06-13", "9999-12-31", "2025-13-40",
    "''", '"\\e[2J\\e[31m"', '"\\x9b\\u202e"', "kataib_hezbollah", "unknown", "attacker",
    "!!binary aGk=", "!!str 5", "!!int '7'", "!!float x", "!!python/name:os.system",
    "!!set {a}", "!!timestamp 2025-99-99", "x" * 300,
]
KEYS = ["id", "title", "start", "end", "actors", "extends", "variants", "variant", "patch",
        "threats", "injects", "trigger", "any_of", "all_of", "event", "killed", "value",
        "parameters", "initial_state", "grievance", "<<", "a", "b"]


@st.composite
def nodes(draw: st.DrawFn, depth: int = 0, anchors: tuple[str, ...] = (),
          open_anchors: tuple[str, ...] = ()) -> str:
    """A flow-style YAML value, possibly anchored, possibly an alias (even a recursive one)."""
    kind = draw(st.sampled_from(["scalar", "scalar", "alias", "list", "map", "deep", "fan"]
                                if depth < 6 else ["scalar", "alias"]))
    if kind == "alias" and (anchors or open_anchors):
        return "*" + draw(st.sampled_from(anchors + open_anchors))
    if kind in ("scalar", "alias"):
        return draw(st.sampled_from(SCALARS))
    if kind == "deep":  # far past the depth bound, or just short of it
        levels = draw(st.sampled_from([5, 39, 41, 200, 3000]))
        return "[" * levels + draw(st.sampled_from(SCALARS[:6])) + "]" * levels
    anchor = f"a{depth}{draw(st.integers(0, 9))}" if draw(st.booleans()) else None
    inner = (*open_anchors, anchor) if anchor else open_anchors
    if kind == "fan" and anchors:  # many aliases of one anchor: exponential if repeated
        body = "[" + ", ".join(["*" + draw(st.sampled_from(anchors))]
                               * draw(st.integers(2, 12))) + "]"
    elif kind == "map":
        items = draw(st.lists(st.tuples(st.sampled_from(KEYS), nodes(depth + 1, anchors, inner)),
                              max_size=4, unique_by=lambda kv: kv[0]))
        body = "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    else:
        body = "[" + ", ".join(draw(st.lists(nodes(depth + 1, anchors, inner), max_size=4))) + "]"
    return f"&{anchor} {body}" if anchor else body


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A document of several top-level keys whose values may alias one another (laughs)."""
    lines, anchors = [], []
    for i in range(draw(st.integers(1, 8))):
        value = draw(nodes(1, tuple(anchors)))
        if draw(st.booleans()):
            anchors.append(f"t{i}")
            value = f"&t{i} {value}" if not value.startswith(("&", "*")) else value
        lines.append(f"{draw(st.sampled_from(KEYS))}{i}: {value}")
    return "\n".join(lines) + "\n"


def _validate(path: Path) -> None:
    """What `escsim validate` does: success, or a ScenarioError that names the file."""
    try:
        validate_file(path)
    except ScenarioError as exc:
        assert exc.problems and all(p.file and p.message.strip() for p in exc.problems)


TREES = settings(max_examples=EXAMPLES, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@TREES
@given(text=documents())
def test_whole_documents(text: str, tmp_path: Path) -> None:
    path = tmp_path / "tree.yaml"
    path.write_text(text, encoding="utf-8")
    _validate(path)


FIELDS = ["title: Minimal test scenario", "tension: 0.5", "retaliation_weight: 2.0",
          "stake: 0.5", "deadline_days: 7", "target: iran", "date: 2025-06-13"]


@TREES
@given(field=st.sampled_from(FIELDS), value=nodes(1))
def test_values_inside_a_valid_scenario(field: str, value: str, tmp_path: Path) -> None:
    name = field.split(":")[0]
    text = MINIMAL.replace(field, f"{name}: {value}", 1)
    path = tmp_path / "inside.yaml"
    path.write_text(text, encoding="utf-8")
    _validate(path)


@TREES
@given(parent=documents())
def test_through_extends(parent: str, tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").write_text(parent, encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\nid: child\ntitle: A child\n", encoding="utf-8")
    _validate(child)


@pytest.mark.parametrize("levels", [41, 10_000])
def test_recursion_and_depth_are_refused_with_a_line(levels: int, tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("id: x\nactors: &x {iran: *x}\n" if levels == 41 else
                    "a: " + "{b: " * levels + "1" + "}" * levels + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        validate_file(path)
    (problem,) = info.value.problems
    assert problem.line is not None and "refused" in problem.message
