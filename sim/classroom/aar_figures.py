"""The review's figures, in the house style (black and white: greys, hatching, markers).

- ``index_figure``: the class's daily escalation index over the fan charts of distributions
  (a) and (b), decision points and the teams' turns marked (the review's main figure);
- ``outcome_figure``: the outcome classes of (a) and (b) with 95% Wilson intervals, the class's
  game and history marked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.analysis.stats import wilson
from sim.classroom.aar import Distribution, Review, dates_of
from sim.model.outcomes import OUTCOME_CLASSES
from sim.plots.style import GREYS, HATCHES, INK, percent, readable, styled

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def review_label(review: Review) -> str:
    s = review.game.setup.scenario
    return (f"{s.id} (variant {s.variant or 'base'}) · {review.runs:,} simulated games per "
            f"distribution · seed {review.seed}\nteams: {', '.join(review.game.teams)}")


def _figure(review: Review, title: str, size: tuple[float, float], **subplots) -> tuple:
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, layout="constrained")
    axes = figure.subplots(**subplots)
    figure.suptitle(f"{title}\n{review_label(review)}", fontsize=10.5)
    return figure, axes


def _fan(ax: Axes, dates: pd.DatetimeIndex, stats: pd.DataFrame, label: str) -> None:
    ax.fill_between(dates, stats["index_q05"], stats["index_q95"], color=GREYS[1], linewidth=0,
                    label="90% of simulated games", zorder=1)
    ax.fill_between(dates, stats["index_q25"], stats["index_q75"], color=GREYS[2], linewidth=0,
                    label="50% of simulated games", zorder=2)
    ax.plot(dates, stats["index_q50"], color="0.35", linewidth=1, linestyle="--",
            label="median simulated game", zorder=3)
    ax.set_title(label, loc="left", fontsize=9)


@styled
def index_figure(review: Review) -> Figure:
    """The class's escalation index, day by day, over the (a) and (b) fans."""
    figure, axes = _figure(review, "Your game's escalation index against simulated games",
                           (8.5, 6.2), nrows=2, sharex=True)
    dates = pd.DatetimeIndex(dates_of(review))
    turns = pd.DatetimeIndex(sorted({d.date for d in review.decisions}))
    points = pd.DatetimeIndex([d for d in review.scenario.decision_points
                               if d <= review.scenario.end])
    top = 0.0
    for ax, dist in zip(axes, (review.replay, review.model), strict=True):
        stats = dist.index.iloc[:len(dates)]
        _fan(ax, dates, stats, dist.label)
        ax.plot(dates, review.your_index, color=INK, marker="o", markersize=3.5, linewidth=1.6,
                label="your game", zorder=5)
        for when in points:
            ax.axvline(when, color=INK, linestyle=":", linewidth=0.9, zorder=4)
        ax.plot(turns, np.zeros(len(turns)), linestyle="none", marker="^", markersize=5,
                color="white", markeredgecolor=INK, clip_on=False, zorder=6,
                label="a turn of the teams")
        ax.plot([], [], color=INK, linestyle=":", linewidth=0.9, label="decision point")
        ax.set_ylabel("escalation index\n(hostile acts that day)")
        top = max(top, float(stats["index_q95"].max()), float(np.max(review.your_index)))
    for ax in axes:
        ax.set_ylim(-0.05 * max(top, 1.0), max(top, 1.0) * 1.15)
    axes[0].legend(loc="upper right", ncols=3, fontsize=7)
    import matplotlib.dates as mdates

    axes[1].xaxis.set_major_locator(mdates.DayLocator(interval=max(1, len(dates) // 8)))
    axes[1].xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    return figure


@styled
def outcome_figure(review: Review) -> Figure:
    """Outcome classes of (a) and (b), with the class's game and history marked."""
    figure, ax = _figure(review, "Outcome class: your game, the simulated games and history",
                         (8.0, 4.0))
    y = np.arange(len(OUTCOME_CLASSES))[::-1].astype(float)
    height = 0.36
    for k, (dist, offset) in enumerate(((review.replay, height / 2),
                                        (review.model, -height / 2))):
        _class_bars(ax, dist, y + offset, height, k)
    yours = review.yours.get("outcome_class")
    history = review.history.outcome_class if review.history is not None else None
    for name, marker, label, dx in ((yours, "*", "your game", 1.2),
                                    (history, "D", "history", 1.28)):
        if name in OUTCOME_CLASSES:
            row = y[OUTCOME_CLASSES.index(name)]
            ax.plot([dx], [row], marker=marker, markersize=11 if marker == "*" else 7,
                    color=INK if marker == "*" else "white", markeredgecolor=INK,
                    linestyle="none", label=label, clip_on=False)
    ax.set_yticks(y, [readable(c) for c in OUTCOME_CLASSES])
    ax.set_xlim(0, 1.33)
    ax.spines["bottom"].set_bounds(0, 1)
    ticks = np.linspace(0, 1, 6)
    ax.set_xticks(ticks, [f"{t:.0%}" for t in ticks])
    ax.set_xlabel("share of simulated games (whiskers: 95% Wilson interval); markers on the "
                  "right: your game and history")
    ax.legend(loc="lower right", fontsize=7)
    return figure


def _class_bars(ax: Axes, dist: Distribution, y: np.ndarray, height: float, k: int) -> None:
    shares = dist.class_shares()
    n = len(dist.outcomes)
    p = np.array([shares[c] for c in OUTCOME_CLASSES])
    low, high = wilson(np.rint(p * n), n)
    ax.barh(y, p, height=height, color=GREYS[1 + 2 * k], hatch=HATCHES[1 + k], edgecolor=INK,
            linewidth=0.7, label=dist.label)
    ax.errorbar(p, y, xerr=np.clip(np.vstack([p - low, high - p]), 0, None), fmt="none",
                ecolor=INK, capsize=2.5, linewidth=0.8)
    for share, row, top in zip(p, y, high, strict=True):
        if share > 0:
            ax.text(top + 0.015, row, percent(share), va="center", fontsize=7)


FIGURES = {"escalation-index": index_figure, "outcome-classes": outcome_figure}
