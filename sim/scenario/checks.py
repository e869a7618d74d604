"""Cross-reference checks of a structurally valid scenario.

Each check yields (field location, message); the loader maps locations to file and line.
Checked: actors exist (in the shared catalogue, or defined with a kind), actions exist and suit
the actor and target kinds, dates fall inside the scenario window, parameters exist and lie in
their ranges, evidence ids exist in the register, historical metrics and classes exist.

Refused as meaningless, though well formed (docs/scenario-format.md#refused-constructs): a
window longer than ``MAX_DAYS``; an actor named ``unknown`` or ``attacker`` (words the format
reserves); a militia that is its own patron, or patrons in a circle; a fractional value of a
parameter counted in whole days or events; an event pattern that names nothing, or that no
actor of the scenario could ever match; more than ``MAX_TRIGGER_PATTERNS`` patterns in all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from difflib import get_close_matches

from sim.evidence import shipped_register
from sim.model.actions import ACTIONS, ActorKind
from sim.model.catalogue import actor_catalogue
from sim.model.kinds import ClaimMode
from sim.model.outcomes import (OUTCOME_CLASSES, STATE_CONFLICT_CLASSES, WINDOWED,
                                metric_names)
from sim.model.parameters import GLOBAL, PER_ACTOR
from sim.model.places import HOME, PLACES, split_site
from sim.overrides import whole_number_parameter
from sim.scenario.schema import Control, EventMatch, Scenario, Trigger

Loc = tuple[str | int, ...]
Check = Iterator[tuple[Loc, str]]
ATTACKER = "attacker"
UNKNOWN_ACTOR = "unknown"
RESERVED_ACTOR_IDS = (UNKNOWN_ACTOR, ATTACKER)
MAX_DAYS = 731  # two years: the window of a scenario
MAX_TRIGGER_PATTERNS = 1000  # event patterns in all threats' triggers together


def _suggest(word: str, choices: list[str] | set[str]) -> str:
    close = get_close_matches(word, sorted(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _kinds(scenario: Scenario) -> dict[str, ActorKind | None]:
    catalogue = actor_catalogue()
    out: dict[str, ActorKind | None] = {}
    for actor_id, entry in scenario.actors.items():
        if entry.kind is not None:
            out[actor_id] = ActorKind(entry.kind) if entry.kind in set(ActorKind) else None
        elif actor_id in catalogue:
            out[actor_id] = catalogue[actor_id].kind
        else:
            out[actor_id] = None
    return out


def _actor_ref(actor: str, present: set[str], loc: Loc, extra: tuple[str, ...] = ()) -> Check:
    if actor not in present and actor not in extra:
        yield loc, f"unknown actor '{actor}'{_suggest(actor, present)}; actors in this scenario: " \
                   + ", ".join(sorted(present))


def _date_in(date: dt.date, scenario: Scenario, loc: Loc) -> Check:
    if not scenario.start <= date <= scenario.end:
        yield loc, (f"date {date} is outside the scenario window "
                    f"{scenario.start} .. {scenario.end}")


def check_actors(scenario: Scenario) -> Check:
    catalogue = actor_catalogue()
    present = set(scenario.actors)
    for actor_id, entry in scenario.actors.items():
        loc: Loc = ("actors", actor_id)
        if actor_id in RESERVED_ACTOR_IDS:
            yield loc, (f"'{actor_id}' is a reserved word of the format (an unattributed author, "
                        "or whoever set off a threat); give the actor another id")
            continue
        if actor_id not in catalogue and entry.kind is None:
            yield loc, (f"unknown actor '{actor_id}'{_suggest(actor_id, set(catalogue))}: not in "
                        "the shared catalogue; to add a new actor give its 'kind' "
                        f"(one of {', '.join(k.value for k in ActorKind)})")
        if entry.kind is not None and entry.kind not in set(ActorKind):
            yield (*loc, "kind"), (f"unknown kind '{entry.kind}' "
                                   f"(expected one of {', '.join(k.value for k in ActorKind)})")
        if entry.patron is not None:
            yield from _actor_ref(entry.patron, present, (*loc, "patron"))
            yield from _patron_circle(scenario, actor_id, (*loc, "patron"))
        for other in entry.free_against:
            yield from _actor_ref(other, present, (*loc, "free_against"))
        yield from _control_dates(entry, scenario, loc)
        for i, place in enumerate(entry.sites or []):
            yield from _place_ref(place, (*loc, "sites", i))
        if entry.sites is not None and len(set(entry.sites)) != len(entry.sites):
            yield (*loc, "sites"), "a place is listed twice"
        if entry.sites == []:
            yield (*loc, "sites"), "an actor needs at least one site (or leave 'sites' out)"
        for name, value in entry.parameters.items():
            yield from _parameter(name, value, PER_ACTOR, (*loc, "parameters", name))


def _control_dates(entry, scenario: Scenario, loc: Loc) -> Check:
    if entry.free_from is not None:
        if entry.control is not Control.SCRIPTED:
            yield (*loc, "free_from"), "only a scripted actor takes 'free_from'"
        if entry.free_against:
            yield (*loc, "free_from"), ("'free_from' frees the actor entirely from that date; "
                                        "drop 'free_against'")
        yield from _date_in(entry.free_from, scenario, (*loc, "free_from"))
    if entry.scripted_from is not None:
        if entry.control is not Control.FREE:
            yield (*loc, "scripted_from"), "only a free actor takes 'scripted_from'"
        yield from _date_in(entry.scripted_from, scenario, (*loc, "scripted_from"))


def _place_ref(place: str, loc: Loc) -> Check:
    if place not in PLACES:
        yield loc, f"unknown place '{place}'{_suggest(place, set(PLACES))}; places: " \
                   + ", ".join(PLACES)


def _sites_of(scenario: Scenario, kinds: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for actor_id, entry in scenario.actors.items():
        kind = kinds.get(actor_id)
        out[actor_id] = entry.sites or ([HOME[kind]] if kind is not None else [])
    return out


def _site_ref(ref: str, present: set[str], sites: dict[str, list[str]], loc: Loc,
              extra: tuple[str, ...] = ()) -> Check:
    actor, place = split_site(ref)
    if actor not in present and actor not in extra:
        yield from _actor_ref(actor, present, loc, extra)
        return
    if place is not None and actor in sites and place not in sites[actor]:
        yield loc, (f"'{actor}' has no site at '{place}' (its sites: "
                    f"{', '.join(sites[actor]) or 'none'}; list more under actors.{actor}.sites)")


def _patron_circle(scenario: Scenario, actor_id: str, loc: Loc) -> Check:
    """A patron chain that comes back to the actor (its own patron, or two each other's)."""
    chain = [actor_id]
    patron = scenario.actors[actor_id].patron
    while patron is not None and patron in scenario.actors and patron not in chain:
        chain.append(patron)
        patron = scenario.actors[patron].patron
    if patron == actor_id:
        circle = " -> ".join([*chain, actor_id])
        yield loc, (f"'{actor_id}' is its own patron" if len(chain) == 1
                    else f"patrons go round in a circle: {circle}")


def _parameter(name: str, value: float, table: dict, loc: Loc) -> Check:
    if name not in table:
        yield loc, f"unknown parameter '{name}'{_suggest(name, set(table))}"
        return
    spec = table[name]
    if not spec.low <= value <= spec.high:
        yield loc, f"{name} = {value} is outside its range [{spec.low}, {spec.high}]"
    elif whole_number_parameter(name) and not float(value).is_integer():
        yield loc, f"{name} = {value} must be a whole number (it counts days or events)"


def check_parameters(scenario: Scenario) -> Check:
    for name, value in scenario.parameters.items():
        yield from _parameter(name, value, GLOBAL, ("parameters", name))


def check_initial_state(scenario: Scenario, kinds: dict) -> Check:
    present = set(scenario.actors)
    init = scenario.initial_state
    for field in ("fear", "directive", "restraint_pressure", "urged"):
        for actor in getattr(init, field):
            yield from _actor_ref(actor, present, ("initial_state", field, actor))
    sites = _sites_of(scenario, kinds)
    for field in ("air_defence", "exposure"):
        for ref in getattr(init, field):
            yield from _site_ref(ref, present, sites, ("initial_state", field, ref))
    fields = {"tension", "fear", "directive", "restraint_pressure", "urged", "air_defence",
              "exposure", "leaders_hidden", "grievance", "credibility"}
    for name in init.basis:
        if name not in fields:
            yield (("initial_state", "basis", name),
                   f"no initial-state field '{name}' (expected one of {', '.join(sorted(fields))})")
    for i, actor in enumerate(init.leaders_hidden):
        yield from _actor_ref(actor, present, ("initial_state", "leaders_hidden", i))
    for field in ("grievance", "credibility"):
        for i, pair in enumerate(getattr(init, field)):
            yield from _actor_ref(pair.holder, present, ("initial_state", field, i, "holder"))
            yield from _actor_ref(pair.toward, present, ("initial_state", field, i, "toward"))
            if field == "credibility" and pair.value > 1:  # the schema bounds both below
                yield ("initial_state", field, i, "value"), "credibility must be in [0, 1]"


def _action_ref(action: str, loc: Loc) -> Check:
    if action not in ACTIONS:
        yield loc, f"unknown action '{action}'{_suggest(action, set(ACTIONS))}"


def _action_fits(action: str, actor: str, target: str | None, kinds: dict, loc: Loc,
                 target_given: bool | None = None) -> Check:
    if action not in ACTIONS:
        return
    act = ACTIONS[action]
    kind = kinds.get(actor)
    if kind is not None and kind not in act.actor_kinds:
        yield loc, (f"'{actor}' ({kind.value}) cannot take '{action}' (taken by: "
                    + ", ".join(k.value for k in act.actor_kinds) + ")")
    given = target is not None if target_given is None else target_given
    if not given and act.has_target and not act.optional_target:
        yield loc, f"'{action}' needs a target"
    if given and not act.has_target:
        yield loc, f"'{action}' takes no target"
    target_kind = kinds.get(target) if target else None
    if target_kind is not None and act.has_target and target_kind not in act.target_kinds:
        yield loc, (f"'{action}' cannot target '{target}' ({target_kind.value}); targets: "
                    + ", ".join(k.value for k in act.target_kinds))


def _trigger(trigger: Trigger, scenario: Scenario, kinds: dict, loc: Loc) -> Check:
    if trigger.event is not None:
        yield from _event(trigger.event, set(scenario.actors), (*loc, "event"))
        yield from _event_possible(trigger.event, scenario, kinds, (*loc, "event"))
    for key in ("any_of", "all_of"):
        for i, sub in enumerate(getattr(trigger, key) or []):
            yield from _trigger(sub, scenario, kinds, (*loc, key, i))


def _patterns(trigger: Trigger) -> int:
    """Event patterns (leaves) of a trigger."""
    if trigger.event is not None:
        return 1
    return sum(_patterns(t) for t in (trigger.any_of or trigger.all_of or []))


def _event_possible(event: EventMatch, scenario: Scenario, kinds: dict, loc: Loc) -> Check:
    """An event pattern must name something, and some actor of the scenario must be able to
    take an action that fits it (by the catalogue's actor and target kinds)."""
    if event.actor is None and event.action is None and event.target is None \
            and event.min_rung is None and event.place is None:
        yield loc, ("an event pattern must give at least one of actor, action, target, place or "
                    "min_rung (an empty pattern would match every act, including doing nothing)")
        return
    if event.since is not None and event.since > scenario.end:
        yield (*loc, "since"), f"date {event.since} is after the scenario ends ({scenario.end})"
    names = set(scenario.actors)
    if any(a not in names for a in (*(event.actor or ()), *(event.target or ()))) or \
            any(a not in ACTIONS for a in event.action or ()):
        return  # unknown names are reported on their own
    authors = event.actor or list(scenario.actors)
    actions = [ACTIONS[a] for a in (event.action or ACTIONS)]
    targets = event.target or list(scenario.actors)
    for act in actions:
        if act.rung < (event.min_rung or 0) or (event.target is not None and not act.has_target):
            continue
        for author in authors:
            if kinds.get(author) is not None and kinds[author] not in act.actor_kinds:
                continue
            if not act.has_target or any(
                    t != author and (kinds.get(t) is None or kinds[t] in act.target_kinds)
                    for t in targets):
                return
    yield loc, ("no actor of this scenario can take an action that fits this pattern (see "
                "the actor and target kinds of each action in docs/parameters.md), so it can "
                "never be met")


def _event(event: EventMatch, present: set[str], loc: Loc) -> Check:
    for i, actor in enumerate(event.actor or []):
        if actor == UNKNOWN_ACTOR:
            yield ((*loc, "actor", i),
                   "'unknown' cannot be matched: an attack by an unknown author is blamed on one "
                   "of its suspects, so name the suspects here")
            continue
        yield from _actor_ref(actor, present, (*loc, "actor", i))
    for i, target in enumerate(event.target or []):
        yield from _actor_ref(target, present, (*loc, "target", i))
    for i, action in enumerate(event.action or []):
        yield from _action_ref(action, (*loc, "action", i))
    for i, place in enumerate(event.place or []):
        yield from _place_ref(place, (*loc, "place", i))


def _duplicate_ids(items: list, section: str, what: str) -> Check:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            yield (section, i, "id"), f"duplicate {what} id '{item.id}'"
        seen.add(item.id)


def check_threats(scenario: Scenario, kinds: dict) -> Check:
    present = set(scenario.actors)
    yield from _duplicate_ids(scenario.threats, "threats", "threat")
    patterns = sum(_patterns(t.trigger) for t in scenario.threats)
    if patterns > MAX_TRIGGER_PATTERNS:
        yield ("threats",), (f"the threats' triggers hold {patterns} event patterns in all; at "
                             f"most {MAX_TRIGGER_PATTERNS} are allowed")
    for i, threat in enumerate(scenario.threats):
        loc: Loc = ("threats", i)
        yield from _actor_ref(threat.by, present, (*loc, "by"))
        for j, against in enumerate(threat.against):
            yield from _actor_ref(against, present, (*loc, "against", j))
        if threat.made > scenario.end:
            yield (*loc, "made"), f"date {threat.made} is after the scenario ends ({scenario.end})"
        yield from _trigger(threat.trigger, scenario, kinds, (*loc, "trigger"))
        resp = threat.response
        yield from _action_ref(resp.action, (*loc, "response", "action"))
        if resp.target != ATTACKER:
            yield from _actor_ref(resp.target, present, (*loc, "response", "target"))
        target = None if resp.target == ATTACKER else resp.target
        yield from _action_fits(resp.action, threat.by, target, kinds, (*loc, "response"),
                                target_given=True)


def _claim_fits(inject, scenario: Scenario, loc: Loc) -> Check:
    """The ways an inject says it is owned must suit its action (and its actor's fronts)."""
    if inject.action not in ACTIONS or inject.actor == UNKNOWN_ACTOR:
        return
    act = ACTIONS[inject.action]
    if inject.front is not None and inject.forewarned:
        yield (*loc, "front"), "an act is either claimed by a front or forewarned, not both"
    if inject.front is not None:
        if ClaimMode.FRONT not in act.modes:
            yield (*loc, "front"), f"'{inject.action}' cannot be claimed by a front group"
        fronts = scenario.actors[inject.actor].front_groups if inject.actor in scenario.actors \
            else []
        if inject.front not in fronts:
            yield (*loc, "front"), (f"'{inject.front}' is not one of {inject.actor}'s front groups "
                                    f"(list it under actors.{inject.actor}.front_groups)")
    if inject.forewarned and ClaimMode.FOREWARNED not in act.modes:
        yield (*loc, "forewarned"), f"'{inject.action}' cannot be forewarned"
    if not inject.claimed and ClaimMode.NONE not in act.modes:
        yield (*loc, "claimed"), f"'{inject.action}' cannot be left unclaimed"


def check_injects(scenario: Scenario, kinds: dict) -> Check:
    present = set(scenario.actors)
    sites = _sites_of(scenario, kinds)
    yield from _duplicate_ids(scenario.injects, "injects", "inject")
    for i, inject in enumerate(scenario.injects):
        loc: Loc = ("injects", i)
        yield from _date_in(inject.date, scenario, (*loc, "date"))
        yield from _actor_ref(inject.actor, present, (*loc, "actor"), (UNKNOWN_ACTOR,))
        yield from _action_ref(inject.action, (*loc, "action"))
        target = None
        if inject.target is not None:
            yield from _site_ref(inject.target, present, sites, (*loc, "target"))
            target = split_site(inject.target)[0]
        if inject.until is not None:
            yield from _date_in(inject.until, scenario, (*loc, "until"))
            if inject.until < inject.date:
                yield (*loc, "until"), f"'until' ({inject.until}) is before 'date' ({inject.date})"
        if inject.actor == UNKNOWN_ACTOR:
            if inject.claimed or inject.front or inject.forewarned:
                yield (*loc, "claimed"), "an attack by 'unknown' must have claimed: false"
            if inject.action in ACTIONS and not ACTIONS[inject.action].kinetic:
                yield (*loc, "action"), "only kinetic actions can have an unknown author"
        yield from _action_fits(inject.action, inject.actor, target, kinds, (*loc, "action"))
        yield from _claim_fits(inject, scenario, loc)
        for j, suspect in enumerate(inject.suspects):
            yield from _actor_ref(suspect, present, (*loc, "suspects", j))
        if inject.result is not None and inject.action in ACTIONS and not ACTIONS[inject.action].kinetic:
            yield (*loc, "result"), "only kinetic actions have a result"


def _dated_span(item, scenario: Scenario, loc: Loc) -> Check:
    """A front's or dispute's optional dates: not after the episode, in order."""
    for key in ("start", "end"):
        date = getattr(item, key)
        if date is not None and date > scenario.end:
            yield (*loc, key), f"date {date} is after the scenario ends ({scenario.end})"
    if item.start and item.end and item.end < item.start:
        yield (*loc, "end"), "'end' is before 'start'"


def check_fronts_and_disputes(scenario: Scenario, kinds: dict) -> Check:
    present = set(scenario.actors)
    yield from _duplicate_ids(scenario.fronts, "fronts", "front")
    for i, front in enumerate(scenario.fronts):
        loc: Loc = ("fronts", i)
        yield from _actor_ref(front.against, present, (*loc, "against"))
        yield from _dated_span(front, scenario, loc)
    for i, dispute in enumerate(scenario.disputes):
        loc = ("disputes", i)
        yield from _actor_ref(dispute.holder, present, (*loc, "holder"))
        yield from _actor_ref(dispute.toward, present, (*loc, "toward"))
        if dispute.holder == dispute.toward:
            yield (*loc, "toward"), "an actor cannot dispute with itself"
        yield from _dated_span(dispute, scenario, loc)


def check_window_and_history(scenario: Scenario) -> Check:
    if scenario.days > MAX_DAYS:
        yield ("end",), (f"the scenario window is {scenario.days:,} days long "
                         f"({scenario.start} .. {scenario.end}); at most {MAX_DAYS} days are "
                         "allowed")
    for i, day in enumerate(scenario.decision_points):
        yield from _date_in(day, scenario, ("decision_points", i))
    if len(set(scenario.decision_points)) != len(scenario.decision_points):
        yield ("decision_points",), "a decision point is listed twice"
    if scenario.assessment_window is not None:
        yield from _date_in(scenario.assessment_window.start, scenario,
                            ("assessment_window", "start"))
        yield from _date_in(scenario.assessment_window.end, scenario, ("assessment_window", "end"))
    if scenario.history is None:
        return
    if scenario.history.outcome_class not in OUTCOME_CLASSES:
        yield (("history", "outcome_class"),
               f"unknown outcome class '{scenario.history.outcome_class}' "
               f"(expected one of {', '.join(OUTCOME_CLASSES)})")
    history = scenario.history
    if history.state_conflict is not None and history.state_conflict not in STATE_CONFLICT_CLASSES:
        yield (("history", "state_conflict"),
               f"unknown state-conflict class '{history.state_conflict}' "
               f"(expected one of {', '.join(STATE_CONFLICT_CLASSES)})")
    names = set(metric_names()) - {"outcome_class", "state_conflict"}
    for i, metric in enumerate(history.metrics):
        loc: Loc = ("history", "metrics", i)
        if metric.metric not in names:
            yield ((*loc, "metric"),
                   f"unknown metric '{metric.metric}'{_suggest(metric.metric, names)}")
        if metric.min is not None and metric.max is not None and metric.max < metric.min:
            yield (*loc, "max"), "max is below min"
        if metric.min is None and metric.max is None:
            yield (*loc, "min"), "a recorded metric needs a 'min', a 'max' or both"
        if (metric.start or metric.end) and metric.metric not in WINDOWED:
            yield ((*loc, "start" if metric.start else "end"),
                   f"only counts can be dated; '{metric.metric}' is not a count "
                   f"(counts: {', '.join(sorted(WINDOWED))})")
        for key in ("start", "end"):
            date = getattr(metric, key)
            if date is not None:
                yield from _date_in(date, scenario, (*loc, key))
        if metric.start and metric.end and metric.end < metric.start:
            yield (*loc, "end"), "'end' is before 'start'"


def _evidence_fields(scenario: Scenario) -> Iterator[tuple[Loc, list[str]]]:
    for actor_id, entry in scenario.actors.items():
        yield ("actors", actor_id, "evidence"), entry.evidence
    init = scenario.initial_state
    for name, basis in init.basis.items():
        yield ("initial_state", "basis", name, "evidence"), basis.evidence
    for field in ("grievance", "credibility"):
        for i, pair in enumerate(getattr(init, field)):
            yield ("initial_state", field, i, "evidence"), pair.evidence
    for i, threat in enumerate(scenario.threats):
        yield ("threats", i, "evidence"), threat.evidence
    for i, inject in enumerate(scenario.injects):
        yield ("injects", i, "evidence"), inject.evidence
    if scenario.history is not None:
        yield ("history", "evidence"), scenario.history.evidence
        for i, metric in enumerate(scenario.history.metrics):
            yield ("history", "metrics", i, "evidence"), metric.evidence
    for name, variant in scenario.variants.items():
        yield ("variants", name, "evidence"), variant.evidence
    for i, front in enumerate(scenario.fronts):
        yield ("fronts", i, "evidence"), front.evidence
    for i, dispute in enumerate(scenario.disputes):
        yield ("disputes", i, "evidence"), dispute.evidence


def check_evidence(scenario: Scenario) -> Check:
    facts = shipped_register().facts
    for loc, ids in _evidence_fields(scenario):
        for i, fact_id in enumerate(ids):
            if fact_id not in facts:
                yield (*loc, i), (f"unknown evidence id '{fact_id}'{_suggest(fact_id, set(facts))}"
                                  " (see seeds/facts.yaml or `escsim facts`)")


def check_references(scenario: Scenario) -> list[tuple[Loc, str]]:
    """Every cross-reference problem of a scenario, as (location, message)."""
    kinds = _kinds(scenario)
    problems: list[tuple[Loc, str]] = []
    for check in (check_actors(scenario), check_parameters(scenario),
                  check_initial_state(scenario, kinds), check_threats(scenario, kinds),
                  check_injects(scenario, kinds), check_fronts_and_disputes(scenario, kinds),
                  check_window_and_history(scenario), check_evidence(scenario)):
        problems.extend(check)
    return problems
