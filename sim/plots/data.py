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


FATE_SHARES = ("untriggered", "honoured", "lapsed", "open")


def threat_fate_shares(threats: pd.DataFrame) -> pd.DataFrame:
    """Per threat (a row of a batch's threats table): a label, and the shares of replicates in
    which it was never set off, honoured, lapsed or still open at the end (they add up to 1)."""
    runs = threats["replicates"].astype(float)
    return pd.DataFrame({
        "label": [f"{r.threat}: {r.by} promised {r.response.replace('_', ' ')} -> {r.target} "
                  f"(made {r.made_on})" for r in threats.itertuples()],
        "untriggered": (threats["replicates"] - threats["triggered"]) / runs,
        "honoured": threats["honoured"] / runs,
        "lapsed": threats["lapsed"] / runs,
        "open": threats["open"] / runs,
    })


def injects_by_date(scenario: dict[str, Any]) -> list[tuple[dt.date, list[str]]]:
    """The scenario's scripted injects grouped by date, in date order, each in words; one
    actor's same act against several targets is one entry:
    ``iraqi_government restraint meeting -> kataib_hezbollah, badr``."""
    grouped: dict[dt.date, dict[tuple[str, str], list[str]]] = defaultdict(dict)
    for inject in scenario.get("injects", []):
        acts = grouped[dt.date.fromisoformat(inject["date"])]
        targets = acts.setdefault((inject["actor"], inject["action"]), [])
        if inject.get("target"):
            targets.append(inject["target"])
    return [(date, [f"{actor} {action.replace('_', ' ')}"
                    + (f" -> {', '.join(targets)}" if targets else "")
                    for (actor, action), targets in acts.items()])
            for date, acts in sorted(grouped.items())]
