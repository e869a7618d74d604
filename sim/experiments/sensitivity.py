"""Global sensitivity analysis with SALib: which inputs decide an outcome, with intervals.

    from sim.experiments.sensitivity import sensitivity
    study = sensitivity("june-2025", method="sobol", n=1024, runs=200,
                        params="directive_weight,stake_weight,retaliation_weight")
    print(study.render())
    study.table()                      # every index of every outcome, with intervals

or stage by stage, each stage returning the study (as SALib's ProblemSpec does):

    study = SensitivityStudy(space, ModelRunner(scenario), "sobol", runs=200, seed=0)
    study.sample(1024).evaluate().analyze().write("sens/")

What is measured: at every point of the design the model runs ``runs`` replicates on common
random numbers (the same random streams at every point), and each outcome is summarised there
as the share of replicates meeting a condition (each outcome class by default) or the mean of
a metric (every numeric metric by default). SALib then computes, from those per-point values:

- ``sobol``: first-order (S1) and total (ST) indices, and second-order (S2) on request;
- ``morris``: the elementary effects' mean absolute value (mu_star, for ranking), mean (mu)
  and spread (sigma, large when an input interacts or acts non-linearly);
- ``fast``: first-order and total indices by extended FAST.

Two uncertainties are reported, and they differ:

- the interval of each index (95% by default) is SALib's bootstrap over the design's points:
  how well this many points pin the index down;
- the replicate noise is the Monte Carlo error from running finitely many replicates at each
  point: the replicates are cut into up to ``NOISE_GROUPS`` groups (the same random streams at
  every point), the index is computed again with each group left out, and the spread of those
  estimates gives the jackknife standard error of the index. It falls as one over the square
  root of ``runs``, and says how many replicates make the indices stable.

A warning says when an index's interval is wider than the index itself.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis.files import json_report, output_folder, save_figure, write_text
from sim.errors import UserError
from sim.experiments.designs import Design, sensitivity_design
from sim.experiments.outcomes import (ALL, COUNT, GROUP, Outcome, PointSummary,
                                      check_outcomes, default_outcomes, noise_groups, outcome)
from sim.experiments.runner import ModelRunner, Runner
from sim.experiments.uncertainties import UncertaintySpace, choose_space
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.batch.executors import Executor

DEFAULT_N = {"sobol": 256, "morris": 10, "fast": 128}
MAIN_INDICES = {"sobol": ("S1", "ST"), "morris": ("mu_star",), "fast": ("S1", "ST")}
RESAMPLES = 100  # SALib's bootstrap resamples for the intervals
LEVEL = 0.95
NOISE_TARGET = 0.01  # replicate noise (standard error) at which an index counts as stable
TABLE_COLUMNS = ("outcome", "parameter", "index", "value", "conf", "low", "high", "noise_se",
                 "wide")


class SensitivityError(UserError):
    """A sensitivity analysis that cannot run as asked."""


def _salib_seed(seed: int, stream: int) -> int:
    """A non-zero seed for SALib's bootstrap (it treats 0 as 'unseeded')."""
    return int(np.random.SeedSequence([seed, stream]).generate_state(1)[0]) + 1


def salib_indices(method: str, problem: dict[str, Any], inputs: np.ndarray, values: np.ndarray,
                  second_order: bool, resamples: int, level: float, seed: int,
                  settings: dict[str, Any]) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """SALib's indices of one output: ``{index: (values, interval half-widths or None)}``.

    Second-order Sobol' indices come as ``S2`` with one value per pair, in SALib's pair order
    (0-1, 0-2, ..., 1-2, ...).
    """
    with warnings.catch_warnings():
        # SALib warns when many points give the same value (a rare class, a small group of
        # replicates); the intervals and replicate noise report what that does to the indices
        warnings.simplefilter("ignore", UserWarning)
        return _salib_indices(method, problem, inputs, values, second_order, resamples, level,
                              seed, settings)


def _salib_indices(method: str, problem: dict[str, Any], inputs: np.ndarray,
                   values: np.ndarray, second_order: bool, resamples: int, level: float,
                   seed: int, settings: dict[str, Any]
                   ) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    if method == "sobol":
        from SALib.analyze import sobol

        si = sobol.analyze(problem, values, calc_second_order=second_order,
                           num_resamples=resamples, conf_level=level, seed=seed)
        found = {"S1": (si["S1"], si["S1_conf"]), "ST": (si["ST"], si["ST_conf"])}
        if second_order:
            upper = np.triu_indices(problem["num_vars"], k=1)
            found["S2"] = (si["S2"][upper], si["S2_conf"][upper])
        return found
    if method == "morris":
        from SALib.analyze import morris

        si = morris.analyze(problem, inputs, values, num_resamples=resamples, conf_level=level,
                            num_levels=settings["levels"], seed=seed)
        return {"mu_star": (np.asarray(si["mu_star"]), np.asarray(si["mu_star_conf"])),
                "mu": (np.asarray(si["mu"]), None), "sigma": (np.asarray(si["sigma"]), None)}
    from SALib.analyze import fast

    si = fast.analyze(problem, values, M=settings["interference"], num_resamples=resamples,
                      conf_level=level, seed=seed)
    return {"S1": (si["S1"], si["S1_conf"]), "ST": (si["ST"], si["ST_conf"])}


def _labels(index: str, names: Sequence[str]) -> list[str]:
    if index == "S2":
        return [f"{names[i]} x {names[j]}" for i, j in zip(*np.triu_indices(len(names), k=1),
                                                             strict=True)]
    return list(names)


@dataclass
class SensitivityStudy:
    """A sensitivity analysis of one scenario, stage by stage: sample, evaluate, analyze."""

    space: UncertaintySpace
    runner: Runner
    method: str = "sobol"
    runs: int = 200
    seed: int = 0
    second_order: bool = False
    about: dict[str, Any] = field(default_factory=dict)  # scenario, variant: for titles
    design: Design | None = None
    outcomes: tuple[Outcome, ...] = ()
    point_outcomes: pd.DataFrame | None = None  # point, group (-1: all replicates), outcomes
    indices: pd.DataFrame | None = None
    skipped: dict[str, str] = field(default_factory=dict)  # outcome -> why it has no indices
    outcomes_asked: bool = False  # outcomes given by the user (else every default one)
    seconds: dict[str, float] = field(default_factory=dict)
    resamples: int = RESAMPLES
    level: float = LEVEL

    # --- the stages ---------------------------------------------------------------------------

    def sample(self, n: int | None = None) -> SensitivityStudy:
        """Draw the design: ``n`` base points (Sobol'), trajectories (Morris) or points per
        input (FAST); the method's default if None."""
        n = DEFAULT_N.get(self.method, 0) if n is None else n
        self.design = sensitivity_design(self.space, self.method, n, self.seed,
                                         second_order=self.second_order)
        return self

    def evaluate(self, outcomes: Sequence[str] | None = None) -> SensitivityStudy:
        """Run every point ``runs`` times; measure the outcomes (expressions; default: each
        class share and each numeric metric) at every point."""
        if self.design is None:
            self.sample()
        assert self.design is not None
        if isinstance(self.runs, bool) or not isinstance(self.runs, int) or self.runs < 2:
            raise SensitivityError(f"--runs must be a whole number of at least 2, so that the "
                                   f"replicate noise can be estimated; got {self.runs!r}")
        probe = self.runner.probe(self.design)
        chosen = [outcome(text) for text in outcomes] if outcomes else default_outcomes(probe)
        self.outcomes, self.outcomes_asked = check_outcomes(chosen, probe), bool(outcomes)
        began = time.perf_counter()
        table = self.runner.run(self.design, self.runs, self.seed,
                                PointSummary(self.outcomes, self.runs))
        self.seconds["evaluate"] = time.perf_counter() - began
        self.point_outcomes = table.sort_values([GROUP, "point"], kind="stable",
                                                ignore_index=True)
        return self

    def analyze(self, resamples: int | None = None, level: float | None = None
                ) -> SensitivityStudy:
        """Indices with intervals, and their replicate noise, for every outcome that varies."""
        if self.point_outcomes is None:
            self.evaluate()
        self.resamples = resamples or self.resamples
        self.level = level or self.level
        rows = []
        self.skipped = {}
        for number, o in enumerate(self.outcomes):
            values = self._values(o.name, ALL)
            why = _unusable(values)
            if why:
                self.skipped[o.name] = why
                continue
            rows += self._rows(o.name, values, number)
        self.indices = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
        return self

    # --- pieces of the analysis ---------------------------------------------------------------

    def _values(self, name: str, group: int, column: str = "") -> np.ndarray:
        """An outcome's mean at every point (in design order), over a replicate group or all
        (``column`` COUNT: how many replicates each mean is over)."""
        assert self.point_outcomes is not None
        rows = self.point_outcomes[self.point_outcomes[GROUP] == group]
        return rows[column + name].to_numpy(dtype=float)

    def _analyze(self, values: np.ndarray, resamples: int, stream: int
                 ) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
        assert self.design is not None
        return salib_indices(self.method, self.space.problem(), self.design.points.to_numpy(),
                             values, self.second_order, resamples, self.level,
                             _salib_seed(self.seed, stream), self.design.settings)

    def _noise(self, name: str, number: int) -> dict[str, np.ndarray]:
        """Jackknife standard error of each index over groups of replicates: the index again
        with each group left out; SE² = (G - 1)/G · Σ (estimate - their mean)²."""
        mean, count = self._values(name, ALL), self._values(name, ALL, COUNT)
        total = mean * count
        estimates: dict[str, list[np.ndarray]] = {}
        for g in range(noise_groups(self.runs)):
            left = count - self._values(name, g, COUNT)
            group_sum = np.nan_to_num(self._values(name, g)) * self._values(name, g, COUNT)
            with np.errstate(invalid="ignore", divide="ignore"):
                rest = (total - group_sum) / left
            if _unusable(rest):
                continue
            for index, (value, _) in self._analyze(rest, 2, 1000 * number + g + 1).items():
                estimates.setdefault(index, []).append(np.asarray(value, dtype=float))
        noise = {}
        for index, found in estimates.items():
            if len(found) < 2:
                noise[index] = np.full(len(found[0]), np.nan)
                continue
            spread = np.sum((np.array(found) - np.mean(found, axis=0)) ** 2, axis=0)
            noise[index] = np.sqrt((len(found) - 1) / len(found) * spread)
        return noise

    def _rows(self, name: str, values: np.ndarray, number: int) -> list[dict[str, Any]]:
        noise = self._noise(name, number)
        rows = []
        for index, (value, conf) in self._analyze(values, self.resamples, 0).items():
            se = noise.get(index)
            for i, label in enumerate(_labels(index, self.space.names)):
                v = float(value[i])
                c = float(conf[i]) if conf is not None else float("nan")
                rows.append({"outcome": name, "parameter": label, "index": index, "value": v,
                             "conf": c, "low": v - c, "high": v + c,
                             "noise_se": float(se[i]) if se is not None else float("nan"),
                             "wide": bool(conf is not None and c > abs(v))})
        return rows

    # --- reading the results ------------------------------------------------------------------

    def table(self) -> pd.DataFrame:
        """Every index: outcome, parameter, index, value, conf (interval half-width), low,
        high, noise_se (replicate noise), wide (interval wider than the index)."""
        if self.indices is None:
            self.analyze()
        assert self.indices is not None
        return self.indices

    def main_table(self) -> pd.DataFrame:
        """The indices the method ranks by (S1 and ST; mu_star)."""
        table = self.table()
        return table[table["index"].isin(MAIN_INDICES[self.method])]

    def warnings(self) -> list[str]:
        """Where the shown outcomes' results are too uncertain to read, in a user's words."""
        main = self.main_table()
        main = main[main["outcome"].isin(self.shown_outcomes())]
        notes = []
        wide = main[main["wide"]]
        if len(wide):
            notes.append(f"{len(wide)} of {len(main)} indices shown have a {self.level:.0%} "
                         "interval wider than the index itself (not distinguishable from zero); "
                         "more points (--n) or replicates (--runs) would narrow them")
        for name in self.shown_outcomes():
            worst = self.worst_noise(name)
            if worst is not None and worst["noise_se"] > NOISE_TARGET:
                notes.append(f"{name}: replicate noise up to {worst['noise_se']:.3f} "
                             f"({worst['index']} of {worst['parameter']}); about "
                             f"{self.runs_for_target(name):,} replicates per point would bring "
                             f"it below {NOISE_TARGET:g}")
        return notes

    def worst_noise(self, name: str) -> pd.Series | None:
        """The main index of outcome ``name`` with the largest replicate noise."""
        main = self.main_table()
        main = main[main["outcome"] == name].dropna(subset=["noise_se"])
        if main.empty:
            return None
        return main.loc[main["noise_se"].idxmax()]

    def runs_for_target(self, name: str, target: float = NOISE_TARGET) -> int:
        """Replicates per point for a replicate noise below ``target`` on every main index of
        outcome ``name`` (the noise falls as one over the square root of the replicates)."""
        worst = self.worst_noise(name)
        if worst is None or worst["noise_se"] <= target:
            return self.runs
        return int(math.ceil(self.runs * (worst["noise_se"] / target) ** 2))

    def shown_outcomes(self) -> list[str]:
        """What the summary and figure show: the outcomes asked for, else the class shares
        (every outcome is in the table)."""
        analysed = [o.name for o in self.outcomes if o.name not in self.skipped]
        if self.outcomes_asked:
            return analysed
        classes = [o.name for o in self.outcomes if o.name != o.expression]
        return [n for n in analysed if n in classes] or analysed

    def title(self) -> str:
        assert self.design is not None
        scenario = self.about.get("scenario", "")
        variant = self.about.get("variant") or "base"
        where = f"{scenario} ({variant}): " if scenario else ""
        return (f"{where}{self.method} indices, {len(self.space)} inputs, {len(self.design):,} "
                f"points x {self.runs} replicates, seed {self.seed}")

    def render(self, top: int = 12) -> str:
        """A plain-text summary: the shown outcomes' indices, warnings, timing."""
        from sim.experiments.report import render_sensitivity

        return render_sensitivity(self, top)

    def figure(self, outcomes: Sequence[str] | None = None, top: int = 12) -> Figure:
        from sim.plots.experiments import sensitivity_figure

        return sensitivity_figure(self, list(outcomes or self.shown_outcomes()), top)

    def to_dict(self) -> dict[str, Any]:
        assert self.design is not None
        return {
            "about": self.about, "method": self.method, "runs": self.runs, "seed": self.seed,
            "design": {"points": len(self.design), **self.design.settings},
            "space": self.space.to_dict(),
            "outcomes": [{"name": o.name, "expression": o.expression} for o in self.outcomes],
            "intervals": f"{self.level:.0%} bootstrap over design points (SALib, "
                         f"{self.resamples} resamples)",
            "replicate_noise": f"jackknife standard error over {noise_groups(self.runs)} groups "
                               "of replicates",
            "indices": self.table().to_dict(orient="records"),
            "skipped": self.skipped, "warnings": self.warnings(),
            "replicates_per_point_for_noise_below": {
                "target": NOISE_TARGET,
                "by_outcome": {name: self.runs_for_target(name)
                               for name in self.table()["outcome"].unique()}},
            "seconds": self.seconds,
        }

    def write(self, folder: str | Path, fmt: str = "png") -> list[Path]:
        """indices.csv, sensitivity.json, points.parquet (inputs and per-point outcomes) and
        the figure, into ``folder``."""
        from sim.batch.atomic import write_atomic

        out = output_folder(folder)
        assert self.design is not None and self.point_outcomes is not None
        inputs = self.design.points.reset_index()
        points = inputs.merge(self.point_outcomes, on="point")
        written = [write_text(out / "indices.csv", self.table().to_csv(index=False)),
                   write_text(out / "sensitivity.json", json_report(self.to_dict()))]
        write_atomic(out / "points.parquet", lambda temp: points.to_parquet(temp, index=False))
        written.append(out / "points.parquet")
        if self.shown_outcomes():
            written.append(save_figure(self.figure(), out / f"sensitivity.{fmt.lstrip('.')}"))
        return written


def _unusable(values: np.ndarray) -> str:
    """Why an outcome has no indices ('' if it has)."""
    if not np.all(np.isfinite(values)):
        return "undefined at some points (no replicate there had a value)"
    if np.ptp(values) == 0:
        return "the same at every point"
    return ""


def sensitivity(scenario: str | Path | Scenario, variant: str | None = None,
                method: str = "sobol",
                params: Sequence[str] | str | None = None, everything: bool = False,
                vary: str | Path | None = None, n: int | None = None, runs: int = 200,
                seed: int = 0, outcomes: Sequence[str] | None = None,
                second_order: bool = False, workers: int | None = None,
                executor: Executor | None = None, progress: bool | None = None,
                out: str | Path | None = None, fmt: str = "png") -> SensitivityStudy:
    """A sensitivity analysis of a scenario from start to end (``escsim sensitivity``).

    What varies is given by exactly one of ``params`` (names, default ranges), ``everything``
    (every shared parameter and every situation field the scenario sets) or ``vary`` (an
    uncertainty file). The rest: see ``SensitivityStudy``; ``out`` writes the files.
    """
    from sim.scenario.loader import load_scenario

    spec = load_scenario(scenario, variant)
    space = choose_space(spec, params, everything, vary)
    runner = ModelRunner(spec, workers, executor, progress)
    study = SensitivityStudy(space, runner, method, runs, seed, second_order,
                             about={"scenario": spec.id, "variant": spec.variant})
    study.sample(n).evaluate(outcomes).analyze()
    study.seconds["cpu"] = runner.timing.cpu_seconds
    if out is not None:
        study.write(out, fmt)
    return study
