"""Scenario discovery: which boxes of an experiment's inputs lead to an outcome (PRIM, CART).

    from sim.experiments.discovery import discover
    found = discover("exp/", "class == 'escalation_spiral'")
    print(found.render())
    found.trajectory            # PRIM's peeling trajectory: coverage, density, mass, inputs
    found.limits                # the chosen box: each restricted input's low and high

Each replicate of each point is a case: its inputs are the point's, and it is of interest when
it meets the outcome condition (the grammar of sim.experiments.outcomes). For a box of inputs:

- coverage: the share of all cases of interest that fall inside it;
- density: the share of the cases inside it that are of interest, the probability of the
  outcome given the box (replicates of one point differ only by chance);
- mass: the share of all cases inside it.

PRIM (Friedman and Fisher's patient rule induction, as EMA Workbench implements it in
``ema_workbench.analysis.prim``) peels thin slices off the box, one input at a time, to raise
the density, then pastes back what helps; every box along the way is on the peeling trajectory,
which trades coverage for density. EMA Workbench leaves the choice of a box to the analyst; the
box reported here, unless one is picked with ``box``, is:

- by default, the box with the best balance of the two: the highest harmonic mean of coverage
  and density (the F1 score of the box as a rule "inside means of interest"). Peeling off an
  input that does not matter costs coverage and gains nothing, so this rarely restricts an
  input for a gain that is only noise;
- with ``min_coverage``, the largest box whose density is within one standard error of the
  densest box that still covers that share of the cases of interest (the densest box itself
  would often restrict inputs for gains smaller than the noise).

Quasi-p values (a one-sided binomial test per restricted input, as in EMA Workbench) say
whether each restriction matters. As EMA Workbench's users do by hand, the restrictions whose
quasi-p value is above 0.05 are then dropped from the chosen PRIM box, the weakest first, each
drop adding a box to the trajectory, until every remaining one counts (``simplify=False``
keeps them). Replicates of one point share its inputs, so these tests, which count cases as
independent, overstate the evidence somewhat: read a quasi-p value near the threshold as
"not clearly needed". CART
(``ema_workbench.analysis.cart``, a classification tree from scikit-learn) is the
alternative: its leaves are boxes too, chosen among by the same rule, and all listed.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis.files import json_report, output_folder, save_figure, write_text
from sim.errors import UserError
from sim.experiments.explore import Experiment, open_experiment
from sim.experiments.outcomes import outcome

if TYPE_CHECKING:
    from matplotlib.figure import Figure

METHODS = ("prim", "cart")
SIGNIFICANT = 0.05  # a restriction with a larger quasi-p value may well be noise
SHOWN_BOXES = 15  # boxes of a long trajectory the summary prints
CART_SEED = 0
MASS_MIN = 0.05  # smallest box, as a share of all cases
PEEL_ALPHA = 0.05  # share of a box's cases one peel removes
PASTE_ALPHA = 0.05


class DiscoveryError(UserError):
    """A discovery that cannot be made as asked (no case of interest, unknown input...)."""


@dataclass
class Discovery:
    """The boxes found for one outcome: the trajectory (PRIM) or leaves (CART), the chosen
    box's statistics and limits."""

    method: str
    outcome: str
    cases: int
    of_interest: int
    trajectory: pd.DataFrame  # one row per box: coverage, density, mass, res_dim, n, k
    chosen: int
    limits: pd.DataFrame  # input, low, high, range_low, range_high, qp_low, qp_high
    about: str = ""
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def base_rate(self) -> float:
        return self.of_interest / self.cases

    @property
    def box(self) -> pd.Series:
        return self.trajectory.loc[self.chosen]

    def label(self) -> str:
        return self.about

    def render(self) -> str:
        box = self.box
        what = "peeling trajectory" if self.method == "prim" else "leaves of the tree"
        rule = ("the best balance of coverage and density (F1)"
                if self.settings.get("min_coverage") is None else
                f"the densest box covering {self.settings['min_coverage']:.0%}, within one SE")
        if self.settings.get("box") is not None:
            rule = "picked with --box"
        how = f"#{self.chosen} of the {what}, {rule}"
        dropped = self.settings.get("dropped") or []
        if dropped:
            how = (f"#{self.chosen}: #{self.settings['chosen_before_dropping']} of the {what} "
                   f"({rule}) without its restrictions on {', '.join(dropped)}, whose quasi-p "
                   f"values were above {SIGNIFICANT:g}")
        lines = [f"Scenario discovery ({self.method.upper()}): {self.outcome}", self.about,
                 f"{self.of_interest:,} of {self.cases:,} cases (point x replicate) are of "
                 f"interest: {self.base_rate:.1%}.", "",
                 f"Chosen box {how}.",
                 f"Coverage {box['coverage']:.1%}, density {box['density']:.1%}, mass "
                 f"{box['mass']:.1%}, {int(box['res_dim'])} inputs restricted:", ""]
        width = max([len(str(n)) for n in self.limits["input"]] + [5]) + 2
        lines.append(f"  {'input':<{width}}{'box':>22}{'full range':>22}{'quasi-p':>10}")
        for row in self.limits.itertuples():
            box_range = f"{row.low:.4g} .. {row.high:.4g}"
            full = f"{row.range_low:.4g} .. {row.range_high:.4g}"
            qp = min((v for v in (row.qp_low, row.qp_high) if np.isfinite(v)), default=np.nan)
            flag = "  (not significant)" if np.isfinite(qp) and qp > SIGNIFICANT else ""
            lines.append(f"  {row.input:<{width}}{box_range:>22}{full:>22}"
                         f"{'' if not np.isfinite(qp) else f'{qp:10.2g}'}{flag}")
        shown = self._rows_to_show()
        thinned = len(shown) < len(self.trajectory)
        lines += ["", f"The {what} (coverage, density, mass, inputs restricted)"
                  + (f", {len(shown)} of its {len(self.trajectory)} boxes (all in "
                     "trajectory.csv with --out):" if thinned else ":")]
        for i in shown:
            row = self.trajectory.loc[i]
            mark = "  <- chosen" if i == self.chosen else ""
            lines.append(f"  #{i:<4}{row['coverage']:8.1%}{row['density']:8.1%}{row['mass']:8.1%}"
                         f"{int(row['res_dim']):4d}{mark}")
        return "\n".join(lines) + "\n"

    def _rows_to_show(self, about: int = SHOWN_BOXES) -> list[int]:
        """About ``about`` boxes spread along the trajectory, with the chosen one and those
        that dropping restrictions added."""
        n = len(self.trajectory)
        if n <= about:
            return list(range(n))
        first = int(self.settings.get("chosen_before_dropping", self.chosen))
        keep = set(range(0, n, math.ceil(n / about))) | {n - 1, first, self.chosen}
        if self.settings.get("dropped"):
            keep |= set(range(n - len(self.settings["dropped"]), n))
        return sorted(keep)

    def figure(self) -> Figure:
        from sim.plots.experiments import discovery_figure

        return discovery_figure(self)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "outcome": self.outcome, "about": self.about,
                "cases": self.cases, "of_interest": self.of_interest,
                "base_rate": self.base_rate, "settings": self.settings,
                "chosen": self.chosen, "box": self.box.to_dict(),
                "limits": self.limits.to_dict(orient="records"),
                "trajectory": self.trajectory.to_dict(orient="records")}

    def write(self, folder: str | Path, fmt: str = "png") -> list[Path]:
        """discovery.json, trajectory.csv, box.csv and the figure."""
        out = output_folder(folder)
        return [write_text(out / "discovery.json", json_report(self.to_dict())),
                write_text(out / "trajectory.csv", self.trajectory.to_csv(index_label="box")),
                write_text(out / "box.csv", self.limits.to_csv(index=False)),
                save_figure(self.figure(), out / f"discovery.{fmt.lstrip('.')}")]


# --- the cases --------------------------------------------------------------------------------

def cases(experiment: Experiment, condition: str,
          inputs: Sequence[str] | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per point and replicate: the point's inputs, and whether the outcome holds."""
    names = [c for c in experiment.inputs.columns if c != "point"]
    if inputs:
        unknown = [n for n in inputs if n not in names]
        if unknown:
            raise DiscoveryError(f"'{unknown[0]}' is not an input of this experiment "
                                 f"(inputs: {', '.join(names)})")
        names = list(inputs)
    table = experiment.outcomes
    y = outcome(condition).holds(table)
    x = experiment.inputs.set_index("point").loc[table["point"].to_numpy(), names]
    return x.reset_index(drop=True).astype(float), y


def _workbench() -> Any:
    """ema_workbench's analysis module (it warns on import about optional parallel tools)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench import analysis
    except ImportError:
        raise DiscoveryError("scenario discovery needs ema_workbench: "
                             "pip install 'escsim[experiments]'") from None
    return analysis


@contextmanager
def _seeded_global_rng(seed: int) -> Iterator[None]:
    """scikit-learn's tree breaks ties between equally good splits with numpy's global
    generator (ema_workbench gives it no seed of its own): seed it for the call, so that the
    same cases give the same tree, and put it back as it was."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


@contextmanager
def _quietly() -> Iterator[None]:
    """ema_workbench's own deprecation warnings (pandas API it still uses) are not the user's
    concern."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="ema_workbench")
        yield


def _limits(box_lims: pd.DataFrame, initial: pd.DataFrame,
            qp: dict[str, list[float]] | None) -> pd.DataFrame:
    """The restricted inputs of a box: its limits, the full range, quasi-p values."""
    rows = []
    for name in box_lims.columns:
        low, high = float(box_lims.loc[0, name]), float(box_lims.loc[1, name])
        full_low, full_high = float(initial.loc[0, name]), float(initial.loc[1, name])
        if (low, high) == (full_low, full_high):
            continue
        p_low, p_high = (qp or {}).get(name, [-1.0, -1.0])
        rows.append({"input": name, "low": low, "high": high, "range_low": full_low,
                     "range_high": full_high,
                     "qp_low": p_low if p_low >= 0 else np.nan,
                     "qp_high": p_high if p_high >= 0 else np.nan})
    return pd.DataFrame(rows, columns=["input", "low", "high", "range_low", "range_high",
                                       "qp_low", "qp_high"])


def _in_declared_ranges(limits: pd.DataFrame, experiment: Experiment) -> pd.DataFrame:
    """Limits against each input's declared range rather than the values the sample happened
    to reach: a side the box leaves open shows the range's own bound."""
    declared = {u.name: (u.low, u.high) for u in experiment.space}
    limits = limits.copy()
    for i, row in limits.iterrows():
        if row["input"] not in declared:
            continue
        low, high = declared[row["input"]]
        if row["low"] <= row["range_low"]:
            limits.loc[i, "low"] = low
        if row["high"] >= row["range_high"]:
            limits.loc[i, "high"] = high
        limits.loc[i, ["range_low", "range_high"]] = [low, high]
    return limits


def choose_box(trajectory: pd.DataFrame, min_coverage: float | None = None) -> int:
    """The box to report (see the module docstring): the best harmonic mean of coverage and
    density, or with ``min_coverage`` the largest box within one standard error of the densest
    box covering that much (the first box if none does)."""
    if min_coverage is None:
        cov, dens = trajectory["coverage"], trajectory["density"]
        f1 = (2 * cov * dens / (cov + dens)).fillna(0.0)
        return int(f1.idxmax())
    eligible = trajectory[trajectory["coverage"] >= min_coverage]
    if eligible.empty:
        return int(trajectory.index[0])
    best = eligible.loc[eligible["density"].idxmax()]
    se = math.sqrt(best["density"] * (1 - best["density"]) / max(best["n"], 1))
    good = eligible[eligible["density"] >= best["density"] - se]
    return int(good["mass"].idxmax())


def _weakest_restriction(found: Any, i: int) -> str | None:
    """The restricted input of box ``i`` with the largest quasi-p value above SIGNIFICANT."""
    weak = {}
    for name, sides in found.p_values[i].items():
        tested = [p for p in sides if p >= 0]  # -1: that side is not restricted
        if tested and min(tested) > SIGNIFICANT:
            weak[name] = min(tested)
    return max(weak, key=weak.__getitem__) if weak else None


def _drop_weak_restrictions(found: Any, i: int) -> tuple[int, list[str]]:
    """Drop the weakest restriction of box ``i`` while one is not significant; returns the
    final box (appended to the trajectory) and the inputs dropped."""
    dropped = []
    while (name := _weakest_restriction(found, i)) is not None:
        with _quietly():
            found.drop_restriction(name, i)
        i = len(found.box_lims) - 1
        dropped.append(name)
    return i, dropped


def _prim(x: pd.DataFrame, y: np.ndarray, min_coverage: float | None, box: int | None,
          mass_min: float, peel_alpha: float, paste_alpha: float, simplify: bool
          ) -> tuple[pd.DataFrame, int, pd.DataFrame, dict[str, Any]]:
    prim = _workbench().prim
    with _quietly():
        found = prim.Prim(x, y, peel_alpha=peel_alpha, paste_alpha=paste_alpha,
                          mass_min=mass_min).find_box()
    trajectory = _trajectory(found)
    chosen = choose_box(trajectory, min_coverage) if box is None else box
    if not 0 <= chosen < len(trajectory):
        raise DiscoveryError(f"--box must be between 0 and {len(trajectory) - 1}, the boxes "
                             "of the peeling trajectory")
    first, dropped = chosen, []
    if simplify:
        chosen, dropped = _drop_weak_restrictions(found, chosen)
    limits = _limits(found.box_lims[chosen], found.box_lims[0], found.p_values[chosen])
    return _trajectory(found), chosen, limits, {"chosen_before_dropping": first,
                                               "dropped": dropped}


def _trajectory(found: Any) -> pd.DataFrame:
    columns = ["coverage", "density", "mass", "res_dim", "n", "k"]
    return found.peeling_trajectory[columns].astype(float).reset_index(drop=True)


def _cart(x: pd.DataFrame, y: np.ndarray, min_coverage: float | None, box: int | None,
          mass_min: float) -> tuple[pd.DataFrame, int, pd.DataFrame]:
    cart = _workbench().cart
    tree = cart.CART(x, y, mass_min=mass_min)
    with _quietly(), _seeded_global_rng(CART_SEED):
        tree.build_tree()
    stats = pd.DataFrame(tree.stats).rename(columns={"res dim": "res_dim"})
    boxes = tree.boxes
    stats["n"] = [int(round(m * len(y))) for m in stats["mass"]]
    stats["k"] = [int(round(c * y.sum())) for c in stats["coverage"]]
    trajectory = stats[["coverage", "density", "mass", "res_dim", "n", "k"]].astype(float)
    chosen = choose_box(trajectory, min_coverage) if box is None else box
    if not 0 <= chosen < len(trajectory):
        raise DiscoveryError(f"--box must be between 0 and {len(trajectory) - 1}, the leaves "
                             "of the tree")
    initial = pd.DataFrame([x.min(), x.max()]).reset_index(drop=True)
    lims = boxes[chosen].reset_index(drop=True)
    # CART's boxes leave an unrestricted input at the data's own minimum and maximum
    limits = _limits(lims, initial, None)
    return trajectory, chosen, limits


def discover(experiment: Experiment | str | Path, condition: str, method: str = "prim",
             inputs: Sequence[str] | None = None, min_coverage: float | None = None,
             box: int | None = None, mass_min: float = MASS_MIN,
             peel_alpha: float = PEEL_ALPHA, paste_alpha: float = PASTE_ALPHA,
             simplify: bool = True) -> Discovery:
    """Find the boxes of inputs where ``condition`` holds (see the module docstring).

    ``experiment`` is an Experiment or its folder; ``inputs`` restricts the search to some
    inputs; ``box`` picks a box of the trajectory (or a CART leaf) by number; ``simplify``
    drops a PRIM box's restrictions that are not significant.
    """
    if method not in METHODS:
        raise DiscoveryError(f"unknown method '{method}' (choose from {', '.join(METHODS)})")
    if min_coverage is not None and not 0 < min_coverage <= 1:
        raise DiscoveryError(f"--min-coverage must lie in (0, 1], got {min_coverage:g}")
    if not 0 < mass_min < 1:
        raise DiscoveryError(f"--mass-min must lie in (0, 1), got {mass_min:g}")
    found = open_experiment(experiment) if not isinstance(experiment, Experiment) else experiment
    x, y = cases(found, condition, inputs)
    of_interest = int(y.sum())
    if of_interest in (0, len(y)):
        share = "no" if of_interest == 0 else "every"
        raise DiscoveryError(f"{share} case meets {condition!r} ({of_interest:,} of {len(y):,}): "
                             "there is no box to find")
    extra: dict[str, Any] = {}
    if method == "prim":
        trajectory, chosen, limits, extra = _prim(x, y, min_coverage, box, mass_min, peel_alpha,
                                                  paste_alpha, simplify)
    else:
        trajectory, chosen, limits = _cart(x, y, min_coverage, box, mass_min)
    settings = {"min_coverage": min_coverage, "mass_min": mass_min, "peel_alpha": peel_alpha,
                "paste_alpha": paste_alpha, "box": box, "inputs": list(x.columns), **extra}
    limits = _in_declared_ranges(limits, found)
    return Discovery(method, condition, len(y), of_interest, trajectory, chosen, limits,
                     found.label(), settings)
