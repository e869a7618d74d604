"""Trace an actor's numbers to their evidence: traits, situation, threats and injects.

Also the plain-text listing of every parameter (``escsim parameters``): meaning, range,
default and evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.errors import UserError
from sim.evidence import Fact, Register, shipped_register
from sim.model.catalogue import actor_catalogue
from sim.model.parameters import GLOBAL, PER_ACTOR, ParameterSpec
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Item:
    """One number or commitment of the actor, with the facts behind it."""

    section: str  # "trait", "situation", "threat", "inject"
    name: str
    value: str
    rationale: str
    facts: list[Fact] = field(default_factory=list)


class UnknownActor(UserError, ValueError):
    pass


def _facts(register: Register, ids: list[str] | tuple[str, ...]) -> list[Fact]:
    return [register.facts[i] for i in ids if i in register.facts]


def actor_evidence(scenario: Scenario, actor: str, register: Register | None = None) -> list[Item]:
    """Everything in the scenario and catalogue that sets the actor's behaviour, with facts."""
    if actor not in scenario.actors:
        raise UnknownActor(f"actor '{actor}' is not in scenario '{scenario.id}' "
                           f"(actors: {', '.join(scenario.actors)})")
    register = register or shipped_register()
    entry = scenario.actors[actor]
    spec = actor_catalogue().get(actor)
    items: list[Item] = []
    for name, trait in PER_ACTOR.items():
        if name in entry.parameters:
            items.append(Item("trait", name, f"{entry.parameters[name]:g} (scenario override; "
                                             f"{_meaning(trait)})",
                              entry.rationale, _facts(register, entry.evidence)))
        elif spec is not None and name in spec.traits:
            support = spec.support.get(name, "judgement")
            items.append(Item("trait", name, f"{spec.traits[name]:g} (evidence: {support}; "
                                             f"{_meaning(trait)})",
                              spec.rationale.get(name, ""),
                              _facts(register, spec.evidence.get(name, ()))))
    items.append(Item("situation", "control", entry.control.value +
                      (f", free against {', '.join(entry.free_against)}" if entry.free_against else ""),
                      "", _facts(register, entry.evidence) if not entry.stake else []))
    if entry.stake:
        items.append(Item("situation", "stake", f"{entry.stake:g}", entry.rationale,
                          _facts(register, entry.evidence)))
    init = scenario.initial_state
    for name in ("fear", "directive", "restraint_pressure", "urged", "air_defence", "exposure"):
        values = getattr(init, name)
        if actor in values:
            basis = init.basis.get(name)
            items.append(Item("situation", name, f"{values[actor]:g}",
                              basis.rationale if basis else "",
                              _facts(register, basis.evidence) if basis else []))
    for name in ("grievance", "credibility"):
        for pair in getattr(init, name):
            if actor in (pair.holder, pair.toward):
                items.append(Item("situation", f"{name} {pair.holder} -> {pair.toward}",
                                  f"{pair.value:g}", pair.rationale,
                                  _facts(register, pair.evidence)))
    for threat in scenario.threats:
        if actor == threat.by or actor in threat.against:
            role = "made" if actor == threat.by else "aimed at it"
            value = (f"{threat.by} -> {', '.join(threat.against)} on {threat.made}: "
                     f"{threat.response.action} -> {threat.response.target} ({role})")
            items.append(Item("threat", threat.id, value, threat.wording or threat.rationale,
                              _facts(register, threat.evidence)))
    for inject in scenario.injects:
        if actor in (inject.actor, inject.target):
            target = f" -> {inject.target}" if inject.target else ""
            items.append(Item("inject", inject.id,
                              f"{inject.date} {inject.actor} {inject.action}{target}",
                              inject.note, _facts(register, inject.evidence)))
    return items


def _meaning(spec: ParameterSpec) -> str:
    return f"range {spec.low:g} .. {spec.high:g}: {spec.meaning}"


def format_evidence(scenario: Scenario, actor: str, items: list[Item]) -> str:
    """A readable listing: each number, then the dated facts and their sources; the sources
    cited are listed in full at the end."""
    register = shipped_register()
    lines = [f"Evidence for {actor} in {scenario.id}" +
             (f" (variant {scenario.variant})" if scenario.variant else ""), ""]
    cited: dict[str, str] = {}
    for section in ("trait", "situation", "threat", "inject"):
        chosen = [i for i in items if i.section == section]
        if not chosen:
            continue
        lines.append({"trait": "Behavioural traits (shared actor catalogue)",
                      "situation": "Situation in this scenario",
                      "threat": "Threats", "inject": "Scripted events"}[section])
        for item in chosen:
            lines.append(f"  {item.name} = {item.value}")
            if item.rationale:
                lines.append(f"      why: {item.rationale}")
            for fact in item.facts:
                sources = register.source_of(fact)
                cited.update((s.id, s.citation) for s in sources)
                lines.append(f"      [{fact.id}] {fact.date_text}: {fact.paraphrase} "
                             f"({'; '.join(s.label for s in sources)})")
            if not item.facts:
                lines.append("      (no fact cited: a modelling judgement)")
        lines.append("")
    if cited:
        lines.append("Sources cited")
        lines += [f"  {citation}" for citation in sorted(cited.values())]
    return "\n".join(lines).rstrip() + "\n"


def format_parameters() -> str:
    """Every global parameter and per-actor trait: value, range, meaning, support and evidence."""
    lines = ["Global parameters (override with --set NAME=VALUE). Support: how far the "
             "evidence goes (magnitude, direction, or a judgement)."]
    for p in GLOBAL.values():
        lines.append(f"  {p.name} = {p.default:g}  [{p.low:g}, {p.high:g}]  {p.meaning}")
        lines.append(f"      support: {p.support}"
                     + (f"; evidence: {', '.join(p.evidence)}" if p.evidence else ""))
    lines += ["", "Per-actor traits (values in sim/model/actors.yaml; override with "
                  "--set NAME__ACTOR=VALUE):"]
    lines += [f"  {p.name}  [{p.low:g}, {p.high:g}]  {p.meaning}" for p in PER_ACTOR.values()]
    return "\n".join(lines) + "\n"
