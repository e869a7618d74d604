"""The June 2025 replay against the record, over many replicates.

The standard: with every actor free and the shipped parameters, restraint toward US and Israeli
forces in 13–24 June is the most likely outcome class; without both outside brakes (Iran's
reasons to hold its allies back, Baghdad's restraint), militia attacks in that window are
clearly more likely, with 95% intervals that do not overlap.
Intervals are Wilson score intervals for the replicate count used.
"""

from __future__ import annotations

import collections

import numpy as np
import pytest

from sim.model.model import EscalationModel

REPLICATES = 1000
Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.fixture(scope="module")
def runs() -> dict[str, dict[str, np.ndarray]]:
    out = {}
    for variant in (None, "no-restraint"):
        model = EscalationModel("june-2025", variant, replicates=REPLICATES, rng=2025,
                                collect_data=False, log_events=False).run()
        out[variant or "base"] = model.outcomes()
    return out


@pytest.mark.slow
def test_restraint_is_the_most_likely_class(runs):
    classes = collections.Counter(runs["base"]["outcome_class"])
    (top, n_top), (_, n_second) = (classes.most_common(2) + [("none", 0)])[:2]
    assert top == "restraint"
    low, _ = wilson(n_top, REPLICATES)
    _, high = wilson(n_second, REPLICATES)
    assert low > high, classes


@pytest.mark.slow
def test_no_restraint_makes_attacks_clearly_more_likely(runs):
    def attacked(out: dict[str, np.ndarray]) -> int:
        return int((out["window_militia_attacks_on_us"]
                    + out["window_militia_attacks_on_israel"] > 0).sum())

    base, none = attacked(runs["base"]), attacked(runs["no-restraint"])
    _, base_high = wilson(base, REPLICATES)
    none_low, _ = wilson(none, REPLICATES)
    assert none_low > base_high, (base, none)


@pytest.mark.slow
def test_kh_threat_is_triggered_by_the_us_strike_and_usually_lapses(runs):
    base = runs["base"]
    assert (base["threats_triggered"] >= 1).all()  # 22 June sets off KH's threat everywhere
    lapsed = int((base["militia_threats_lapsed"] >= 1).sum())
    low, _ = wilson(lapsed, REPLICATES)
    assert low > 0.5
