"""compare: entries from the command line, exact interval checks on known counts, and a real
comparison of clearly different variants.

The interval checks are exact: outcome tables are built with known class counts, and each
interval is compared with scipy's binomial computations, or its coverage is computed by summing
the binomial probabilities of every possible count (no simulation, no tolerance for luck).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.compare import (KEY_METRICS, ComparedEntry, Comparison, ComparisonError,
                                  compare, comparison_entries, split_variants)
from sim.analysis.stats import newcombe_difference, wilson
from sim.model.outcomes import OUTCOME_CLASSES


def outcomes_with_counts(counts: dict[str, int], metric: np.ndarray | None = None
                         ) -> pd.DataFrame:
    """An outcomes table whose classes have exactly ``counts`` (and key metrics)."""
    classes = [c for c, k in counts.items() for _ in range(k)]
    n = len(classes)
    values = np.arange(n, dtype=float) if metric is None else metric
    table = pd.DataFrame({"outcome_class": classes})
    for name in KEY_METRICS:
        table[name] = values
    return table


def compared(*tables: pd.DataFrame) -> Comparison:
    entries = [ComparedEntry("test", None if i == 0 else f"v{i}") for i in range(len(tables))]
    return Comparison.from_outcomes(entries, list(tables), seed=0)


# --- entries ----------------------------------------------------------------------------------

def test_entries_from_variants_option():
    assert comparison_entries(["june-2025"], "base,no-iran-restraint, no-baghdad-restraint") == [
        ("june-2025", None), ("june-2025", "no-iran-restraint"),
        ("june-2025", "no-baghdad-restraint")]


def test_entries_of_several_scenarios_are_their_bases():
    assert comparison_entries(["march-2020", "april-2024", "june-2025"]) == [
        ("march-2020", None), ("april-2024", None), ("june-2025", None)]
    assert split_variants(None) == [None]
    assert split_variants(["base", "x"]) == [None, "x"]


def test_one_scenario_alone_is_compared_across_all_its_variants():
    entries = comparison_entries(["june-2025"])
    assert entries[0] == ("june-2025", None)
    assert {v for _, v in entries[1:]} >= {"no-iran-restraint", "no-baghdad-restraint",
                                           "no-restraint", "khamenei-harmed"}


@pytest.mark.parametrize("scenarios, variants", [(["june-2025"], "base"),
                                                 (["june-2025"], "base,base"),
                                                 ([], None)])
def test_entries_refused(scenarios, variants):
    with pytest.raises(ComparisonError):
        comparison_entries(scenarios, variants)


def test_a_misspelt_variant_fails_before_anything_runs():
    from sim.errors import UserError

    with pytest.raises(UserError, match="no-such-variant"):
        compare([("june-2025", None), ("june-2025", "no-such-variant")], runs=10, seed=0,
                workers=1, progress=False)


# --- exact interval checks --------------------------------------------------------------------

COUNTS = {"restraint": 0, "harassment": 3, "limited_exchange": 37, "escalation_spiral": 360,
          "regional_war": 400}


def test_class_intervals_match_exact_binomial_computations():
    table = compared(outcomes_with_counts(COUNTS)).classes().set_index("name")
    n = sum(COUNTS.values())
    for name, k in COUNTS.items():
        row = table.loc[name]
        assert row["count"] == k and row["estimate"] == pytest.approx(k / n)
        ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert row["low"] == pytest.approx(ci.low, abs=1e-12)
        assert row["high"] == pytest.approx(ci.high, abs=1e-12)
        exact = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
        # Wilson and the exact (Clopper-Pearson) interval agree closely at this size
        assert abs(row["low"] - exact.low) < 0.006 and abs(row["high"] - exact.high) < 0.006


@pytest.mark.parametrize("n, p", [(200, 0.3), (1000, 0.02)])
def test_class_interval_exact_coverage(n, p):
    """Sum the binomial probability of every count whose interval covers p: the coverage.

    The comparison's interval for a count is checked to be the one summed over (for a few
    counts; building a comparison for every count would be slow)."""
    k = np.arange(n + 1)
    low, high = wilson(k, n)
    for sample in (0, 1, n // 7, n // 2, n):
        row = compared(outcomes_with_counts({"restraint": int(sample),
                                             "harassment": n - int(sample)})
                       ).classes().set_index("name").loc["restraint"]
        assert (row["low"], row["high"]) == pytest.approx((low[sample], high[sample]), abs=1e-12)
    covered = stats.binom.pmf(k, n, p)[(low <= p) & (p <= high)].sum()
    assert 0.93 <= covered <= 0.975


def test_class_difference_exact_coverage():
    """Newcombe's interval for p2 - p1 covers the truth about 95% of the time, computed
    exactly over every pair of counts; the comparison reports that interval."""
    n1, n2, p1, p2 = 60, 80, 0.35, 0.55
    for k1, k2 in ((0, 80), (21, 44), (60, 3)):
        rows = compared(outcomes_with_counts({"restraint": k1, "harassment": n1 - k1}),
                        outcomes_with_counts({"restraint": k2, "harassment": n2 - k2})).classes()
        row = rows[(rows["entry"] == 1) & (rows["name"] == "restraint")].iloc[0]
        expected = newcombe_difference(k1, n1, k2, n2)
        assert (row["difference"], row["difference_low"], row["difference_high"]) == \
            pytest.approx(expected, abs=1e-12)
        assert row["difference"] == pytest.approx(k2 / n2 - k1 / n1)
    covered = 0.0
    for k1 in range(n1 + 1):
        for k2 in range(n2 + 1):
            _, lo, hi = newcombe_difference(k1, n1, k2, n2)
            if lo <= p2 - p1 <= hi:
                covered += stats.binom.pmf(k1, n1, p1) * stats.binom.pmf(k2, n2, p2)
    assert 0.93 <= covered <= 0.975


def test_metric_means_and_welch_differences():
    rng = np.random.default_rng(5)
    a, b = rng.poisson(2.0, 500).astype(float), rng.poisson(3.0, 700).astype(float)
    c = compared(outcomes_with_counts({"restraint": 500}, a),
                 outcomes_with_counts({"harassment": 700}, b))
    rows = c.metrics()
    first = rows[(rows["entry"] == 0) & (rows["name"] == "killed")].iloc[0]
    second = rows[(rows["entry"] == 1) & (rows["name"] == "killed")].iloc[0]
    z = stats.norm.ppf(0.975)
    se = a.std(ddof=1) / np.sqrt(a.size)
    assert first["estimate"] == pytest.approx(a.mean())
    assert (first["low"], first["high"]) == pytest.approx((a.mean() - z * se, a.mean() + z * se))
    se_d = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    d = b.mean() - a.mean()
    assert (second["difference"], second["difference_low"], second["difference_high"]) == \
        pytest.approx((d, d - z * se_d, d + z * se_d))
    assert np.isnan(first["difference"])  # the reference has no difference from itself


def test_days_to_first_attack_averages_replicates_with_an_attack():
    days = np.array([np.nan, 4.0, np.nan, 8.0])
    table = outcomes_with_counts({"restraint": 4}, np.zeros(4))
    table["days_to_first_militia_attack"] = days
    row = compared(table, table).metrics().set_index("name").loc["days_to_first_militia_attack"]
    assert row.iloc[0]["estimate"] == 6.0 and row.iloc[0]["replicates"] == 2


def test_outputs(tmp_path):
    c = compared(outcomes_with_counts({"restraint": 80, "harassment": 20}),
                 outcomes_with_counts({"restraint": 50, "escalation_spiral": 50}))
    text = c.render()
    assert "test (base)" in text and "test (v1)" in text and "(reference)" in text
    assert "-30.0" in text  # restraint: 50% - 80%, in percentage points
    files = c.write(tmp_path / "out")
    assert [f.name for f in files] == ["comparison.csv", "comparison.json", "comparison.png"]
    table = pd.read_csv(files[0])
    assert len(table) == 2 * (len(OUTCOME_CLASSES) + len(KEY_METRICS))
    data = json.loads(files[1].read_text())
    assert data["reference"] == "test (base)" and len(data["rows"]) == len(table)
    figure = c.figure()
    bars = [p for p in figure.axes[0].patches if p.get_height() > 0]
    assert len(bars) == 4  # restraint for both entries, harassment and spiral for one each
    assert "seed 0" in figure.get_suptitle() and "100 replicates" in figure.get_suptitle()
    from matplotlib.text import Text

    assert "not a forecast" in " ".join(t.get_text() for t in figure.findobj(Text))


def test_the_comparison_figure_marks_each_entrys_historical_class():
    entries = [ComparedEntry("test", None, "Test", "restraint"),
               ComparedEntry("test", "v1", "Test", "restraint"), ComparedEntry("other", None)]
    outcomes = [outcomes_with_counts({"restraint": 80, "harassment": 20})] * 3
    figure = Comparison.from_outcomes(entries, outcomes, seed=0).figure()
    markers = [line for line in figure.axes[0].get_lines() if line.get_marker() == "v"]
    assert len(markers) == 2  # the third entry has no record
    labels = [t.get_text() for t in figure.legends[0].get_texts()]
    assert labels.count("historical record (the episode's class)") == 1


# --- a real comparison ------------------------------------------------------------------------

@pytest.mark.slow
def test_restraint_removed_shows_clear_differences_that_contain_the_truth():
    """june-2025 base vs no-restraint: fewer restraint outcomes and more attacks on US forces in
    the window. The 'truth' is a much larger run with another seed; the small run's interval
    must contain it (allowing for the large run's own standard error)."""
    small = compare([("june-2025", None), ("june-2025", "no-restraint")], runs=400, seed=1,
                    workers=1, progress=False)
    large = compare([("june-2025", None), ("june-2025", "no-restraint")], runs=3000, seed=2,
                    workers=1, progress=False)
    for name, sign in (("restraint", -1), ("window_militia_attacks_on_us", +1)):
        d, lo, hi = (small.value(1, name, c)
                     for c in ("difference", "difference_low", "difference_high"))
        assert sign * d > 0 and sign * lo > 0 and sign * hi > 0, (name, d, lo, hi)
        truth = large.value(1, name, "difference")
        slack = (large.value(1, name, "difference_high")
                 - large.value(1, name, "difference_low")) / 2
        assert lo - slack <= truth <= hi + slack, (name, truth, lo, hi)
