"""The after-action review: its distributions equal independent runs of the same inputs, a team's
threat deters the model's actors, the say-do record is exact, and the report is written."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from classroom_support import scripted_game

from sim.batch import run_batch
from sim.classroom import Game
from sim.classroom.aar import ReviewError, replay_distribution, review
from sim.model.model import EscalationModel

RUNS = 60


@pytest.fixture(scope="module")
def game() -> Game:
    return scripted_game()


@pytest.fixture(scope="module")
def result(game):
    return review(game, runs=RUNS, workers=1)


def _numeric(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["replicate"]).astype(str).reset_index(drop=True)


def test_distribution_b_is_run_batch_of_the_scenario_as_played(game, result):
    batch = run_batch(game.played_scenario(with_threats=False), None, RUNS, game.setup.seed,
                      workers=1, progress=False)
    pd.testing.assert_frame_equal(_numeric(result.model.outcomes), _numeric(batch.outcomes))
    assert game.played_scenario().end.isoformat() == "2025-06-16"  # the days played only


def test_distribution_a_replicates_are_the_games_moves_with_new_dice(game, result):
    """Replicate i of (a) is what replaying the game's moves in replicate i alone gives, and
    replicate 0, with the game's seed, is the class's game itself."""
    played, script = game.played_scenario(), game.script()
    for i in (0, 7, RUNS - 1):
        alone = EscalationModel(played, None, 1, game.setup.seed, replicate_start=i,
                                collect_data=False, log_events=False)
        script.play(alone)
        row = result.replay.outcomes.iloc[i]
        for name, values in alone.outcomes().items():
            assert str(row[name]) == str(values[0]), (i, name)
    assert not result.notes or "does not reproduce" not in " ".join(result.notes)
    assert result.yours["outcome_class"] == result.replay.outcomes["outcome_class"].iloc[0]


def test_with_teams_that_let_the_model_decide_a_is_run_batch_too():
    game = Game.create("june-2025", teams=["iraqi_government"], seed=9,
                       settings={"idle": "model"})
    for _ in range(3):
        game.delegate("iraqi_government")
        game.advance()
    replay = replay_distribution(game.played_scenario(), game.script(), 40, 9)
    batch = run_batch(game.played_scenario(), None, 40, 9, workers=1, progress=False)
    pd.testing.assert_frame_equal(_numeric(replay.outcomes), _numeric(batch.outcomes))


def test_the_say_do_record_is_exact_on_the_scripted_game(result):
    by_team = {sd.team: sd for sd in result.say_do}
    us = by_team["united_states"]
    assert us.counts() == {"made": 2, "triggered": 2, "honoured": 2, "lapsed": 0}
    fates = {t.id: (t.made, t.triggered, t.honoured, t.in_play) for t in us.threats}
    assert fates["united_states-threat-1"] == ("2025-06-12", "2025-06-15", "2025-06-16", True)
    assert fates["us-six-bases"] == ("2025-06-12", "2025-06-15", "2025-06-16", False)
    kh = by_team["kataib_hezbollah"]
    assert kh.counts() == {"made": 1, "triggered": 0, "honoured": 0, "lapsed": 0}
    assert kh.threats[0].id == "kh-if-us-intervenes" and kh.threats[0].made == "2025-06-15"


def test_decisions_are_judged_against_the_models_rule(result):
    rows = {(d.date.isoformat(), d.team): d for d in result.decisions}
    attack = rows[("2025-06-15", "kataib_hezbollah")]
    assert attack.decision_point and not attack.judgement.in_character
    assert attack.judgement.probability < 0.01
    assert attack.judgement.opposed is not None  # the term that most held it back
    strike = rows[("2025-06-16", "united_states")]
    assert strike.judgement.favoured[0] == "commitment"  # its own threats drew it on
    delegated = rows[("2025-06-13", "united_states")]
    assert delegated.move == "hold: take no action (no move: held)" or delegated.judgement


@pytest.mark.slow
def test_a_credible_team_threat_deters_the_act_it_names():
    """The US team threatens strikes if Kata'ib Hezbollah attacks the Kurdistan Region; over
    replicates, the model's KH attacks Kurdistan less. The tolerance is four standard errors of
    the difference of means over the replicates."""
    runs, means, errors = 80, [], []
    for threaten in (False, True):
        game = Game.create("june-2025", teams=["united_states"], seed=11,
                           settings={"idle": "model"})
        if threaten:
            game.threaten("united_states",
                          {"event": {"actor": "kataib_hezbollah", "target": "kurdistan_region"}},
                          {"action": "strike_militia_sites", "target": "kataib_hezbollah"})
        while not game.ended:
            game.delegate("united_states")
            game.advance()
        attacks = replay_distribution(game.played_scenario(), game.script(), runs, 11) \
            .outcomes["militia_attacks_on_kurdistan"].to_numpy(dtype=float)
        means.append(attacks.mean())
        errors.append(attacks.var(ddof=1) / runs)
    assert means[1] < means[0] - 4 * np.sqrt(sum(errors)), means


def test_the_report_is_written(result, tmp_path):
    files = {p.name for p in result.write(tmp_path)}
    assert files == {"escalation-index.png", "outcome-classes.png", "aar.json", "report.html",
                     "report.pdf"}
    data = json.loads((tmp_path / "aar.json").read_text())
    assert data["runs"] == RUNS and data["days_played"] == 5
    assert {r["metric"] for r in data["record"]} >= {"window_militia_attacks_on_us"}
    html = (tmp_path / "report.html").read_text()
    assert "Say and do" in html and "escalation-index.png" in html
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "report.pdf").pages)
    for needle in ("Where your game sits", "historical record", "Say and do",
                   "Kata'ib Hezbollah"):
        assert needle in text


def test_nothing_to_review_before_the_first_day():
    with pytest.raises(ReviewError, match="nothing has been played"):
        review(Game.create("june-2025", teams=["iran"]), runs=10)
