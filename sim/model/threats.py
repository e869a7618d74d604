"""Threats as conditional commitments: triggers, honour, lapse, and their weight in decisions.

Two kinds of threat live in one book:
- the scenario's threats: dated public commitments with a structured trigger (``event``,
  ``any_of``, ``all_of``) and a promised response;
- the actors' own threats: every ``threaten`` act (chosen by the model, scripted, or played)
  commits its author: if the threatened actor attacks it, it promises its standard answer (its
  lowest kinetic rung that reaches the target). One such threat exists per (author, target)
  pair; it is *unmade* until the author threatens, and can be made again once honoured or lapsed.

Each trigger pattern is a *leaf*; a leaf, once matched by an event after the threat was made,
stays met. When the tree is satisfied the threat is *open*: its author is pulled toward the
promised response (weighted by resolve) until it honours it or the deadline passes and it
*lapses*, which is logged: restraint is a choice too, and the say-do gap is a model output.

A threat deters from the day it is made until it is honoured or lapsed (pending *and* open):
every option that would match its trigger carries the threat's expected cost, counted once per
threat however many of its leaves the option matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.model.actions import ACTION_INDEX, ACTIONS, CATALOGUE, standard_response
from sim.model.kinds import ClaimMode
from sim.model.state import State, ThreatStatus
from sim.model.world import UNKNOWN, World
from sim.scenario.schema import Threat, Trigger

ATTACKER = "attacker"
RUNGS = np.array([a.rung for a in CATALOGUE])
KINETIC = np.array([a.kinetic for a in CATALOGUE])
TOP_RUNG = int(RUNGS.max())
HONOURING_MODES = np.array([m.honours for m in ClaimMode])
LIVE = (ThreatStatus.PENDING, ThreatStatus.OPEN)


@dataclass(frozen=True, eq=False)
class Leaf:
    """One event pattern of a trigger, as lookup tables over actors, sites and actions."""

    threat: int
    actor: frozenset[int] | None
    action: frozenset[int] | None
    target: frozenset[int] | None
    place: frozenset[str] | None
    min_rung: int
    since_day: int
    world: World

    def _table(self, allowed: frozenset[int] | None) -> np.ndarray:
        """Entry [i + 1] says whether actor i fits (index -1, none or unknown, at entry 0)."""
        table = np.ones(self.world.n + 1, dtype=bool)
        if allowed is not None:
            table[:] = False
            table[[i + 1 for i in allowed]] = True
        return table

    @cached_property
    def actor_table(self) -> np.ndarray:
        return self._table(self.actor)

    @cached_property
    def target_table(self) -> np.ndarray:
        """Actors that fit as a target of an act with no site (a non-kinetic act)."""
        table = self._table(self.target)
        if self.place is not None:
            table[:] = False  # a place can only be matched by an act that lands somewhere
        return table

    @cached_property
    def site_table(self) -> np.ndarray:
        """Entry [s + 1] says whether site s fits (actor and place); entry 0: no site."""
        w = self.world
        owner_fits = self._table(self.target)[w.site_actor + 1]
        place_fits = np.ones(len(w.site_ids), dtype=bool) if self.place is None else \
            np.isin(np.asarray(w.site_place), list(self.place))
        return np.concatenate([[False], owner_fits & place_fits])

    @cached_property
    def action_table(self) -> np.ndarray:
        table = np.ones(len(CATALOGUE), dtype=bool) if self.action is None \
            else np.isin(np.arange(len(CATALOGUE)), list(self.action))
        return table & (RUNGS >= self.min_rung)

    def matches(self, action: np.ndarray, target: np.ndarray, site: np.ndarray) -> np.ndarray:
        """Which acts fit the pattern's action, target and place (not its actor)."""
        where = np.where(site >= 0, self.site_table[site + 1], self.target_table[target + 1])
        return self.action_table[action] & where


@dataclass(frozen=True)
class CompiledThreat:
    id: str
    by: int
    against: frozenset[int]
    made_day: int | None  # None: an actor's own threat, made when it threatens
    response_action: int
    response_target: int  # actor index, or -2 for "attacker"
    deadline: int | None
    expr: tuple  # ("leaf", i) | ("any", (...)) | ("all", (...))
    spec: Threat | None = None

    @property
    def own(self) -> bool:
        return self.spec is None


def _ids(world: World, names: list[str] | None) -> frozenset[int] | None:
    """Actor indices of a pattern; 'unknown' matches attacks with no known author."""
    if names is None:
        return None
    return frozenset(UNKNOWN if n == "unknown" else world.index[n] for n in names)


class ThreatBook:
    """All threats of a run, compiled against its actors, sites and actions."""

    def __init__(self, world: World):
        self.world = world
        self.leaves: list[Leaf] = []
        self.threats: list[CompiledThreat] = []
        for threat in world.scenario.threats:
            self._add_scenario_threat(threat)
        self.own_threat: dict[tuple[int, int], int] = {}
        for author, opts in enumerate(world.options):
            for target in np.unique(opts.target[opts.action == ACTION_INDEX["threaten"]]):
                self._add_own_threat(author, int(target))
        self.by = np.array([t.by for t in self.threats], dtype=np.int64)
        self._live_for: dict[int, np.ndarray] = {}
        self._matching_cache: dict[tuple, list[tuple[int, np.ndarray]]] = {}
        self._against_cache: dict[tuple[int, int], list[int]] = {}

    # --- compiling -------------------------------------------------------------------------

    def _add_scenario_threat(self, threat: Threat) -> None:
        w = self.world
        t_index = len(self.threats)
        made = w.scenario.day_index(threat.made)
        expr = self._compile(threat.trigger, t_index, made)
        target = -2 if threat.response.target == ATTACKER else w.index[threat.response.target]
        self.threats.append(CompiledThreat(
            threat.id, w.index[threat.by], frozenset(w.index[a] for a in threat.against), made,
            ACTION_INDEX[threat.response.action], target, threat.deadline_days, expr, threat))

    def _add_own_threat(self, author: int, target: int) -> None:
        w = self.world
        response = standard_response(w.kinds[author], w.kinds[target])
        if response is None:
            return
        t_index = len(self.threats)
        hostile = frozenset(i for i, a in enumerate(CATALOGUE) if a.kinetic)
        self.leaves.append(Leaf(t_index, frozenset([target]), hostile, frozenset([author]), None,
                                0, 0, w))
        self.threats.append(CompiledThreat(
            f"{w.ids[author]}-threatens-{w.ids[target]}", author, frozenset([target]), None,
            ACTION_INDEX[response.id], target, None, ("leaf", len(self.leaves) - 1)))
        self.own_threat[(author, target)] = t_index

    def _compile(self, trigger: Trigger, t_index: int, made_day: int) -> tuple:
        w = self.world
        if trigger.event is not None:
            ev = trigger.event
            since = made_day if ev.since is None else max(made_day, w.scenario.day_index(ev.since))
            self.leaves.append(Leaf(
                t_index, _ids(w, ev.actor),
                None if ev.action is None else frozenset(ACTION_INDEX[a] for a in ev.action),
                _ids(w, ev.target), None if ev.place is None else frozenset(ev.place),
                ev.min_rung or 0, since, w))
            return ("leaf", len(self.leaves) - 1)
        if trigger.any_of is not None:
            return ("any", tuple(self._compile(t, t_index, made_day) for t in trigger.any_of))
        assert trigger.all_of is not None
        return ("all", tuple(self._compile(t, t_index, made_day) for t in trigger.all_of))

    def __len__(self) -> int:
        return len(self.threats)

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.threats]

    # --- the threats' own calendar ---------------------------------------------------------

    def in_force_at_start(self, state: State) -> None:
        """Scenario threats made on or before the first day start pending; the rest (and every
        actor's own threat) start unmade."""
        state.threat_status[:] = ThreatStatus.UNMADE
        for ti, threat in enumerate(self.threats):
            if threat.made_day is not None and threat.made_day <= 0:
                state.threat_status[:, ti] = ThreatStatus.PENDING
                state.threat_made[:, ti] = threat.made_day

    def made_on(self, day: int) -> list[int]:
        """The scenario threats dated ``day`` (those dated on or before the first day are in force
        from the start instead)."""
        return [ti for ti, threat in enumerate(self.threats)
                if threat.made_day is not None and threat.made_day == day and day > 0]

    def announce(self, state: State, day: int) -> np.ndarray:
        """Scenario threats made today (after the first day) become pending; returns (R, T)."""
        made = np.zeros(state.threat_status.shape, dtype=bool)
        for ti in self.made_on(day):
            made[:, ti] = state.threat_status[:, ti] == ThreatStatus.UNMADE
            state.threat_status[made[:, ti], ti] = ThreatStatus.PENDING
            state.threat_made[made[:, ti], ti] = day
        return made

    def make_own(self, state: State, day: int, author: int, target: np.ndarray,
                 taken: np.ndarray) -> np.ndarray:
        """An actor threatened ``target`` (per replicate, where ``taken``): its own threat
        against that target comes into force unless one is already live; returns (R, T)."""
        made = np.zeros(state.threat_status.shape, dtype=bool)
        for t in np.unique(target[taken]):
            ti = self.own_threat.get((author, int(t)))
            if ti is None:
                continue
            rows = taken & (target == t) & ~np.isin(state.threat_status[:, ti], LIVE)
            state.threat_status[rows, ti] = ThreatStatus.PENDING
            state.threat_made[rows, ti] = day
            state.threat_day[rows, ti] = -1
            for li in self._leaf_indices(ti):
                state.trigger_seen[rows, li] = False
            made[:, ti] = rows
        return made

    def _leaf_indices(self, ti: int) -> list[int]:
        return [li for li, leaf in enumerate(self.leaves) if leaf.threat == ti]

    # --- observing events -------------------------------------------------------------------

    def observe(self, state: State, day: int, author: np.ndarray, action: np.ndarray,
                target: np.ndarray, site: np.ndarray, active: np.ndarray,
                trigger_actor: np.ndarray) -> None:
        """Mark the leaves an event batch matches; remember who set each threat's trigger off.

        ``author`` is who the victim holds responsible (per replicate): a threat reacts to the
        act as its author perceives it, not to hidden truth.
        """
        if not active.any():  # most actors hold on most days: nothing to match
            return
        for li, leaf in enumerate(self.leaves):
            if day < leaf.since_day:
                continue
            match = active & leaf.matches(action, target, site) & leaf.actor_table[author + 1]
            match &= state.threat_status[:, leaf.threat] != ThreatStatus.UNMADE
            if match.any():
                state.trigger_seen[:, li] |= match
                pending = state.threat_status[:, leaf.threat] == ThreatStatus.PENDING
                setting_off = match & pending
                trigger_actor[setting_off, leaf.threat] = author[setting_off]

    def _holds(self, expr: tuple, seen: np.ndarray) -> np.ndarray:
        kind, arg = expr
        if kind == "leaf":
            return seen[:, arg]
        parts = [self._holds(e, seen) for e in arg]
        return np.logical_or.reduce(parts) if kind == "any" else np.logical_and.reduce(parts)

    def trigger(self, state: State, day: int) -> np.ndarray:
        """Open every pending threat whose trigger now holds; returns the newly opened (R, T)."""
        opened = np.zeros(state.threat_status.shape, dtype=bool)
        for ti, threat in enumerate(self.threats):
            pending = state.threat_status[:, ti] == ThreatStatus.PENDING
            if not pending.any():
                continue
            new = self._holds(threat.expr, state.trigger_seen) & pending
            state.threat_status[new, ti] = ThreatStatus.OPEN
            state.threat_day[new, ti] = day
            opened[:, ti] = new
        return opened

    # --- responses --------------------------------------------------------------------------

    def response_target(self, ti: int, trigger_actor: np.ndarray) -> np.ndarray:
        """Target of threat ti's promised response, per replicate (R,)."""
        threat = self.threats[ti]
        if threat.response_target == -2:
            return trigger_actor[:, ti]
        return np.full(trigger_actor.shape[0], threat.response_target)

    def _fulfils(self, ti: int, action: np.ndarray, mode: np.ndarray) -> np.ndarray:
        """Whether acts carry out threat ti's promise: its action, or a kinetic act at least
        as high on the ladder, owned so that the threat's audience knows who acted."""
        promised = self.threats[ti].response_action
        kind_ok = (action == promised) | (KINETIC[action] & (RUNGS[action] >= RUNGS[promised])
                                          & KINETIC[promised])
        return kind_ok & HONOURING_MODES[mode]

    def honour(self, state: State, actor: int, action: np.ndarray, target: np.ndarray,
               mode: np.ndarray, active: np.ndarray, trigger_actor: np.ndarray) -> np.ndarray:
        """Mark open threats of ``actor`` that this batch carries out; returns them (R, T)."""
        done = np.zeros(state.threat_status.shape, dtype=bool)
        if not active.any():
            return done
        for ti in np.flatnonzero(self.by == actor):
            hit = (active & self._fulfils(ti, action, mode)
                   & (target == self.response_target(ti, trigger_actor))
                   & (state.threat_status[:, ti] == ThreatStatus.OPEN))
            state.threat_status[hit, ti] = ThreatStatus.HONOURED
            done[:, ti] = hit
        return done

    def lapse(self, state: State, day: int) -> np.ndarray:
        """Mark open threats whose deadline has passed as lapsed; returns them (R, T)."""
        lapsed = np.zeros(state.threat_status.shape, dtype=bool)
        default = self.world.param("threat_deadline_days")
        for ti, threat in enumerate(self.threats):
            is_open = state.threat_status[:, ti] == ThreatStatus.OPEN
            if not is_open.any():
                continue
            deadline = np.full(default.shape, threat.deadline) if threat.deadline else default
            due = is_open & (day - state.threat_day[:, ti] >= deadline)
            state.threat_status[due, ti] = ThreatStatus.LAPSED
            lapsed[:, ti] = due
        return lapsed

    # --- what threats mean for a decision -------------------------------------------------

    def commitment(self, state: State, actor: int, opts, trigger_actor: np.ndarray
                   ) -> np.ndarray | None:
        """(R, n) number of open threats of ``actor`` that each option would carry out; None
        when the actor has no open threat in any replicate."""
        pull = None
        for ti in np.flatnonzero(self.by == actor):
            is_open = state.threat_status[:, ti] == ThreatStatus.OPEN
            if not is_open.any():
                continue
            target = self.response_target(ti, trigger_actor)
            match = self._fulfils(ti, opts.action, opts.mode)[None, :] \
                & (opts.target[None, :] == target[:, None])
            pull = (0.0 if pull is None else pull) + match * is_open[:, None]
        return pull

    def matching_threats(self, actor: int, opts) -> list[tuple[int, np.ndarray]]:
        """Threats by others whose trigger some of ``actor``'s options would match, each with
        its (n,) mask of matching options (any leaf). Options are fixed for a run: cached."""
        key = (actor, opts.action.tobytes(), opts.target.tobytes(), opts.site.tobytes())
        if key not in self._matching_cache:
            found: dict[int, np.ndarray] = {}
            for leaf in self.leaves:
                threat = self.threats[leaf.threat]
                if threat.by == actor or (leaf.actor is not None and actor not in leaf.actor):
                    continue
                would = leaf.matches(opts.action, opts.target, opts.site)
                if would.any():
                    found[leaf.threat] = found.get(leaf.threat, False) | would
            self._matching_cache[key] = sorted(found.items())
        return self._matching_cache[key]

    def threats_against(self, author: int, target: int) -> list[int]:
        """Every threat (dated or its own) by ``author`` aimed at ``target``."""
        key = (author, target)
        if key not in self._against_cache:
            self._against_cache[key] = [ti for ti, t in enumerate(self.threats)
                                        if t.by == author and target in t.against]
        return self._against_cache[key]

    def victim(self, ti: int, attacker: int) -> int:
        """Who threat ti's promised response would hit if ``attacker`` set it off."""
        target = self.threats[ti].response_target
        return attacker if target == -2 else target

    def live(self, state: State, ti: int) -> np.ndarray:
        """(R,) whether threat ti is in force (made, not yet honoured or lapsed)."""
        status = state.threat_status[:, ti]
        return (status == ThreatStatus.PENDING) | (status == ThreatStatus.OPEN)

    def severity(self, ti: int) -> float:
        """The promised response's rung as a share of the top of the ladder."""
        return RUNGS[self.threats[ti].response_action] / TOP_RUNG


def promised_action(threat: CompiledThreat) -> str:
    return CATALOGUE[threat.response_action].id


__all__ = ["ATTACKER", "ACTIONS", "RUNGS", "ThreatBook", "CompiledThreat", "Leaf"]
