"""Comparing scenarios and variants: outcome classes and key metrics, with differences.

    from sim.analysis.compare import compare, comparison_entries
    entries = comparison_entries(["june-2025"], "base,no-iran-restraint,no-baghdad-restraint")
    result = compare(entries, runs=10_000, seed=3)
    print(result.render())
    result.table()            # tidy DataFrame
    result.write("figures/")  # comparison.csv, comparison.json, comparison.png

For every entry (a scenario and a variant): the probability of each outcome class with a 95%
Wilson score interval, and the mean of each key metric with a 95% normal interval. Every entry
after the first is also given as a difference from the first, with a 95% interval: Newcombe's
hybrid score interval for a difference of class probabilities, Welch's standard error for a
difference of means.

The intervals express Monte Carlo uncertainty (how well a finite number of replicates pins the
model's probability down), not uncertainty about the world. Entries run with the same seed are
treated as independent samples; where they share random numbers the difference intervals are,
if anything, conservative.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis.episodes import simulated_outcomes, variant_label, variant_of
from sim.analysis.files import json_report, output_folder, save_figure, write_text
from sim.scenario.loader import load_scenario
from sim.analysis.stats import (LEVEL, class_probabilities, mean_interval, newcombe_difference,
                                welch_difference)
from sim.errors import UserError
from sim.model.outcomes import OUTCOME_CLASSES
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.batch.executors import Executor

# The metrics a comparison reports, with the words the table uses for them.
KEY_METRICS: dict[str, str] = {
    "militia_attacks_on_us": "militia attacks on US targets",
    "window_militia_attacks_on_us": "militia attacks on US targets (assessment window)",
    "killed": "people killed (all kinetic actions)",
    # the toll of militia attacks alone: in a war episode, scripted strikes swamp "killed"
    "killed_by_militias": "people killed by militia attacks on US or Israeli targets",
    "retaliatory_strikes": "retaliatory strikes on militias",
    "threats_honoured": "threats honoured",
    "threats_lapsed": "threats lapsed",
    "days_to_first_militia_attack": "days to the first militia attack (replicates with one)",
}
CLASS, METRIC = "class", "metric"
METHODS = {
    "class probability": "Wilson score interval",
    "difference of class probabilities": "Newcombe hybrid score interval (method 10)",
    "mean": "normal interval on the standard error",
    "difference of means": "normal interval on Welch's standard error",
}
TABLE_COLUMNS = ("entry", "scenario", "variant", "quantity", "name", "replicates", "count",
                 "estimate", "low", "high", "difference", "difference_low", "difference_high")

Entry = tuple[str | Path | Scenario, str | None]


class ComparisonError(UserError):
    """A comparison that cannot be made as asked."""


# --- what to compare --------------------------------------------------------------------------

def split_variants(variants: str | Sequence[str] | None) -> list[str | None]:
    """``"base,a,b"`` (or a list of names) as variants for the loader; none given: the base."""
    if variants is None:
        return [None]
    names = variants.split(",") if isinstance(variants, str) else list(variants)
    names = [n.strip() for n in names if n.strip()]
    return [variant_of(n) for n in names] or [None]


def comparison_entries(scenarios: Sequence[str], variants: str | Sequence[str] | None = None
                       ) -> list[tuple[str, str | None]]:
    """Entries for ``compare`` from the command line's scenario ids and ``--variants`` option.

    Each scenario with each variant, scenario by scenario (``base`` means no variant); without
    ``--variants``, one scenario's base and every variant it defines, or several scenarios'
    bases. The first entry is the one the others are compared to.
    """
    if not scenarios:
        raise ComparisonError("name at least one scenario to compare")
    if variants is None and len(scenarios) == 1:
        return _base_and_every_variant(scenarios[0])
    entries = [(s, v) for s in scenarios for v in split_variants(variants)]
    seen: set[tuple[str, str | None]] = set()
    for entry in entries:
        if entry in seen:
            raise ComparisonError(f"{entry[0]} ({variant_label(entry[1])}) is named twice")
        seen.add(entry)
    if len(entries) < 2:
        raise ComparisonError("a comparison needs at least two entries: several scenarios, or "
                              "--variants with two or more names (e.g. base,no-restraint)")
    return entries


def _base_and_every_variant(scenario: str) -> list[tuple[str, str | None]]:
    names = list(load_scenario(scenario).variants)
    if not names:
        raise ComparisonError(f"{scenario} defines no variants: name several scenarios, or "
                              "compare it under --set overrides in separate runs")
    return [(scenario, None)] + [(scenario, name) for name in names]


# --- the result -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ComparedEntry:
    """One scenario/variant of a comparison."""

    scenario: str
    variant: str | None
    title: str = ""
    historical_class: str | None = None  # the class of the episode's record, if it has one

    @property
    def label(self) -> str:
        return f"{self.scenario} ({variant_label(self.variant)})"


@dataclass
class Comparison:
    """Class probabilities and key metrics of several entries, and differences from the first.

    ``rows`` is the tidy table: one row per entry and quantity (an outcome class or a metric).
    """

    entries: list[ComparedEntry]
    runs: int
    seed: int | None
    rows: pd.DataFrame
    level: float = LEVEL
    methods: dict[str, str] = field(default_factory=lambda: dict(METHODS))

    @classmethod
    def from_outcomes(cls, entries: Sequence[ComparedEntry], outcomes: Sequence[pd.DataFrame],
                      seed: int | None = None, level: float = LEVEL) -> Comparison:
        """Compare outcome tables already in hand (one per entry, the first the reference)."""
        if len(entries) != len(outcomes) or not entries:
            raise ValueError("one outcomes table per entry, at least one")
        reference = outcomes[0]
        frames = [_entry_rows(i, e, o, reference, level)
                  for i, (e, o) in enumerate(zip(entries, outcomes, strict=True))]
        runs = int(max(len(o) for o in outcomes))
        rows = pd.concat(frames, ignore_index=True)[list(TABLE_COLUMNS)]
        return cls(list(entries), runs, seed, rows, level)

    @property
    def reference(self) -> ComparedEntry:
        return self.entries[0]

    def table(self) -> pd.DataFrame:
        """The tidy table (a copy): ``quantity`` is ``class`` or ``metric``; ``difference*``
        is the entry minus the first entry (empty on the first entry's rows)."""
        return self.rows.copy()

    def classes(self) -> pd.DataFrame:
        """Class probabilities only."""
        return self.rows[self.rows["quantity"] == CLASS].reset_index(drop=True)

    def metrics(self) -> pd.DataFrame:
        """Key metric means only."""
        return self.rows[self.rows["quantity"] == METRIC].reset_index(drop=True)

    def value(self, entry: int, name: str, column: str = "estimate") -> float:
        """One number of the table: ``value(1, "restraint", "difference")``."""
        hit = self.rows[(self.rows["entry"] == entry) & (self.rows["name"] == name)]
        if hit.empty:
            raise KeyError(f"no row for entry {entry} and '{name}'")
        return float(hit.iloc[0][column])

    # --- outputs ------------------------------------------------------------------------

    def caption(self) -> str:
        """Replicates, seed and interval level: what every output carries."""
        seed = "" if self.seed is None else f", seed {self.seed}"
        return f"{self.runs:,} replicates per entry{seed}; {self.level:.0%} intervals"

    def render(self) -> str:
        """The comparison as plain text for a terminal."""
        return render_comparison(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs, "seed": self.seed, "level": self.level,
            "reference": self.reference.label, "methods": self.methods,
            "entries": [{"scenario": e.scenario, "variant": variant_label(e.variant),
                         "title": e.title, "historical_class": e.historical_class}
                        for e in self.entries],
            "metrics": {name: KEY_METRICS[name] for name in KEY_METRICS
                        if name in set(self.rows["name"])},
            "rows": self.rows.to_dict(orient="records"),
        }

    def to_json(self, path: str | Path | None = None) -> str:
        """The comparison as JSON; written to ``path`` when given."""
        return json_report(self.to_dict(), path)

    def to_csv(self, folder: str | Path) -> Path:
        """Write the tidy table to ``folder/comparison.csv``; returns the file."""
        path = output_folder(folder) / "comparison.csv"
        return write_text(path, self.rows.to_csv(index=False))

    def figure(self) -> Figure:
        """Grouped bars of the class probabilities with their intervals (sim.plots.analysis)."""
        from sim.plots.analysis import comparison_figure

        return comparison_figure(self)

    def write(self, folder: str | Path, fmt: str = "png") -> list[Path]:
        """Write the table (CSV), the JSON and the figure into ``folder``; returns the files."""
        out = output_folder(folder)
        return [self.to_csv(out), write_text(out / "comparison.json", self.to_json()),
                save_figure(self.figure(), out / f"comparison.{fmt.lower().lstrip('.')}")]


def _entry_rows(position: int, entry: ComparedEntry, outcomes: pd.DataFrame,
                reference: pd.DataFrame, level: float) -> pd.DataFrame:
    classes = class_rows(outcomes, reference, level)
    metrics = metric_rows(outcomes, reference, level)
    rows = pd.concat([classes, metrics], ignore_index=True)
    if position == 0:  # the reference: no difference from itself
        rows[["difference", "difference_low", "difference_high"]] = np.nan
    rows.insert(0, "entry", position)
    rows.insert(1, "scenario", entry.scenario)
    rows.insert(2, "variant", variant_label(entry.variant))
    return rows


def class_rows(outcomes: pd.DataFrame, reference: pd.DataFrame,
               level: float = LEVEL) -> pd.DataFrame:
    """Per outcome class: count, probability with its Wilson interval, and the Newcombe
    difference from the reference table's probability."""
    table = class_probabilities(outcomes["outcome_class"].astype(str), level)
    ref = class_probabilities(reference["outcome_class"].astype(str), level)
    n, n_ref = len(outcomes), len(reference)
    differences = [newcombe_difference(int(k_ref), n_ref, int(k), n, level)
                   for k, k_ref in zip(table["count"], ref["count"], strict=True)]
    return pd.DataFrame({
        "quantity": CLASS, "name": table["outcome_class"], "replicates": n,
        "count": table["count"].astype(float), "estimate": table["probability"],
        "low": table["low"], "high": table["high"],
        "difference": [d[0] for d in differences], "difference_low": [d[1] for d in differences],
        "difference_high": [d[2] for d in differences]})


def metric_rows(outcomes: pd.DataFrame, reference: pd.DataFrame,
                level: float = LEVEL) -> pd.DataFrame:
    """Per key metric: mean with its interval and the Welch difference from the reference.
    ``replicates`` counts the values that enter the mean (days to the first attack exist only
    where there was one)."""
    rows = []
    for name in KEY_METRICS:
        if name not in outcomes or name not in reference:
            continue
        values = outcomes[name].to_numpy(dtype=float)
        mean, low, high = mean_interval(values, level)
        diff = welch_difference(reference[name].to_numpy(dtype=float), values, level)
        rows.append({"quantity": METRIC, "name": name,
                     "replicates": int(np.isfinite(values).sum()), "count": np.nan,
                     "estimate": mean, "low": low, "high": high, "difference": diff[0],
                     "difference_low": diff[1], "difference_high": diff[2]})
    return pd.DataFrame(rows)


# --- running it -------------------------------------------------------------------------------

def compare(entries: Sequence[Entry], runs: int, seed: int, workers: int | None = None,
            progress: bool | None = None,
            overrides: Mapping[str, float] | None = None,
            executor: Executor | None = None) -> Comparison:
    """Run every entry (``runs`` replicates, the same ``seed``) and compare them to the first.

    Args:
        entries: (scenario, variant) pairs; a scenario is a shipped id, a file or a loaded
            ``Scenario``; variant None (or ``"base"``) is the base scenario.
        runs: replicates per entry (at least 2).
        seed: the random seed, the same for every entry.
        workers: worker processes per batch (default: one per core).
        progress: a progress bar per entry on stderr (default: when stderr is a terminal).
        overrides: parameter values for every entry (as ``--set`` takes them).
        executor: run on this executor (a Dask cluster) instead of local workers.

    Every scenario and variant is loaded before anything runs, so a misspelt variant fails at
    once. Nothing is written; use ``Comparison.write`` for files.
    """
    if len(entries) < 1:
        raise ComparisonError("nothing to compare")
    if runs < 2:
        raise ComparisonError("a comparison needs at least 2 replicates per entry")
    loaded = [load_scenario(s, variant_of(v)) for s, v in entries]
    compared = [ComparedEntry(s.id, s.variant, s.title,
                              s.history.outcome_class if s.history else None) for s in loaded]
    outcomes = [simulated_outcomes(s, None, runs, seed, workers, progress, overrides, executor)
                for s in loaded]
    return Comparison.from_outcomes(compared, outcomes, seed)


# --- plain text -------------------------------------------------------------------------------

def _percent(value: float, decimals: int, signed: bool = False) -> str:
    """A share in percent (or a difference in points); a rounded zero shows unsigned."""
    if not np.isfinite(value):
        return "-"
    scaled = round(100 * value, decimals)
    if scaled == 0:
        return f"{0:.{decimals}f}"
    return f"{scaled:+.{decimals}f}" if signed else f"{scaled:.{decimals}f}"


def _percent_decimals(*values: float) -> int:
    """One decimal, two where every value is under one percent (point)."""
    largest = max((abs(v) for v in values if np.isfinite(v)), default=0.0)
    return 2 if largest < 0.01 else 1


def decimals_for(value: float) -> int:
    """Decimals that show a number to about three significant figures."""
    size = abs(value) if np.isfinite(value) else 0.0
    if size >= 100:
        return 0
    return 1 if size >= 10 else (2 if size >= 1 else 3)


def _fixed(value: float, decimals: int, signed: bool = False) -> str:
    if not np.isfinite(value):
        return "-"
    if round(value, decimals) == 0:
        return f"{0:.{decimals}f}"
    return f"{value:+.{decimals}f}" if signed else f"{value:.{decimals}f}"


def _class_cells(row: pd.Series) -> tuple[str, str, str, str]:
    p = _percent_decimals(row["estimate"], row["low"], row["high"])
    d = _percent_decimals(row["difference"], row["difference_low"], row["difference_high"])
    return (_percent(row["estimate"], p) + "%",
            f"[{_percent(row['low'], p)}%, {_percent(row['high'], p)}%]",
            _percent(row["difference"], d, True),
            f"[{_percent(row['difference_low'], d, True)}, "
            f"{_percent(row['difference_high'], d, True)}]")


def _metric_cells(row: pd.Series) -> tuple[str, str, str, str]:
    point, diff = decimals_for(row["estimate"]), decimals_for(row["difference"])
    return (_fixed(row["estimate"], point),
            f"[{_fixed(row['low'], point)}, {_fixed(row['high'], point)}]",
            _fixed(row["difference"], diff, True),
            f"[{_fixed(row['difference_low'], diff, True)}, "
            f"{_fixed(row['difference_high'], diff, True)}]")


def _block(rows: pd.DataFrame, labels: list[str], heading: str, diff_unit: str,
           cells: Callable[[pd.Series], tuple[str, str, str, str]],
           describe: Callable[[str], str]) -> list[str]:
    """One group of lines per quantity, one line per entry: estimate, interval, difference
    from the first entry and its interval."""
    width = max(len(label) for label in labels) + 2
    lines = [heading, f"{'':<{width + 2}}{'estimate':>9}  {'95% interval':<20}"
                      f"{'difference' + diff_unit:>16}  95% interval"]
    for name, group in rows.groupby("name", sort=False):
        lines.append(describe(str(name)))
        for _, row in group.iterrows():
            estimate, interval, difference, d_interval = cells(row)
            text = f"  {labels[int(row['entry'])]:<{width}}{estimate:>9}  {interval:<20}"
            if int(row["entry"]) == 0:
                text += f"{'(reference)':>16}"
            else:
                text += f"{difference:>16}  {d_interval}"
            lines.append(text.rstrip())
    return lines


def render_comparison(comparison: Comparison) -> str:
    """Class probabilities, then key metrics: each entry's estimate and interval, and its
    difference from the first entry with the interval of the difference."""
    labels = [e.label for e in comparison.entries]
    lines = [f"Comparison of {len(labels)} entries: {comparison.caption()}.",
             f"Differences are each entry minus the first, {comparison.reference.label}."]
    lines += [""] + _block(comparison.classes(), labels,
                           "Outcome class probabilities (Wilson; differences: Newcombe)",
                           " (pts)", _class_cells, lambda n: n.replace("_", " "))
    lines += [""] + _block(comparison.metrics(), labels,
                           "Key metrics, mean per replicate (normal; differences: Welch)",
                           "", _metric_cells, lambda n: KEY_METRICS.get(n, n))
    return "\n".join(lines)


__all__ = ["KEY_METRICS", "OUTCOME_CLASSES", "ComparedEntry", "Comparison", "ComparisonError",
           "compare", "comparison_entries", "split_variants"]
