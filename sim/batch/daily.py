"""Per-day aggregates that merge exactly across chunks.

The escalation index of a replicate on a day is a sum of -Goldstein/10 values, so it lies on a
grid of ``INDEX_RESOLUTION`` (0.01). Each chunk counts its replicates per (day, grid value); the
counts of all chunks add up to the histogram of the whole batch, and quantiles read from that
histogram are the exact quantiles of the batch, whatever the chunking; so is the share of
replicates with any hostile act that day (``hostile_share``). (A value off the grid
would be rounded to the nearest grid point, an error of at most half the resolution.) Attack
counts are integers and simply add.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

INDEX_RESOLUTION = 0.01
QUANTILE_PERCENTS = (5, 25, 50, 75, 95)
HOSTILE_SHARE = "hostile_share"  # column: share of replicates with any hostile act that day
_OFFSET = 1 << 31  # grid steps are stored shifted, so that a (day, step) pair packs in one int64


def quantile_column(percent: int) -> str:
    return f"index_q{percent:02d}"


def attacks_column(actor: str, kind: str, per_replicate: bool = False) -> str:
    """Column name of attacks by ``actor`` on targets of ``kind`` (total or mean per replicate)."""
    return f"{'attacks_per_replicate' if per_replicate else 'attacks'}__{actor}__{kind}"


@dataclass(frozen=True)
class IndexHistogram:
    """Replicate counts per (day, grid step of the escalation index), sorted by day then step."""

    keys: np.ndarray  # int64: day << 32 | (step + 2**31)
    counts: np.ndarray  # int64

    @property
    def days(self) -> np.ndarray:
        return self.keys >> 32

    @property
    def steps(self) -> np.ndarray:
        return (self.keys & 0xFFFFFFFF) - _OFFSET


def index_histogram(index: np.ndarray, resolution: float = INDEX_RESOLUTION) -> IndexHistogram:
    """Histogram of an (replicates, days) index array on the fixed grid."""
    steps = np.rint(np.asarray(index, dtype=np.float64) / resolution).astype(np.int64)
    if steps.size and (np.abs(steps).max() >= _OFFSET):
        raise ValueError("escalation index outside the histogram's range")
    days = np.arange(steps.shape[1], dtype=np.int64)[None, :]
    keys, counts = np.unique((days << 32) | (steps + _OFFSET), return_counts=True)
    return IndexHistogram(keys, counts.astype(np.int64))


def merge_histograms(parts: Iterable[IndexHistogram]) -> IndexHistogram:
    """The histogram of the union of the parts' replicates (exact)."""
    parts = list(parts)
    if not parts:
        return IndexHistogram(np.zeros(0, np.int64), np.zeros(0, np.int64))
    keys = np.concatenate([p.keys for p in parts])
    counts = np.concatenate([p.counts for p in parts])
    merged, inverse = np.unique(keys, return_inverse=True)
    return IndexHistogram(merged, np.bincount(inverse, weights=counts,
                                              minlength=merged.size).astype(np.int64))


def _grid_value(step: np.ndarray | int, resolution: float) -> np.ndarray:
    return np.round(np.asarray(step, dtype=np.float64) * resolution, 10)


def index_statistics(hist: IndexHistogram, days: int, replicates: int,
                     resolution: float = INDEX_RESOLUTION) -> pd.DataFrame:
    """Per day: mean, quantiles (smallest value whose cumulative share reaches q), maximum, and
    the share of replicates whose index is above zero (some hostile act that day)."""
    rows = []
    day_of = hist.days
    for day in range(days):
        mine = day_of == day
        steps, counts = hist.steps[mine], hist.counts[mine]
        if counts.sum() != replicates:
            raise ValueError(f"day {day}: the histogram holds {counts.sum()} replicates, "
                             f"not {replicates}")
        cumulative = np.cumsum(counts) * 100  # in percent units, so comparisons stay integral
        # the sum is an exact integer, so the mean does not depend on the order of chunks
        row = {"index_mean": float(np.round(int((steps * counts).sum()) * resolution / replicates,
                                            10))}
        for percent in QUANTILE_PERCENTS:
            position = int(np.searchsorted(cumulative, percent * replicates, side="left"))
            row[quantile_column(percent)] = float(_grid_value(steps[position], resolution))
        row["index_max"] = float(_grid_value(steps[-1], resolution))
        row[HOSTILE_SHARE] = int(counts[steps > 0].sum()) / replicates
        rows.append(row)
    return pd.DataFrame(rows)


def daily_table(start: dt.date, days: int, replicates: int, hist: IndexHistogram,
                attacks: np.ndarray, actor_ids: list[str], kinds: list[str],
                resolution: float = INDEX_RESOLUTION) -> pd.DataFrame:
    """The batch's per-day table: the escalation index's distribution, then attacks.

    ``attacks`` is (days, actors, target kinds), summed over all replicates; each (actor, kind)
    pair gets a total column and a per-replicate mean column.
    """
    frame = pd.DataFrame({
        "day": np.arange(days, dtype=np.int64),
        "date": pd.to_datetime([start + dt.timedelta(days=d) for d in range(days)]).date,
    })
    frame = pd.concat([frame, index_statistics(hist, days, replicates, resolution)], axis=1)
    totals = {attacks_column(a, k): attacks[:, i, j]
              for i, a in enumerate(actor_ids) for j, k in enumerate(kinds)}
    means = {attacks_column(a, k, per_replicate=True): attacks[:, i, j] / replicates
             for i, a in enumerate(actor_ids) for j, k in enumerate(kinds)}
    return pd.concat([frame, pd.DataFrame(totals), pd.DataFrame(means)], axis=1)
