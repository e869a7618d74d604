"""Uncertainties as data: default ranges from the parameter catalogue and the scenario format,
uncertainty files read safely, and every mistake reported with its file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.experiments.uncertainties import (UncertaintyError, UncertaintyFileError, all_space,
                                           choose_space, load_uncertainties, named_space,
                                           template)
from sim.model.parameters import GLOBAL, PER_ACTOR
from sim.scenario.loader import load_scenario

WEIGHTS = ["directive_weight", "decapitation_fear_weight", "stake_weight", "retaliation_weight"]


@pytest.fixture(scope="module")
def june():
    return load_scenario("june-2025")


def test_default_ranges_are_the_documented_ones(june) -> None:
    space = named_space([*WEIGHTS, "resolve__badr", "initial_state.directive.badr",
                         "initial_state.tension", "actors.badr.stake"],
                        june)
    by_name = {u.name: u for u in space}
    for name in WEIGHTS:
        assert (by_name[name].low, by_name[name].high) == (GLOBAL[name].low, GLOBAL[name].high)
        assert by_name[name].kind == "parameter" and by_name[name].distribution == "uniform"
    assert (by_name["resolve__badr"].low, by_name["resolve__badr"].high) == \
        (PER_ACTOR["resolve"].low, PER_ACTOR["resolve"].high)
    assert (by_name["initial_state.directive.badr"].low,
            by_name["initial_state.directive.badr"].high) == (-1.0, 1.0)
    assert by_name["initial_state.directive.badr"].value == \
        june.initial_state.directive.get("badr", 0.0)
    # no upper bound in the format: twice the scenario's value, at least 1
    assert by_name["initial_state.tension"].high == max(2 * june.initial_state.tension, 1.0)
    assert space.problem()["bounds"][0] == [GLOBAL["directive_weight"].low,
                                            GLOBAL["directive_weight"].high]


def test_all_covers_every_shared_parameter_and_the_situation_the_scenario_sets(june) -> None:
    names = all_space(june).names
    assert set(GLOBAL) <= set(names)
    assert "initial_state.fear.kataib_hezbollah" in names
    assert "actors.badr.stake" in names
    assert "actors.kataib_hezbollah.stake" in names  # a stake the scenario sets
    assert "injects.israel-strikes-iran.magnitude" not in names  # a strike has no standing effect
    assert "initial_state.fear.united_states" not in names  # not set by the scenario


def test_the_template_reads_back_as_the_same_space(june, tmp_path: Path) -> None:
    space = all_space(june)
    path = tmp_path / "all.yaml"
    path.write_text(template(june, space), encoding="utf-8")
    again = load_uncertainties(path, june)
    assert [(u.name, u.low, u.high) for u in again] == [(u.name, u.low, u.high) for u in space]


def test_a_file_gives_ranges_and_distributions(june, tmp_path: Path) -> None:
    path = tmp_path / "u.yaml"
    path.write_text("scenario: june-2025\nuncertainties:\n"
                    "  directive_weight:\n"
                    "  stake_weight: [1, 4]\n"
                    "  actors.badr.stake: {distribution: triangular, low: 0.5, high: 1, "
                    "peak: 0.9}\n"
                    "  retaliation_weight: {distribution: truncnorm, low: 0, high: 8, mean: 2, "
                    "sd: 1}\n"
                    "  fear_half_life: {distribution: loguniform, low: 5, high: 100}\n",
                    encoding="utf-8")
    space = load_uncertainties(path, june)
    problem = space.problem()
    assert problem["names"] == ["directive_weight", "stake_weight", "actors.badr.stake",
                                "retaliation_weight", "fear_half_life"]
    assert problem["dists"] == ["unif", "unif", "triang", "truncnorm", "logunif"]
    assert problem["bounds"][1] == [1.0, 4.0]
    assert problem["bounds"][2] == pytest.approx([0.5, 1.0, 0.8])  # SALib: peak as a share
    assert problem["bounds"][3] == [0.0, 8.0, 2.0, 1.0]


BAD_ENTRIES = {
    "  nonsense_weight:": "unknown parameter 'nonsense_weight'",
    "  initial_state.fear.nobody:": "not a situation field of scenario june-2025",
    "  resolve__nobody:": "actor 'nobody' is not in scenario june-2025",
    "  directive_weight: [3, 2]": "empty range [3, 2]",
    "  stake_weight: [2, 2]": "empty range [2, 2]",
    "  stake_weight: {distribution: beta}": "distribution 'beta' is not one escsim takes",
    "  stake_weight: {distribution: norm}": "'norm' is unbounded",
    "  stake_weight: [-1, 2]": "goes outside [0, 8]",
    "  initial_state.fear.badr: [0, 12]": "goes outside [0, 10]",
    "  stake_weight: {distribution: triangular, low: 0, high: 8}": "needs 'peak'",
    "  stake_weight: {distribution: triangular, low: 0, high: 8, peak: 9}": "peak 9 must lie",
    "  stake_weight: {distribution: uniform, sd: 2}": "'sd' does not apply",
    "  stake_weight: {distribution: loguniform, low: 0, high: 8}": "needs low > 0",
    "  stake_weight: {lo: 1}": "unknown key 'lo'",
    "  stake_weight: [1, 2, 3]": "a range is [low, high]",
    "  stake_weight: wide": "expected nothing (the documented range)",
    "  stake_weight: [one, 2]": "low must be a number",
}


@pytest.mark.parametrize("entry", list(BAD_ENTRIES))
def test_a_bad_entry_is_one_line_naming_file_line_and_field(june, tmp_path: Path,
                                                            entry: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(f"uncertainties:\n  effort_cost:\n{entry}\n", encoding="utf-8")
    with pytest.raises(UncertaintyFileError) as info:
        load_uncertainties(path, june)
    lines = str(info.value).splitlines()
    assert len(lines) == 1
    field = entry.strip().split(":")[0]
    assert lines[0].startswith(f"{path}:3: uncertainties.{field}: ")
    assert BAD_ENTRIES[entry] in lines[0]


def test_every_problem_of_a_file_is_reported(june, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("scenario: april-2024\nextra: 1\nuncertainties:\n  nope:\n  stake_weight: "
                    "[5, 1]\n", encoding="utf-8")
    with pytest.raises(UncertaintyFileError) as info:
        load_uncertainties(path, june)
    assert [(p.line, p.field) for p in info.value.problems] == [
        (1, "scenario"), (2, "extra"), (4, "uncertainties.nope"),
        (5, "uncertainties.stake_weight")]


@pytest.mark.parametrize("text", ["", "uncertainties: {}\n", "uncertainties: [a, b]\n",
                                  "- a\n", "uncertainties:\n  x: !!python/object:os.system {}\n"])
def test_empty_or_malformed_files_are_refused(june, tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UncertaintyFileError):
        load_uncertainties(path, june)


def test_say_what_varies_exactly_once(june, tmp_path: Path) -> None:
    with pytest.raises(UncertaintyError, match="exactly one of"):
        choose_space(june)
    with pytest.raises(UncertaintyError, match="exactly one of"):
        choose_space(june, "stake_weight", everything=True)
    with pytest.raises(UncertaintyError, match="varied twice"):
        choose_space(june, "stake_weight,stake_weight")
    assert choose_space(june, " stake_weight , retaliation_weight ").names == \
        ["stake_weight", "retaliation_weight"]


def test_inputs_that_count_days_are_sampled_as_whole_numbers_the_model_accepts(june) -> None:
    from sim.analysis.sweep import run_points
    from sim.experiments.designs import exploration_design, sensitivity_design
    from sim.experiments.uncertainties import factor, uncertainty

    integers = [name for name, p in GLOBAL.items() if p.integer]
    assert "threat_deadline_days" in integers
    space = named_space([*integers, "stake_weight"], june)
    assert [u.integer for u in space] == [True] * len(integers) + [False]
    for design in (sensitivity_design(space, "morris", 4, seed=1),
                   exploration_design(space, "lhs", 20, seed=1)):
        values = design.points[integers].to_numpy()
        assert (values == values.round()).all()
        assert not (design.points["stake_weight"] == design.points["stake_weight"].round()).all()
    # the model refused such points before: a traceback from `sensitivity --method morris --all`
    run_points(june, design.point_dicts()[:2], 2, seed=0)
    with pytest.raises(UncertaintyError, match="fewer than two whole numbers"):
        uncertainty(factor("threat_deadline_days", june), {"low": 3.2, "high": 3.9})
