"""Backtest: where the historical record of an episode falls in the simulated distribution.

For each episode (a scenario with a ``history``):
- the probability the model gives the historical outcome class (with its interval);
- for each historical metric, where its recorded range (and dates) falls among the simulated
  values: the share of replicates below, inside and above the range (*matched*: inside), its
  mid-percentile, and the simulated 5th and 95th percentiles;
- proper scores of the class forecast, the Brier score and the log score, next to two naive
  baselines: uniform over the classes, and "what happened in the previous episode".

Forecast probabilities are smoothed with Jeffreys' rule, (count + 1/2) / (n + K/2) over the K
classes, so that a class no replicate reached still gets a finite log score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis.stats import wilson
from sim.model.outcomes import OUTCOME_CLASSES, dated_column
from sim.scenario.schema import HistoricalMetric, Scenario

CENTRAL = (0.05, 0.95)
PREVIOUS_EPISODE_CONFIDENCE = 0.8  # share the naive "same as last time" forecast puts on it
MATCH_THRESHOLD = 0.2  # a recorded metric passes when at least this share of runs matches it


@dataclass(frozen=True)
class MetricCheck:
    metric: str  # the outcomes column: the metric, or metric@START..END for a dated one
    low: float | None
    high: float | None
    below: float  # share of replicates under the recorded range
    inside: float  # share matching the record
    above: float
    percentile: float  # mid-percentile of the recorded range in the simulated distribution
    q05: float
    q95: float

    @property
    def matched(self) -> float:
        """Share of replicates whose value lies in the recorded range."""
        return self.inside

    @property
    def passes(self) -> bool:
        """At least ``MATCH_THRESHOLD`` of the runs match the record."""
        return self.inside >= MATCH_THRESHOLD


@dataclass(frozen=True)
class EpisodeBacktest:
    scenario: str
    replicates: int
    historical_class: str
    probabilities: dict[str, float]  # smoothed forecast over OUTCOME_CLASSES
    class_probability: float  # raw share of replicates in the historical class
    class_interval: tuple[float, float]
    class_rank: int  # 1 = the most likely class
    metrics: list[MetricCheck] = field(default_factory=list)
    brier: float = 0.0
    log_score: float = 0.0


def smoothed_probabilities(classes: pd.Series | np.ndarray) -> dict[str, float]:
    """Class forecast from simulated classes, Jeffreys-smoothed."""
    values = pd.Series(np.asarray(classes, dtype=object))
    counts = values.value_counts().reindex(OUTCOME_CLASSES, fill_value=0).to_numpy(dtype=float)
    probs = (counts + 0.5) / (counts.sum() + 0.5 * len(OUTCOME_CLASSES))
    return dict(zip(OUTCOME_CLASSES, probs.tolist()))


def brier(probabilities: dict[str, float], observed: str) -> float:
    """Sum over classes of (forecast - outcome)^2; 0 is perfect, 2 is worst."""
    return float(sum((p - (c == observed)) ** 2 for c, p in probabilities.items()))


def log_score(probabilities: dict[str, float], observed: str) -> float:
    """Negative log probability of what happened (lower is better)."""
    return float(-np.log(probabilities[observed]))


def uniform_forecast() -> dict[str, float]:
    return {c: 1.0 / len(OUTCOME_CLASSES) for c in OUTCOME_CLASSES}


def previous_episode_forecast(previous_class: str | None) -> dict[str, float]:
    """'What happened last time happens again': most weight on the previous episode's class."""
    if previous_class is None:
        return uniform_forecast()
    rest = (1 - PREVIOUS_EPISODE_CONFIDENCE) / (len(OUTCOME_CLASSES) - 1)
    return {c: PREVIOUS_EPISODE_CONFIDENCE if c == previous_class else rest
            for c in OUTCOME_CLASSES}


def record_column(record: HistoricalMetric) -> str:
    """The outcomes column a recorded metric is read from (a dated count has its own)."""
    if record.start is None and record.end is None:
        return record.metric
    return dated_column(record.metric, record.start, record.end)


def check_metric(values: np.ndarray, record: HistoricalMetric) -> MetricCheck:
    """Where a recorded metric range falls among the simulated values of that metric.

    A missing value (no militia attack at all, for ``days_to_first_militia_attack``) lies
    beyond every finite bound: above any maximum, and so never inside a bounded range.
    """
    x = np.asarray(values, dtype=float)
    x = np.where(np.isnan(x), np.inf, x)
    n = max(len(x), 1)
    low = -np.inf if record.min is None else record.min
    high = np.inf if record.max is None else record.max
    below = float(np.sum(x < low) / n)
    above = float(np.sum(x > high) / n) if np.isfinite(high) else 0.0
    inside = 1.0 - below - above
    finite = x[np.isfinite(x)]
    q05, q95 = (np.quantile(finite, CENTRAL) if finite.size else (np.nan, np.nan))
    return MetricCheck(record_column(record), record.min, record.max, below, inside, above,
                       below + inside / 2, float(q05), float(q95))


def backtest_episode(scenario: Scenario, outcomes: pd.DataFrame) -> EpisodeBacktest:
    """Score one episode's simulated outcomes against its historical record."""
    if scenario.history is None:
        raise ValueError(f"scenario '{scenario.id}' has no historical record to backtest")
    history = scenario.history
    classes = outcomes["outcome_class"].astype(str)
    n = len(classes)
    hits = int((classes == history.outcome_class).sum())
    lo, hi = wilson(hits, n)
    probs = smoothed_probabilities(classes)
    raw = classes.value_counts().reindex(OUTCOME_CLASSES, fill_value=0)
    rank = int((raw > hits).sum()) + 1
    checks = [check_metric(outcomes[record_column(m)].to_numpy(), m) for m in history.metrics]
    return EpisodeBacktest(scenario.id, n, history.outcome_class, probs, hits / max(n, 1),
                           (float(lo), float(hi)), rank, checks,
                           brier(probs, history.outcome_class),
                           log_score(probs, history.outcome_class))


def scores_table(results: list[EpisodeBacktest], order: list[str] | None = None) -> pd.DataFrame:
    """Per episode, the model's Brier and log scores next to both baselines, plus totals.

    ``order`` lists the episodes chronologically (for the previous-episode baseline);
    by default the order given.
    """
    by_id = {r.scenario: r for r in results}
    order = order or [r.scenario for r in results]
    rows = []
    previous: str | None = None
    for episode in order:
        r = by_id[episode]
        uni, prev = uniform_forecast(), previous_episode_forecast(previous)
        rows.append({
            "episode": episode, "historical_class": r.historical_class,
            "p_historical": r.class_probability, "rank": r.class_rank,
            "brier": r.brier, "brier_uniform": brier(uni, r.historical_class),
            "brier_previous": brier(prev, r.historical_class),
            "log": r.log_score, "log_uniform": log_score(uni, r.historical_class),
            "log_previous": log_score(prev, r.historical_class),
        })
        previous = r.historical_class
    table = pd.DataFrame(rows)
    total = table.select_dtypes("number").sum().to_dict()
    total.update({"episode": "total", "historical_class": "", "p_historical": np.nan,
                  "rank": np.nan})
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)
