"""The static side of a run: actors, their sites and options, parameters and the script.

``World`` is built once from a validated scenario. It holds no random state and nothing that
changes during a run; ``State`` (sim.model.state) holds that.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.errors import UserError
from sim.model.actions import ACTION_INDEX, CATALOGUE, STRIKE, Action
from sim.model.catalogue import ActorSpec, actor_catalogue
from sim.model.kinds import ActorKind, ClaimMode
from sim.model.parameters import GLOBAL, PER_ACTOR
from sim.model.places import HOME, PLACES, SITE_SEPARATOR, split_site
from sim.scenario.schema import Control, Inject, Scenario

UNKNOWN = -1  # actor index of an unattributed scripted attack
LEADERSHIP_CAPABLE = frozenset(
    kind for act in CATALOGUE if act.leadership for kind in act.actor_kinds)
GOVERNMENTS_IN_IRAQ = (ActorKind.IRAQI_GOVERNMENT, ActorKind.REGIONAL_GOVERNMENT)
BASED_IN_IRAQ = (ActorKind.MILITIA, *GOVERNMENTS_IN_IRAQ)


class ParameterError(UserError, ValueError):
    """A parameter override that names no parameter or lies outside its range."""


@dataclass(frozen=True)
class Options:
    """The options one actor can choose among, as parallel arrays.

    An option is (action, target actor, target site, claim mode). ``intent`` and ``group``
    index the two first stages of the hierarchical choice (sim/model/choice.py): the intent is
    ``strike`` for every kinetic action and the action itself otherwise; the group is the
    (intent, target actor) pair. Option 0 is ``hold``, alone in intent 0 and group 0.
    """

    action: np.ndarray  # (n,) catalogue index
    target: np.ndarray  # (n,) actor index, -1 for none
    site: np.ndarray  # (n,) site index, -1 for none
    mode: np.ndarray  # (n,) ClaimMode
    free: np.ndarray  # (n,) bool: open to the actor's own free decision
    intent: np.ndarray  # (n,) index into ``intents``
    group: np.ndarray  # (n,) index of the (intent, target) group
    intents: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.action)

    @cached_property
    def group_starts(self) -> np.ndarray:
        """First column of each group (options are ordered so that groups are runs)."""
        return np.flatnonzero(np.r_[True, np.diff(self.group) != 0])

    @cached_property
    def group_intent(self) -> np.ndarray:
        """The intent of each group."""
        return self.intent[self.group_starts]

    @cached_property
    def intent_starts(self) -> np.ndarray:
        """First group of each intent (groups are ordered by intent)."""
        return np.flatnonzero(np.r_[True, np.diff(self.group_intent) != 0])

    def subset(self, keep: np.ndarray) -> Options:
        """The options where ``keep`` holds, with intents and groups renumbered densely."""
        _, intent = np.unique(self.intent[keep], return_inverse=True)
        _, group = np.unique(self.group[keep], return_inverse=True)
        intents = tuple(self.intents[i] for i in np.unique(self.intent[keep]))
        return Options(self.action[keep], self.target[keep], self.site[keep], self.mode[keep],
                       self.free[keep], intent.astype(np.int64), group.astype(np.int64), intents)

    def free_subset(self) -> Options:
        """Only the options open to the actor's own free decision."""
        return self.subset(self.free)

    def find(self, action: str, target: int, site: int | None = None,
             mode: ClaimMode = ClaimMode.OWN) -> int:
        """Position of an option (the target's first site when none is named); ValueError if
        the actor has no such option."""
        hits = np.flatnonzero((self.action == ACTION_INDEX[action]) & (self.target == target)
                              & (self.mode == int(mode))
                              & ((self.site == site) if site is not None else True))
        if hits.size == 0:
            raise ValueError(f"no option {action} -> actor #{target} ({mode.label})")
        return int(hits[0])


def aligned(a: ActorSpec, b: ActorSpec) -> bool:
    """Whether two actors are on the same side (a patron and its allies; the US and Israel)."""
    western = {ActorKind.UNITED_STATES, ActorKind.ISRAEL}
    if a.kind in western and b.kind in western:
        return True
    root_a, root_b = a.patron or a.id, b.patron or b.id
    return root_a == root_b


def _target_allowed(act: Action, actor: ActorSpec, target: ActorSpec, rivals: bool) -> bool:
    if target.id == actor.id or target.kind not in act.target_kinds:
        return False
    if act.effects.directive is not None:  # directives go to one's own allies only
        return target.patron == actor.id
    if act.hostility > 0 and aligned(actor, target) and not rivals:
        return False  # hostile acts go across sides, or between declared rivals
    return True


def _modes(act: Action, actor: ActorSpec, has_fronts: bool) -> list[ClaimMode]:
    return [m for m in act.modes if m is not ClaimMode.FRONT or has_fronts]


def _is_free(act: Action, control: Control, target_id: str | None,
             free_against: set[str]) -> bool:
    """Whether the model chooses this option. A free actor decides everything, except that
    with ``free_against`` its targeted moves are limited to those targets (the rest follow
    the injects); a scripted actor decides only toward ``free_against`` (and may hold)."""
    if not act.free_choice:
        return False
    toward_listed = target_id is not None and target_id in free_against
    if control is Control.FREE:
        return not free_against or target_id is None or toward_listed
    return act.id == "hold" or toward_listed


def build_options(actor: ActorSpec, specs: list[ActorSpec], sites: list[list[int]],
                  control: Control, free_against: set[str], rivals: set[str],
                  has_fronts: bool) -> Options:
    """Every (action, target, site, mode) the actor's kind allows, hold first."""
    rows: list[tuple[int, int, int, int, bool, str]] = []
    for ai, act in enumerate(CATALOGUE):
        if actor.kind not in act.actor_kinds:
            continue
        targets: list[int] = [-1] if not act.has_target or act.optional_target else []
        if act.has_target:
            targets += [ti for ti, t in enumerate(specs)
                        if _target_allowed(act, actor, t, t.id in rivals)]
        for ti in targets:
            free = _is_free(act, control, specs[ti].id if ti >= 0 else None, free_against)
            target_sites = sites[ti] if act.kinetic else [-1]
            for si in target_sites:
                for mode in _modes(act, actor, has_fronts):
                    rows.append((ai, ti, si, int(mode), free, act.intent))
    intents = tuple(dict.fromkeys(row[5] for row in rows))  # hold first, in catalogue order
    # order the options by intent, then target (stable), so that each group is a run of
    # columns: the choice reduces over groups in one pass
    rows.sort(key=lambda row: (intents.index(row[5]), row[1]))
    action, target, site, mode, free, intent_names = zip(*rows, strict=True)
    intent = np.array([intents.index(i) for i in intent_names])
    groups = {key: g for g, key in enumerate(dict.fromkeys(zip(intent.tolist(), target)))}
    group = np.array([groups[key] for key in zip(intent.tolist(), target)])
    return Options(np.array(action), np.array(target), np.array(site), np.array(mode),
                   np.array(free, dtype=bool), intent, group, intents)


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
                               entry.patron or base.patron, traits, base.evidence, base.rationale,
                               base.support))
    return specs


def _as_replicates(name: str, value: object, replicates: int) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(replicates, float(arr))
    if arr.shape != (replicates,):
        raise ParameterError(f"parameter '{name}': expected one value or {replicates} values "
                             f"(one per replicate), got shape {arr.shape}")
    return arr


def _check_range(name: str, values: np.ndarray, low: float, high: float,
                 integer: bool = False) -> None:
    if not np.all(np.isfinite(values)) or values.min() < low or values.max() > high:
        raise ParameterError(f"parameter '{name}' must lie in [{low:g}, {high:g}]")
    if integer and not np.all(values == np.round(values)):
        raise ParameterError(f"parameter '{name}' must be a whole number of days")


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
    traits = {n: np.tile(np.array([s.trait(n) for s in specs], dtype=np.float64),
                         (replicates, 1))
              for n in PER_ACTOR}
    for name, value in overrides.items():
        base, _, actor = name.partition("__")
        if base in GLOBAL and not actor:
            glob[base] = _as_replicates(name, value, replicates)
        elif base in PER_ACTOR and (actor or "__" not in name):
            if actor and actor not in index:
                raise ParameterError(f"parameter '{name}': actor '{actor}' is not in the scenario "
                                     f"(actors: {', '.join(index)})")
            columns = [index[actor]] if actor else list(range(len(specs)))
            for col in columns:
                traits[base][:, col] = _as_replicates(name, value, replicates)
        else:
            raise ParameterError(f"unknown parameter '{name}' (see `escsim parameters`)")
    for name, arr in glob.items():
        spec = GLOBAL[name]
        _check_range(name, arr, spec.low, spec.high, spec.integer)
    for name, arr in traits.items():
        _check_range(name, arr, PER_ACTOR[name].low, PER_ACTOR[name].high)
    return glob, traits


class World:
    """Actors, sites, options, parameters and the dated script of one scenario run."""

    def __init__(self, scenario: Scenario, replicates: int, overrides: Mapping[str, object]):
        self.scenario = scenario
        self.replicates = replicates
        self.specs = _actor_specs(scenario)
        self.ids = [s.id for s in self.specs]
        self.index = {a: i for i, a in enumerate(self.ids)}
        self.kinds = [s.kind for s in self.specs]
        self.n = len(self.specs)
        self.days = scenario.days
        self.control = [scenario.actors[a].control for a in self.ids]
        self.params, self.traits = resolve_parameters(scenario, self.specs, replicates, overrides)
        self._build_sites()
        self.rivals = self._rivals()
        self.options = [
            build_options(s, self.specs, self.actor_sites, self._option_control(s.id),
                          set(scenario.actors[s.id].free_against), self.rivals[i],
                          bool(scenario.actors[s.id].front_groups))
            for i, s in enumerate(self.specs)]
        self.patron = np.array([self.index.get(s.patron, -1) if s.patron else -1
                                for s in self.specs])
        self.militias = np.array([k is ActorKind.MILITIA for k in self.kinds])
        self.stake0 = np.array([scenario.actors[a].stake for a in self.ids])
        self.aligned = np.array([[aligned(a, b) and b.id not in self.rivals[i]
                                  for b in self.specs] for i, a in enumerate(self.specs)])
        # actors able to strike others' leaders: hostility toward them weighs decapitation fear
        self.decapitators = np.array([k in LEADERSHIP_CAPABLE for k in self.kinds])
        # enemies[p, t]: a patron p's adversary t, which its directive to its allies concerns
        self.enemies = np.array([[not aligned(p, t) and t.kind not in GOVERNMENTS_IN_IRAQ
                                  and t.kind is not ActorKind.MILITIA for t in self.specs]
                                 for p in self.specs])
        # the Iraqi state (federal or regional): attacking it puts a stake directly at risk
        self.host_state = np.array([k in GOVERNMENTS_IN_IRAQ for k in self.kinds])
        # actors whose own acts bring reprisals on Iraq (they are based there)
        self.based_in_iraq = np.array([k in BASED_IN_IRAQ for k in self.kinds])
        self.injects_by_day = self._schedule_injects()
        self.free_days = self._free_days()
        self.front_drive = self._fronts()
        self.disputes = self._disputes()
        window = scenario.window
        self.window = (scenario.day_index(window.start), scenario.day_index(window.end))

    # --- construction ----------------------------------------------------------------------

    def _build_sites(self) -> None:
        """Every actor's sites: the places listed in the scenario, else its kind's home."""
        self.site_actor, self.site_place, self.site_ids = [], [], []
        self.actor_sites: list[list[int]] = []
        for i, spec in enumerate(self.specs):
            places = self.scenario.actors[spec.id].sites or [HOME[spec.kind]]
            mine = []
            for place in places:
                mine.append(len(self.site_ids))
                self.site_actor.append(i)
                self.site_place.append(place)
                self.site_ids.append(f"{spec.id}{SITE_SEPARATOR}{place}")
            self.actor_sites.append(mine)
        self.site_actor = np.array(self.site_actor)
        self.site_in_iraq = np.array([PLACES[p].in_iraq for p in self.site_place])
        self.site_index = {s: i for i, s in enumerate(self.site_ids)}
        self.places = list(PLACES)  # every place, in vocabulary order
        self.site_place_index = [self.places.index(p) for p in self.site_place]

    def _option_control(self, actor_id: str) -> Control:
        """Control that decides which options are free: an actor freed on a date chooses
        among all its options once free (``_free_days`` says when it decides)."""
        entry = self.scenario.actors[actor_id]
        return Control.FREE if entry.free_from is not None else entry.control

    def _rivals(self) -> list[set[str]]:
        """Per actor, the actors of its own side it has a declared dispute with (either way)."""
        rivals: list[set[str]] = [set() for _ in self.specs]
        for d in self.scenario.disputes:
            rivals[self.index[d.holder]].add(d.toward)
            rivals[self.index[d.toward]].add(d.holder)
        return rivals

    def _schedule_injects(self) -> dict[int, list[Inject]]:
        by_day: dict[int, list[Inject]] = defaultdict(list)
        for inject in self.scenario.injects:
            first = self.scenario.day_index(inject.date)
            last = self.scenario.day_index(inject.until) if inject.until else first
            for day in range(first, last + 1):
                by_day[day].append(inject)
        return by_day

    def _free_days(self) -> np.ndarray:
        """(days, N): whether the model decides for each actor on each day."""
        free = np.zeros((self.days, self.n), dtype=bool)
        for i, actor_id in enumerate(self.ids):
            entry = self.scenario.actors[actor_id]
            if entry.control is Control.FREE:
                stop = self.scenario.day_index(entry.scripted_from) if entry.scripted_from \
                    else self.days
                free[:max(stop, 0), i] = True
            elif entry.free_from is not None:
                free[max(self.scenario.day_index(entry.free_from), 0):, i] = True
            elif entry.free_against:
                free[:, i] = True
        return free

    def _fronts(self) -> np.ndarray:
        """(days, N): the summed intensity of allies' wars elsewhere against each actor."""
        drive = np.zeros((self.days, self.n))
        for front in self.scenario.fronts:
            lo = self.scenario.day_index(front.start) if front.start else 0
            hi = self.scenario.day_index(front.end) if front.end else self.days - 1
            drive[max(lo, 0):hi + 1, self.index[front.against]] += front.intensity
        return drive

    def _disputes(self) -> np.ndarray:
        """(days, N, N): standing quarrels on each day, holder by target."""
        out = np.zeros((self.days, self.n, self.n))
        for d in self.scenario.disputes:
            lo = self.scenario.day_index(d.start) if d.start else 0
            hi = self.scenario.day_index(d.end) if d.end else self.days - 1
            out[max(lo, 0):hi + 1, self.index[d.holder], self.index[d.toward]] += d.value
        return out

    # --- lookups ---------------------------------------------------------------------------

    def param(self, name: str) -> np.ndarray:
        """A global parameter, shape (R,)."""
        return self.params[name]

    def trait(self, name: str) -> np.ndarray:
        """A per-actor trait, shape (R, N)."""
        return self.traits[name]

    def allies_of(self, actor: int) -> np.ndarray:
        """Indices of the actors whose patron is ``actor``."""
        return np.flatnonzero(self.patron == actor)

    def site_of(self, ref: str) -> int:
        """The site an ``actor`` or ``actor@place`` reference names (an actor's first site)."""
        actor, place = split_site(ref)
        if place is None:
            return self.actor_sites[self.index[actor]][0]
        return self.site_index[ref]

    def suspects_for(self, inject: Inject) -> list[int]:
        """Who the victim may blame for an unclaimed or front-claimed inject: the suspects it
        names, else (for a known author) every militia; an unknown author with no suspects is
        blamed on no one."""
        if inject.suspects:
            return [self.index[s] for s in inject.suspects]
        if inject.actor == "unknown":
            return []
        return [int(i) for i in np.flatnonzero(self.militias)]


def intent_of(action: int) -> str:
    return CATALOGUE[action].intent


__all__ = ["GOVERNMENTS_IN_IRAQ", "Options", "ParameterError", "STRIKE", "UNKNOWN", "World",
           "aligned", "build_options"]
