"""calibrate: the search space, common random numbers, the objective, and the whole method on
a small budget (improves or keeps the score from a perturbed start; the same seed gives the
same report whatever the number of workers; nothing shipped changes)."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.analysis.calibrate import (DEFAULT_PARAMETERS, PARAMETERS_YAML, PROFILE_STEP,
                                    REPORT_JSON, REPORT_MD, CalibrationError, CalibrationReport,
                                    calibrate, dimension, latin_hypercube, read_parameters_file,
                                    search_space, starting_values)
from sim.analysis.backtest import record_column
from sim.analysis.objective import in_range_probability, score_episode
from sim.analysis.sweep import run_points
from sim.model.model import run_replicates
from sim.model.parameters import GLOBAL
from sim.scenario.schema import HistoricalMetric

REPO = Path(__file__).resolve().parents[1]
SMALL = {"runs": 120, "seed": 4, "budget": 7,
         "parameters": ["grievance_weight", "retaliation_weight"]}
PERTURBED = {"grievance_weight": 0.3, "retaliation_weight": 7.0}


def tree_hashes(*folders: str) -> dict[str, str]:
    """SHA-256 of every file under the folders (caches excluded)."""
    out = {}
    for folder in folders:
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                out[str(path.relative_to(REPO))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


# --- search space ------------------------------------------------------------------------------

def test_dimensions_map_the_documented_range():
    weight, half_life = dimension("grievance_weight"), dimension("grievance_half_life")
    assert (weight.low, weight.high, weight.log) == (0.0, 6.0, False)
    assert half_life.log and (half_life.low, half_life.high) == (2.0, 120.0)
    for d in (weight, half_life):
        assert d.from_unit(0.0) == d.low and d.from_unit(1.0) == d.high
        assert d.from_unit(-3) == d.low and d.from_unit(7) == d.high
        assert d.from_unit(d.to_unit(d.shipped)) == pytest.approx(d.shipped, rel=1e-3)
    assert half_life.from_unit(0.5) == pytest.approx(math.sqrt(2 * 120), rel=1e-3)
    trait = dimension("resolve__kataib_hezbollah")
    assert trait.actor == "kataib_hezbollah" and 0 <= trait.shipped <= 1


@pytest.mark.parametrize("names, message", [(["no_such_weight"], "unknown parameter"),
                                            (["resolve"], "name the actor"),
                                            (["resolve__nobody"], "no actor 'nobody'")])
def test_bad_parameters_are_refused(names, message):
    with pytest.raises(CalibrationError, match=message):
        search_space(names)


def test_default_space_and_start():
    space = search_space(None)
    assert [d.name for d in space] == list(DEFAULT_PARAMETERS)
    assert starting_values(space, None) == {n: GLOBAL[n].default for n in DEFAULT_PARAMETERS}
    with pytest.raises(CalibrationError, match="outside its range"):
        starting_values(space, {"grievance_weight": 99.0})
    with pytest.raises(CalibrationError, match="not being fitted"):
        starting_values(space, {"credibility_gain": 0.5})


def test_latin_hypercube_has_one_point_per_slice():
    points = latin_hypercube(np.random.default_rng(0), 16, 3)
    assert points.shape == (16, 3) and points.min() >= 0 and points.max() < 1
    for axis in range(3):
        assert sorted(np.floor(points[:, axis] * 16).astype(int)) == list(range(16))


# --- common random numbers and the objective --------------------------------------------------

def test_points_share_random_numbers_and_match_a_plain_run():
    """Every point of a sweep sees the random numbers of a plain run with the same seed: a point
    with given parameters gives exactly the outcomes of an ordinary run with them."""
    points = [{"grievance_weight": 1.5}, {"grievance_weight": 4.0}, {"grievance_weight": 1.5}]
    table = run_points("april-2024", points, 64, seed=9)
    plain = run_replicates("april-2024", None, 9, 64, {"grievance_weight": 4.0}).outcomes()
    second = table[table["point"] == 1]
    for name, values in plain.items():
        assert list(np.asarray(second[name]).astype(str)) == \
            list(np.asarray(values).astype(str)), name
    first, third = (table[table["point"] == i].drop(columns="point").reset_index(drop=True)
                    for i in (0, 2))
    assert first.equals(third)
    assert list(second["replicate"]) == list(range(64))


def test_objective_terms():
    record = HistoricalMetric(metric="x", min=1, max=2, evidence=["f"])
    assert in_range_probability(np.array([0, 1, 2, 5]), record) == pytest.approx(2.5 / 5)
    assert in_range_probability(np.zeros(10), record) == pytest.approx(0.5 / 11)
    from sim.analysis.episodes import shipped_episodes

    episode = shipped_episodes()[0]
    outcomes = run_points(episode, [{}], 50, seed=1)
    score = score_episode(episode, outcomes)
    assert set(score.metric_terms) == {record_column(m) for m in episode.history.metrics}
    assert score.total == pytest.approx(score.class_term + sum(score.metric_terms.values()))
    assert all(t > 0 for t in (score.class_term, *score.metric_terms.values()))


# --- the whole method on a small budget -------------------------------------------------------

@pytest.fixture(scope="module")
def shipped_before() -> dict[str, str]:
    return tree_hashes("scenarios", "sim/model")


@pytest.fixture(scope="module")
def perturbed(shipped_before, tmp_path_factory) -> tuple[CalibrationReport, Path]:
    out = tmp_path_factory.mktemp("calibration")
    return calibrate(**SMALL, start=PERTURBED, out=out, workers=1, progress=False), out


@pytest.mark.slow
def test_calibration_improves_or_keeps_the_score_from_a_perturbed_start(perturbed):
    report, _ = perturbed
    assert report.start.values == PERTURBED
    assert report.fitted.total <= report.start.total
    assert report.improvement >= 0
    assert report.settings["candidates_scored"] <= SMALL["budget"]
    for d in report.space:
        assert d.low <= report.fitted.values[d.name] <= d.high
    # the fitted point is the best candidate the search scored
    assert report.fitted.total == pytest.approx(report.trace["total"].min())
    # the profile moves each parameter alone, down and up where the range allows
    profile = report.comparison_table().set_index("parameter")
    for d in report.space:
        row = profile.loc[d.name]
        room_below = d.to_unit(report.fitted.values[d.name]) >= PROFILE_STEP
        assert np.isfinite(row["down_change"]) == room_below
        if np.isfinite(row["up_value"]):
            assert row["up_value"] > report.fitted.values[d.name]


@pytest.mark.slow
def test_calibration_is_reproducible_for_a_seed_whatever_the_workers(perturbed):
    report, _ = perturbed
    again = calibrate(**SMALL, start=PERTURBED, workers=2, progress=False)
    first, second = report.to_dict(), again.to_dict()
    first.pop("elapsed_seconds"), second.pop("elapsed_seconds")
    assert first == second


def test_calibration_files(perturbed):
    report, out = perturbed
    fitted = yaml.safe_load((out / PARAMETERS_YAML).read_text())
    assert fitted == {"parameters": report.fitted_parameters()}
    for name, value in fitted["parameters"].items():  # valid as a scenario's `parameters:`
        assert name in GLOBAL and GLOBAL[name].low <= value <= GLOBAL[name].high
    assert read_parameters_file(out / PARAMETERS_YAML) == report.fitted_parameters()
    data = json.loads((out / REPORT_JSON).read_text())
    assert data["scores"]["fitted"]["total"] == pytest.approx(report.fitted.total)
    assert [e["episode"] for e in data["scores"]["start"]["episodes"]] == \
        ["march-2020", "april-2024", "june-2025"]
    text = (out / REPORT_MD).read_text()
    assert "Score before and after" in text and "fresh replicates" in text
    assert "march-2020" in report.render()


def test_nothing_shipped_changes(perturbed, shipped_before):
    assert tree_hashes("scenarios", "sim/model") == shipped_before


def test_an_episode_left_out_is_scored_with_the_values_fitted_without_it():
    report = calibrate(**SMALL, workers=1, progress=False, holdout="april-2024")
    assert report.settings["episodes"] == ["march-2020", "june-2025"]
    assert report.holdout is not None
    shipped, fitted = report.holdout["shipped"], report.holdout["fitted"]
    assert shipped.episode == fitted.episode == "april-2024"
    if report.fitted.values == {d.name: d.shipped for d in report.space}:
        assert fitted.total == pytest.approx(shipped.total)
    assert "Left out of the fit: april-2024" in report.render()
    with pytest.raises(CalibrationError, match="not among the episodes"):
        calibrate(**SMALL, workers=1, progress=False, holdout="june-2026")
