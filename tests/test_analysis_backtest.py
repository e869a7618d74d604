"""The backtest: its scores on known cases, that it can fail, and the shipped episodes.

The criteria, with the shipped parameters and 2,000 replicates per episode:
- for every shipped episode the historical outcome class is the most likely class;
- every recorded metric (over its recorded dates) is matched by at least 20% of the runs;
- the model beats both naive baselines (uniform; "same as the previous episode") on the summed
  log score over the episodes.
With 2,000 replicates a share's standard error is at most 1.1 points; the tests below hold
only where the margin to each threshold is several of those.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.backtest import (MATCH_THRESHOLD, PREVIOUS_EPISODE_CONFIDENCE, brier,
                                   check_metric, log_score, previous_episode_forecast,
                                   record_column, scores_table, smoothed_probabilities,
                                   uniform_forecast)
from sim.analysis.backtesting import Backtest, backtest
from sim.analysis.episodes import EpisodeError, load_episodes, shipped_episodes
from sim.model.outcomes import OUTCOME_CLASSES
from sim.scenario.schema import HistoricalMetric

RUNS = 2000
SEED = 3
K = len(OUTCOME_CLASSES)


# --- the scores on known cases ----------------------------------------------------------------

def test_smoothed_probabilities_are_jeffreys():
    probs = smoothed_probabilities(np.array(["restraint"] * 8 + ["harassment"] * 2))
    assert probs["restraint"] == pytest.approx(8.5 / (10 + K / 2))
    assert probs["regional_war"] == pytest.approx(0.5 / (10 + K / 2))
    assert sum(probs.values()) == pytest.approx(1.0)


def test_brier_and_log_scores_known_values():
    certain = {c: float(c == "restraint") for c in OUTCOME_CLASSES}
    assert brier(certain, "restraint") == 0.0 and brier(certain, "harassment") == 2.0
    assert log_score(uniform_forecast(), "harassment") == pytest.approx(math.log(K))
    prev = previous_episode_forecast("restraint")
    assert prev["restraint"] == PREVIOUS_EPISODE_CONFIDENCE
    assert sum(prev.values()) == pytest.approx(1.0)
    assert previous_episode_forecast(None) == uniform_forecast()


def test_metric_check_shares_and_threshold():
    values = np.arange(100, dtype=float)  # 0..99
    inside = check_metric(values, HistoricalMetric(metric="x", min=10, max=19, evidence=["f"]))
    assert (inside.below, inside.inside, inside.above) == pytest.approx((0.10, 0.10, 0.80))
    assert inside.percentile == pytest.approx(0.15) and not inside.passes
    wide = check_metric(values, HistoricalMetric(metric="x", min=10, max=29, evidence=["f"]))
    assert wide.matched == pytest.approx(0.20) and wide.passes  # exactly the threshold passes
    beyond = check_metric(values, HistoricalMetric(metric="x", min=99.5, evidence=["f"]))
    assert beyond.below == 1.0 and beyond.matched == 0.0 and not beyond.passes


def test_a_missing_value_lies_beyond_every_bound():
    # days to the first attack is missing when no attack happened: it is not "within 5 days"
    days = np.array([1.0, 3.0, np.nan, np.nan])
    bounded = check_metric(days, HistoricalMetric(metric="days_to_first_militia_attack",
                                                  max=5, evidence=["f"]))
    assert bounded.matched == pytest.approx(0.5) and bounded.above == pytest.approx(0.5)
    open_high = check_metric(days, HistoricalMetric(metric="days_to_first_militia_attack",
                                                    min=2, evidence=["f"]))
    assert open_high.matched == pytest.approx(0.75)


def test_a_dated_record_is_read_from_its_own_column():
    import datetime as dt

    record = HistoricalMetric(metric="commander_removals", min=1, start=dt.date(2025, 7, 27),
                              end=dt.date(2025, 8, 9), evidence=["f"])
    assert record_column(record) == "commander_removals@2025-07-27..2025-08-09"
    plain = HistoricalMetric(metric="commander_removals", min=1, evidence=["f"])
    assert record_column(plain) == "commander_removals"


def _fake_outcomes(classes: dict[str, int]) -> pd.DataFrame:
    rows = [c for c, k in classes.items() for _ in range(k)]
    return pd.DataFrame({"outcome_class": rows})


def test_rank_and_scores_table_on_made_up_outcomes():
    from sim.analysis.backtest import backtest_episode

    episodes = shipped_episodes()
    outcomes = []
    for e in episodes:
        table = _fake_outcomes({e.history.outcome_class: 30, "regional_war": 70})
        for m in e.history.metrics:
            table[record_column(m)] = m.min if m.min is not None else m.max
        outcomes.append(table)
    bt = Backtest.from_outcomes(episodes, outcomes, seed=0)
    for e in episodes:
        result = bt.result(e.id)
        expected_rank = 1 if e.history.outcome_class == "regional_war" else 2
        assert result.class_rank == expected_rank
        assert result.class_probability == pytest.approx(0.3)
        assert bt.metrics_matched(e.id)
        assert not bt.class_in_top(e.id) or e.history.outcome_class == "regional_war"
    assert not bt.passed  # the historical class ranks second: the backtest fails
    table = scores_table([backtest_episode(e, o) for e, o in zip(episodes, outcomes, strict=True)],
                         [e.id for e in episodes])
    assert table.iloc[-1]["episode"] == "total"
    assert table.iloc[-1]["log"] == pytest.approx(table.iloc[:-1]["log"].sum())
    # the first episode has no previous one: its previous-episode baseline is uniform
    assert table.iloc[0]["log_previous"] == pytest.approx(math.log(K))


# --- episodes -----------------------------------------------------------------------------------

def test_shipped_episodes_are_chronological_and_have_records():
    episodes = shipped_episodes()
    assert [e.id for e in episodes] == ["march-2020", "april-2024", "june-2025"]
    assert [e.id for e in load_episodes(["june-2025", "march-2020"])] == \
        ["march-2020", "june-2025"]


def test_a_scenario_without_a_record_is_refused(repo_root):
    with pytest.raises(EpisodeError, match="no historical record"):
        load_episodes([str(repo_root / "tests" / "data" / "minimal.yaml")])


# --- the shipped episodes against history -----------------------------------------------------

@pytest.fixture(scope="module")
def shipped_backtest() -> Backtest:
    return backtest(runs=RUNS, seed=SEED, workers=1, progress=False)


@pytest.mark.slow
def test_every_episode_historical_class_ranks_first(shipped_backtest):
    for r in shipped_backtest.results:
        assert r.class_rank == 1, (
            f"{r.scenario}: historical class {r.historical_class} has rank {r.class_rank} "
            f"(P = {r.class_probability:.3f}); class shares: {r.probabilities}")


@pytest.mark.slow
def test_every_recorded_metric_is_matched_by_a_fifth_of_runs(shipped_backtest):
    failures = [(row["episode"], row["metric"], row["inside"])
                for _, row in shipped_backtest.metric_table().iterrows()
                if row["inside"] < MATCH_THRESHOLD]
    assert not failures, failures


@pytest.mark.slow
def test_model_beats_both_baselines_on_summed_log_score(shipped_backtest):
    total = shipped_backtest.scores().iloc[-1]
    assert total["log"] < total["log_uniform"], total.to_dict()
    assert total["log"] < total["log_previous"], total.to_dict()
    assert shipped_backtest.passed


def test_backtest_outputs(shipped_backtest, tmp_path):
    text = shipped_backtest.render()
    for episode in ("march-2020", "april-2024", "june-2025"):
        assert episode in text
    assert "FAIL" not in text and f"{RUNS:,} replicates per episode, seed {SEED}" in text
    files = shipped_backtest.write(tmp_path / "bt")
    assert [f.name for f in files] == ["backtest.json", "backtest-summary.csv",
                                       "backtest-metrics.csv", "backtest.png"]
    data = json.loads(files[0].read_text())
    assert data["passed"] is True and data["runs"] == RUNS and data["seed"] == SEED
    assert [e["id"] for e in data["episodes"]] == ["march-2020", "april-2024", "june-2025"]
    figure = shipped_backtest.figure()
    assert len(figure.axes) == 2 * 3 and "seed 3" in figure.get_suptitle()


def test_the_backtest_fails_a_record_the_model_does_not_reproduce(write, repo_root):
    # June 2025 as if the militias had joined the war: the same model must fail it, and say by
    # how much (the share of runs in the class that "happened", and the failed metric)
    text = (repo_root / "scenarios" / "june-2025.yaml").read_text(encoding="utf-8")
    text = text.replace("id: june-2025", "id: june-2025-joined", 1)
    text = text.replace("  outcome_class: restraint\n", "  outcome_class: escalation_spiral\n", 1)
    text = text.replace("{metric: window_militia_attacks_on_us, min: 0, max: 0,",
                        "{metric: window_militia_attacks_on_us, min: 3,", 1)
    result = backtest([str(write("joined.yaml", text))], runs=500, seed=SEED, workers=1,
                      progress=False)
    assert not result.passed
    row = result.summary().iloc[0]
    assert row["rank"] > 1 and row["p_historical"] < 0.05
    failed = result.metric_table().set_index("metric").loc["window_militia_attacks_on_us"]
    assert failed["inside"] < MATCH_THRESHOLD and not failed["passes"]
    text = result.render()
    assert "[FAIL] june-2025-joined: historical class ranks first" in text
    assert "window_militia_attacks_on_us" in text and " NO" in text
