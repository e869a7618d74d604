"""The calibration objective: how far a parameter point's simulations are from the record.

For each episode with a historical record, from M simulated replicates:

    class term   = -log P(historical outcome class)
    metric terms = -log P(metric in its recorded range), one per historical metric
    episode score = class term + sum of metric terms;  total = sum over the episodes.

Both probabilities are smoothed so that an event no replicate produced still has a finite cost:
the class forecast with Jeffreys' rule over the K classes, (count + 1/2) / (M + K/2), exactly as
the backtest scores it (sim.analysis.backtest), and each metric's share inside its range with
Jeffreys' rule for a yes/no event, (inside + 1/2) / (M + 1). Lower is better; 0 would mean every
replicate reproduced the whole record. The class term is the backtest's log score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis.backtest import check_metric, log_score, record_column, smoothed_probabilities
from sim.scenario.schema import HistoricalMetric, Scenario


@dataclass(frozen=True)
class EpisodeScore:
    """One episode's part of the objective, by component."""

    episode: str
    class_term: float
    metric_terms: dict[str, float] = field(default_factory=dict)

    @property
    def metric_term(self) -> float:
        return float(sum(self.metric_terms.values()))

    @property
    def total(self) -> float:
        return self.class_term + self.metric_term

    def to_dict(self) -> dict[str, object]:
        return {"episode": self.episode, "total": self.total, "class_term": self.class_term,
                "metric_term": self.metric_term, "metric_terms": dict(self.metric_terms)}


def in_range_probability(values: np.ndarray, record: HistoricalMetric) -> float:
    """Jeffreys-smoothed share of replicates whose metric falls in the recorded range."""
    n = len(values)
    inside = check_metric(values, record).inside
    return (inside * n + 0.5) / (n + 1)


def score_episode(scenario: Scenario, outcomes: pd.DataFrame) -> EpisodeScore:
    """The objective's terms for one episode's simulated outcomes."""
    if scenario.history is None:
        raise ValueError(f"scenario '{scenario.id}' has no historical record")
    history = scenario.history
    probabilities = smoothed_probabilities(outcomes["outcome_class"].astype(str).to_numpy())
    metric_terms = {record_column(m): float(-np.log(
        in_range_probability(outcomes[record_column(m)].to_numpy(), m))) for m in history.metrics}
    return EpisodeScore(scenario.id, log_score(probabilities, history.outcome_class), metric_terms)


def total_score(scores: Sequence[EpisodeScore]) -> float:
    """The objective: the sum of the episodes' scores."""
    return float(sum(s.total for s in scores))
