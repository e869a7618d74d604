"""The shared actor catalogue (``actors.yaml``): identities and behavioural traits."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.model.kinds import ActorKind
from sim.model.parameters import PER_ACTOR, Support
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.located import load_located, origin_of, plain

CATALOGUE_FILE = Path(__file__).with_name("actors.yaml")


class _Value(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float
    evidence: list[str] = Field(default_factory=list)
    rationale: str = ""
    support: Support = Field("judgement", description=(
        "How far the evidence goes: 'magnitude' (it pins the number), 'direction' (it shows "
        "the effect and its sign), 'judgement' (no fact bears on it)."))

    @model_validator(mode="after")
    def _evidence_for_support(self) -> _Value:
        if self.support != "judgement" and not self.evidence:
            raise ValueError(f"support '{self.support}' needs evidence")
        return self


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: ActorKind
    patron: str | None = None
    parameters: dict[str, _Value] = Field(default_factory=dict)


@dataclass(frozen=True)
class ActorSpec:
    """One actor's identity and trait values, with the evidence behind each value."""

    id: str
    name: str
    kind: ActorKind
    patron: str | None
    traits: dict[str, float]
    evidence: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rationale: dict[str, str] = field(default_factory=dict)
    support: dict[str, Support] = field(default_factory=dict)

    def trait(self, name: str) -> float:
        return self.traits.get(name, PER_ACTOR[name].default)


def _spec(actor_id: str, entry: _Entry) -> ActorSpec:
    return ActorSpec(
        id=actor_id, name=entry.name, kind=entry.kind, patron=entry.patron,
        traits={k: v.value for k, v in entry.parameters.items()},
        evidence={k: tuple(v.evidence) for k, v in entry.parameters.items() if v.evidence},
        rationale={k: v.rationale for k, v in entry.parameters.items() if v.rationale},
        support={k: v.support for k, v in entry.parameters.items()},
    )


@cache
def actor_catalogue() -> dict[str, ActorSpec]:
    """Load the shared catalogue once; problems in it are reported like scenario problems."""
    tree = load_located(CATALOGUE_FILE)
    problems: list[Problem] = []
    specs: dict[str, ActorSpec] = {}
    for actor_id, raw in tree.items():
        try:
            entry = _Entry.model_validate(plain(raw))
        except ValidationError as exc:
            for err in exc.errors():
                origin = origin_of(tree, (actor_id, *err["loc"]))
                problems.append(Problem(str(CATALOGUE_FILE), origin.line if origin else None,
                                        ".".join(map(str, (actor_id, *err["loc"]))), err["msg"]))
            continue
        unknown = set(entry.parameters) - set(PER_ACTOR)
        for name in sorted(unknown):
            origin = origin_of(tree, (actor_id, "parameters", name))
            problems.append(Problem(str(CATALOGUE_FILE), origin.line if origin else None,
                                    f"{actor_id}.parameters.{name}", "unknown per-actor parameter"))
        specs[actor_id] = _spec(actor_id, entry)
    if problems:
        raise ScenarioError(problems)
    return specs
