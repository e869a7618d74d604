"""Threats as conditional commitments: triggers, honour, lapse, and their pull on decisions.

A threat's trigger is a tree of event patterns (``event``, ``any_of``, ``all_of``). Each pattern
is a *leaf*; a leaf, once matched by an event on or after the day the threat was made, stays met.
When the tree is satisfied the threat is *open*: its author is pulled toward the promised
response (weighted by resolve) until it honours it or the deadline passes and it *lapses*, which
is logged: restraint is a choice too, and the say-do gap is a model output.

A response target may be the keyword ``attacker``: whoever set off the trigger.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.model.actions import ACTION_INDEX, CATALOGUE
from sim.model.state import State, ThreatStatus
from sim.model.world import UNKNOWN, World
from sim.scenario.schema import Threat, Trigger

ATTACKER = "attacker"
RUNGS = np.array([a.rung for a in CATALOGUE])


@dataclass(frozen=True, eq=False)
class Leaf:
    threat: int
    actor: frozenset[int] | None
    action: frozenset[int] | None
    target: frozenset[int] | None
    min_rung: int
    since_day: int
    n_actors: int

    # Lookup tables for matching many events at once: entry [i + 1] says whether actor or
    # target index i fits (index -1, "none" or "unknown", sits at entry 0).
    def _table(self, allowed: frozenset[int] | None, size: int) -> np.ndarray:
        table = np.ones(size + 1, dtype=bool)
        if allowed is not None:
            table[:] = False
            table[[i + 1 for i in allowed]] = True
        return table

    @cached_property
    def actor_table(self) -> np.ndarray:
        return self._table(self.actor, self.n_actors)

    @cached_property
    def target_table(self) -> np.ndarray:
        return self._table(self.target, self.n_actors)

    @cached_property
    def action_table(self) -> np.ndarray:
        table = np.ones(len(CATALOGUE), dtype=bool) if self.action is None \
            else np.isin(np.arange(len(CATALOGUE)), list(self.action))
        return table & (RUNGS >= self.min_rung)


@dataclass(frozen=True)
class CompiledThreat:
    spec: Threat
    by: int
    against: frozenset[int]
    made_day: int
    response_action: int
    response_target: int  # actor index, or -2 for "attacker"
    deadline: int | None
    expr: tuple  # ("leaf", i) | ("any", (...)) | ("all", (...))


def _matches(leaf: Leaf, action: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Which (action, target) pairs fit a leaf's action, target and rung (not its actor)."""
    return leaf.action_table[action] & leaf.target_table[target + 1]


def _ids(world: World, names: list[str] | None) -> frozenset[int] | None:
    """Actor indices of a pattern; 'unknown' matches attacks with no known author."""
    if names is None:
        return None
    return frozenset(UNKNOWN if n == "unknown" else world.index[n] for n in names)


class ThreatBook:
    """All threats of a scenario, compiled against its actor and action indices."""

    def __init__(self, world: World):
        self.world = world
        self.leaves: list[Leaf] = []
        self.threats: list[CompiledThreat] = []
        for t_index, threat in enumerate(world.scenario.threats):
            made = world.scenario.day_index(threat.made)
            expr = self._compile(threat.trigger, t_index, made)
            target = -2 if threat.response.target == ATTACKER else world.index[threat.response.target]
            self.threats.append(CompiledThreat(
                threat, world.index[threat.by], frozenset(world.index[a] for a in threat.against), made,
                ACTION_INDEX[threat.response.action], target, threat.deadline_days, expr))
        self.by = np.array([t.by for t in self.threats], dtype=np.int64)
        self._deterrence_cache: dict[tuple, list[tuple[int, np.ndarray]]] = {}

    def _compile(self, trigger: Trigger, t_index: int, made_day: int) -> tuple:
        if trigger.event is not None:
            ev = trigger.event
            since = made_day
            if ev.since is not None:
                since = max(since, self.world.scenario.day_index(ev.since))
            self.leaves.append(Leaf(
                t_index, _ids(self.world, ev.actor),
                None if ev.action is None else frozenset(ACTION_INDEX[a] for a in ev.action),
                _ids(self.world, ev.target), ev.min_rung or 0, since, self.world.n))
            return ("leaf", len(self.leaves) - 1)
        if trigger.any_of is not None:
            return ("any", tuple(self._compile(t, t_index, made_day) for t in trigger.any_of))
        assert trigger.all_of is not None
        return ("all", tuple(self._compile(t, t_index, made_day) for t in trigger.all_of))

    def __len__(self) -> int:
        return len(self.threats)

    # --- the threats' own calendar ---------------------------------------------------------

    def unmade_at_start(self) -> np.ndarray:
        """(T,) status each threat starts with: unmade until the day it is made."""
        return np.array([ThreatStatus.UNMADE if t.made_day > 0 else ThreatStatus.PENDING
                         for t in self.threats], dtype=np.int8)

    def announce(self, state: State, day: int) -> np.ndarray:
        """Threats made today become pending; returns them (R, T)."""
        made = np.zeros(state.threat_status.shape, dtype=bool)
        for ti, threat in enumerate(self.threats):
            if threat.made_day == day and day > 0:
                made[:, ti] = state.threat_status[:, ti] == ThreatStatus.UNMADE
                state.threat_status[made[:, ti], ti] = ThreatStatus.PENDING
        return made

    # --- observing events -------------------------------------------------------------------

    def observe(self, state: State, day: int, author: np.ndarray, action: np.ndarray,
                target: np.ndarray, active: np.ndarray, trigger_actor: np.ndarray) -> None:
        """Mark the leaves an event batch matches; remember who set each threat's trigger off.

        ``author`` is who the victim holds responsible (per replicate): a threat reacts to the
        act as its author perceives it, not to hidden truth.
        """
        for li, leaf in enumerate(self.leaves):
            if day < leaf.since_day:
                continue
            match = active & _matches(leaf, action, target)
            if leaf.actor is not None:
                match &= leaf.actor_table[author + 1]
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
            if day < threat.made_day:
                continue
            now = self._holds(threat.expr, state.trigger_seen)
            new = now & (state.threat_status[:, ti] == ThreatStatus.PENDING)
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

    def honour(self, state: State, actor: int, action: np.ndarray, target: np.ndarray,
               claimed: np.ndarray, active: np.ndarray, trigger_actor: np.ndarray) -> np.ndarray:
        """Mark open threats of ``actor`` that this batch carries out; returns them (R, T)."""
        done = np.zeros(state.threat_status.shape, dtype=bool)
        for ti in np.flatnonzero(self.by == actor):
            threat = self.threats[ti]
            hit = (active & claimed & (action == threat.response_action)
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
            deadline = np.full(default.shape, threat.deadline) if threat.deadline else default
            due = ((state.threat_status[:, ti] == ThreatStatus.OPEN)
                   & (day - state.threat_day[:, ti] >= deadline))
            state.threat_status[due, ti] = ThreatStatus.LAPSED
            lapsed[:, ti] = due
        return lapsed

    # --- what threats mean for a decision -------------------------------------------------

    def commitment(self, state: State, actor: int, opt_action: np.ndarray, opt_target: np.ndarray,
                   opt_claimed: np.ndarray, trigger_actor: np.ndarray) -> np.ndarray | None:
        """(R, n) count of open threats of ``actor`` that each (claimed) option would honour.

        None when the actor has no open threat in any replicate.
        """
        pull = None
        for ti in np.flatnonzero(self.by == actor):
            threat = self.threats[ti]
            is_open = state.threat_status[:, ti] == ThreatStatus.OPEN
            if not is_open.any():
                continue
            target = self.response_target(ti, trigger_actor)
            match = ((opt_action == threat.response_action) & opt_claimed)[None, :] \
                & (opt_target[None, :] == target[:, None])
            pull = (0.0 if pull is None else pull) + match * is_open[:, None]
        return pull

    def deterrence(self, state: State, actor: int, opt_action: np.ndarray,
                   opt_target: np.ndarray) -> np.ndarray:
        """(R, n) expected cost of pending threats by others that each option would set off.

        Each pending threat whose trigger the option would match adds the actor's belief in
        its author's credibility times the promised response's rung (as a share of the top).
        """
        cost = np.zeros((state.threat_status.shape[0], len(opt_action)))
        top = RUNGS.max()
        for li, would in self._deterring_leaves(actor, opt_action, opt_target):
            threat = self.threats[self.leaves[li].threat]
            pending = state.threat_status[:, self.leaves[li].threat] == ThreatStatus.PENDING
            weight = pending * state.credibility_of(actor)[:, threat.by] \
                * (RUNGS[threat.response_action] / top)
            cost += weight[:, None] * would[None, :]
        return cost

    def _deterring_leaves(self, actor: int, opt_action: np.ndarray,
                          opt_target: np.ndarray) -> list[tuple[int, np.ndarray]]:
        """Leaves of others' threats that some of these options would match, with the match mask.

        Options are fixed for a run, so the result is cached per actor and option set.
        """
        key = (actor, opt_action.tobytes(), opt_target.tobytes())
        if key not in self._deterrence_cache:
            found = []
            for li, leaf in enumerate(self.leaves):
                threat = self.threats[leaf.threat]
                if threat.by == actor or (leaf.actor is not None and actor not in leaf.actor):
                    continue
                would = _matches(leaf, opt_action, opt_target)
                if would.any():
                    found.append((li, would))
            self._deterrence_cache[key] = found
        return self._deterrence_cache[key]
