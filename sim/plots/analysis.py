"""Figures of comparisons and backtests (sim.analysis.compare, sim.analysis.backtesting).

They follow the house style of sim.plots.style (greys, hatching and markers that read in black
and white; matplotlib imported only when a figure is drawn) and carry the replicates and the
seed under the title. They read the analysis objects' tables only.

- ``comparison_figure``: grouped bars of outcome-class probabilities, one group per class, one
  bar per scenario/variant, with 95% Wilson intervals, each entry's historical class marked
  (a variant is a counterfactual of its episode, so the episode's record is its reference),
  a not-a-forecast note and the classes' definitions;
- ``backtest_figure``: per episode, the class probabilities with the historical class marked,
  and where each historical metric's recorded range falls among the simulated values.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.analysis.backtest import MATCH_THRESHOLD
from sim.model.outcomes import OUTCOME_CLASSES
from sim.plots.notes import add_footnote
from sim.plots.style import GREYS, HATCHES, INK, percent, readable, styled

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.analysis.backtesting import Backtest
    from sim.analysis.compare import Comparison



def titled_figure(title: str, label: str, size: tuple[float, float],
                  **subplots: Any) -> tuple[Figure, Any]:
    """A figure titled with what it shows and, under it, replicates and seed."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, layout="constrained")
    axes = figure.subplots(**subplots)
    figure.suptitle(f"{title}\n{label}", fontsize=11)
    return figure, axes


def _share_axis(ax: Axes, axis: str = "y") -> None:
    ticks = np.linspace(0, 1, 6)
    labels = [f"{t:.0%}" for t in ticks]
    if axis == "y":
        ax.set_ylim(0, 1.08)
        ax.set_yticks(ticks, labels)
    else:
        ax.set_xlim(0, 1)
        ax.set_xticks(ticks, labels)


def _whiskers(estimate: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Error-bar lengths, never negative (a bound can miss 0 or 1 by a rounding error)."""
    return np.clip(np.vstack([estimate - low, high - estimate]), 0.0, None)


@styled
def comparison_figure(comparison: Comparison) -> Figure:
    """Outcome-class probabilities of every entry, grouped by class, with 95% intervals."""
    classes = comparison.classes()
    entries = comparison.entries
    width = min(0.8 / len(entries), 0.28)
    figure, ax = titled_figure("Outcome classes compared",
                               f"{comparison.runs:,} replicates per entry · seed "
                               f"{comparison.seed}",
                               (min(16.0, max(9.5, 4.0 + 0.3 * len(entries)
                                              * len(OUTCOME_CLASSES))), 5.6))
    x = np.arange(len(OUTCOME_CLASSES))
    marked = False  # the historical-record marker is listed in the legend once
    for i, entry in enumerate(entries):
        rows = classes[classes["entry"] == i].set_index("name").reindex(OUTCOME_CLASSES)
        offset = (i - (len(entries) - 1) / 2) * width
        estimate = rows["estimate"].to_numpy(dtype=float)
        ax.bar(x + offset, estimate, width=width * 0.92, color=GREYS[i % len(GREYS)],
               hatch=HATCHES[i % len(HATCHES)], edgecolor=INK, linewidth=0.7, label=entry.label)
        ax.errorbar(x + offset, estimate,
                    yerr=_whiskers(estimate, rows["low"].to_numpy(dtype=float),
                                   rows["high"].to_numpy(dtype=float)),
                    fmt="none", ecolor=INK, capsize=2.5, linewidth=0.9)
        if entry.historical_class in OUTCOME_CLASSES:
            at = OUTCOME_CLASSES.index(entry.historical_class)
            top = max(float(rows["high"].iloc[at]), estimate[at])
            ax.plot(x[at] + offset, min(top + 0.04, 1.04), marker="v", markersize=6,
                    color=INK, linestyle="none",
                    label="historical record (the episode's class)" if not marked else None)
            marked = True
    ax.set_xticks(x, [readable(c) for c in OUTCOME_CLASSES])
    _share_axis(ax)
    ax.set_ylabel("share of replicates")
    ax.set_xlabel("outcome class (bars: estimate; whiskers: 95% Wilson interval)")
    figure.legend(loc="outside right upper")
    add_footnote(figure, 140)
    return figure


def _draw_classes(ax: Axes, table: Any, historical: str) -> None:
    y = np.arange(len(table))[::-1]  # least severe on top
    estimate = table["probability"].to_numpy(dtype=float)
    high = table["high"].to_numpy(dtype=float)
    for i, name in enumerate(table["outcome_class"]):
        marked = name == historical
        ax.barh(y[i], estimate[i], height=0.62, color=GREYS[3] if marked else GREYS[0],
                hatch="" if marked else HATCHES[1], edgecolor=INK,
                linewidth=1.6 if marked else 0.6)
        ax.text(min(max(estimate[i], high[i]), 1.0) + 0.02, y[i],
                percent(estimate[i]) + ("  < historical" if marked else ""), va="center",
                fontsize=7.5, fontweight="bold" if marked else "normal")
    ax.errorbar(estimate, y, xerr=_whiskers(estimate, table["low"].to_numpy(dtype=float),
                                            table["high"].to_numpy(dtype=float)),
                fmt="none", ecolor=INK, capsize=2.5, linewidth=0.8)
    ax.set_yticks(y, [readable(c) for c in table["outcome_class"]])
    ax.set_xlim(0, 1.45)
    ax.spines["bottom"].set_bounds(0, 1)
    ticks = np.linspace(0, 1, 5)
    ax.set_xticks(ticks, [f"{t:.0%}" for t in ticks])


def _draw_metrics(ax: Axes, metrics: Any) -> None:
    """Each recorded metric as the share of runs that match it, beside the pass line."""
    y = np.arange(len(metrics))[::-1]
    ax.axvline(MATCH_THRESHOLD, color=INK, linestyle="--", linewidth=0.8,
               label=f"pass: {MATCH_THRESHOLD:.0%} of runs")
    for yi, (_, m) in zip(y, metrics.iterrows(), strict=True):
        share = float(m["inside"])
        ax.barh(yi, share, color=GREYS[1] if m["passes"] else "white", edgecolor=INK,
                hatch="" if m["passes"] else "////", linewidth=0.6)
        ax.text(min(share, 1.0) + 0.01, yi, percent(share) + ("" if m["passes"] else "  fails"),
                va="center", fontsize=7.5)
    ax.set_yticks(y, [textwrap.shorten(readable(str(n)), 40, placeholder="…")
                      for n in metrics["metric"]])
    ax.set_xlim(0, 1.3)
    ax.spines["bottom"].set_bounds(0, 1)
    ticks = np.linspace(0, 1, 5)
    ax.set_xticks(ticks, [f"{t:.0%}" for t in ticks])
    ax.set_xlabel("share of runs matching the record")


@styled
def backtest_figure(bt: Backtest) -> Figure:
    """Per episode (a row): class probabilities with the historical class marked (left), and
    the percentiles the historical metrics' recorded ranges cover (right)."""
    rows = len(bt.episodes)
    heights = [max(1.6, 0.32 * max(len(r.metrics), len(OUTCOME_CLASSES))) for r in bt.results]
    figure, axes = titled_figure("Backtest: the historical record in the simulated distribution",
                                 f"{bt.runs:,} replicates per episode · seed {bt.seed}",
                                 (10.0, 1.2 + sum(heights)), nrows=rows, ncols=2,
                                 height_ratios=heights, width_ratios=[1.0, 1.25], squeeze=False)
    for (left, right), episode, result in zip(axes, bt.episodes, bt.results, strict=True):
        _draw_classes(left, bt.class_tables[episode.id], result.historical_class)
        left.set_title(f"{episode.id}: P(historical class) = "
                       f"{percent(result.class_probability)}, rank {result.class_rank}",
                       loc="left", fontsize=9)
        if result.metrics:
            metrics = bt.metric_table()
            _draw_metrics(right, metrics[metrics["episode"] == episode.id])
            passed = sum(m.passes for m in result.metrics)
            right.set_title(f"recorded metrics: {passed} of {len(result.metrics)} matched by "
                            f"at least {MATCH_THRESHOLD:.0%} of runs", loc="left", fontsize=9)
        else:
            right.axis("off")
    axes[0][1].legend(loc="lower right", bbox_to_anchor=(1.0, 1.12), ncols=1, fontsize=7)
    axes[-1][0].set_xlabel("share of replicates (whiskers: 95% Wilson interval)")
    figure.supxlabel("Right: the share of runs whose value lies in each recorded range (over its "
                     "recorded dates); hatched bars fail.", fontsize=7.5, x=0.01, ha="left")
    return figure
