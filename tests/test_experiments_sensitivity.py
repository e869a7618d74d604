"""Global sensitivity through escsim's own pipeline (design, runs, per-point summaries, SALib,
replicate noise): known indices of the Ishigami function, and on june-2025 intervals that
shrink as the replicates per point grow."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.sweep import Reduce
from sim.experiments.designs import Design
from sim.experiments.runner import ModelRunner
from sim.experiments.sensitivity import SensitivityStudy, sensitivity
from sim.experiments.uncertainties import Uncertainty, UncertaintySpace
from sim.scenario.loader import load_scenario

pytest.importorskip("SALib")

# Ishigami and Homma's function, a = 7, b = 0.1, inputs uniform on [-pi, pi]: its Sobol'
# indices are known in closed form.
A, B = 7.0, 0.1
VARIANCE = A ** 2 / 8 + B * math.pi ** 4 / 5 + B ** 2 * math.pi ** 8 / 18 + 0.5
V1 = 0.5 * (1 + B * math.pi ** 4 / 5) ** 2
V2 = A ** 2 / 8
V13 = B ** 2 * math.pi ** 8 * (1 / 18 - 1 / 50)
EXACT = {"S1": [V1 / VARIANCE, V2 / VARIANCE, 0.0],
         "ST": [(V1 + V13) / VARIANCE, V2 / VARIANCE, V13 / VARIANCE]}
Z95 = 1.959964


class Ishigami:
    """A runner whose model is the Ishigami function plus replicate noise N(0, noise²), drawn
    afresh for every point and replicate: it stands in for the escalation model at the
    runner's seam, so everything else is escsim's. (Noise shared by every point, as common
    random numbers would give an additive one, would leave the indices untouched.)"""

    def __init__(self, noise: float):
        self.noise = noise

    def table(self, points: pd.DataFrame, runs: int, seed: int) -> pd.DataFrame:
        x = points.to_numpy()
        f = np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])
        k = len(points)
        y = f[:, None] + np.random.default_rng(seed).normal(0.0, self.noise, (k, runs))
        return pd.DataFrame({"point": np.repeat(np.arange(k), runs),
                             "replicate": np.tile(np.arange(runs), k), "y": y.ravel()})

    def probe(self, design: Design) -> pd.DataFrame:
        return self.table(design.points.head(1), 2, 0)

    def run(self, design: Design, runs: int, seed: int,
            reduce: Reduce | None = None) -> pd.DataFrame:
        table = self.table(design.points, runs, seed)
        return table if reduce is None else reduce(table)


SPACE = UncertaintySpace(tuple(Uncertainty(f"x{i}", -math.pi, math.pi) for i in (1, 2, 3)))


@pytest.mark.parametrize("method, n", [("sobol", 1024), ("fast", 1024)])
def test_ishigami_indices_are_found(method: str, n: int) -> None:
    noise, runs = 1.0, 16
    study = SensitivityStudy(SPACE, Ishigami(noise), method, runs=runs, seed=5)
    table = study.sample(n).evaluate().analyze().table()
    # replicate noise of variance noise²/runs in each point's mean shrinks the indices by
    # this share of the output variance
    bias = noise ** 2 / runs / VARIANCE
    for index, exact in EXACT.items():
        rows = table[table["index"] == index].set_index("parameter")
        for name, truth in zip(SPACE.names, exact, strict=True):
            se = rows.loc[name, "conf"] / Z95  # the bootstrap's standard error
            assert abs(rows.loc[name, "value"] - truth) <= 4 * se + bias * truth + 1e-9, \
                (index, name, rows.loc[name, "value"], truth)
    assert not study.skipped


def test_replicate_noise_falls_as_the_replicates_grow() -> None:
    noise = {}
    for runs in (8, 128):
        study = SensitivityStudy(SPACE, Ishigami(noise=6.0), "sobol", runs=runs, seed=2)
        main = study.sample(256).evaluate().analyze().main_table()
        noise[runs] = main["noise_se"].mean()
    # the standard error falls as 1/sqrt(runs), 4 times here; allow half of that for the
    # error of a jackknife over at most 10 groups (about 25% each), averaged over 6 indices
    assert noise[8] > 2 * noise[128]


def test_morris_ranks_ishigami_inputs() -> None:
    study = SensitivityStudy(SPACE, Ishigami(noise=0.1), "morris", runs=4, seed=3)
    rows = study.sample(64).evaluate().analyze().table()
    star = rows[rows["index"] == "mu_star"].set_index("parameter")["value"]
    # x3 acts only through its interaction with x1: a small mean effect but a large sigma
    assert star["x1"] > star["x3"] and star["x2"] > star["x3"]
    sigma = rows[rows["index"] == "sigma"].set_index("parameter")["value"]
    assert sigma["x3"] > 0


WEIGHTS = "directive_weight,decapitation_fear_weight,stake_weight,retaliation_weight"


def test_june_2025_replicate_noise_intervals_shrink_with_more_replicates() -> None:
    """The interval an index has from finitely many replicates (±1.96 replicate-noise standard
    errors) narrows as the replicates per point grow. (The bootstrap interval over design
    points need not: it reflects the points drawn.)"""
    spec = load_scenario("june-2025")
    noise = {}
    for runs in (8, 64):
        study = sensitivity(spec, params=WEIGHTS, n=16, runs=runs, seed=4, workers=1,
                            outcomes=["militia_armed_assaults > 0",
                                      "militia_attacks_on_kurdistan"],
                            progress=False)
        noise[runs] = study.main_table().groupby("outcome")["noise_se"].mean()
    # the replicate noise falls as 1/sqrt(runs), sqrt(8) = 2.8 times; allow half of that
    # for the error of the jackknife estimates
    assert (noise[8] > math.sqrt(8) / 2 * noise[64]).all(), (noise[8], noise[64])


def test_the_model_runner_measures_what_a_plain_run_gives() -> None:
    """A point's summary is that of an ordinary model run with its values, same seed."""
    from sim.model.model import EscalationModel

    spec = load_scenario("june-2025", "no-iran-restraint")
    space = UncertaintySpace((Uncertainty("stake_weight", 0.0, 8.0, kind="parameter"),
                              Uncertainty("initial_state.fear.badr", 0.0, 1.0,
                                          kind="situation")))
    study = SensitivityStudy(space, ModelRunner(spec, workers=1, progress=False), "sobol",
                             runs=40, seed=6)
    study.sample(2).evaluate(["class == 'restraint'", "militia_attacks_on_us"])
    assert study.point_outcomes is not None and study.design is not None
    point = study.design.point_dicts()[3]
    rows = study.point_outcomes[(study.point_outcomes["group"] == -1)
                                & (study.point_outcomes["point"] == 3)]
    model = EscalationModel(spec, None, 40, 6, collect_data=False, log_events=False,
                            stake_weight=point["stake_weight"],
                            situation={"initial_state.fear.badr": point["initial_state.fear.badr"]})
    outcomes = model.run().outcomes()
    assert rows["class == 'restraint'"].item() == np.mean(outcomes["outcome_class"] == "restraint")
    assert rows["militia_attacks_on_us"].item() == pytest.approx(
        np.mean(outcomes["militia_attacks_on_us"]))
