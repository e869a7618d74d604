"""Scenario discovery finds a box planted in synthetic data; an experiment folder holds exactly
the model's runs at its points, and reads back whole."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiments.designs import exploration_design
from sim.experiments.discovery import DiscoveryError, choose_box, discover
from sim.experiments.explore import Experiment, ExperimentError, explore, open_experiment
from sim.experiments.uncertainties import Uncertainty, UncertaintySpace
from sim.model.outcomes import OUTCOME_CLASSES

pytest.importorskip("ema_workbench")

POINTS, RUNS = 1000, 8
INSIDE, OUTSIDE = 0.8, 0.05  # chance of the outcome inside and outside the planted box
BOX = {"x0": (0.6, 1.0), "x1": (0.0, 0.3)}
PEEL = 0.05  # PRIM's peel_alpha


@pytest.fixture(scope="module")
def planted() -> Experiment:
    """Five inputs on [0, 1]; the outcome is likely only where x0 > 0.6 and x1 < 0.3."""
    space = UncertaintySpace(tuple(Uncertainty(f"x{i}", 0.0, 1.0) for i in range(5)))
    inputs = exploration_design(space, "lhs", POINTS, seed=1).points.reset_index()
    inside = ((inputs["x0"] > 0.6) & (inputs["x1"] < 0.3)).to_numpy()
    chance = np.where(inside, INSIDE, OUTSIDE)
    spiral = np.random.default_rng(2).random((POINTS, RUNS)) < chance[:, None]
    classes = np.where(spiral, "escalation_spiral", "restraint").ravel()
    outcomes = pd.DataFrame({
        "point": np.repeat(np.arange(POINTS), RUNS), "replicate": np.tile(np.arange(RUNS), POINTS),
        "killed": spiral.ravel().astype(int) * 3,
        "outcome_class": pd.Categorical(classes, categories=OUTCOME_CLASSES, ordered=True)})
    manifest = {"scenario": {"id": "synthetic", "variant": "base"}, "seed": 1, "runs": RUNS,
                "design": {"method": "lhs", "points": POINTS},
                "uncertainties": space.to_dict()}
    return Experiment(manifest, inputs, outcomes)


def _limits(found) -> dict[str, tuple[float, float]]:
    return {row.input: (row.low, row.high) for row in found.limits.itertuples()}


@pytest.mark.parametrize("method, mass_min", [("prim", 0.05), ("cart", 0.1)])
def test_the_planted_box_is_found(planted: Experiment, method: str, mass_min: float) -> None:
    # (CART's leaves hold at least mass_min of the cases: above half the planted box's 12%,
    # so that the tree cannot cut the box in two)
    found = discover(planted, "class == 'escalation_spiral'", method=method, mass_min=mass_min)
    limits = _limits(found)
    assert set(limits) == set(BOX), found.render()
    # a limit lands within one peel (PEEL of the input's range, the inputs being uniform on
    # [0, 1]) of the planted one; CART splits between two neighbouring points, closer still
    for name, (low, high) in BOX.items():
        assert limits[name][0] == pytest.approx(low, abs=PEEL)
        assert limits[name][1] == pytest.approx(high, abs=PEEL)
    box = found.box
    inside = ((planted.inputs["x0"] > 0.6) & (planted.inputs["x1"] < 0.3)).mean()
    expected_density = INSIDE
    expected_coverage = inside * INSIDE / (inside * INSIDE + (1 - inside) * OUTSIDE)
    cases_inside = box["n"]
    # binomial standard errors of the box's share, plus what one peel of the box can move
    assert box["density"] == pytest.approx(
        expected_density, abs=4 * np.sqrt(INSIDE * (1 - INSIDE) / cases_inside) + PEEL)
    assert box["coverage"] == pytest.approx(expected_coverage, abs=2 * PEEL)
    again = discover(planted, "class == 'escalation_spiral'", method=method, mass_min=mass_min)
    pd.testing.assert_frame_equal(again.trajectory, found.trajectory)  # the same every time


def test_the_trajectory_trades_coverage_for_density(planted: Experiment) -> None:
    found = discover(planted, "killed > 0")
    t = found.trajectory
    peeled = t.loc[:t["mass"].idxmin()]  # peeling, before pasting grows the box again
    assert peeled["mass"].is_monotonic_decreasing and t["mass"].min() >= 0.05
    assert t.loc[0, "coverage"] == 1.0 and t.loc[0, "density"] == pytest.approx(found.base_rate)
    assert t["density"].max() > 0.7
    assert found.chosen == choose_box(t)
    picked = discover(planted, "killed > 0", box=3)
    assert picked.chosen == 3 and len(picked.limits) == t.loc[3, "res_dim"]
    covering = discover(planted, "killed > 0", min_coverage=0.9)
    assert covering.box["coverage"] >= 0.9


def test_discovery_refuses_what_it_cannot_do(planted: Experiment) -> None:
    with pytest.raises(DiscoveryError, match="no case meets"):
        discover(planted, "class == 'regional_war'")
    with pytest.raises(DiscoveryError, match="'x9' is not an input"):
        discover(planted, "killed > 0", inputs=["x9"])
    with pytest.raises(DiscoveryError, match="unknown method"):
        discover(planted, "killed > 0", method="tree")
    with pytest.raises(DiscoveryError, match="--box must be between"):
        discover(planted, "killed > 0", box=10_000)


def test_an_experiment_folder_holds_the_models_runs(tmp_path: Path) -> None:
    from sim.model.model import EscalationModel
    from sim.scenario.loader import load_scenario

    out = tmp_path / "exp"
    names = "stake_weight,initial_state.directive.kataib_hezbollah"
    made = explore("june-2025", "no-iran-restraint", points=6, runs=10, seed=3, params=names,
                   out=out, workers=1, progress=False)
    again = open_experiment(out)
    pd.testing.assert_frame_equal(again.outcomes, made.outcomes)
    pd.testing.assert_frame_equal(again.inputs, made.inputs)
    assert again.manifest["runs"] == 10 and again.space.names == names.split(",")
    point = again.inputs.iloc[4]
    model = EscalationModel(load_scenario("june-2025", "no-iran-restraint"), None, 10, 3,
                            collect_data=False, log_events=False,
                            stake_weight=point["stake_weight"],
                            situation={"initial_state.directive.kataib_hezbollah":
                                       point["initial_state.directive.kataib_hezbollah"]})
    alone = model.run().outcomes()
    rows = again.outcomes[again.outcomes["point"] == 4]
    np.testing.assert_array_equal(rows["militia_attacks_on_us"], alone["militia_attacks_on_us"])
    np.testing.assert_array_equal(rows["outcome_class"].astype(str), alone["outcome_class"])
    with pytest.raises(ExperimentError, match="not an empty folder"):
        explore("june-2025", points=2, runs=2, params="stake_weight", out=out, workers=1,
                progress=False)
    with pytest.raises(ExperimentError, match="no experiment.json"):
        open_experiment(tmp_path)
