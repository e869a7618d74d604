"""Fog of war: two teams play; event by event, neither sees what it should not."""

from __future__ import annotations

import pytest

from sim.classroom import Game
from sim.classroom.fog import PUBLIC, SELF, VISIBILITY, Fog
from sim.model.actions import ACTIONS, CATALOGUE

TEAMS = ("kataib_hezbollah", "united_states")


def test_every_action_of_the_catalogue_has_a_visibility():
    assert set(VISIBILITY) == {a.id for a in CATALOGUE}
    assert all(VISIBILITY[a.id][0] is PUBLIC for a in CATALOGUE if a.kinetic)


@pytest.fixture(scope="module")
def game() -> Game:
    """KH attacks US forces unclaimed and hides its leaders; the US appeals to Israel in
    private and deploys air defence in public; the model plays Baghdad, Tehran and the rest."""
    game = Game.create("june-2025", teams=list(TEAMS), seed=2, settings={"fast_forward": False})
    plan = {
        "2025-06-12": [("kataib_hezbollah", "go_to_ground", None, "own"),
                       ("united_states", "appeal_for_restraint", "israel", "own")],
        "2025-06-13": [("kataib_hezbollah", "drone_attack", "united_states@iraq", "none"),
                       ("united_states", "deploy_air_defence", None, "own")],
        "2025-06-14": [("kataib_hezbollah", "rocket_attack", "united_states@gulf", "none"),
                       ("united_states", "press_government", "iraqi_government", "own")],
        "2025-06-15": [("kataib_hezbollah", "threaten", "united_states", "own")],
    }
    while game.date.isoformat() <= "2025-06-24":
        for team, action, target, claim in plan.get(game.date.isoformat(), []):
            game.submit(team, action, target, claim)
        game.advance()
    return game


def _expected_visible(fog: Fog, viewer: str, event: dict) -> bool:
    if event["kind"] == "threat_made":
        return True
    if event["kind"] != "action":
        return viewer in fog.threat_parties(event["source"], event["target"])
    visibility = VISIBILITY[event["action"]][0]
    if visibility is PUBLIC:
        return True
    if visibility is SELF:
        return event["actor"] == viewer
    return viewer in fog.parties(event)


def test_each_team_sees_exactly_what_its_actor_would_know(game):
    fog = game.fog
    truth = game.timeline()
    checked = {"private hidden": 0, "unclaimed hidden": 0, "blame shown": 0, "own truth": 0}
    for viewer in TEAMS:
        seen = {(s.day, s.action, s.target, s.kind, s.threat) for s in game.seen(viewer)}
        for event in truth:
            view = fog.sees(viewer, event)
            assert (view is not None) == _expected_visible(fog, viewer, event), (viewer, event)
            if view is None:
                checked["private hidden"] += event["kind"] == "action" and \
                    VISIBILITY[event["action"]][0] is not PUBLIC
                continue
            assert (view.day, view.action, view.target, view.kind, view.threat) in seen
            if event["kind"] != "action":
                continue
            own = event["actor"] == viewer
            openly = event["claim"] in ("own", "forewarned")
            if own:
                assert view.actor == event["actor"] and view.blamed is None
                checked["own truth"] += 1
            elif not openly:  # the truth of an unclaimed attack is never shown to others
                assert view.actor == "unknown"
                checked["unclaimed hidden"] += 1
                if view.blamed is not None:  # the viewer's side's own attribution draw
                    assert fog.shares_blame(viewer, event) and view.blamed == event["blamed"]
                    checked["blame shown"] += 1
            else:
                assert view.actor == event["actor"] and view.blamed is None
    assert all(checked.values()), checked  # every rule was exercised by this game


def test_the_written_brief_never_names_the_hidden_author(game):
    truth = game.timeline()
    unclaimed_by_kh = [e for e in truth if e["actor"] == "kataib_hezbollah"
                       and e["claim"] == "none"]
    assert unclaimed_by_kh
    brief = game.briefing("united_states").text(with_earlier=True)
    lines = [line for line in brief.splitlines() if "Unknown attackers" in line]
    assert len(lines) >= len(unclaimed_by_kh)
    for line in lines:
        if "Kata'ib Hezbollah" in line:  # only as the US side's own blame
            assert "your side blames Kata'ib Hezbollah" in line
    kh_brief = game.briefing("kataib_hezbollah").text(with_earlier=True)
    assert "appeal for restraint" not in kh_brief  # the US appeal to Israel was private
    assert "press the Iraqi government" not in kh_brief
    us_brief = game.briefing("united_states").text(with_earlier=True)
    assert "leaders go to ground" not in us_brief  # KH's leaders hid in secret
    assert "meet militia commanders" not in us_brief  # Baghdad's meetings with the factions


def test_the_public_view_holds_public_events_only(game):
    lines = game.public_lines(list(range(game.days_played)))
    assert any("deploy air defence" in line for line in lines)
    assert not any("leaders go to ground" in line or "appeal for restraint" in line
                   for line in lines)
    assert not any(line.split("  ", 1)[1].startswith("Kata'ib Hezbollah: drone attack")
                   for line in lines)


def test_a_directive_to_all_allies_reaches_each_ally_only():
    game = Game.create("june-2025", teams=["iran", "kataib_hezbollah", "united_states"], seed=1)
    game.submit("iran", "discourage_allies")
    game.advance()
    event = next(e for e in game.timeline() if e["action"] == "discourage_allies")
    fog = game.fog
    assert fog.sees("kataib_hezbollah", event) is not None
    assert fog.sees("united_states", event) is None
    assert ACTIONS["discourage_allies"].optional_target
