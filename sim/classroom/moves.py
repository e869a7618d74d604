"""Moves: what a team may do on its turn, checked before the game accepts it.

- ``menu(world, actor)``: every option of the actor's catalogue toward every target it may
  choose, claimed, unclaimed or under a front name where the action and the scenario allow, one
  ``OptionView`` each (kinetic acts name the site they land on: ``united_states@iraq``);
- ``check_move``: a move the actor cannot take is refused with a one-line reason (``MoveError``);
- ``make_threat`` / ``make_inject``: a team's structured conditional threat, or the
  facilitator's scripted event, checked exactly as the scenario loader checks a scenario's own
  threats and injects, and turned into the scenario entries the model plays.

A player's threat becomes a scenario threat made on the day of the turn: the model's actors weigh
it like any other, by the credibility they give its author, which rises when the author keeps its
word and falls when a triggered threat lapses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from sim.classroom.errors import MoveError
from sim.classroom.record import CLAIMS, InjectEntry, MoveEntry, ThreatEntry
from sim.model.actions import ACTIONS, CATALOGUE
from sim.model.kinds import ClaimMode
from sim.model.places import split_site
from sim.model.world import World
from sim.scenario.checks import check_references
from sim.scenario.schema import Inject, Response, Scenario, Threat, Trigger

CLAIM_MODES: dict[str, ClaimMode] = {mode.label: mode for mode in ClaimMode}
ATTACKER = "attacker"
_CLAIM_WORDS = {"own": "", "front": ", claimed by a front group", "none": ", unclaimed",
                "forewarned": ", forewarned"}


@dataclass(frozen=True)
class OptionView:
    """One option on a team's menu; with the facilitator's setting, the model's probability."""

    action: str
    target: str | None  # an actor id, or a site (actor@place) for an act that lands somewhere
    claim: str
    label: str
    rung: int
    model_chooses: bool  # the model ever chooses this option for the actor
    probability: float | None = None  # the model's chance of this exact option today
    group_probability: float | None = None  # ... of this move toward this target, any means

    @property
    def key(self) -> str:
        """A stable id for interfaces: ``action|target|claim``."""
        return f"{self.action}|{self.target or ''}|{self.claim}"

    def entry(self, team: str, date: dt.date) -> MoveEntry:
        return MoveEntry(date=date, team=team, action=self.action, target=self.target,
                         claim=self.claim)  # type: ignore[arg-type]


def actor_name(world: World, actor: str) -> str:
    return world.specs[world.index[actor]].name if actor in world.index else actor


def target_words(world: World, target: str | None) -> str:
    """``united_states@gulf`` -> ``United States (Gulf)``; the place only where the actor has
    more than one site."""
    if target is None:
        return ""
    actor, place = split_site(target)
    name = actor_name(world, actor)
    if place is None or actor not in world.index or \
            len(world.actor_sites[world.index[actor]]) < 2:
        return name
    return f"{name} ({place.capitalize()})"


def option_label(world: World, action: str, target: str | None, claim: str) -> str:
    act = ACTIONS[action]
    text = act.label
    if target is not None:
        text += f" -> {target_words(world, target)}"
    elif act.optional_target:
        text += " (all at once)"
    return text + _CLAIM_WORDS[claim]


def menu(world: World, actor: str) -> list[OptionView]:
    """Every option of ``actor``, hold first, in the catalogue's ladder order."""
    a = world.index[actor]
    opts = world.options[a]
    free = world.options[a].free_subset()
    free_keys = {(int(x), int(t), int(s), int(m)) for x, t, s, m in
                 zip(free.action, free.target, free.site, free.mode, strict=True)}
    views = []
    for act, tgt, site, mode in zip(opts.action, opts.target, opts.site, opts.mode, strict=True):
        action = CATALOGUE[int(act)]
        target = None if tgt < 0 else (world.site_ids[int(site)] if site >= 0
                                       else world.ids[int(tgt)])
        claim = ClaimMode(int(mode)).label
        views.append(OptionView(action.id, target, claim,
                                option_label(world, action.id, target, claim), action.rung,
                                (int(act), int(tgt), int(site), int(mode)) in free_keys))
    return views


def find_option(world: World, actor: str, action: str, target: str | None, claim: str) -> int:
    """Position of a move in ``world.options[actor]`` (a bare actor target means its first
    site, as ``EscalationModel.play`` takes it); MoveError if the actor has no such option."""
    a = world.index[actor]
    target_index, site = -1, None
    if target is not None:
        who, place = split_site(target)
        target_index = world.index[who]
        if place is not None:
            site = world.site_index[target]
    try:
        return world.options[a].find(action, target_index,
                                     site if ACTIONS[action].kinetic else None, CLAIM_MODES[claim])
    except ValueError:
        raise MoveError(_why_not(world, actor, action, target, claim)) from None


def check_move(world: World, scenario: Scenario, entry: MoveEntry) -> MoveEntry:
    """The move if the team's actor can take it (a front claim gets the actor's front name);
    otherwise MoveError with a one-line reason."""
    team, action, target = entry.team, entry.action, entry.target
    if action not in ACTIONS:
        raise MoveError(f"unknown action '{action}' for {team} (its actions: "
                        f"{', '.join(_actions_of(world, team))})")
    if target is not None:
        who, place = split_site(target)
        if who not in world.index:
            raise MoveError(f"'{who}' is not in this scenario (actors: {', '.join(world.ids)})")
        if place is not None and target not in world.site_index:
            sites = [s for s in world.site_ids if split_site(s)[0] == who]
            raise MoveError(f"{who} has no site at '{place}' (its sites: {', '.join(sites)})")
    find_option(world, team, action, target, entry.claim)
    if entry.claim == "front":
        fronts = scenario.actors[team].front_groups
        if entry.front is not None and entry.front not in fronts:
            raise MoveError(f"'{entry.front}' is not one of {team}'s front groups "
                            f"({', '.join(fronts)})")
        return entry if entry.front else replace_front(entry, fronts[0])
    if entry.front is not None:
        raise MoveError("a front name goes only with claim 'front'")
    return entry


def replace_front(entry: MoveEntry, front: str) -> MoveEntry:
    return entry.model_copy(update={"front": front})


def _actions_of(world: World, actor: str) -> list[str]:
    opts = world.options[world.index[actor]]
    return list(dict.fromkeys(CATALOGUE[int(a)].id for a in opts.action))


def _why_not(world: World, actor: str, action: str, target: str | None, claim: str) -> str:
    """The one-line reason an actor has no such option, as specific as the catalogue allows."""
    opts = world.options[world.index[actor]]
    mine = [i for i, a in enumerate(opts.action) if CATALOGUE[int(a)].id == action]
    if not mine:
        return (f"{actor} cannot take '{action}' (its actions: "
                f"{', '.join(_actions_of(world, actor))})")
    targets = sorted({world.ids[int(opts.target[i])] for i in mine if opts.target[i] >= 0})
    if target is None and ACTIONS[action].has_target and not ACTIONS[action].optional_target:
        return f"'{action}' needs a target ({', '.join(targets)})"
    if target is not None and not targets:
        return f"'{action}' takes no target"
    if target is not None and split_site(target)[0] not in targets:
        return (f"{actor} cannot aim '{action}' at {split_site(target)[0]} (targets: "
                f"{', '.join(targets)})")
    claims = sorted({ClaimMode(int(opts.mode[i])).label for i in mine}, key=CLAIMS.index)
    if claim not in claims:
        extra = " (a front claim needs front groups listed in the scenario)" \
            if claim == "front" else ""
        return f"'{action}' by {actor} can be: {', '.join(claims)}, not '{claim}'{extra}"
    return f"{actor} has no option {action} -> {target} ({claim})"


# --- threats and injects -------------------------------------------------------------------------

def threat_problems(scenario: Scenario, threat: Threat) -> list[str]:
    """What the scenario checks say about one more threat, as 'field: message' lines."""
    return _problems(scenario, "threats", threat)


def _problems(scenario: Scenario, section: str, item: Threat | Inject) -> list[str]:
    """What the scenario checks say about one threat or inject, as 'field: message' lines."""
    trial = scenario.model_copy(update={section: [item]})
    out = []
    for loc, message in check_references(trial):
        if loc and loc[0] == section:
            field = ".".join(str(part) for part in loc[2:])
            out.append(f"{field}: {message}" if field else message)
    return out


def _validated(model: type, data: Any, what: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(x) for x in first["loc"])
        raise MoveError(f"{what}: {field + ': ' if field else ''}{first['msg']}") from None


def trigger_actors(trigger: Trigger) -> list[str]:
    """Every actor a trigger's event patterns name as the one who acts, in order."""
    found: list[str] = []
    if trigger.event is not None:
        found += trigger.event.actor or []
    for sub in (trigger.any_of or []) + (trigger.all_of or []):
        found += trigger_actors(sub)
    return list(dict.fromkeys(found))


def make_threat(scenario: Scenario, team: str, date: dt.date, threat_id: str,
                trigger: Trigger | dict[str, Any], response: Response | dict[str, Any],
                deadline_days: int = 7, wording: str = "",
                against: list[str] | None = None) -> ThreatEntry:
    """A team's structured threat, checked; MoveError with the first problem otherwise."""
    trig = _validated(Trigger, trigger, "trigger")
    resp = _validated(Response, response, "response")
    if against is None:
        against = trigger_actors(trig) or ([resp.target] if resp.target != ATTACKER else [])
    if not against:
        raise MoveError("say whom the threat is aimed at: name who acts in the trigger, or "
                        "give 'against'")
    entry = _validated(ThreatEntry, {"date": date, "team": team, "id": threat_id,
                                     "against": against, "trigger": trig, "response": resp,
                                     "deadline_days": deadline_days, "wording": wording},
                       "threat")
    problems = threat_problems(scenario, scenario_threat(entry))
    if problems:
        raise MoveError(f"threat: {problems[0]}")
    return entry


def scenario_threat(entry: ThreatEntry) -> Threat:
    """The scenario threat a team's threat becomes: made on the day of its turn."""
    return Threat(id=entry.id, by=entry.team, against=entry.against, made=entry.date,
                  trigger=entry.trigger, response=entry.response,
                  deadline_days=entry.deadline_days, wording=entry.wording,
                  rationale="Made by the team playing this actor in a classroom game.")


def make_inject(scenario: Scenario, today: dt.date, inject_id: str,
                fields: dict[str, Any]) -> InjectEntry:
    """The facilitator's scripted event (today unless ``date`` says later), checked."""
    data = {"date": today, **fields, "id": inject_id}
    inject = _validated(Inject, data, "inject")
    if inject.date < today:
        raise MoveError(f"inject: date {inject.date} has passed (the game is at {today})")
    problems = _problems(scenario, "injects", inject)
    if problems:
        raise MoveError(f"inject: {problems[0]}")
    return InjectEntry(date=today, inject=inject)
