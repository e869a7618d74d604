"""Interval estimates: exact binomial checks and coverage by simulation.

Coverage tolerances: with S simulated data sets, the observed coverage of a 95% interval has a
standard error sqrt(0.95 * 0.05 / S); a correct method lands within 4 such errors of its
nominal level (Wilson and Newcombe are known to be close to nominal, slightly conservative).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.analysis.stats import (class_probabilities, clopper_pearson, mean_interval,
                                newcombe_difference, welch_difference, wilson)


@pytest.mark.parametrize("k, n", [(0, 20), (3, 20), (10, 20), (20, 20), (7, 1000)])
def test_clopper_pearson_matches_exact_binomial_tails(k, n):
    lo, hi = clopper_pearson(k, n)
    if k > 0:  # at the lower bound, seeing k or more has probability 2.5%
        assert stats.binom.sf(k - 1, n, lo) == pytest.approx(0.025, abs=1e-9)
    else:
        assert lo == 0.0
    if k < n:  # at the upper bound, seeing k or fewer has probability 2.5%
        assert stats.binom.cdf(k, n, hi) == pytest.approx(0.025, abs=1e-9)
    else:
        assert hi == 1.0


def test_wilson_is_exactly_0_or_1_at_the_edges():
    lo, hi = wilson(np.array([0, 50]), 50)
    assert lo[0] == 0.0 and hi[1] == 1.0 and hi[0] < 1.0 and lo[1] > 0.0


def test_wilson_known_value():
    # 81 of 263 (a textbook example): Wilson 95% interval 0.2553 .. 0.3662
    lo, hi = wilson(81, 263)
    assert (round(float(lo), 4), round(float(hi), 4)) == (0.2553, 0.3662)


def _coverage(sampler, truth, sims: int) -> float:
    return float(np.mean([lo <= truth <= hi for lo, hi in (sampler() for _ in range(sims))]))


def test_wilson_coverage():
    rng = np.random.default_rng(1)
    sims, n, p = 4000, 150, 0.08
    ks = rng.binomial(n, p, sims)
    lo, hi = wilson(ks, n)
    coverage = float(np.mean((lo <= p) & (p <= hi)))
    se = np.sqrt(0.95 * 0.05 / sims)
    assert abs(coverage - 0.95) < 4 * se + 0.01


def test_newcombe_difference_coverage():
    rng = np.random.default_rng(2)
    sims, n1, n2, p1, p2 = 3000, 200, 250, 0.30, 0.42
    k1, k2 = rng.binomial(n1, p1, sims), rng.binomial(n2, p2, sims)
    hits = [lo <= p2 - p1 <= hi
            for (_, lo, hi) in (newcombe_difference(a, n1, b, n2) for a, b in zip(k1, k2))]
    coverage = float(np.mean(hits))
    se = np.sqrt(0.95 * 0.05 / sims)
    assert abs(coverage - 0.95) < 4 * se + 0.01


def test_mean_and_welch_intervals():
    rng = np.random.default_rng(3)
    a, b = rng.normal(1.0, 2.0, 4000), rng.normal(1.5, 1.0, 3000)
    m, lo, hi = mean_interval(a)
    assert lo < 1.0 < hi and lo < m < hi
    d, lo, hi = welch_difference(a, b)
    assert lo < 0.5 < hi and d == pytest.approx(b.mean() - a.mean())
    assert np.isnan(mean_interval(np.array([np.nan]))[0])


def test_class_probabilities_fixed_order_and_sums():
    table = class_probabilities(["restraint"] * 90 + ["harassment"] * 10)
    assert list(table["outcome_class"]) == ["restraint", "harassment", "limited_exchange",
                                            "escalation_spiral", "regional_war"]
    assert table["count"].sum() == 100
    assert table["probability"].sum() == pytest.approx(1.0)
    row = table.set_index("outcome_class").loc["harassment"]
    assert row["low"] < 0.10 < row["high"]
    assert table.set_index("outcome_class").loc["regional_war", "high"] > 0  # 0 of 100 is not "impossible"
