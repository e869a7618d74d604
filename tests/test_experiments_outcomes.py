"""Outcome expressions are read by a small grammar (never evaluated as Python), name only
columns that exist, and summarise per point exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.experiments.outcomes import (ExpressionError, Outcome, PointSummary, check_outcomes,
                                      default_outcomes, outcome, parse)
from sim.model.outcomes import OUTCOME_CLASSES


def table() -> pd.DataFrame:
    classes = ["restraint", "harassment", "escalation_spiral", "restraint", "regional_war",
               "restraint", "limited_exchange", "escalation_spiral"]
    return pd.DataFrame({
        "point": [0, 0, 0, 0, 1, 1, 1, 1],
        "replicate": [0, 1, 2, 3, 0, 1, 2, 3],
        "militia_attacks_on_us": [0, 2, 5, 0, 12, 0, 1, 4],
        "killed": [0, 1, 3, 0, 40, 0, 0, 2],
        "days_to_first_militia_attack": [np.nan, 3, 1, np.nan, 2, np.nan, 9, 4],
        "outcome_class": pd.Categorical(classes, categories=OUTCOME_CLASSES, ordered=True),
    })


@pytest.mark.parametrize("text, expected", [
    ("class == 'escalation_spiral'", [0, 0, 1, 0, 0, 0, 0, 1]),
    ("class != 'restraint'", [0, 1, 1, 0, 1, 0, 1, 1]),
    ("class in ['escalation_spiral', 'regional_war']", [0, 0, 1, 0, 1, 0, 0, 1]),
    ("militia_attacks_on_us >= 2 and not killed > 2", [0, 1, 0, 0, 0, 0, 0, 1]),
    ("killed > 2 or class == 'harassment'", [0, 1, 1, 0, 1, 0, 0, 0]),
    ("militia_attacks_on_us + 2 * killed > 6", [0, 0, 1, 0, 1, 0, 0, 1]),
    ("(militia_attacks_on_us - killed) / 2 >= 1", [0, 0, 1, 0, 0, 0, 0, 1]),
    ("-killed < -2", [0, 0, 1, 0, 1, 0, 0, 0]),
    ("not (killed == 0 and militia_attacks_on_us == 0)", [0, 1, 1, 0, 1, 0, 1, 1]),
])
def test_conditions_hold_where_they_should(text: str, expected: list[int]) -> None:
    np.testing.assert_array_equal(outcome(text).holds(table()), np.array(expected, dtype=bool))


def test_a_metric_is_a_number_and_precedence_is_arithmetic() -> None:
    values = outcome("killed + militia_attacks_on_us * 2").values(table())
    np.testing.assert_array_equal(values, [0, 5, 13, 0, 64, 0, 2, 10])
    checked = check_outcomes([outcome("killed"), outcome("killed > 0")], table())
    assert [o.condition for o in checked] == [False, True]


@pytest.mark.parametrize("text, message", [
    ("klass == 'restraint'", "'klass' in \"klass == 'restraint'\" names no outcome column"),
    ("class == 'spiral'", "'spiral' is not a value of 'outcome_class'"),
    ("class in ['spiral']", "'spiral' is not a value of 'outcome_class'"),
    ("class > 'restraint'", "compare it with == or !="),
    ("killed > 'many'", "need numbers, not words"),
    ("killed and killed > 1", "join conditions"),
    ("point > 1", "names no outcome column"),
    ("1 == 1", "names no outcome column"),
    ("class", "a word per replicate"),
])
def test_expressions_that_name_no_column_or_mix_types_are_refused(text: str,
                                                                   message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        outcome(text).values(table())
    assert message in str(info.value)


@pytest.mark.parametrize("text", [
    "", "killed ==", "killed > > 1", "(killed > 1", "killed > 1)", "__import__('os').system('ls')",
    "killed.real > 1", "lambda: 1", "killed if 1 else 2", "[1, 2]", "class in [killed]",
    "killed; 1", "killed > 1e",
])
def test_what_is_not_the_grammar_is_refused_before_anything_runs(text: str) -> None:
    with pytest.raises(ExpressionError):
        outcome(text).values(table())


def test_a_number_is_not_a_condition() -> None:
    with pytest.raises(ExpressionError, match="not a condition"):
        outcome("killed").holds(table())


@given(st.text(max_size=40))
def test_any_text_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        parse(text)
    except ExpressionError:
        pass


def test_point_summary_means_by_point_and_by_replicate_group() -> None:
    outcomes = check_outcomes(default_outcomes(table()), table())
    summary = PointSummary(outcomes, runs=4)(table())
    whole = summary[summary["group"] == -1].set_index("point")
    assert whole.loc[0, "restraint"] == 0.5 and whole.loc[1, "escalation_spiral"] == 0.25
    assert whole.loc[1, "killed"] == 10.5
    assert whole.loc[0, "days_to_first_militia_attack"] == 2.0  # the replicates that have one
    assert whole.loc[0, "n:days_to_first_militia_attack"] == 2 and whole.loc[0, "n:killed"] == 4
    groups = summary[summary["group"] >= 0].set_index(["point", "group"])  # one replicate each
    assert len(groups) == 8 and groups.loc[(1, 0), "killed"] == 40
    assert groups.loc[(0, 0), "n:days_to_first_militia_attack"] == 0
    assert (groups.groupby("point")["killed"].mean() == whole["killed"]).all()
    assert [o.name for o in outcomes][:len(OUTCOME_CLASSES)] == list(OUTCOME_CLASSES)
    assert Outcome("x", "killed > 0", True).kind == "share of replicates"
