"""Plain-text sentences for events and threats, shared by every face of the game.

No markup and no terminal codes: the terminal interface, the browser and the reports all show
the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.classroom.fog import UNKNOWN, SeenEvent
from sim.classroom.moves import actor_name, target_words
from sim.model.actions import ACTIONS
from sim.model.threats import CompiledThreat
from sim.model.world import World
from sim.scenario.schema import Trigger

_CLAIMS = {"front": "claimed by a front group", "none": "unclaimed",
           "forewarned": "announced in advance"}
_THREAT_WORDS = {"threat_made": "Threat made", "threat_triggered": "Threat triggered",
                 "threat_honoured": "Threat carried out", "threat_lapsed": "Threat lapsed"}


def names(world: World, ids: Sequence[str]) -> str:
    """Actor ids as a readable list of names."""
    named = [actor_name(world, a) for a in ids]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " or " + named[-1]


def trigger_text(world: World, trigger: Trigger) -> str:
    """A structured trigger in words: 'United States: state strike on Iran'."""
    if trigger.event is not None:
        ev = trigger.event
        who = names(world, ev.actor) if ev.actor else "anyone"
        what = " or ".join(ACTIONS[a].label for a in ev.action) if ev.action else "acts"
        text = f"{who} {what}" if ev.action else f"{who} acts"
        if ev.target:
            text += f" against {names(world, ev.target)}"
        if ev.place:
            text += f" in {', '.join(ev.place)}"
        if ev.min_rung:
            text += f" (rung {ev.min_rung} or higher)"
        return text
    parts = trigger.any_of or trigger.all_of or []
    joiner = " or " if trigger.any_of else " and "
    return joiner.join(f"({trigger_text(world, t)})" if (t.any_of or t.all_of) else
                       trigger_text(world, t) for t in parts)


def threat_text(world: World, threat: CompiledThreat) -> str:
    """'if <trigger>, <author> promises <response> against <target>'."""
    response = ACTIONS[_action_id(threat.response_action)].label
    target = "the attacker" if threat.response_target == -2 else \
        actor_name(world, world.ids[threat.response_target])
    if threat.spec is not None:
        condition = trigger_text(world, threat.spec.trigger)
    else:
        condition = f"{names(world, [world.ids[i] for i in threat.against])} attacks it"
    by = actor_name(world, world.ids[threat.by])
    deadline = f" (within {threat.deadline} days)" if threat.deadline else ""
    return f"if {condition}, {by} promises {response} against {target}{deadline}"


def _action_id(index: int) -> str:
    from sim.model.actions import CATALOGUE

    return CATALOGUE[index].id


def describe_seen(world: World, seen: SeenEvent, threat: CompiledThreat | None = None) -> str:
    """One line for an event as a team knows it."""
    if seen.kind != "action":
        return describe_threat_event(world, seen.kind, seen.actor, seen.threat, seen.target,
                                     threat)
    who = "You" if seen.own else ("Unknown attackers" if seen.actor == UNKNOWN
                                  else actor_name(world, seen.actor))
    text = f"{who}: {ACTIONS[seen.action].label}"
    if seen.target is not None:
        text += " -> " + target_words(world, f"{seen.target}@{seen.place}" if seen.place
                                      else seen.target)
    details = _result_words(seen.result, seen.killed, seen.injured)
    if seen.claim in _CLAIMS:
        details.append(_CLAIMS[seen.claim])
    if seen.blamed:
        details.append(f"your side blames {actor_name(world, seen.blamed)}")
    elif seen.actor == UNKNOWN:
        details.append("author unknown")
    return text + (f" ({'; '.join(details)})" if details else "")


def describe_event(world: World, event: dict[str, Any], threat: CompiledThreat | None = None
                   ) -> str:
    """One line for an event as it truly happened (the facilitator's view)."""
    if event["kind"] != "action":
        return describe_threat_event(world, event["kind"], event["actor"], event["source"],
                                     event["target"], threat)
    who = "Unknown attackers" if event["actor"] == UNKNOWN else actor_name(world, event["actor"])
    text = f"{who}: {ACTIONS[event['action']].label}"
    if event["target"] is not None:
        text += " -> " + target_words(world, f"{event['target']}@{event['place']}"
                                      if event["place"] else event["target"])
    details = _result_words(event["result"], event["killed"], event["injured"])
    if event["claim"] in _CLAIMS:
        details.append(_CLAIMS[event["claim"]])
    if event["blamed"] and event["blamed"] != event["actor"]:
        details.append(f"blamed on {actor_name(world, event['blamed'])}")
    if event["source"] == "player":
        details.append("a team's move")
    elif event["scripted"]:
        details.append("scripted")
    return text + (f" ({'; '.join(details)})" if details else "")


def describe_threat_event(world: World, kind: str, author: str, threat_id: str | None,
                          target: str | None, threat: CompiledThreat | None) -> str:
    words = _THREAT_WORDS[kind]
    who = actor_name(world, author)
    if kind == "threat_made" and threat is not None:
        return f"{words} by {who} [{threat_id}]: {threat_text(world, threat)}"
    against = f" against {actor_name(world, target)}" if target else ""
    promised = f", promised {ACTIONS[_action_id(threat.response_action)].label}{against}" \
        if threat is not None else ""
    return f"{words}: {who} [{threat_id}]{promised}"


def _result_words(result: str, killed: int, injured: int) -> list[str]:
    if result not in ("hit", "intercepted", "missed"):
        return []
    words = [result]
    if result == "hit":
        words.append(f"{killed} killed" if killed else "none killed")
        if injured:
            words.append(f"{injured} injured")
    return words
