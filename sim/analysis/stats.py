"""Interval estimates for outcome tables: class probabilities, means, and differences.

Intervals are for the Monte Carlo uncertainty of a finite number of replicates (how well the
simulated probability is known), not for the model's uncertainty about the world.

- proportions: Wilson score interval (good coverage even near 0 and 1) and the exact
  Clopper–Pearson interval;
- a difference of two proportions: Newcombe's hybrid score interval (method 10), built from the
  two Wilson intervals;
- a mean: normal interval with the sample standard error; a difference of means: Welch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sim.model.outcomes import OUTCOME_CLASSES

LEVEL = 0.95


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def wilson(successes: np.ndarray | int, n: np.ndarray | int,
           level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for k successes in n trials (vectorised)."""
    k, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    z = _z(level)
    p = np.divide(k, n, out=np.zeros_like(k), where=n > 0)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # at k = 0 and k = n the bounds are exactly 0 and 1 (rounding would leave a hair's breadth)
    low = np.where(k == 0, 0.0, np.clip(centre - half, 0, 1))
    high = np.where(k == n, 1.0, np.clip(centre + half, 0, 1))
    return low, high


def clopper_pearson(successes: np.ndarray | int, n: np.ndarray | int,
                    level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Clopper–Pearson) interval for k successes in n trials."""
    k, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    alpha = 1 - level
    lo = np.where(k > 0, stats.beta.ppf(alpha / 2, k, n - k + 1), 0.0)
    hi = np.where(k < n, stats.beta.ppf(1 - alpha / 2, k + 1, n - k), 1.0)
    return lo, hi


def newcombe_difference(k1: int, n1: int, k2: int, n2: int,
                        level: float = LEVEL) -> tuple[float, float, float]:
    """p2 - p1 with Newcombe's hybrid score interval (difference of the second from the first)."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1, level)
    l2, u2 = wilson(k2, n2, level)
    d = p2 - p1
    lo = d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    hi = d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return float(d), float(lo), float(hi)


def mean_interval(values: np.ndarray, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean and normal interval (NaNs ignored)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(x.mean())
    se = float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else 0.0
    z = _z(level)
    return m, m - z * se, m + z * se


def welch_difference(a: np.ndarray, b: np.ndarray,
                     level: float = LEVEL) -> tuple[float, float, float]:
    """mean(b) - mean(a) with a normal interval on Welch's standard error."""
    xa = np.asarray(a, dtype=float)
    xb = np.asarray(b, dtype=float)
    xa, xb = xa[np.isfinite(xa)], xb[np.isfinite(xb)]
    if xa.size < 2 or xb.size < 2:
        return float("nan"), float("nan"), float("nan")
    d = float(xb.mean() - xa.mean())
    se = float(np.sqrt(xa.var(ddof=1) / xa.size + xb.var(ddof=1) / xb.size))
    z = _z(level)
    return d, d - z * se, d + z * se


def class_probabilities(classes: pd.Series | Sequence[str], level: float = LEVEL,
                        method: str = "wilson") -> pd.DataFrame:
    """One row per outcome class (in the fixed order): count, probability and its interval."""
    series = pd.Series(classes, dtype="object")
    n = len(series)
    counts = series.value_counts().reindex(OUTCOME_CLASSES, fill_value=0)
    interval = wilson if method == "wilson" else clopper_pearson
    lo, hi = interval(counts.to_numpy(), n, level)
    return pd.DataFrame({"outcome_class": list(OUTCOME_CLASSES), "count": counts.to_numpy(),
                         "probability": counts.to_numpy() / max(n, 1), "low": lo, "high": hi})
