"""Stepping the model a day at a time with actions supplied from outside (a player)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim.model.kinds import ClaimMode
from sim.model.model import EscalationModel


def test_player_action_is_taken_in_every_replicate_and_sets_off_threats():
    model = EscalationModel("june-2025", replicates=200, rng=1, collect_data=False)
    while model.date < dt.date(2025, 6, 16):
        model.step()
    model.play("kataib_hezbollah", "drone_attack", "united_states", claimed=True)
    model.step()
    out = model.outcomes()
    assert (out["militia_attacks_on_us"] >= 1).all()
    us_six = next(i for i, t in enumerate(model.threats.threats) if t.id == "us-six-bases")
    assert (model.state.threat_status[:, us_six] >= 1).all()  # the US warning is now in play
    events = [e for e in model.timeline(0) if e["source"] == "player"]
    assert [(e["date"], e["actor"], e["action"], e["target"]) for e in events] == [
        ("2025-06-16", "kataib_hezbollah", "drone_attack", "united_states")]


def test_a_player_can_strike_a_named_site_under_a_front_name(write):
    path = write("front.yaml", "id: test-play-front\ntitle: a front group\nextends: june-2025\n"
                               "actors:\n  kataib_hezbollah: {front_groups: [osbat]}\n")
    model = EscalationModel(str(path), replicates=3, rng=1, collect_data=False)
    model.play("kataib_hezbollah", "drone_attack", "united_states@gulf", mode=ClaimMode.FRONT)
    model.step()
    (event,) = [e for e in model.timeline(0) if e["source"] == "player"]
    assert (event["target"], event["place"], event["claim"]) == ("united_states", "gulf", "front")
    with pytest.raises(ValueError, match="no site at 'jordan'"):
        model.play("kataib_hezbollah", "drone_attack", "united_states@jordan")


def test_player_replaces_the_models_choice_for_that_day_only():
    model = EscalationModel("june-2025", replicates=50, rng=2, collect_data=False)
    model.play("iraqi_government", "restraint_meeting", "harakat_al_nujaba")
    model.step()
    day0 = [e for e in model.timeline(0) if e["actor"] == "iraqi_government"]
    assert [(e["action"], e["target"], e["source"]) for e in day0] == [
        ("restraint_meeting", "harakat_al_nujaba", "player")]
    model.step()  # next day: the model decides again (no player action pending)
    assert all(e["source"] != "player" for e in model.timeline(0) if e["day"] == 1)


@pytest.mark.parametrize("actor, action, target, message", [
    ("kataib_hezbollah", "state_strike", "united_states", "no option"),
    ("nobody", "hold", None, "not in this scenario"),
    ("kataib_hezbollah", "teleport", None, "unknown action"),
    ("kataib_hezbollah", "drone_attack", "atlantis", "not in this scenario"),
])
def test_infeasible_player_actions_are_refused(actor, action, target, message):
    model = EscalationModel("june-2025", rng=1)
    with pytest.raises(ValueError, match=message):
        model.play(actor, action, target)


def test_running_turns_false_at_the_end_and_steps_stop():
    model = EscalationModel("june-2025", rng=1)
    days = model.spec.days
    for _ in range(days + 3):
        model.step()
    assert model.running is False
    assert model.day == days
    assert model.steps >= days
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == days
    assert frame["outcome_class"].iloc[-1] in {"restraint", "harassment", "limited_exchange",
                                               "escalation_spiral", "regional_war"}
    np.testing.assert_equal(frame["state_strikes"].iloc[-1], model.outcomes()["state_strikes"][0])
