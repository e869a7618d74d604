"""The numbers each figure shows, computed from a batch's result tables alone.

Kept apart from the drawing so that they can be tested without matplotlib. Intervals come from
sim.analysis.stats (Wilson score intervals for class probabilities, normal intervals for means).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.stats import mean_interval

def integer_bins(values: np.ndarray, max_bars: int = 25) -> np.ndarray:
    """Bin edges on whole numbers: one bar per value for a short range, else wider bars.

    Zero keeps a bar of its own when it is the smallest value: "none" is the answer most
    often asked of a count, and it should not be merged with "one".
    """
    low, high = int(np.floor(values.min())), int(np.ceil(values.max()))
    width = max(1, math.ceil((high - low + 1) / max_bars))
    if width > 1 and low == 0:
        return np.concatenate([[-0.5], np.arange(0.5, high + width + 0.5, width)])
    return np.arange(low, high + width + 1, width) - 0.5


def count_distribution(values: pd.Series) -> pd.DataFrame:
    """Share of replicates in each bin of a count (missing values left out; see ``missing``)."""
    present = values.dropna().to_numpy(dtype=np.float64)
    if present.size == 0:
        return pd.DataFrame({"low": [], "high": [], "share": []})
    edges = integer_bins(present)
    counts, _ = np.histogram(present, bins=edges)
    return pd.DataFrame({"low": edges[:-1] + 0.5, "high": edges[1:] - 0.5,
                         "share": counts / len(values)})


def count_summary(values: pd.Series) -> dict[str, float]:
    """Mean, median and 95th percentile of the values present, and the share missing."""
    present = values.dropna().to_numpy(dtype=np.float64)
    missing = 1.0 - present.size / len(values) if len(values) else 0.0
    if present.size == 0:
        return {"mean": math.nan, "median": math.nan, "p95": math.nan, "missing": missing}
    return {"mean": float(present.mean()), "median": float(np.median(present)),
            "p95": float(np.quantile(present, 0.95)), "missing": missing}


SAY_DO_COLUMNS = ("threats_triggered", "threats_honoured", "threats_lapsed")


def say_do_summary(outcomes: pd.DataFrame, threats_made: int) -> pd.DataFrame:
    """Threats per replicate: made (fixed by the scenario), triggered, honoured, lapsed.

    Triggered threats neither honoured nor lapsed were still open when the scenario ended.
    """
    rows: list[dict[str, Any]] = [{"stage": "made", "mean": float(threats_made),
                                   "low": float(threats_made), "high": float(threats_made)}]
    for column in SAY_DO_COLUMNS:
        mean, low, high = mean_interval(outcomes[column].to_numpy())
        rows.append({"stage": column.removeprefix("threats_"), "mean": mean, "low": low,
                     "high": high})
    return pd.DataFrame(rows)


def fate_of_triggered(outcomes: pd.DataFrame) -> dict[str, float]:
    """Of all threats triggered in the batch: the shares honoured, lapsed and still open."""
    triggered = int(outcomes["threats_triggered"].sum())
    honoured = int(outcomes["threats_honoured"].sum())
    lapsed = int(outcomes["threats_lapsed"].sum())
    if triggered == 0:
        return {"honoured": 0.0, "lapsed": 0.0, "open": 0.0}
    return {"honoured": honoured / triggered, "lapsed": lapsed / triggered,
            "open": max(triggered - honoured - lapsed, 0) / triggered}


def injects_by_date(scenario: dict[str, Any]) -> list[tuple[dt.date, list[str]]]:
    """The scenario's scripted injects grouped by date, in date order."""
    grouped: dict[dt.date, list[str]] = defaultdict(list)
    for inject in scenario.get("injects", []):
        grouped[dt.date.fromisoformat(inject["date"])].append(inject["id"])
    return sorted(grouped.items())
