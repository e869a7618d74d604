"""Adjudication: what an action does once taken, for every replicate at once.

Kinetic actions resolve stochastically: the target's air defence may intercept them (chance =
the action's interceptability times the target's air-defence posture), a leadership strike may
miss leaders in hiding, a hit may kill (chance = lethality times the target's exposure; the
number killed is one plus a Poisson draw), and every hit causes harm. Harm becomes the victim's
grievance toward the author; for an unclaimed attack the victim only believes, with weight
``attribution_accuracy``, that the true author did it, and spreads the rest of its grievance
over the other suspects, so its response follows that belief. Allies of a struck patron feel a
share of the harm (their solidarity); leadership strikes raise decapitation fear in the target
and its allies. Non-kinetic actions change the standing state (directives, pressure, stakes,
posture, ceasefires) as the catalogue's ``Effects`` say.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.actions import CATALOGUE, ActorKind
from sim.model.rng import poisson_from_uniform
from sim.model.state import State
from sim.model.world import UNKNOWN, World
from sim.scenario.schema import FixedResult

KINETIC = np.array([a.kinetic for a in CATALOGUE])
INTERCEPTABLE = np.array([a.interceptable for a in CATALOGUE])
LETHALITY = np.array([a.lethality for a in CATALOGUE])
KILLED_IF_LETHAL = np.array([a.killed_if_lethal for a in CATALOGUE])
INJURED_PER_KILLED = np.array([a.injured_per_killed for a in CATALOGUE])
MATERIAL_HARM = np.array([a.material_harm for a in CATALOGUE])
LEADERSHIP = np.array([a.leadership for a in CATALOGUE])
GOLDSTEIN = np.array([a.code.goldstein for a in CATALOGUE])
HOLD = 0
UNIFORMS_PER_BATCH = 4


@dataclass
class Batch:
    """One actor's action on one day, across replicates (scalars broadcast)."""

    actor: int  # actor index, or UNKNOWN for an unattributed scripted attack
    action: np.ndarray  # (R,) catalogue index
    target: np.ndarray  # (R,) actor index, -1 for none
    claimed: np.ndarray  # (R,) bool
    scripted: bool = False
    suspects: tuple[int, ...] = ()
    fixed: FixedResult | None = None
    source: str = ""  # inject id, "player", or "" for a model decision

    @property
    def active(self) -> np.ndarray:
        return self.action != HOLD


@dataclass
class Outcome:
    """What the batch did, per replicate."""

    attempted: np.ndarray  # kinetic and taken
    hit: np.ndarray
    intercepted: np.ndarray
    killed: np.ndarray
    injured: np.ndarray
    harm: np.ndarray


def resolve(world: World, state: State, batch: Batch, u: np.ndarray) -> Outcome:
    """Resolve interception, leaders in hiding and casualties; u is (R, UNIFORMS_PER_BATCH)."""
    act, rows = batch.action, np.arange(world.replicates)
    tgt = np.maximum(batch.target, 0)
    attempted = batch.active & KINETIC[act] & (batch.target >= 0)
    if not attempted.any():
        nothing = np.zeros(world.replicates, dtype=bool)
        zeros = np.zeros(world.replicates, dtype=np.int64)
        return Outcome(nothing, nothing, nothing, zeros, zeros, np.zeros(world.replicates))
    intercepted = attempted & (u[:, 0] < INTERCEPTABLE[act] * state.air_defence[rows, tgt])
    hidden_miss = LEADERSHIP[act] & state.hidden[rows, tgt] & \
        (u[:, 3] < world.param("hiding_protection"))
    hit = attempted & ~intercepted & ~hidden_miss
    lethal = hit & (u[:, 1] < LETHALITY[act] * state.exposure[rows, tgt])
    extra = poisson_from_uniform(np.maximum(KILLED_IF_LETHAL[act] - 1.0, 0.0), u[:, 2])
    killed = np.where(lethal, 1 + extra, 0)
    injured = np.rint(killed * INJURED_PER_KILLED[act]).astype(np.int64)
    if batch.fixed is not None:
        hit = attempted & bool(batch.fixed.hit)
        intercepted = attempted & (not batch.fixed.hit)
        killed = np.where(attempted, batch.fixed.killed, 0)
        injured = np.where(attempted, batch.fixed.injured, 0)
    harm = (hit * MATERIAL_HARM[act] + killed * world.param("harm_per_killed")
            + injured * world.param("harm_per_injured"))
    return Outcome(attempted, hit, intercepted, killed, injured, harm)


def _blame(world: World, batch: Batch, rows: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Who the victim holds responsible, with the share of the harm each carries, for ``rows``."""
    suspects = list(batch.suspects) or [int(i) for i in np.flatnonzero(world.militias)]
    if batch.actor == UNKNOWN:
        return [(s, np.full(rows.size, 1.0 / len(suspects))) for s in suspects]
    accuracy = world.param("attribution_accuracy")[rows]
    claimed = batch.claimed[rows]
    others = [s for s in suspects if s != batch.actor]
    if not others:
        return [(batch.actor, np.ones(rows.size))]
    shares = [(batch.actor, np.where(claimed, 1.0, accuracy))]
    for s in others:
        shares.append((s, np.where(claimed, 0.0, (1.0 - accuracy) / len(others))))
    return shares


def apply_harm(world: World, state: State, batch: Batch, out: Outcome, day: int) -> None:
    """Turn harm into grievance (by attribution), solidarity, fear and attack memory.

    Only the replicates where the batch attempted a kinetic act are touched.
    """
    rows = np.flatnonzero(out.attempted)
    if rows.size == 0:
        return
    tgt = batch.target[rows]
    harm = out.harm[rows]
    solidarity = world.trait("solidarity")[rows]
    for author, share in _blame(world, batch, rows):
        blamed = share > 0
        state.grievance[tgt, rows, author] += harm * share
        state.last_attack_day[rows[blamed], author, tgt[blamed]] = day
        # allies of a struck patron feel a share of its harm as their own
        for ally in np.flatnonzero(world.patron >= 0):
            if ally == author:
                continue
            felt = (world.patron[ally] == tgt) * solidarity[:, ally]
            if felt.any():
                state.grievance[ally, rows, author] += harm * share * felt
    leaders_hit = out.hit[rows] & LEADERSHIP[batch.action[rows]]
    if leaders_hit.any():
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
    a, rows = batch.actor, np.arange(world.replicates)
    tgt = np.maximum(batch.target, 0)
    for ai in np.unique(batch.action[batch.active]):
        eff = CATALOGUE[ai].effects
        taken = batch.active & (batch.action == ai)
        if eff.directive:
            receivers = world.allies_of(a) if eff.to_allies else np.unique(tgt[taken])
            for ally in receivers:
                state.directive[:, ally] = np.where(
                    taken, np.clip(state.directive[:, ally] + eff.directive, -1, 1),
                    state.directive[:, ally])
        if eff.restraint_pressure:
            state.pressure[rows, tgt] = np.where(
                taken, np.clip(state.pressure[rows, tgt] + eff.restraint_pressure, 0, 1),
                state.pressure[rows, tgt])
        if eff.stake:
            state.stake[rows, tgt] = np.where(
                taken, np.clip(state.stake[rows, tgt] + eff.stake, 0, 1), state.stake[rows, tgt])
        if eff.air_defence:
            state.air_defence[:, a] = np.where(
                taken, np.clip(state.air_defence[:, a] + eff.air_defence, 0, 1), state.air_defence[:, a])
        if eff.exposure:
            state.exposure[:, a] = np.where(
                taken, np.clip(state.exposure[:, a] + eff.exposure, 0, 1), state.exposure[:, a])
        if eff.hide_leaders:
            state.hidden[:, a] |= taken
        if eff.ceasefire:
            state.ceasefire[rows[taken], a, tgt[taken]] = True
            state.ceasefire[rows[taken], tgt[taken], a] = True


def intensity(batch: Batch) -> np.ndarray:
    """Conflict intensity the batch adds to the escalation index: -Goldstein / 10 if hostile."""
    return batch.active * np.maximum(-GOLDSTEIN[batch.action], 0.0) / 10.0
