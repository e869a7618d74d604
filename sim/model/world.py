"""The static side of a run: actors, their feasible options, parameters and the script.

``World`` is built once from a validated scenario. It holds no random state and nothing that
changes during a run; ``State`` (sim.model.state) holds that.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sim.errors import UserError
from sim.model.actions import ACTION_INDEX, CATALOGUE, ActorKind
from sim.model.catalogue import ActorSpec, actor_catalogue
from sim.model.parameters import GLOBAL, PER_ACTOR
from sim.scenario.schema import Control, Inject, Scenario

UNKNOWN = -1  # actor index of an unattributed scripted attack
LEADERSHIP_CAPABLE = frozenset(
    kind for act in CATALOGUE if act.leadership for kind in act.actor_kinds)


class ParameterError(UserError, ValueError):
    """A parameter override that names no parameter or lies outside its range."""


@dataclass(frozen=True)
class Options:
    """The (action, target, claimed) options one actor can choose among, as parallel arrays."""

    action: np.ndarray  # (n,) catalogue index
    target: np.ndarray  # (n,) actor index, -1 for none
    claimed: np.ndarray  # (n,) bool
    free: np.ndarray  # (n,) bool: open to the actor's own free decision

    def __len__(self) -> int:
        return len(self.action)

    def free_subset(self) -> Options:
        """Only the options open to the actor's own free decision."""
        keep = self.free
        return Options(self.action[keep], self.target[keep], self.claimed[keep], self.free[keep])

    def index(self, action: str, target: int, claimed: bool = True) -> int:
        """Position of an option; ValueError if the actor has no such option."""
        hits = np.flatnonzero((self.action == ACTION_INDEX[action]) & (self.target == target)
                              & (self.claimed == claimed))
        if hits.size == 0:
            raise ValueError(f"no option {action} -> actor #{target} (claimed={claimed})")
        return int(hits[0])


def aligned(a: ActorSpec, b: ActorSpec) -> bool:
    """Whether two actors are on the same side (a patron and its allies; the US and Israel)."""
    western = {ActorKind.UNITED_STATES, ActorKind.ISRAEL}
    if a.kind in western and b.kind in western:
        return True
    root_a, root_b = a.patron or a.id, b.patron or b.id
    return root_a == root_b


def _can_strike(actor: ActorSpec, target: ActorSpec) -> bool:
    """Whether some kinetic action of the catalogue lets ``actor`` hit ``target``."""
    return any(act.kinetic and actor.kind in act.actor_kinds and _target_allowed(act.id, actor, target)
               for act in CATALOGUE)


def _target_allowed(action_id: str, actor: ActorSpec, target: ActorSpec) -> bool:
    act = CATALOGUE[ACTION_INDEX[action_id]]
    if target.id == actor.id or target.kind not in act.target_kinds:
        return False
    if act.hostility > 0 and aligned(actor, target):  # hostile acts go across sides
        return False
    return True


def build_options(actor: ActorSpec, specs: list[ActorSpec], control: Control,
                  free_against: set[str]) -> Options:
    rows: list[tuple[int, int, bool, bool]] = []
    for ai, act in enumerate(CATALOGUE):
        if actor.kind not in act.actor_kinds:
            continue
        targets = [-1] if not act.has_target else [
            ti for ti, t in enumerate(specs) if _target_allowed(act.id, actor, t)]
        for ti in targets:
            if control is Control.FREE:
                free = act.free_choice
            else:  # scripted: free only toward the listed targets
                free = act.free_choice and (act.id == "hold" or
                                            (ti >= 0 and specs[ti].id in free_against))
            rows.append((ai, ti, True, free))
            if act.deniable:
                rows.append((ai, ti, False, free))
    action, target, claimed, free = zip(*rows, strict=True)
    return Options(np.array(action), np.array(target), np.array(claimed, dtype=bool),
                   np.array(free, dtype=bool))


def _actor_specs(scenario: Scenario) -> list[ActorSpec]:
    catalogue = actor_catalogue()
    specs = []
    for actor_id, entry in scenario.actors.items():
        base = catalogue.get(actor_id)
        if base is None:  # an actor the scenario adds; checks ensured kind is given
            base = ActorSpec(actor_id, entry.name or actor_id, ActorKind(entry.kind),
                             entry.patron, {})
        traits = {**base.traits, **entry.parameters}
        specs.append(ActorSpec(base.id, entry.name or base.name,
                               ActorKind(entry.kind) if entry.kind else base.kind,
                               entry.patron or base.patron, traits, base.evidence, base.rationale))
    return specs


def _as_replicates(name: str, value: object, replicates: int) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(replicates, float(arr))
    if arr.shape != (replicates,):
        raise ParameterError(f"parameter '{name}': expected one value or {replicates} values "
                             f"(one per replicate), got shape {arr.shape}")
    return arr


def _check_range(name: str, values: np.ndarray, low: float, high: float) -> None:
    if not np.all(np.isfinite(values)) or values.min() < low or values.max() > high:
        raise ParameterError(f"parameter '{name}' must lie in [{low}, {high}]")


def resolve_parameters(scenario: Scenario, specs: list[ActorSpec], replicates: int,
                       overrides: Mapping[str, object]) -> tuple[dict[str, np.ndarray],
                                                                 dict[str, np.ndarray]]:
    """Global parameters as (R,) arrays and per-actor traits as (R, N) arrays.

    Precedence: catalogue defaults < actor catalogue < scenario < keyword overrides.
    """
    index = {s.id: i for i, s in enumerate(specs)}
    glob = {n: np.full(replicates, p.default) for n, p in GLOBAL.items()}
    for name, value in scenario.parameters.items():
        glob[name] = np.full(replicates, float(value))
    traits = {n: np.array([[s.trait(n) for s in specs]] * replicates, dtype=np.float64)
              for n in PER_ACTOR}
    for name, value in overrides.items():
        base, _, actor = name.partition("__")
        if base in GLOBAL and not actor:
            glob[base] = _as_replicates(name, value, replicates)
        elif base in PER_ACTOR:
            if actor and actor not in index:
                raise ParameterError(f"parameter '{name}': actor '{actor}' is not in the scenario "
                                     f"(actors: {', '.join(index)})")
            columns = [index[actor]] if actor else list(range(len(specs)))
            for col in columns:
                traits[base][:, col] = _as_replicates(name, value, replicates)
        else:
            raise ParameterError(f"unknown parameter '{name}' (see `escsim parameters`)")
    for name, arr in glob.items():
        _check_range(name, arr, GLOBAL[name].low, GLOBAL[name].high)
    for name, arr in traits.items():
        _check_range(name, arr, PER_ACTOR[name].low, PER_ACTOR[name].high)
    return glob, traits


class World:
    """Actors, options, parameters and the dated script of one scenario run."""

    def __init__(self, scenario: Scenario, replicates: int, overrides: Mapping[str, object]):
        self.scenario = scenario
        self.replicates = replicates
        self.specs = _actor_specs(scenario)
        self.ids = [s.id for s in self.specs]
        self.index = {a: i for i, a in enumerate(self.ids)}
        self.kinds = [s.kind for s in self.specs]
        self.n = len(self.specs)
        self.control = [scenario.actors[a].control for a in self.ids]
        self.params, self.traits = resolve_parameters(scenario, self.specs, replicates, overrides)
        self.options = [
            build_options(s, self.specs, self.control[i], set(scenario.actors[s.id].free_against))
            for i, s in enumerate(self.specs)
        ]
        self.patron = np.array([self.index.get(s.patron, -1) if s.patron else -1
                                for s in self.specs])
        self.militias = np.array([k is ActorKind.MILITIA for k in self.kinds])
        self.stake0 = np.array([scenario.actors[a].stake for a in self.ids])
        self.injects_by_day: dict[int, list[Inject]] = defaultdict(list)
        for inject in scenario.injects:
            self.injects_by_day[scenario.day_index(inject.date)].append(inject)
        self.aligned = np.array([[aligned(a, b) for b in self.specs] for a in self.specs])
        # actors able to strike others' leaders: hostility toward them weighs decapitation fear
        self.decapitators = np.array([k in LEADERSHIP_CAPABLE for k in self.kinds])
        # enemies[p, t]: the patron p can itself take kinetic action against t; a patron's
        # directive concerns its allies' attacks on these, not their quarrels at home
        self.enemies = np.array([[_can_strike(p, t) for t in self.specs] for p in self.specs])
        # the state a militia has a stake in: attacking it puts that stake directly at risk
        self.host_state = np.array([k is ActorKind.IRAQI_GOVERNMENT for k in self.kinds])
        window = scenario.window
        self.window = (scenario.day_index(window.start), scenario.day_index(window.end))

    def param(self, name: str) -> np.ndarray:
        """A global parameter, shape (R,)."""
        return self.params[name]

    def trait(self, name: str) -> np.ndarray:
        """A per-actor trait, shape (R, N)."""
        return self.traits[name]

    def allies_of(self, actor: int) -> np.ndarray:
        """Indices of the actors whose patron is ``actor``."""
        return np.flatnonzero(self.patron == actor)

    def suspects_for(self, inject: Inject) -> list[int]:
        if inject.suspects:
            return [self.index[s] for s in inject.suspects]
        return [int(i) for i in np.flatnonzero(self.militias)]
