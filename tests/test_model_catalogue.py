"""The action catalogue agrees with its documentation and is internally consistent."""

from __future__ import annotations

from pathlib import Path

import yaml

from sim.model.actions import CATALOGUE, MAX_RUNG, ActorKind, ClaimMode, standard_response

DOC = Path(__file__).resolve().parents[1] / "docs" / "event-codes.md"


def _documented_codes() -> dict[str, dict]:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("```yaml") + len("```yaml")
    return {row["action"]: row for row in yaml.safe_load(text[start:text.index("```", start)])}


def test_every_action_has_the_documented_event_codes():
    documented = _documented_codes()
    assert set(documented) == {a.id for a in CATALOGUE}
    for action in CATALOGUE:
        row, code = documented[action.id], action.code
        assert row["cameo"] == code.cameo, action.id
        assert row["plover_event"] == code.plover_event, action.id
        assert row["plover_mode"] == code.plover_mode, action.id
        if code.cameo is not None:
            assert row["goldstein"] == code.goldstein, action.id
            assert row["cameo_name"] == code.cameo_name, action.id


def test_hold_comes_first_and_rungs_order_the_ladder():
    assert CATALOGUE[0].id == "hold" and CATALOGUE[0].rung == 0
    assert MAX_RUNG == max(a.rung for a in CATALOGUE)
    kinetic = [a for a in CATALOGUE if a.kinetic]
    assert min(a.rung for a in kinetic) > max(a.rung for a in CATALOGUE if not a.kinetic)


def test_kinetic_actions_are_hostile_and_only_they_can_be_denied_forewarned_or_intercepted():
    for a in CATALOGUE:
        if a.kinetic:
            assert a.hostility > 0 and a.code.goldstein < 0, a.id
            assert a.intent == "strike"
        else:
            assert a.modes == (ClaimMode.OWN,), a.id
            assert a.interceptable == 0 and a.lethality == 0, a.id
            assert a.intent == a.id


def test_a_threat_promises_the_lowest_kinetic_rung_that_reaches_its_target():
    assert standard_response(ActorKind.MILITIA, ActorKind.UNITED_STATES).id == "rocket_attack"
    assert standard_response(ActorKind.MILITIA, ActorKind.ISRAEL).id == "drone_attack"
    assert standard_response(ActorKind.UNITED_STATES, ActorKind.MILITIA).id == \
        "strike_militia_sites"
    assert standard_response(ActorKind.IRAN, ActorKind.UNITED_STATES).id == "state_strike"
    assert standard_response(ActorKind.IRAQI_GOVERNMENT, ActorKind.MILITIA) is None


def test_every_actor_kind_can_at_least_hold():
    for kind in ActorKind:
        assert kind in CATALOGUE[0].actor_kinds
