"""`extends:` inheritance, variants as patches, and a loader that never runs code.

Merging rules (sim/scenario/loader.py, docs/scenario-format.md): mappings merge key by key, a
``null`` removes a key; ``threats`` and ``injects`` are patched by a mapping from id to item
(new id adds, known id merges, ``null`` removes); variants are inherited by a child.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario, shipped_scenarios, validate_file
from sim.scenario.schema import Inject, Threat

JUNE = "june-2025"
JUNE_VARIANTS = ["historical-directives", "no-iran-restraint", "no-baghdad-restraint", "no-restraint",
                 "khamenei-harmed"]


def ids(items: list[Any]) -> list[str]:
    return [item.id for item in items]


# --- extends ------------------------------------------------------------------------------------

def test_extends_shipped_id_inherits_everything_not_overridden(write) -> None:
    child = load_scenario(write("child.yaml", "extends: june-2025\nid: my-june\n"
                                              "title: My June\n"))
    base = load_scenario(JUNE)
    assert (child.id, child.title) == ("my-june", "My June")
    assert child.extends == JUNE
    mine = child.model_dump(exclude={"id", "title", "extends"})
    theirs = base.model_dump(exclude={"id", "title", "extends"})
    assert mine == theirs


def test_extends_relative_path_is_relative_to_the_child_file(minimal_text: str, write,
                                                             tmp_path: Path, monkeypatch) -> None:
    write("mine/lib/parent.yaml", minimal_text)
    child = write("mine/child.yaml", "extends: lib/parent.yaml\nid: child\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # not where either file is
    scenario = load_scenario(child)
    assert scenario.id == "child" and scenario.title == "Minimal test scenario"
    assert ids(scenario.injects) == ["iran-discourages", "us-strike"]


@pytest.mark.parametrize("ref", ["../lib/parent.yaml", "{root}/lib/parent.yaml",
                                 "link/parent.yaml"])
def test_extends_outside_the_childs_folder_is_refused_unread(ref: str, minimal_text: str,
                                                             write, tmp_path: Path) -> None:
    parent = write("lib/parent.yaml", "secret: line one\nsecret-2: line two\n")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "link").symlink_to(parent.parent)  # a link out of the folder
    child = write("mine/child.yaml", f"extends: {ref.format(root=tmp_path)}\nid: child\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    (problem,) = info.value.problems
    assert (Path(problem.file), problem.line, problem.field) == (child.resolve(), 1, "extends")
    assert "this file's folder" in problem.message and "was not read" in problem.message
    assert "secret" not in str(info.value) and "line one" not in str(info.value)


def test_extends_reaches_the_folders_of_the_search_path(minimal_text: str, write,
                                                       tmp_path: Path, monkeypatch) -> None:
    write("lib/parent.yaml", minimal_text)
    child = write("mine/child.yaml", "extends: ../lib/parent.yaml\nid: child\n")
    monkeypatch.setenv("ESCSIM_SCENARIO_PATH", str(tmp_path / "lib"))
    assert load_scenario(child).title == "Minimal test scenario"


CHILD = """\
extends: parent.yaml
id: child
title: Child of the minimal scenario
end: 2025-06-25
parameters:
  retaliation_weight: 3.5
actors:
  badr:
    control: free
    stake: 0.9
initial_state:
  fear: null
injects:
  iran-discourages: null
  badr-threatens:
    date: 2025-06-20
    actor: badr
    action: threaten
    target: united_states
threats:
  kh-threat:
    deadline_days: 3
    response:
      action: rocket_attack
"""


@pytest.fixture
def parent_and_child(minimal_text: str, write):
    write("parent.yaml", minimal_text)
    child = write("child.yaml", CHILD)
    return load_scenario(write("parent.yaml", minimal_text)), load_scenario(child), child


def test_child_overrides_scalars(parent_and_child) -> None:
    parent, child, _ = parent_and_child
    assert child.title == "Child of the minimal scenario"
    assert str(child.end) == "2025-06-25" and child.start == parent.start
    assert child.parameters == {"retaliation_weight": 3.5}


def test_child_adds_an_actor_and_keeps_the_parents(parent_and_child) -> None:
    parent, child, _ = parent_and_child
    assert list(child.actors) == [*parent.actors, "badr"]
    assert child.actors["badr"].stake == 0.9
    assert child.actors["kataib_hezbollah"] == parent.actors["kataib_hezbollah"]


def test_child_removes_with_null(parent_and_child) -> None:
    parent, child, _ = parent_and_child
    assert parent.initial_state.fear and not child.initial_state.fear
    assert child.initial_state.tension == parent.initial_state.tension
    # an inject removed by id, one added by id (the id filled in from the key), order kept
    assert ids(child.injects) == ["us-strike", "badr-threatens"]
    assert child.injects[0] == parent.injects[1]
    added = child.injects[1]
    assert (added.actor, added.action, added.target) == ("badr", "threaten", "united_states")


def test_child_merges_into_a_threat_by_id(parent_and_child) -> None:
    parent, child, _ = parent_and_child
    (mine,), (theirs,) = child.threats, parent.threats
    assert mine.deadline_days == 3
    assert mine.response.action == "rocket_attack"
    assert mine.response.target == theirs.response.target == "united_states"  # merged, kept
    assert mine.model_dump(exclude={"deadline_days", "response"}) == \
        theirs.model_dump(exclude={"deadline_days", "response"})


def test_child_list_of_items_merges_by_id(minimal_text: str, write) -> None:
    write("parent.yaml", minimal_text)
    child = load_scenario(write("child.yaml", """\
extends: parent.yaml
id: child
injects:
  - id: us-strike
    date: 2025-06-23
  - id: us-threatens
    date: 2025-06-14
    actor: united_states
    action: threaten
    target: kataib_hezbollah
"""))
    assert ids(child.injects) == ["iran-discourages", "us-strike", "us-threatens"]
    assert str(child.injects[1].date) == "2025-06-23" and child.injects[1].target == "iran"


def test_variants_are_inherited_and_apply_to_the_child(parent_and_child) -> None:
    _, child, path = parent_and_child
    assert list(child.variants) == ["no-strike"]
    variant = load_scenario(path, "no-strike")
    assert variant.variant == "no-strike"
    assert ids(variant.injects) == ["badr-threatens"]  # parent's patch on top of the child
    assert variant.parameters == {"retaliation_weight": 3.5}  # the child's own change kept


def test_child_adds_its_own_variant_and_can_redefine_one(minimal_text: str, write) -> None:
    write("parent.yaml", minimal_text)
    path = write("child.yaml", """\
extends: parent.yaml
id: child
variants:
  calm:
    title: Calm
    patch:
      initial_state:
        tension: 0.0
  no-strike:
    title: Without the US strike, redefined
""")
    child = load_scenario(path)
    assert list(child.variants) == ["no-strike", "calm"]
    assert child.variants["no-strike"].title == "Without the US strike, redefined"
    assert load_scenario(path, "calm").initial_state.tension == 0.0
    assert validate_file(path) == ["base", "no-strike", "calm"]


def test_child_of_a_shipped_scenario_inherits_its_variants(write) -> None:
    path = write("child.yaml", "extends: june-2025\nid: my-june\n")
    assert validate_file(path) == ["base", *JUNE_VARIANTS]
    variant = load_scenario(path, "no-iran-restraint")
    assert variant.id == "my-june"
    assert "iran-discourages-before" not in ids(variant.injects)


def test_chain_of_three(minimal_text: str, write) -> None:
    write("a.yaml", minimal_text)
    write("b.yaml", "extends: a.yaml\nid: b\ntitle: B\nparameters:\n  stake_weight: 1.0\n")
    c = load_scenario(write("c.yaml", "extends: b.yaml\nid: c\nparameters:\n"
                                      "  retaliation_weight: null\n"))
    assert (c.id, c.title, c.parameters) == ("c", "B", {"stake_weight": 1.0})


# --- variants of june-2025 change exactly what their patch says ---------------------------------

KEYED = {("threats",): Threat, ("injects",): Inject}


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _apply(base: Any, patch: Any, path: tuple[str, ...] = ()) -> Any:
    """An independent reading of the merge rules, on model_dump(mode="json") data."""
    if path in KEYED:
        out = copy.deepcopy(base)
        index = {item["id"]: i for i, item in enumerate(out)}
        for item_id, value in patch.items():
            if value is None:
                out = [item for item in out if item["id"] != item_id]
                index = {item["id"]: i for i, item in enumerate(out)}
            elif item_id in index:
                out[index[item_id]] = _apply(out[index[item_id]], value, (*path, item_id))
            else:
                model = KEYED[path]
                out.append(model.model_validate({"id": item_id, **value}).model_dump(mode="json"))
        return out
    if isinstance(base, dict) and isinstance(patch, dict):
        out = copy.deepcopy(base)
        for key, value in patch.items():
            assert value is not None, "the oracle does not model removing a plain field"
            out[key] = _apply(out[key], value, (*path, key)) if key in out else value
        return out
    return patch


@pytest.fixture(scope="module")
def june_raw() -> dict:
    return yaml.safe_load(shipped_scenarios()[JUNE].read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", JUNE_VARIANTS)
def test_june_variant_changes_exactly_its_patch(name: str, june_raw: dict) -> None:
    base = load_scenario(JUNE).model_dump(mode="json")
    variant = load_scenario(JUNE, name).model_dump(mode="json")
    patch = _json(june_raw["variants"][name]["patch"])
    expected = _apply(base, patch)
    expected["variant"] = name
    assert variant == expected
    changed = {key for key in base if base[key] != variant[key]}
    assert changed == {*patch, "variant"}, "a variant must change what its patch names, and only that"


def test_june_variants_change_the_reasons_not_the_choices() -> None:
    base = load_scenario(JUNE)
    assert list(base.variants) == JUNE_VARIANTS
    # in the base every actor whose choice is the question decides: no directive, meeting or
    # militia act is scripted
    scripted = {(i.actor, i.action) for i in base.injects}
    assert not {a for a, _ in scripted} & {"kataib_hezbollah", "harakat_al_nujaba", "badr",
                                           "kataib_sayyid_al_shuhada", "asaib_ahl_al_haq",
                                           "iraqi_government"}
    assert not [i for i in base.injects if i.action in ("discourage_allies", "encourage_allies",
                                                        "restraint_meeting")]
    historical = load_scenario(JUNE, "historical-directives")
    assert [i.date.isoformat() for i in historical.injects if i.action == "discourage_allies"] \
        == ["2025-06-13", "2025-06-22"]
    no_iran = load_scenario(JUNE, "no-iran-restraint")
    assert no_iran.actors["iran"].stake == 0 and no_iran.actors["iran"].parameters == \
        {"reserve_value": 0.0}
    no_baghdad = load_scenario(JUNE, "no-baghdad-restraint")
    assert no_baghdad.actors["iraqi_government"].control == "scripted"
    assert not any(no_baghdad.initial_state.restraint_pressure.values())
    both = load_scenario(JUNE, "no-restraint")
    assert both.actors["iraqi_government"].control == "scripted" and both.actors["iran"].stake == 0
    harmed = load_scenario(JUNE, "khamenei-harmed")
    (strike,) = [i for i in harmed.injects if i.id == "israel-strikes-khamenei"]
    assert (strike.actor, strike.action, strike.target) == ("israel", "leadership_strike", "iran")


def test_variant_of_a_loaded_scenario_object_equals_loading_by_id() -> None:
    base = load_scenario(JUNE)
    assert load_scenario(base, "no-restraint") == load_scenario(JUNE, "no-restraint")


# --- validate checks every variant ---------------------------------------------------------------

def test_validate_checks_every_variant(minimal_text: str, write, cli) -> None:
    text = minimal_text + ("  late-strike:\n    title: A late strike\n    patch:\n      injects:\n"
                           "        us-strike:\n          date: 2025-08-01\n")
    path = write("two.yaml", text)
    load_scenario(path)  # the base is fine
    load_scenario(path, "no-strike")  # so is the first variant
    with pytest.raises(ScenarioError) as info:
        validate_file(path)
    (problem,) = info.value.problems
    assert problem.field == "injects[us-strike].date"
    assert problem.line == text.splitlines().index("          date: 2025-08-01") + 1
    result = cli("validate", str(path))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"{path.resolve()}:{problem.line}: injects[us-strike].date:" in result.stderr


def test_problem_caused_by_a_variant_names_it(minimal_text: str, write) -> None:
    text = minimal_text.replace("      injects:\n        us-strike: null\n", "      end: 2025-06-20\n")
    assert text != minimal_text
    path = write("v.yaml", text)
    load_scenario(path)  # the base is fine
    with pytest.raises(ScenarioError) as info:
        validate_file(path)
    (problem,) = info.value.problems
    assert "no-strike" in problem.field + problem.message


def test_validate_shipped_scenario_lists_every_variant(cli) -> None:
    result = cli("validate", JUNE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{JUNE}: ok (base, {', '.join(JUNE_VARIANTS)})"


# --- the loader never executes code --------------------------------------------------------------

def _attacks(tmp: Path) -> list[str]:
    cmd = f'["echo hacked > {tmp}/pwned"]'
    return [
        f"x: !!python/object/apply:os.system {cmd}\n",
        f"!!python/object/apply:os.system {cmd}\n",
        f"summary: !!python/object/apply:os.system {cmd}\n",
        "summary: !!python/name:os.system\n",
        "summary: !!python/object/new:os.system [echo]\n",
        'summary: !!python/module:os\n',
    ]


@pytest.mark.parametrize("index", range(6))
def test_python_tags_are_refused_and_never_run(index: int, minimal_text: str, write,
                                               tmp_path: Path) -> None:
    attack = _attacks(tmp_path)[index]
    text = attack if attack.startswith("!!") else minimal_text + attack
    with pytest.raises(ScenarioError) as info:
        load_scenario(write("evil.yaml", text))
    assert info.value.problems and all(p.message for p in info.value.problems)
    assert not (tmp_path / "pwned").exists()


def test_python_tag_through_the_cli(minimal_text: str, write, tmp_path: Path, cli,
                                    main_in_process) -> None:
    path = write("evil.yaml", minimal_text + _attacks(tmp_path)[0])
    result = cli("validate", str(path))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    code, _, _ = main_in_process("run", str(path))
    assert code != 0
    assert not (tmp_path / "pwned").exists()


def test_python_tag_on_a_mapping_is_refused(minimal_text: str, write) -> None:
    text = minimal_text.replace("initial_state:\n", "initial_state: !!python/object:os.system\n")
    assert text != minimal_text
    with pytest.raises(ScenarioError) as info:
        load_scenario(write("evil.yaml", text))
    (problem,) = info.value.problems
    assert problem.line == text.splitlines().index("initial_state: !!python/object:os.system") + 1
