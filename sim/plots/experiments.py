"""Figures of experiments: sensitivity indices with intervals, and scenario discovery.

Black and white: greys and hatching tell first-order from total indices; the peeling
trajectory marks boxes by how many inputs they restrict, with markers, not colours.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.plots.analysis import titled_figure
from sim.plots.style import GREYS, HATCHES, INK, readable, styled

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.experiments.discovery import Discovery
    from sim.experiments.sensitivity import SensitivityStudy

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def _label(name: str) -> str:
    """A parameter or metric name as words; a situation path or an expression as written."""
    return readable(name) if name.isidentifier() else name


def _marker(i: int) -> dict[str, str]:
    """The i-th marker style: shapes first, then the same shapes filled grey."""
    return {"marker": MARKERS[i % len(MARKERS)],
            "mfc": "white" if i < len(MARKERS) else GREYS[2], "mec": INK}


def _bars(ax: Axes, rows, offset: float, height: float, fill: str, hatch: str,
          label: str) -> None:
    y = np.arange(len(rows)) + offset
    value = rows["value"].to_numpy()
    ax.barh(y, value, height, color=fill, hatch=hatch, edgecolor=INK, linewidth=0.6,
            label=label)
    if rows["conf"].notna().any():
        conf = np.nan_to_num(rows["conf"].to_numpy())
        ax.errorbar(value, y, xerr=conf, fmt="none", ecolor=INK, elinewidth=0.8, capsize=2)


def _panel(ax: Axes, study: SensitivityStudy, name: str, top: int) -> None:
    table = study.table()
    rows = table[table["outcome"] == name]
    if study.method == "morris":
        star = rows[rows["index"] == "mu_star"].sort_values("value", ascending=False).head(top)
        sigma = rows[rows["index"] == "sigma"].set_index("parameter").loc[star["parameter"]]
        _bars(ax, star, 0.0, 0.6, GREYS[1], HATCHES[0], "mu* (95% interval)")
        ax.plot(sigma["value"].to_numpy(), np.arange(len(star)), "D", mfc="white", mec=INK,
                ms=4, label="sigma")
        labels = star["parameter"]
        ax.set_xlabel("elementary effect")
    else:
        total = rows[rows["index"] == "ST"].sort_values("value", ascending=False).head(top)
        first = rows[rows["index"] == "S1"].set_index("parameter").loc[total["parameter"]]
        _bars(ax, first.reset_index(), -0.2, 0.4, GREYS[1], HATCHES[0], "S1 first order")
        _bars(ax, total, 0.2, 0.4, GREYS[3], HATCHES[1], "ST total")
        labels = total["parameter"]
        ax.axvline(0, color=INK, linewidth=0.6)
        ax.set_xlabel("Sobol' index (95% interval)")
    ax.set_yticks(np.arange(len(labels)), [_label(p) for p in labels])
    ax.invert_yaxis()
    kind = next(o.kind for o in study.outcomes if o.name == name)
    ax.set_title(f"{_label(name)} ({kind})", fontsize=9)


@styled
def sensitivity_figure(study: SensitivityStudy, outcomes: list[str], top: int = 12) -> Figure:
    """One panel per outcome: its inputs' indices with their intervals, largest first."""
    shown = outcomes[:6]
    columns = min(2, len(shown))
    rows = math.ceil(len(shown) / columns)
    inputs = min(top, len(study.space))
    # room for the longest input name (situation paths run to 60 characters) beside the bars
    longest = max(len(_label(name)) for name in study.space.names)
    width = 3.4 + 0.07 * min(longest, 64)
    method = {"sobol": "Sobol'", "morris": "Morris", "fast": "FAST"}.get(study.method,
                                                                         study.method)
    figure, axes = titled_figure(f"Global sensitivity ({method})", study.title(),
                                 (max(width * columns, 6.0), 0.9 + rows * (0.9 + 0.32 * inputs)),
                                 nrows=rows, ncols=columns, squeeze=False)
    for ax, name in zip(axes.flat, shown, strict=False):
        _panel(ax, study, name, top)
    for ax in list(axes.flat)[len(shown):]:
        ax.set_visible(False)
    axes.flat[0].legend(loc="lower right")
    return figure


@styled
def discovery_figure(found: Discovery) -> Figure:
    """The peeling trajectory (coverage against density, chosen box circled) and the chosen
    box's limits on each restricted input, as a share of its range."""
    figure, (left, right) = titled_figure(
        f"Scenario discovery ({found.method.upper()}): {found.outcome}", found.label(), (10, 4.2),
        ncols=2)
    trajectory = found.trajectory
    for i, dims in enumerate(sorted(trajectory["res_dim"].unique())):
        rows = trajectory[trajectory["res_dim"] == dims]
        left.plot(rows["coverage"], rows["density"], linestyle="none", ms=4, **_marker(i),
                  label=f"{int(dims)} inputs restricted")
    chosen = trajectory.loc[found.chosen]
    left.plot([chosen["coverage"]], [chosen["density"]], "o", ms=12, mfc="none", mec=INK,
              mew=1.5, label="chosen box")
    left.axhline(found.base_rate, color=INK, linestyle=":", linewidth=0.8,
                 label=f"share overall ({found.base_rate:.1%})")
    left.set_xlabel("coverage (share of the cases of interest inside the box)")
    left.set_ylabel("density (share of the box that is of interest)")
    left.set_xlim(0, 1.02)
    left.set_ylim(0, 1.02)
    left.legend(loc="upper right", ncol=2, fontsize=7)
    limits = found.limits
    y = np.arange(len(limits))
    span = (limits["range_high"] - limits["range_low"]).to_numpy()
    low = ((limits["low"] - limits["range_low"]).to_numpy() / span)
    high = ((limits["high"] - limits["range_low"]).to_numpy() / span)
    right.barh(y, np.ones(len(limits)), 0.5, color=GREYS[0], edgecolor=INK, linewidth=0.4)
    right.barh(y, high - low, 0.5, left=low, color=GREYS[3], hatch=HATCHES[1], edgecolor=INK,
               linewidth=0.6)
    for i, row in enumerate(limits.itertuples()):
        right.text(1.02, i, f"{row.low:.3g} .. {row.high:.3g}", va="center", fontsize=7)
    right.set_yticks(y, [_label(name) for name in limits["input"]])
    right.invert_yaxis()
    right.set_xlim(0, 1.35)
    right.set_xticks([0, 0.5, 1], ["low end", "middle", "high end"])
    right.set_title(f"chosen box: coverage {chosen['coverage']:.0%}, density "
                    f"{chosen['density']:.0%}", fontsize=9)
    return figure
