"""The scenario format: pydantic models of a validated scenario file.

docs/scenario-format.md describes every field for users; ``escsim schema`` exports these models
as JSON Schema for editors. Conditions (threat triggers) are structured data, never code.
Cross-references (actor and action ids, dates inside the window, evidence ids) are checked
after this structural validation, in ``sim.scenario.checks``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

# Limits of the format (docs/scenario-format.md#limits): far above any real episode, and low
# enough that every file that validates runs in bounded time and memory.
MAX_ACTORS = 50
MAX_THREATS = 200
MAX_INJECTS = 2000
MAX_VARIANTS = 50
MAX_LIST = 100  # ids in one list (evidence, suspects, trigger patterns, ...)
MAX_PAIRS = 1000  # initial grievances (or credibilities) between two actors
MAX_CASUALTIES = 100_000  # people killed (or injured) by one scripted act
MAX_TENSION = 100.0
MAX_GRIEVANCE = 1000.0
MAX_METRIC = 1_000_000.0
MAX_FEAR = 10.0  # about one per leadership strike on the actor's own leaders
MAX_DISPUTE = 10.0
MAX_SITE_REFS = MAX_ACTORS * 10  # actors and actor@place keys in one site-keyed map
SHORT_TEXT = 200  # titles and names
LONG_TEXT = 10_000  # summaries, rationales, notes

Id = Annotated[str, Field(min_length=1, max_length=SHORT_TEXT, pattern=r"^[A-Za-z0-9_.\-]+$")]
# An actor, or one of its sites: "united_states" (all its sites) or "united_states@jordan".
SiteRef = Annotated[str, Field(min_length=1, max_length=SHORT_TEXT,
                               pattern=r"^[A-Za-z0-9_.\-]+(@[A-Za-z0-9_\-]+)?$")]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Title = Annotated[str, Field(max_length=SHORT_TEXT)]
Text = Annotated[str, Field(max_length=LONG_TEXT)]


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


# A list of ids that may also be written as a single id ("actor: united_states").
IdList = Annotated[list[Id], BeforeValidator(_one_or_many),
                   Field(min_length=1, max_length=MAX_LIST), WithJsonSchema({
                       "anyOf": [{"type": "string"},
                                 {"type": "array", "items": {"type": "string"}, "minItems": 1,
                                  "maxItems": MAX_LIST}]})]
Signed = Annotated[float, Field(ge=-1.0, le=1.0)]
EvidenceIds = Annotated[list[Id], Field(default_factory=list, max_length=MAX_LIST,
                                        description="Fact ids from the evidence register (seeds/).")]


class _Strict(BaseModel):
    # no NaN or infinity anywhere: a NaN grievance would silently change every comparison
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Control(StrEnum):
    FREE = "free"  # the model decides every day
    SCRIPTED = "scripted"  # follows the injects; free only toward ``free_against``


class ActorEntry(_Strict):
    """An actor present in the scenario, and the situation it is in."""

    control: Control = Control.FREE
    free_against: list[Id] = Field(
        default_factory=list, max_length=MAX_ACTORS,
        description="The only targets toward which the model decides for this actor: a "
                    "scripted actor still decides toward them (e.g. the US answering militia "
                    "attacks while its war with Iran is scripted); a free actor's moves toward "
                    "anyone else follow the injects (its untargeted moves stay free).")
    free_from: dt.date | None = Field(
        None, description="For a scripted actor: the date from which the model decides for it "
                          "(scripted until then).")
    scripted_from: dt.date | None = Field(
        None, description="For a free actor: the date from which it only follows the injects.")
    kind: str | None = Field(None, max_length=SHORT_TEXT,
                             description="Only for an actor not in the shared catalogue.")
    name: Title | None = None
    patron: Id | None = None
    stake: Unit = Field(0.0, description="What the actor stands to lose by escalation in Iraq: "
                                         "a militia's offices, budgets and seats; Iran's assets "
                                         "and supply lines; a state's position and partners.")
    sites: list[Id] | None = Field(
        None, max_length=MAX_LIST,
        description="Places where the actor can be struck (iraq, kurdistan, syria, jordan, "
                    "gulf, israel, iran, lebanon); default: its kind's home.")
    front_groups: list[Id] = Field(
        default_factory=list, max_length=MAX_LIST,
        description="Names under which the actor may claim attacks deniably (front groups).")
    parameters: dict[Id, float] = Field(default_factory=dict, max_length=MAX_LIST,
                                        description="Overrides of per-actor parameters.")
    evidence: EvidenceIds
    rationale: Text = ""


class Pairwise(_Strict):
    """A directed value between two actors (grievance of holder toward other, etc.)."""

    holder: Id
    toward: Id
    value: Annotated[float, Field(ge=0.0, le=MAX_GRIEVANCE)]
    evidence: EvidenceIds
    rationale: Text = ""


class Basis(_Strict):
    """Why a value is what it is: the facts behind it and a short rationale."""

    evidence: EvidenceIds
    rationale: Text = ""


class InitialState(_Strict):
    """The state on the first day; anything not given starts at its neutral value."""

    tension: Annotated[float, Field(ge=0.0, le=MAX_TENSION)] = 0.0
    fear: dict[Id, Annotated[float, Field(ge=0.0, le=MAX_FEAR)]] = Field(
        default_factory=dict, max_length=MAX_ACTORS,
        description="Decapitation fear per actor (0 none; each leadership strike on its own "
                    "leaders adds about 1).")
    directive: dict[Id, Signed] = Field(default_factory=dict, max_length=MAX_ACTORS,
                                        description="Patron directive per ally, -1..1.")
    restraint_pressure: dict[Id, Unit] = Field(
        default_factory=dict, max_length=MAX_ACTORS,
        description="Pressure on the actor to hold back, from the party that holds its stake "
                    "(0..1).")
    urged: dict[Id, Unit] = Field(
        default_factory=dict, max_length=MAX_ACTORS,
        description="Pressure on the actor to rein others in (0..1).")
    air_defence: dict[SiteRef, Unit] = Field(
        default_factory=dict, max_length=MAX_SITE_REFS,
        description="Per actor (all its sites) or per site (actor@place).")
    exposure: dict[SiteRef, Unit] = Field(
        default_factory=dict, max_length=MAX_SITE_REFS,
        description="Share of personnel within reach, per actor or site.")
    leaders_hidden: list[Id] = Field(default_factory=list, max_length=MAX_ACTORS)
    grievance: list[Pairwise] = Field(default_factory=list, max_length=MAX_PAIRS,
                                      description="Grievance of holder toward 'toward' (>= 0).")
    credibility: list[Pairwise] = Field(
        default_factory=list, max_length=MAX_PAIRS,
        description="How credible holder finds the threats of 'toward' (0..1; default 0.5).")
    basis: dict[Id, Basis] = Field(
        default_factory=dict, max_length=MAX_LIST,
        description="Evidence and rationale per field (tension, fear, directive, ...).")


class EventMatch(_Strict):
    """Matches an event by who did it, what, and to whom; every given field must match."""

    actor: IdList | None = None
    action: IdList | None = None
    target: IdList | None = None
    place: IdList | None = Field(None, description="Only events at these places.")
    min_rung: Annotated[int, Field(ge=0, le=8)] | None = None
    since: dt.date | None = Field(None, description="Only events on or after this date.")


class Trigger(_Strict):
    """A structured condition: one event pattern, or any/all of several conditions."""

    event: EventMatch | None = None
    any_of: Annotated[list[Trigger], Field(min_length=1, max_length=MAX_LIST)] | None = None
    all_of: Annotated[list[Trigger], Field(min_length=1, max_length=MAX_LIST)] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Trigger:
        given = [k for k in ("event", "any_of", "all_of") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a trigger needs exactly one of 'event', 'any_of', 'all_of'")
        return self


class Response(_Strict):
    action: Id
    target: Id = Field(description="An actor, or 'attacker': whoever set off the trigger.")


class Threat(_Strict):
    """A public conditional commitment: if the trigger happens, ``by`` promises ``response``."""

    id: Id
    by: Id
    against: IdList = Field(description="Who the threat is aimed at (one id or a list).")
    made: dt.date
    trigger: Trigger
    response: Response
    deadline_days: Annotated[int, Field(ge=1, le=365)] | None = None
    wording: Text = Field("", description="The threat's own words, briefly.")
    evidence: EvidenceIds
    rationale: Text = ""


class FixedResult(_Strict):
    """The historical result of a scripted kinetic inject, used instead of adjudication."""

    hit: bool
    killed: Annotated[int, Field(ge=0, le=MAX_CASUALTIES)] | None = Field(
        None, description="People killed, if recorded; otherwise drawn like any hit.")
    injured: Annotated[int, Field(ge=0, le=MAX_CASUALTIES)] | None = None


class Inject(_Strict):
    """A dated scripted event: an action the actor takes that day, as history had it."""

    id: Id
    date: dt.date
    until: dt.date | None = Field(
        None, description="Repeat the inject every day through this date (a campaign).")
    actor: Id = Field(description="An actor present, or 'unknown' for an unattributed attack.")
    action: Id
    target: SiteRef | None = Field(
        None, description="An actor (at its first site), or one site: actor@place.")
    claimed: bool = True
    front: Id | None = Field(None, description="Claimed under this front group's name.")
    forewarned: bool = Field(False, description="A state strike announced in advance.")
    suspects: list[Id] = Field(default_factory=list, max_length=MAX_ACTORS,
                               description="Who the victim suspects of an unclaimed attack.")
    result: FixedResult | None = None
    magnitude: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        1.0, description="Share of the action's standing effect (e.g. a partial drawdown).")
    evidence: EvidenceIds
    note: Text = ""


class Window(_Strict):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError("'end' is before 'start'")
        return self


class HistoricalMetric(_Strict):
    """What the record shows for one outcome metric: the range it fell in, and when."""

    metric: Id
    min: Annotated[float, Field(ge=0.0, le=MAX_METRIC)] | None = None
    max: Annotated[float, Field(ge=0.0, le=MAX_METRIC)] | None = None
    start: dt.date | None = Field(
        None, description="Count only events on or after this date (a count metric).")
    end: dt.date | None = Field(
        None, description="Count only events on or before this date (a count metric).")
    evidence: EvidenceIds
    note: Text = ""


class History(_Strict):
    """The historical record of the episode, as checkable facts about outcomes."""

    outcome_class: Id
    state_conflict: Id | None = Field(
        None, description="The state-on-state dimension of the record (none, strikes, war).")
    summary: Text = ""
    metrics: list[HistoricalMetric] = Field(default_factory=list, max_length=MAX_LIST)
    evidence: EvidenceIds


class Front(_Strict):
    """A war the actors' allies fight outside the model (Gaza, Lebanon): while it lasts, each
    actor feels ``intensity`` x its solidarity as a drive against ``against``."""

    id: Id
    against: Id
    intensity: Unit = 1.0
    start: dt.date | None = Field(None, description="First day it counts (default: the start).")
    end: dt.date | None = Field(None, description="Last day it counts (default: the end).")
    evidence: EvidenceIds
    rationale: Text = ""


class Dispute(_Strict):
    """A standing quarrel of ``holder`` with ``toward`` that does not fade while it lasts (a
    rivalry ahead of elections, a fight over oil revenue), by default the whole episode.
    Between two actors of the same side it also opens hostile acts between them. Two disputes
    of the same pair add up where their dates overlap."""

    holder: Id
    toward: Id
    value: Annotated[float, Field(ge=0.0, le=MAX_DISPUTE)]
    start: dt.date | None = Field(None, description="First day it counts (default: the start).")
    end: dt.date | None = Field(None, description="Last day it counts (default: the end).")
    evidence: EvidenceIds
    rationale: Text = ""


class Variant(_Strict):
    """A named counterfactual: a patch on the base scenario."""

    title: Title
    question: Text = Field("", description="What the variant asks.")
    evidence: EvidenceIds
    patch: dict[str, Any] = Field(default_factory=dict)


class Scenario(_Strict):
    """A validated scenario: an episode, its actors, threats, injects, record and variants."""

    id: Id
    title: Title
    summary: Text = ""
    extends: Annotated[str, Field(max_length=LONG_TEXT)] | None = None
    start: dt.date
    end: dt.date
    assessment_window: Window | None = Field(
        None, description="Days whose events decide the outcome class (default: all).")
    actors: dict[Id, ActorEntry] = Field(min_length=1, max_length=MAX_ACTORS)
    parameters: dict[Id, float] = Field(default_factory=dict, max_length=MAX_LIST,
                                        description="Overrides of global parameters.")
    initial_state: InitialState = Field(default_factory=InitialState)
    threats: list[Threat] = Field(default_factory=list, max_length=MAX_THREATS)
    injects: list[Inject] = Field(default_factory=list, max_length=MAX_INJECTS)
    fronts: list[Front] = Field(default_factory=list, max_length=MAX_LIST)
    disputes: list[Dispute] = Field(default_factory=list, max_length=MAX_PAIRS)
    decision_points: list[dt.date] = Field(
        default_factory=list, max_length=MAX_LIST,
        description="Days a classroom game stops on for every team, whatever happens "
                    "(e.g. the days the record turns on).")
    history: History | None = None
    variants: dict[Id, Variant] = Field(default_factory=dict, max_length=MAX_VARIANTS)
    variant: Id | None = Field(None, description="Set by the loader: the variant applied.")

    @model_validator(mode="after")
    def _window(self) -> Scenario:
        if self.end < self.start:
            raise ValueError("'end' is before 'start'")
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def window(self) -> Window:
        return self.assessment_window or Window(start=self.start, end=self.end)

    def day_index(self, date: dt.date) -> int:
        return (date - self.start).days
