"""The figures of a batch, each a function of its results (``BatchResult``) that returns a
matplotlib ``Figure``. They read the result tables and the manifest only.

- ``outcome_class_figure``: probability of each outcome class, with 95% Wilson intervals, the
  historical record's class marked, a not-a-forecast note and the classes' definitions;
- ``key_counts_figure``: distributions of militia attacks on US forces, people killed by
  militias, retaliatory strikes and days to the first militia attack on US or Israeli targets;
- ``escalation_fan_figure``: the daily escalation index (mean, median, the middle half where it
  shows and the 95th percentile) over the share of replicates with any hostile act that day,
  with the scenario's scripted injects numbered and listed in words;
- ``say_do_gap_figure``: for each threat, the share of replicates in which it was never set
  off, honoured, left to lapse or still open at the end.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis.stats import class_probabilities
from sim.batch.daily import HOSTILE_SHARE
from sim.plots.data import (FATE_SHARES, count_distribution, count_summary, injects_by_date,
                            threat_fate_shares)
from sim.plots.notes import add_footnote
from sim.plots.style import GREYS, HATCHES, INK, new_figure, percent, readable, styled

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.batch.result import BatchResult

INTERVAL_NOTE = "95% Wilson score interval"
HISTORICAL = "historical record"


@styled
def outcome_class_figure(result: BatchResult) -> Figure:
    """Share of replicates in each outcome class, least to most severe, with 95% intervals."""
    table = class_probabilities(result.outcomes["outcome_class"].astype(str))
    historical = historical_class(result.scenario)
    figure, ax = new_figure(result, "Outcome classes", (7.6, 4.6))
    y = np.arange(len(table))[::-1]  # least severe on top
    for i, row in table.iterrows():
        marked = row["outcome_class"] == historical
        ax.barh(y[i], row["probability"], height=0.6, color=GREYS[i % len(GREYS)],
                hatch=HATCHES[i % len(HATCHES)], edgecolor=INK, linewidth=2.0 if marked else 0.8)
    # clipped at 0: at a share of exactly 0 or 1 a bound can miss it by a rounding error
    errors = np.clip(np.vstack([table["probability"] - table["low"],
                                table["high"] - table["probability"]]), 0.0, None)
    ax.errorbar(table["probability"], y, xerr=errors, fmt="none", ecolor=INK, capsize=4,
                linewidth=1)
    for i, row in table.iterrows():
        marked = row["outcome_class"] == historical
        ax.text(row["high"] + 0.015, y[i],
                f"{percent(row['probability'])}  [{percent(row['low'])}, {percent(row['high'])}]"
                + (f"   \u25c0 {HISTORICAL}" if marked else ""), va="center", fontsize=8,
                fontweight="bold" if marked else "normal")
    ax.set_yticks(y, [readable(c) for c in table["outcome_class"]])
    ax.set_xlim(0, 1.55)  # room for the labels right of the bars
    ax.spines["bottom"].set_bounds(0, 1)
    ax.set_xticks(np.linspace(0, 1, 6), [f"{t:.0%}" for t in np.linspace(0, 1, 6)])
    ax.set_xlabel(f"Share of replicates (bar: estimate; whiskers and brackets: {INTERVAL_NOTE})")
    window = result.scenario.get("assessment_window")
    if window:
        ax.set_title(f"Class decided over the assessment window {window['start']} to "
                     f"{window['end']}", fontsize=8, loc="left")
    add_footnote(figure, 130)
    return figure


def historical_class(scenario: dict[str, Any]) -> str | None:
    """The outcome class of the historical record, if the scenario has one."""
    history = scenario.get("history") or {}
    return history.get("outcome_class")


KEY_COUNTS: tuple[tuple[str, str, str], ...] = (
    ("militia_attacks_on_us", "Militia attacks on US forces", "attacks per replicate"),
    # not all killed: in a war episode the scripted state strikes would swamp the militias' toll
    ("killed_by_militias", "People killed by militia attacks", "killed per replicate"),
    ("retaliatory_strikes", "Retaliatory strikes on militias", "strikes per replicate"),
    ("days_to_first_militia_attack", "Days to the first militia attack on US or Israeli "
                                     "targets", "days from the scenario start"),
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
        note += f"\nno such attack in {percent(summary['missing'])} of replicates"
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
        _draw_count_panel(ax, outcomes[column], textwrap.fill(title, 42), xlabel)
    return figure


def _inject_key(groups: list[tuple[Any, list[str]]], width: int = 60) -> list[str]:
    lines = []
    for number, (date, labels) in enumerate(groups, start=1):
        text = f"{number:>2}  {date:%d %b}: {'; '.join(labels)}"
        lines.extend(textwrap.wrap(text, width, subsequent_indent=" " * 12))
    return lines


def _marker_rows(dates: list[Any], span_days: int) -> list[int]:
    """A row (0 or 1) for each inject marker: a marker too close to the one before it goes on
    the other row, so that numbers never sit on each other."""
    close = max(1.0, span_days / 45)  # a marker's width, in days, at the figure's width
    rows: list[int] = []
    for i, date in enumerate(dates):
        crowded = i > 0 and (date - dates[i - 1]).days < close and rows[-1] == 0
        rows.append(1 if crowded else 0)
    return rows


def _spread(ax: Axes, dates: pd.Series, daily: pd.DataFrame) -> None:
    """How far the index spreads across replicates. It is a sum of a few discrete acts, so on
    most days most replicates share one value and a filled 90% band would only paint the gap
    between two values: the middle half is drawn where it shows at all, the 95th percentile as
    a step line (one replicate in twenty reaches it)."""
    if bool((daily["index_q75"] > daily["index_q25"]).any()):
        ax.fill_between(dates, daily["index_q25"], daily["index_q75"], color=GREYS[1],
                        linewidth=0, step="mid", zorder=1, label="middle half of replicates")
    ax.step(dates, daily["index_q95"], where="mid", color="0.35", linestyle="--", linewidth=0.9,
            zorder=2, label="95th percentile (1 replicate in 20 reaches it)")


def _inject_markers(ax: Axes, groups: list[tuple[Any, list[str]]], span_days: int) -> None:
    rows = _marker_rows([d for d, _ in groups], span_days)
    for number, ((date, _), row) in enumerate(zip(groups, rows, strict=True), start=1):
        when = pd.Timestamp(date)
        ax.axvline(when, color="0.25", linestyle=":", linewidth=0.8, zorder=3)
        ax.annotate(str(number), xy=(when, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(0, 2 + 13 * row), textcoords="offset points", ha="center",
                    va="bottom", fontsize=7, bbox={"boxstyle": "circle,pad=0.2",
                                                   "facecolor": "white", "edgecolor": "0.25",
                                                   "linewidth": 0.6})


@styled
def escalation_fan_figure(result: BatchResult) -> Figure:
    """The daily escalation index (mean, median, middle half and 95th percentile) over the share
    of replicates with any hostile act that day, with the scripted injects numbered."""
    daily = result.daily
    groups = injects_by_date(result.scenario)
    key = _inject_key(groups)
    key_rows = (len(key) + 1) // 2
    key_height = 0.25 + 0.13 * key_rows  # inches: a line of 7-point text and some air
    figure, (ax, share_ax, key_ax) = new_figure(
        result, "Daily escalation index", (8.5, 5.8 + key_height), nrows=3, sharex=False,
        height_ratios=[3.2, 1.2, key_height])
    dates = pd.to_datetime(daily["date"])
    window = result.scenario.get("assessment_window")
    for axis in (ax, share_ax):
        if window:
            axis.axvspan(pd.Timestamp(window["start"]) - pd.Timedelta(hours=12),
                         pd.Timestamp(window["end"]) + pd.Timedelta(hours=12), facecolor="none",
                         edgecolor="0.75", hatch="////", linewidth=0, zorder=0,
                         label="assessment window" if axis is ax else None)
    _spread(ax, dates, daily)
    ax.plot(dates, daily["index_mean"], color=INK, linewidth=1.6, label="mean", zorder=4)
    ax.plot(dates, daily["index_q50"], color=INK, linestyle="none", marker="o", markersize=2.5,
            label="median", zorder=4)
    span_days = int((dates.max() - dates.min()).days) + 1
    _inject_markers(ax, groups, span_days)
    ax.plot([], [], color="0.25", linestyle=":", linewidth=0.8, label="scripted inject (numbered)")
    ax.set_ylabel("escalation index\n(hostile acts that day,\nweighted by severity)")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper right", ncols=2)
    share_ax.bar(dates, daily[HOSTILE_SHARE], width=0.8, color=GREYS[2], edgecolor="none")
    share_ax.set_ylim(0, 1)
    share_ax.set_yticks([0, 0.5, 1], ["0%", "50%", "100%"])
    share_ax.set_ylabel("replicates with\na hostile act")
    import matplotlib.dates as mdates

    for axis in (ax, share_ax):
        axis.set_xlim(dates.min() - pd.Timedelta(days=1), dates.max() + pd.Timedelta(days=1))
        axis.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=5, maxticks=10))
        axis.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%Y"))
    ax.tick_params(labelbottom=False)
    key_ax.axis("off")
    key_ax.set_title("Scripted injects (the same in every replicate)", loc="left", fontsize=8)
    for column, lines in enumerate((key[:key_rows], key[key_rows:])):
        key_ax.text(0.5 * column, 1.0, "\n".join(lines), transform=key_ax.transAxes,
                    va="top", ha="left", fontsize=7, family="monospace")
    figure.supxlabel("Each hostile act adds 0.1 to 1.0 to its day's index by its severity "
                     "(a verbal threat 0.4, a state strike 1.0: the Goldstein scale, "
                     "docs/event-codes.md).", fontsize=7, x=0.01, ha="left")
    return figure


# never triggered, honoured, lapsed, still open: one look each, the same in the legend and bars
FATES = (("not set off", "white", ""), ("honoured", "0.3", ""), ("lapsed", "white", "xxx"),
         ("still open at the end", "0.8", "..."))


@styled
def say_do_gap_figure(result: BatchResult) -> Figure:
    """For each threat of the scenario, the share of replicates in which it was never set off,
    honoured, left to lapse, or still open at the end: the gap between saying and doing."""
    shares = threat_fate_shares(result.threats)
    height = 1.4 + 0.45 * max(1, len(shares))
    figure, ax = new_figure(result, "Say-do gap: what became of each threat", (8.5, height))
    y = np.arange(len(shares))[::-1]
    starts = shares[list(FATE_SHARES)].cumsum(axis=1) - shares[list(FATE_SHARES)]
    for (label, fill, hatch), column in zip(FATES, FATE_SHARES, strict=True):
        ax.barh(y, shares[column], left=starts[column], height=0.6, color=fill, hatch=hatch,
                edgecolor=INK, linewidth=0.7, label=label)
    ax.set_yticks(y, [textwrap.fill(text, 44) for text in shares["label"]])
    ax.set_xlim(0, 1)
    ax.set_xticks(np.linspace(0, 1, 5), [f"{t:.0%}" for t in np.linspace(0, 1, 5)])
    ax.set_xlabel("share of replicates")
    figure.legend(loc="outside lower center", ncols=len(FATES))
    for yi, (_, row) in zip(y, shares.iterrows(), strict=True):
        triggered = row["honoured"] + row["lapsed"] + row["open"]
        if triggered > 0:
            ax.text(1.01, yi, f"kept {percent(row['honoured'] / triggered)}\nof the times "
                              "set off", va="center", fontsize=7, transform=ax.get_yaxis_transform())
    if not len(shares):
        ax.text(0.5, 0.5, "this scenario has no threats", transform=ax.transAxes, ha="center")
    return figure


FIGURES: dict[str, Any] = {
    "outcome-classes": outcome_class_figure,
    "key-counts": key_counts_figure,
    "escalation-fan": escalation_fan_figure,
    "say-do-gap": say_do_gap_figure,
}
