"""Adjudication: what an action does once taken, for every replicate at once.

Kinetic actions resolve stochastically at their target site: the site's air defence may
intercept them (chance = the action's interceptability times the site's air defence), a
leadership strike may miss leaders in hiding, a hit may kill (chance = lethality times the
site's exposure, times ``forewarning_factor`` for a forewarned strike; the number killed is one
plus a Poisson draw), and every hit causes harm. Coercive political measures (removing
commanders, sanctions) harm their target too, without dice.

Harm becomes the victim's grievance toward whoever the victim blames: the author of an act
owned openly; for one left unclaimed or claimed by a front, the true author with probability
``attribution_accuracy`` and another suspect otherwise (an unknown author with no suspects is
blamed on no one), so that the victim's response (grievance, the threats it sets off,
retaliation) follows that belief. Allies of a struck patron feel a share of the harm (their
solidarity); the federal government feels a share of the harm its militias do inside Iraq
(``host_harm_share``, and all of it when they fight in the streets);
leadership strikes raise decapitation fear in the target and its allies; and an act against an
actor settles part of its author's own grievance toward it (an exchange can end). Non-kinetic
actions change the standing state (directives, pressure, stakes, posture, ceasefires) as the
catalogue's ``Effects`` say.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.actions import (CATALOGUE, HARMFUL, INJURED_PER_KILLED, INTERCEPTABLE,
                              KILLED_IF_LETHAL, KINETIC, LEADERSHIP, LETHALITY,
                              MATERIAL_HARM)
from sim.model.kinds import ActorKind, ClaimMode
from sim.model.rng import poisson_from_uniform
from sim.model.state import State
from sim.model.world import UNKNOWN, World
from sim.scenario.schema import FixedResult

STREET_FIGHTING = np.array([a.street_fighting for a in CATALOGUE])
GOLDSTEIN = np.array([a.code.goldstein for a in CATALOGUE])
HOSTILE = np.array([a.hostility > 0 for a in CATALOGUE])
DENIABLE_MODES = np.array([m.deniable for m in ClaimMode])
HOLD = 0
UNIFORMS_PER_BATCH = 5  # interception, lethality, casualties, leaders in hiding, attribution


@dataclass
class Batch:
    """One actor's action on one day, across replicates."""

    actor: int  # actor index, or UNKNOWN for an unattributed scripted attack
    action: np.ndarray  # (R,) catalogue index
    target: np.ndarray  # (R,) actor index, -1 for none
    site: np.ndarray  # (R,) site index, -1 for none
    mode: np.ndarray  # (R,) ClaimMode
    scripted: bool = False
    suspects: tuple[int, ...] | None = None  # None: every militia
    fixed: FixedResult | None = None
    source: str = ""  # inject id, "player", or "" for a model decision
    magnitude: float = 1.0  # share of the catalogue's standing effect (scripted injects)

    @property
    def active(self) -> np.ndarray:
        return self.action != HOLD

    @property
    def chosen_by_model(self) -> bool:
        """A free decision of the model (not a scripted inject, not a player's move)."""
        return not self.scripted and not self.source


@dataclass
class Outcome:
    """What the batch did, per replicate."""

    attempted: np.ndarray  # kinetic and taken
    hit: np.ndarray
    intercepted: np.ndarray
    killed: np.ndarray
    injured: np.ndarray
    harm: np.ndarray
    author: np.ndarray  # who the victim holds responsible (actor index), per replicate


def perceived_authors(world: World, batch: Batch, u: np.ndarray) -> np.ndarray:
    """Who the victim blames, per replicate.

    An act owned openly is blamed on its author. For a deniable one (unclaimed, or claimed by
    a front) the victim identifies the true author with probability ``attribution_accuracy``
    and otherwise blames one of the other suspects (uniformly). An attack by an unknown author
    is blamed on one of its suspects uniformly, or on no one when it has none. Across
    replicates these draws realise the victim's belief over suspects.
    """
    suspects = list(batch.suspects) if batch.suspects is not None \
        else [int(i) for i in np.flatnonzero(world.militias)]
    if batch.actor == UNKNOWN:
        if not suspects:
            return np.full(world.replicates, UNKNOWN)
        pick = np.minimum((u * len(suspects)).astype(np.int64), len(suspects) - 1)
        return np.asarray(suspects)[pick]
    author = np.full(world.replicates, batch.actor)
    deniable = DENIABLE_MODES[batch.mode]
    others = np.asarray([s for s in suspects if s != batch.actor])
    if others.size == 0 or not deniable.any():
        return author
    accuracy = world.param("attribution_accuracy")
    wrong = deniable & (u >= accuracy)
    within = (u - accuracy) / np.maximum(1.0 - accuracy, 1e-12)
    pick = np.minimum((within * others.size).astype(np.int64), others.size - 1)
    author[wrong] = others[pick[wrong]]
    return author


def resolve(world: World, state: State, batch: Batch, u: np.ndarray) -> Outcome:
    """Resolve interception, leaders in hiding and casualties; u is (R, UNIFORMS_PER_BATCH)."""
    act, rows = batch.action, np.arange(world.replicates)
    r = world.replicates
    harmful = batch.active & HARMFUL[act] & (batch.target >= 0)
    if not harmful.any():
        nothing = np.zeros(r, dtype=bool)
        zeros = np.zeros(r, dtype=np.int64)
        return Outcome(nothing, nothing, nothing, zeros, zeros, np.zeros(r),
                       np.full(r, batch.actor))
    attempted = harmful & KINETIC[act]
    site = np.maximum(batch.site, 0)
    tgt = np.maximum(batch.target, 0)
    intercepted = attempted & (u[:, 0] < INTERCEPTABLE[act] * state.air_defence[rows, site])
    hidden_miss = LEADERSHIP[act] & state.hidden[rows, tgt] & \
        (u[:, 3] < world.param("hiding_protection"))
    hit = attempted & ~intercepted & ~hidden_miss
    keep = np.where(batch.mode == ClaimMode.FOREWARNED, world.param("forewarning_factor"), 1.0)
    lethal = hit & (u[:, 1] < LETHALITY[act] * state.exposure[rows, site] * keep)
    extra = poisson_from_uniform(np.maximum(KILLED_IF_LETHAL[act] - 1.0, 0.0), u[:, 2])
    killed = np.where(lethal, 1 + extra, 0)
    injured = np.rint(killed * INJURED_PER_KILLED[act]).astype(np.int64)
    if batch.fixed is not None:  # history as recorded; casualties not given stay random
        hit, intercepted, killed, injured = _fixed(batch.fixed, attempted, lethal, killed,
                                                   injured, act)
    coerced = harmful & ~KINETIC[act]  # a coercive measure always lands
    material = MATERIAL_HARM[act] * keep
    # being attacked at all is an affront, even when the attack is shot down
    harm = ((hit | coerced) * material + attempted * world.param("affront_harm")
            + killed * world.param("harm_per_killed") + injured * world.param("harm_per_injured"))
    return Outcome(attempted, hit, intercepted, killed, injured, harm,
                   perceived_authors(world, batch, u[:, 4]))


def _fixed(fixed: FixedResult, attempted: np.ndarray, lethal: np.ndarray, killed: np.ndarray,
           injured: np.ndarray, act: np.ndarray) -> tuple[np.ndarray, ...]:
    hit = attempted & bool(fixed.hit)
    intercepted = attempted & (not fixed.hit)
    lethal = hit & lethal
    killed = np.where(hit, fixed.killed, 0) if fixed.killed is not None \
        else np.where(lethal, killed, 0)
    if fixed.injured is not None:
        injured = np.where(hit, fixed.injured, 0)
    else:
        injured = np.rint(killed * INJURED_PER_KILLED[act]).astype(np.int64)
    return hit, intercepted, killed.astype(np.int64), injured


def apply_harm(world: World, state: State, batch: Batch, out: Outcome, day: int) -> None:
    """Turn harm into grievance toward whoever the victim blames; solidarity, the host's share,
    fear, the memory of who attacked whom, and the grievance the act settles for its author.
    Only replicates where a harmful act was taken are touched."""
    rows = np.flatnonzero(batch.active & HARMFUL[batch.action] & (batch.target >= 0))
    if rows.size == 0:
        return
    tgt, author, harm = batch.target[rows], out.author[rows], out.harm[rows]
    known = author != UNKNOWN
    _settle(world, state, batch, rows, tgt)
    if not known.any():
        return
    rows, tgt, author, harm = rows[known], tgt[known], author[known], harm[known]
    state.grievance[tgt, rows, author] += harm
    state.last_attack_day[rows, author, tgt] = day
    _share_harm(world, state, batch, rows, tgt, author, harm)
    leaders_hit = out.hit[rows] & LEADERSHIP[batch.action[rows]]
    if leaders_hit.any():
        _raise_fear(world, state, rows, tgt, leaders_hit)


def _settle(world: World, state: State, batch: Batch, rows: np.ndarray, tgt: np.ndarray) -> None:
    """An act against an actor (a strike, or a coercive measure such as removing commanders)
    settles part of its author's grievance toward it."""
    if batch.actor == UNKNOWN:
        return
    state.grievance[batch.actor, rows, tgt] *= 1.0 - world.param("retaliation_satisfaction")[rows]


def _share_harm(world: World, state: State, batch: Batch, rows: np.ndarray, tgt: np.ndarray,
                author: np.ndarray, harm: np.ndarray) -> None:
    """Allies of a struck patron, and the federal government for attacks inside Iraq, feel a
    share of the harm as grievance toward the same author."""
    solidarity = world.trait("solidarity")[rows]
    for ally in np.flatnonzero(world.patron >= 0):
        felt = (world.patron[ally] == tgt) * (author != ally) * solidarity[:, ally]
        if felt.any():
            state.grievance[ally, rows, author] += harm * felt
    federal = [i for i, k in enumerate(world.kinds) if k is ActorKind.IRAQI_GOVERNMENT]
    if not federal or batch.actor == UNKNOWN or not world.based_in_iraq[batch.actor]:
        return
    inside = world.site_in_iraq[np.maximum(batch.site[rows], 0)] & (batch.site[rows] >= 0)
    share = np.where(STREET_FIGHTING[batch.action[rows]], 1.0, world.param("host_harm_share")[rows])
    for gov in federal:
        felt = inside & (tgt != gov) & (author != gov)
        if felt.any():
            state.grievance[gov, rows, author] += harm * share * felt


def _raise_fear(world: World, state: State, rows: np.ndarray, tgt: np.ndarray,
                leaders_hit: np.ndarray) -> None:
    own = world.param("fear_from_own_leader_strike")[rows]
    ally_fear = world.param("fear_from_ally_leader_strike")[rows]
    state.fear[rows, tgt] += leaders_hit * own
    for other in np.flatnonzero(world.militias):
        patron = world.patron[other]
        related = (patron == tgt) | ((patron >= 0) & (patron == world.patron[tgt]))
        state.fear[rows, other] += leaders_hit * related * (other != tgt) * ally_fear


def apply_effects(world: World, state: State, batch: Batch) -> None:
    """Standing effects of the non-kinetic actions taken (directives, pressure, posture...)."""
    if batch.actor == UNKNOWN:
        return
    a = batch.actor
    k = batch.magnitude
    for ai in np.unique(batch.action[batch.active]):
        eff = CATALOGUE[ai].effects
        taken = batch.active & (batch.action == ai)
        if eff.directive is not None:
            _direct(world, state, a, batch.target, taken, eff.directive, k)
        for receiver in _receivers(world, a, int(ai), batch.target, taken):
            told = taken & ((batch.target == receiver) | (batch.target < 0))
            if eff.restraint_pressure:
                _shift(state.pressure, (slice(None), receiver), told, k * eff.restraint_pressure)
            if eff.urged:
                _shift(state.urged, (slice(None), receiver), told, k * eff.urged)
            if eff.stake:
                _shift(state.stake, (slice(None), receiver), told, k * eff.stake)
        for site in world.actor_sites[a]:
            if eff.air_defence:
                _shift(state.air_defence, (slice(None), site), taken, k * eff.air_defence)
            if eff.exposure:
                _shift(state.exposure, (slice(None), site), taken, k * eff.exposure)
        if eff.hide_leaders:
            state.hidden[:, a] |= taken
        if eff.ceasefire:
            rows, tgt = np.flatnonzero(taken), batch.target[taken]
            state.ceasefire[rows, a, tgt] = True
            state.ceasefire[rows, tgt, a] = True


def _receivers(world: World, actor: int, action: int, target: np.ndarray,
               taken: np.ndarray) -> list[int]:
    """Who an action's effects reach: its targets, or, taken without a target, every actor it
    could have targeted (all militias for a meeting with the commanders)."""
    chosen = {int(t) for t in np.unique(target[taken]) if t >= 0}
    if (target[taken] < 0).any() and CATALOGUE[action].optional_target:
        kinds = CATALOGUE[action].target_kinds
        chosen |= {i for i, k in enumerate(world.kinds) if k in kinds and i != actor}
    return sorted(chosen)


def _direct(world: World, state: State, patron: int, target: np.ndarray, taken: np.ndarray,
            value: float, magnitude: float) -> None:
    """Move the told allies' directive toward ``value`` (a directive with no target tells
    every ally); ``magnitude`` is the share of the way it moves."""
    for ally in world.allies_of(patron):
        told = taken & ((target == ally) | (target < 0))
        if told.any():
            current = state.directive[:, ally]
            state.directive[:, ally] = np.where(told, current + magnitude * (value - current),
                                                current)


def _shift(array: np.ndarray, where: tuple, taken: np.ndarray, change: float,
           low: float = 0.0, high: float = 1.0) -> None:
    """Add ``change`` to array[where] in the replicates that took the action, within bounds."""
    current = array[where]
    array[where] = np.where(taken, np.clip(current + change, low, high), current)


def intensity(batch: Batch) -> np.ndarray:
    """Conflict intensity the batch adds to the escalation index: -Goldstein / 10 of a hostile
    act (threats, coercion and kinetic acts; demands and postures do not count here)."""
    return batch.active * HOSTILE[batch.action] * np.maximum(-GOLDSTEIN[batch.action], 0.0) / 10.0
