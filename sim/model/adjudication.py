"""Adjudication: what an action does once taken, for every replicate at once.

Kinetic actions resolve stochastically: the target's air defence may intercept them (chance =
the action's interceptability times the target's air-defence posture), a leadership strike may
miss leaders in hiding, a hit may kill (chance = lethality times the target's exposure; the
number killed is one plus a Poisson draw), and every hit causes harm. Harm becomes the victim's
grievance toward whoever the victim blames: the author of a claimed act; for an unclaimed one,
the true author with probability ``attribution_accuracy`` and another suspect otherwise, so
that its response (grievance, threats it set off, retaliation) follows that belief. Allies of a struck patron feel a
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
HOSTILE = np.array([a.hostility > 0 for a in CATALOGUE])
HOLD = 0
UNIFORMS_PER_BATCH = 5  # interception, lethality, casualties, leaders in hiding, attribution


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

    A claimed act is blamed on its author. For an unclaimed one the victim identifies the true
    author with probability ``attribution_accuracy`` and otherwise blames one of the other
    suspects (uniformly); an attack by an unknown author is blamed on a suspect uniformly.
    Across replicates these draws realise the victim's belief over suspects.
    """
    suspects = list(batch.suspects) or [int(i) for i in np.flatnonzero(world.militias)]
    if batch.actor == UNKNOWN:
        pick = np.minimum((u * len(suspects)).astype(np.int64), len(suspects) - 1)
        return np.asarray(suspects)[pick]
    author = np.full(world.replicates, batch.actor)
    others = np.asarray([s for s in suspects if s != batch.actor])
    if others.size == 0 or batch.claimed.all():
        return author
    accuracy = world.param("attribution_accuracy")
    wrong = ~batch.claimed & (u >= accuracy)
    within = (u - accuracy) / np.maximum(1.0 - accuracy, 1e-12)
    pick = np.minimum((within * others.size).astype(np.int64), others.size - 1)
    author[wrong] = others[pick[wrong]]
    return author


def resolve(world: World, state: State, batch: Batch, u: np.ndarray) -> Outcome:
    """Resolve interception, leaders in hiding and casualties; u is (R, UNIFORMS_PER_BATCH)."""
    act, rows = batch.action, np.arange(world.replicates)
    tgt = np.maximum(batch.target, 0)
    attempted = batch.active & KINETIC[act] & (batch.target >= 0)
    if not attempted.any():
        nothing = np.zeros(world.replicates, dtype=bool)
        zeros = np.zeros(world.replicates, dtype=np.int64)
        return Outcome(nothing, nothing, nothing, zeros, zeros, np.zeros(world.replicates),
                       np.full(world.replicates, batch.actor))
    intercepted = attempted & (u[:, 0] < INTERCEPTABLE[act] * state.air_defence[rows, tgt])
    hidden_miss = LEADERSHIP[act] & state.hidden[rows, tgt] & \
        (u[:, 3] < world.param("hiding_protection"))
    hit = attempted & ~intercepted & ~hidden_miss
    lethal = hit & (u[:, 1] < LETHALITY[act] * state.exposure[rows, tgt])
    extra = poisson_from_uniform(np.maximum(KILLED_IF_LETHAL[act] - 1.0, 0.0), u[:, 2])
    killed = np.where(lethal, 1 + extra, 0)
    injured = np.rint(killed * INJURED_PER_KILLED[act]).astype(np.int64)
    if batch.fixed is not None:  # history as recorded; casualties not given stay random
        hit = attempted & bool(batch.fixed.hit)
        intercepted = attempted & (not batch.fixed.hit)
        lethal = hit & (u[:, 1] < LETHALITY[act] * state.exposure[rows, tgt])
        if batch.fixed.killed is not None:
            killed = np.where(hit, batch.fixed.killed, 0)
        else:
            killed = np.where(lethal, 1 + extra, 0)
        if batch.fixed.injured is not None:
            injured = np.where(hit, batch.fixed.injured, 0)
        else:
            injured = np.rint(killed * INJURED_PER_KILLED[act]).astype(np.int64)
    harm = (hit * MATERIAL_HARM[act] + killed * world.param("harm_per_killed")
            + injured * world.param("harm_per_injured"))
    return Outcome(attempted, hit, intercepted, killed, injured, harm,
                   perceived_authors(world, batch, u[:, 4]))


def apply_harm(world: World, state: State, batch: Batch, out: Outcome, day: int) -> None:
    """Turn harm into grievance toward whoever the victim blames, solidarity, fear and the
    memory of who attacked whom. Only replicates where a kinetic act was attempted are touched.
    """
    rows = np.flatnonzero(out.attempted)
    if rows.size == 0:
        return
    tgt, author, harm = batch.target[rows], out.author[rows], out.harm[rows]
    state.grievance[tgt, rows, author] += harm
    state.last_attack_day[rows, author, tgt] = day
    # allies of a struck patron feel a share of its harm as their own
    solidarity = world.trait("solidarity")[rows]
    for ally in np.flatnonzero(world.patron >= 0):
        felt = (world.patron[ally] == tgt) * (author != ally) * solidarity[:, ally]
        if felt.any():
            state.grievance[ally, rows, author] += harm * felt
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
    k = batch.magnitude
    for ai in np.unique(batch.action[batch.active]):
        eff = CATALOGUE[ai].effects
        taken = batch.active & (batch.action == ai)
        if eff.directive:
            receivers = world.allies_of(a) if eff.to_allies else np.unique(tgt[taken])
            for ally in receivers:
                _shift(state.directive, (rows, ally), taken, k * eff.directive, -1.0)
        if eff.restraint_pressure:
            _shift(state.pressure, (rows, tgt), taken, k * eff.restraint_pressure)
        if eff.stake:
            _shift(state.stake, (rows, tgt), taken, k * eff.stake)
        if eff.air_defence:
            _shift(state.air_defence, (rows, a), taken, k * eff.air_defence)
        if eff.exposure:
            _shift(state.exposure, (rows, a), taken, k * eff.exposure)
        if eff.hide_leaders:
            state.hidden[:, a] |= taken
        if eff.ceasefire:
            state.ceasefire[rows[taken], a, tgt[taken]] = True
            state.ceasefire[rows[taken], tgt[taken], a] = True


def _shift(array: np.ndarray, where: tuple, taken: np.ndarray, change: float,
           low: float = 0.0, high: float = 1.0) -> None:
    """Add ``change`` to array[where] in the replicates that took the action, within bounds."""
    current = array[where]
    array[where] = np.where(taken, np.clip(current + change, low, high), current)


def intensity(batch: Batch) -> np.ndarray:
    """Conflict intensity the batch adds to the escalation index: -Goldstein / 10 of a hostile
    act (threats and kinetic acts; demands and postures do not count as escalation here)."""
    return batch.active * HOSTILE[batch.action] * np.maximum(-GOLDSTEIN[batch.action], 0.0) / 10.0
