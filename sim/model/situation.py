"""Per-replicate overrides of a scenario's situation: initial state, stakes, inject magnitudes.

A parameter (sim.model.parameters) says how actors think; the situation says where an episode
starts: fears, directives, stakes, credibility, and how strongly each scripted move lands. An
experiment that varies the situation passes ``EscalationModel(..., situation={path: values})``,
with one value per replicate (or one for all), and ``apply_situation`` writes them into the
model after its state is built. A value given for every replicate alike gives the same run as a
scenario file with that value.

Paths name a field as a scenario file writes it:

    initial_state.tension
    initial_state.<fear|directive|restraint_pressure|urged>.<actor>
    initial_state.<air_defence|exposure>.<actor>            (every site of the actor)
    initial_state.<air_defence|exposure>.<actor>@<place>    (one site)
    initial_state.<credibility|grievance>.<holder>.<toward>
    actors.<actor>.stake
    injects.<inject id>.magnitude

Parameter names never contain a dot, so a name with a dot is a situation path.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.errors import UserError
from sim.model.actions import ACTION_INDEX, CATALOGUE
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.model.model import EscalationModel

PER_ACTOR_FIELDS = ("fear", "directive", "restraint_pressure", "urged", "air_defence",
                    "exposure")
PER_SITE_FIELDS = ("air_defence", "exposure")  # keyed by actor (all its sites) or actor@place
PAIR_FIELDS = ("credibility", "grievance")
# the State array each initial-state field lives in
_STATE_ARRAY = {"fear": "fear", "directive": "directive", "restraint_pressure": "pressure",
                "urged": "urged", "air_defence": "air_defence", "exposure": "exposure"}
_RANGE = {"directive": (-1.0, 1.0), "fear": (0.0, 10.0)}  # others lie in [0, 1]
_NEUTRAL = {"exposure": 1.0, "credibility": 0.5}  # values where the scenario gives none


class SituationError(UserError, ValueError):
    """A situation override that names no field of the scenario or lies outside its range."""


@dataclass(frozen=True)
class SituationField:
    """A field of the scenario's situation that an experiment may vary.

    ``low``/``high`` are the values the field can take (the scenario format's bounds; infinite
    where it has none); ``value`` is the scenario's own value; ``given`` whether the scenario
    sets it (rather than leaving it neutral) and it has an effect on the run.
    """

    path: str
    low: float
    high: float
    value: float
    given: bool
    meaning: str


def is_situation_path(name: str) -> bool:
    """Whether an override name is a situation path (else a parameter name)."""
    return "." in name


def situation_fields(scenario: Scenario) -> dict[str, SituationField]:
    """Every situation field of the scenario, by path."""
    return {f.path: f for f in _fields(scenario)}


def _fields(scenario: Scenario) -> Iterator[SituationField]:
    init = scenario.initial_state
    inf = float("inf")
    yield SituationField("initial_state.tension", 0.0, inf, init.tension, init.tension > 0,
                         "regional tension on the first day")
    actors = list(scenario.actors)
    for name in PER_ACTOR_FIELDS:
        given: dict[str, float] = getattr(init, name)
        low, high = _RANGE.get(name, (0.0, 1.0))
        refs = list(actors)
        if name in PER_SITE_FIELDS:
            refs += [f"{actor}@{place}" for actor, entry in scenario.actors.items()
                     for place in entry.sites or () if len(entry.sites or ()) > 1]
        for ref in refs:
            value = given.get(ref, given.get(ref.split("@")[0], _NEUTRAL.get(name, 0.0)))
            yield SituationField(f"initial_state.{name}.{ref}", low, high, value,
                                 ref in given, f"{name.replace('_', ' ')} of {ref}")
    for name in PAIR_FIELDS:
        pairs = {(p.holder, p.toward): p.value for p in getattr(init, name)}
        high = 1.0 if name == "credibility" else inf
        for holder in actors:
            for toward in actors:
                if holder != toward:
                    value = pairs.get((holder, toward), _NEUTRAL.get(name, 0.0))
                    yield SituationField(f"initial_state.{name}.{holder}.{toward}", 0.0, high,
                                         value, (holder, toward) in pairs,
                                         f"{name} of {holder} toward {toward}")
    for actor, entry in scenario.actors.items():
        yield SituationField(f"actors.{actor}.stake", 0.0, 1.0, entry.stake, entry.stake > 0,
                             f"stake of {actor} in the Iraqi state")
    for inject in scenario.injects:
        effects = CATALOGUE[ACTION_INDEX[inject.action]].effects
        scalable = any((effects.directive, effects.restraint_pressure, effects.stake,
                        effects.air_defence, effects.exposure))
        yield SituationField(f"injects.{inject.id}.magnitude", 0.0, 1.0, inject.magnitude,
                             scalable, f"share of the standing effect of {inject.id} "
                                       f"({inject.action})")


def _per_replicate(path: str, value: Any, replicates: int, field: SituationField) -> np.ndarray:
    values = np.asarray(value, dtype=np.float64)
    if values.ndim == 0:
        values = np.full(replicates, float(values))
    if values.shape != (replicates,):
        raise SituationError(f"situation '{path}': expected one value or {replicates} values "
                             f"(one per replicate), got shape {values.shape}")
    if not np.all(np.isfinite(values)) or values.min() < field.low or values.max() > field.high:
        raise SituationError(f"situation '{path}' must lie in [{field.low:g}, {field.high:g}]")
    return values


def _write(model: EscalationModel, path: str, values: np.ndarray) -> None:
    """Write a field's per-replicate values into the model."""
    if path.startswith("injects."):
        _set_magnitude(model, path[len("injects."):-len(".magnitude")], values)
        return
    state, index = model.state, model.world.index
    if path.startswith("actors."):
        state.stake[:, index[path[len("actors."):-len(".stake")]]] = values
        return
    name = path.split(".")[1]
    if name == "tension":
        state.tension[:] = values
    elif name in PAIR_FIELDS:
        holder, toward = _pair(path, name, model)
        getattr(state, name)[holder, :, toward] = values  # stored holder-first, (N, R, N)
    elif name in PER_SITE_FIELDS:
        ref = path[len(f"initial_state.{name}."):]
        world = model.world
        sites = (world.actor_sites[index[ref]] if ref in index else [world.site_index[ref]])
        getattr(state, _STATE_ARRAY[name])[:, sites] = values[:, None]
    else:
        actor = path[len(f"initial_state.{name}."):]
        getattr(state, _STATE_ARRAY[name])[:, index[actor]] = values


def _pair(path: str, name: str, model: EscalationModel) -> tuple[int, int]:
    tail = path[len(f"initial_state.{name}."):]
    for holder, i in model.world.index.items():  # actor ids may themselves hold dots
        if tail.startswith(holder + ".") and tail[len(holder) + 1:] in model.world.index:
            return i, model.world.index[tail[len(holder) + 1:]]
    raise SituationError(f"situation '{path}': no such pair of actors")


def _set_magnitude(model: EscalationModel, inject_id: str, values: np.ndarray) -> None:
    """Give an inject one magnitude per replicate (its standing effects scale with it)."""
    for day, injects in model.world.injects_by_day.items():
        model.world.injects_by_day[day] = [
            i.model_copy(update={"magnitude": values}) if i.id == inject_id else i
            for i in injects]


def apply_situation(model: EscalationModel, overrides: Mapping[str, Any] | None) -> None:
    """Write per-replicate situation values into a model whose state was just built."""
    if not overrides:
        return
    fields = situation_fields(model.spec)
    for path, value in overrides.items():
        field = fields.get(path)
        if field is None:
            raise SituationError(f"'{path}' is not a situation field of scenario "
                                 f"{model.spec.id} (see `escsim uncertainties "
                                 f"{model.spec.id}`)")
        _write(model, path, _per_replicate(path, value, model.world.replicates, field))
