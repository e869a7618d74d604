"""The figures of a batch, each a function of its results (``BatchResult``) that returns a
matplotlib ``Figure``. They read the result tables and the manifest only.

- ``outcome_class_figure``: probability of each outcome class, with 95% Wilson intervals;
- ``key_counts_figure``: distributions of militia attacks on US forces, people killed,
  retaliatory strikes and days to the first militia attack;
- ``escalation_fan_figure``: the daily escalation index (median, 50% and 90% bands) with the
  scenario's scripted injects marked;
- ``say_do_gap_figure``: threats made, triggered, honoured and lapsed.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis.stats import class_probabilities
from sim.plots.data import (count_distribution, count_summary, fate_of_triggered,
                            injects_by_date, say_do_summary)
from sim.plots.style import GREYS, HATCHES, INK, new_figure, percent, readable, styled

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.batch.result import BatchResult

INTERVAL_NOTE = "95% Wilson score interval"
# honoured, lapsed, still open: a dark solid, a white cross-hatched and a dotted light grey
FATE_STYLES = (("0.3", ""), ("white", "xxx"), ("0.8", "..."))


@styled
def outcome_class_figure(result: BatchResult) -> Figure:
    """Share of replicates in each outcome class, least to most severe, with 95% intervals."""
    table = class_probabilities(result.outcomes["outcome_class"].astype(str))
    figure, ax = new_figure(result, "Outcome classes", (7.0, 3.6))
    y = np.arange(len(table))[::-1]  # least severe on top
    for i, row in table.iterrows():
        ax.barh(y[i], row["probability"], height=0.6, color=GREYS[i % len(GREYS)],
                hatch=HATCHES[i % len(HATCHES)], edgecolor=INK, linewidth=0.8)
    # clipped at 0: at a share of exactly 0 or 1 a bound can miss it by a rounding error
    errors = np.clip(np.vstack([table["probability"] - table["low"],
                                table["high"] - table["probability"]]), 0.0, None)
    ax.errorbar(table["probability"], y, xerr=errors, fmt="none", ecolor=INK, capsize=4,
                linewidth=1)
    for i, row in table.iterrows():
        ax.text(row["high"] + 0.015, y[i],
                f"{percent(row['probability'])}  [{percent(row['low'])}, {percent(row['high'])}]",
                va="center", fontsize=8)
    ax.set_yticks(y, [readable(c) for c in table["outcome_class"]])
    ax.set_xlim(0, 1.32)  # room for the labels right of the bars
    ax.spines["bottom"].set_bounds(0, 1)
    ax.set_xticks(np.linspace(0, 1, 6), [f"{t:.0%}" for t in np.linspace(0, 1, 6)])
    ax.set_xlabel(f"Share of replicates (bar: estimate; whiskers and brackets: {INTERVAL_NOTE})")
    window = result.scenario.get("assessment_window")
    if window:
        ax.set_title(f"Class decided over the assessment window {window['start']} to "
                     f"{window['end']}", fontsize=8, loc="left")
    return figure


KEY_COUNTS: tuple[tuple[str, str, str], ...] = (
    ("militia_attacks_on_us", "Militia attacks on US forces", "attacks per replicate"),
    ("killed", "People killed (all kinetic actions)", "killed per replicate"),
    ("retaliatory_strikes", "Retaliatory strikes on militias", "strikes per replicate"),
    ("days_to_first_militia_attack", "Days to the first militia attack",
     "days from the scenario start"),
)


def _draw_count_panel(ax: Axes, values: pd.Series, title: str, xlabel: str) -> None:
    distribution = count_distribution(values)
    summary = count_summary(values)
    ax.set_title(title, loc="left")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("share of replicates")
    if distribution.empty:
        ax.text(0.5, 0.5, "none in any replicate", transform=ax.transAxes, ha="center",
                va="center")
        ax.set_yticks([])
        return
    width = (distribution["high"] - distribution["low"] + 1).to_numpy()
    centres = ((distribution["low"] + distribution["high"]) / 2).to_numpy()
    ax.bar(centres, distribution["share"], width=width * 0.85, color=GREYS[1], hatch=HATCHES[1],
           edgecolor=INK, linewidth=0.7)
    if len(distribution) <= 12:  # few bars: print each share, so that tiny ones are readable
        upright = len(distribution) > 5  # side by side, longer labels would run into each other
        for x, share in zip(centres, distribution["share"], strict=True):
            if share > 0:
                ax.text(x, share, f" {percent(share)}" if upright else percent(share),
                        ha="center", va="bottom", fontsize=7, rotation=90 if upright else 0)
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    top = float(distribution["share"].max())
    ax.set_ylim(0, top * 1.45 if top > 0 else 1)  # headroom for the note in the corner
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    ticks = [t for t in ax.get_yticks() if 0 <= t <= 1 + 1e-9]  # no share above 100%
    ax.set_yticks(ticks)
    ax.spines["left"].set_bounds(0, ticks[-1])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    note = (f"mean {summary['mean']:.2f} · median {summary['median']:g} · "
            f"95th pct {summary['p95']:g}")
    if summary["missing"] > 0:
        note += f"\nno attack in {percent(summary['missing'])} of replicates"
    ax.text(0.98, 0.97, note, transform=ax.transAxes, ha="right", va="top", fontsize=7.5,
            bbox={"facecolor": "white", "edgecolor": "0.6", "linewidth": 0.5})


@styled
def key_counts_figure(result: BatchResult) -> Figure:
    """Distributions of militia attacks on US forces, killed, retaliatory strikes and days to
    the first militia attack (the whole scenario period)."""
    figure, axes = new_figure(result, "Key counts over the whole scenario", (8.0, 6.0),
                              nrows=2, ncols=2)
    outcomes = result.outcomes
    for ax, (column, title, xlabel) in zip(axes.flat, KEY_COUNTS, strict=True):
        _draw_count_panel(ax, outcomes[column], title, xlabel)
    return figure


def _inject_key(groups: list[tuple[Any, list[str]]], width: int = 58) -> list[str]:
    lines = []
    for number, (date, ids) in enumerate(groups, start=1):
        text = f"{number:>2}  {date:%d %b}: {', '.join(ids)}"
        lines.extend(textwrap.wrap(text, width, subsequent_indent=" " * 12))
    return lines


@styled
def escalation_fan_figure(result: BatchResult) -> Figure:
    """Median, 50% and 90% bands of the daily escalation index, with scripted injects marked."""
    daily = result.daily
    groups = injects_by_date(result.scenario)
    key = _inject_key(groups)
    key_rows = (len(key) + 1) // 2
    key_height = 0.25 + 0.13 * key_rows  # inches: a line of 7-point text and some air
    figure, (ax, key_ax) = new_figure(result, "Daily escalation index", (8.5, 4.6 + key_height),
                                      nrows=2, height_ratios=[4.0, key_height])
    dates = pd.to_datetime(daily["date"])
    window = result.scenario.get("assessment_window")
    if window:
        ax.axvspan(pd.Timestamp(window["start"]) - pd.Timedelta(hours=12),
                   pd.Timestamp(window["end"]) + pd.Timedelta(hours=12), facecolor="none",
                   edgecolor="0.75", hatch="////", linewidth=0, zorder=0,
                   label="assessment window")
    ax.fill_between(dates, daily["index_q05"], daily["index_q95"], color=GREYS[1], linewidth=0,
                    label="90% of replicates (5th-95th pct)", zorder=1)
    ax.fill_between(dates, daily["index_q25"], daily["index_q75"], color=GREYS[2], linewidth=0,
                    label="50% of replicates (25th-75th pct)", zorder=2)
    ax.plot(dates, daily["index_q50"], color=INK, marker="o", markersize=3, linewidth=1.4,
            label="median", zorder=4)
    ax.plot(dates, daily["index_mean"], color=INK, linestyle="--", linewidth=1, label="mean",
            zorder=4)
    for number, (date, _) in enumerate(groups, start=1):
        when = pd.Timestamp(date)
        ax.axvline(when, color="0.25", linestyle=":", linewidth=0.8, zorder=3)
        ax.annotate(str(number), xy=(when, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                    fontsize=7, bbox={"boxstyle": "circle,pad=0.2", "facecolor": "white",
                                      "edgecolor": "0.25", "linewidth": 0.6})
    ax.plot([], [], color="0.25", linestyle=":", linewidth=0.8, label="scripted inject (numbered)")
    ax.set_ylabel("escalation index\n(sum of -Goldstein/10 of hostile acts that day)")
    ax.set_ylim(bottom=0)
    ax.set_xlim(dates.min() - pd.Timedelta(days=1), dates.max() + pd.Timedelta(days=1))
    import matplotlib.dates as mdates

    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=5, maxticks=10))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%Y"))
    ax.legend(loc="upper right", ncols=2)
    key_ax.axis("off")
    key_ax.set_title("Scripted injects", loc="left", fontsize=8)
    for column, lines in enumerate((key[:key_rows], key[key_rows:])):
        key_ax.text(0.5 * column, 1.0, "\n".join(lines), transform=key_ax.transAxes,
                    va="top", ha="left", fontsize=7, family="monospace")
    return figure


@styled
def say_do_gap_figure(result: BatchResult) -> Figure:
    """Threats made, triggered, honoured and lapsed per replicate, and the fate of those
    triggered: the gap between what actors say and what they do."""
    outcomes = result.outcomes
    threats = result.scenario.get("threats", [])
    summary = say_do_summary(outcomes, len(threats))
    figure, (left, right) = new_figure(result, "Say-do gap: threats and what became of them",
                                       (8.5, 3.8), ncols=2, width_ratios=[1.3, 1.0])
    x = np.arange(len(summary))
    for i, row in summary.iterrows():
        left.bar(x[i], row["mean"], width=0.65, color=GREYS[i % len(GREYS)],
                 hatch=HATCHES[i % len(HATCHES)], edgecolor=INK, linewidth=0.8)
        left.text(x[i], row["high"], f"{row['mean']:.2f}", ha="center", va="bottom", fontsize=7.5)
    measured = summary.iloc[1:]
    left.errorbar(x[1:], measured["mean"], yerr=[measured["mean"] - measured["low"],
                                                 measured["high"] - measured["mean"]],
                  fmt="none", ecolor=INK, capsize=4, linewidth=1)
    left.set_xticks(x, ["made\n(scenario)", "triggered", "honoured", "lapsed"])
    left.set_ylabel("threats per replicate\n(mean and 95% interval)")
    left.set_ylim(0, max(float(summary["high"].max()), 0.1) * 1.2)
    left.set_title("Threats per replicate", loc="left")

    fate = fate_of_triggered(outcomes)
    triggered = int(outcomes["threats_triggered"].sum())
    start = 0.0
    for (name, share), (fill, hatch) in zip(fate.items(), FATE_STYLES, strict=True):
        right.barh(0, share, left=start, height=0.35, color=fill, hatch=hatch, edgecolor=INK,
                   linewidth=0.8, label=f"{name} ({percent(share)})")
        start += share
    right.set_xlim(0, 1)
    right.set_ylim(-0.5, 0.9)
    right.set_xticks(np.linspace(0, 1, 5), [f"{t:.0%}" for t in np.linspace(0, 1, 5)])
    right.set_yticks([])
    right.spines["left"].set_visible(False)
    right.set_xlabel(f"share of the {triggered:,} threats triggered in all replicates")
    right.set_title("Fate of triggered threats", loc="left")
    right.legend(loc="upper left", ncols=1)
    made = "; ".join(f"{t['id']} ({t['by']}, {t['made']})" for t in threats) or "none"
    figure.supxlabel(textwrap.fill(f"Threats made in the scenario: {made}", 160), fontsize=7,
                     x=0.01, ha="left")
    return figure


FIGURES: dict[str, Any] = {
    "outcome-classes": outcome_class_figure,
    "key-counts": key_counts_figure,
    "escalation-fan": escalation_fan_figure,
    "say-do-gap": say_do_gap_figure,
}
