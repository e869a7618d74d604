"""The changing state of a run: every variable has a value per replicate (axis of length R).

N is the number of actors, S the number of sites, T the number of threats. Indices follow
``World.ids`` and ``World.site_ids``. Arrays lead with the replicate axis, except the
actor-to-actor matrices (grievance, credibility), which are stored holder-first, (N, R, N), so
that one actor's view over all replicates is contiguous in memory: the decision rule reads it
once per actor and day (``grievance_of``, ``credibility_of``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.places import split_site
from sim.model.world import World

NEUTRAL_CREDIBILITY = 0.5


class ThreatStatus:
    """Life of a threat in one replicate."""

    UNMADE = -1  # its date has not come yet (or, for an actor's own threats, not yet made)
    PENDING = 0  # made; trigger not yet met
    OPEN = 1  # triggered, response not yet given
    HONOURED = 2
    LAPSED = 3


@dataclass
class State:
    grievance: np.ndarray  # (N, R, N) harm holder has suffered from other, decaying
    credibility: np.ndarray  # (N, R, N) how credible holder finds other's threats, 0..1
    fear: np.ndarray  # (R, N) fear of leadership decapitation, >= 0
    directive: np.ndarray  # (R, N) patron's standing directive to this actor, -1..1
    pressure: np.ndarray  # (R, N) restraint pressure on this actor, 0..1
    urged: np.ndarray  # (R, N) pressure on this actor to rein others in, 0..1
    stake: np.ndarray  # (R, N) what the actor stands to lose by escalation in Iraq, 0..1
    air_defence: np.ndarray  # (R, S) air-defence posture of each site, 0..1
    exposure: np.ndarray  # (R, S) share of personnel within reach at each site, 0..1
    hidden: np.ndarray  # (R, N) leaders in hiding
    ceasefire: np.ndarray  # (R, N, N) no state strikes between the two
    tension: np.ndarray  # (R,) decayed sum of hostile event intensity
    threat_status: np.ndarray  # (R, T) ThreatStatus
    threat_made: np.ndarray  # (R, T) day made, -1 before
    threat_day: np.ndarray  # (R, T) day triggered, -1 before
    trigger_seen: np.ndarray  # (R, L) trigger leaves met so far
    last_attack_day: np.ndarray  # (R, N, N) last day attacker hit victim (-10,000 before)

    def grievance_of(self, holder: int) -> np.ndarray:
        """(R, N) grievance of ``holder`` toward every actor."""
        return self.grievance[holder]

    def credibility_of(self, holder: int) -> np.ndarray:
        """(R, N) credibility ``holder`` gives every actor's threats."""
        return self.credibility[holder]


def _per_site(world: World, values: dict[str, float], default: float) -> np.ndarray:
    """A value for every site from per-actor entries (all its sites) and per-site ones."""
    row = np.full(len(world.site_ids), default)
    for ref, value in sorted(values.items(), key=lambda kv: split_site(kv[0])[1] is not None):
        actor, place = split_site(ref)
        sites = world.actor_sites[world.index[actor]] if place is None else [world.site_index[ref]]
        row[sites] = value
    return row


def initial_state(world: World, threat_count: int, leaf_count: int) -> State:
    """The state on day 0, from the scenario's ``initial_state`` (neutral where not given)."""
    r, n = world.replicates, world.n
    init = world.scenario.initial_state
    idx = world.index

    def per_actor(values: dict[str, float], default: float = 0.0) -> np.ndarray:
        row = np.full(n, default)
        for actor, value in values.items():
            row[idx[actor]] = value
        return np.tile(row, (r, 1))

    grievance = np.zeros((n, n))
    for g in init.grievance:
        grievance[idx[g.holder], idx[g.toward]] = g.value
    credibility = np.full((n, n), NEUTRAL_CREDIBILITY)
    for c in init.credibility:
        credibility[idx[c.holder], idx[c.toward]] = c.value
    hidden = np.zeros(n, dtype=bool)
    hidden[[idx[a] for a in init.leaders_hidden]] = True
    return State(
        grievance=np.ascontiguousarray(np.repeat(grievance[:, None, :], r, axis=1)),
        credibility=np.ascontiguousarray(np.repeat(credibility[:, None, :], r, axis=1)),
        fear=per_actor(init.fear),
        directive=per_actor(init.directive),
        pressure=per_actor(init.restraint_pressure),
        urged=per_actor(init.urged),
        stake=np.tile(world.stake0.astype(np.float64), (r, 1)),
        air_defence=np.tile(_per_site(world, init.air_defence, 0.0), (r, 1)),
        exposure=np.tile(_per_site(world, init.exposure, 1.0), (r, 1)),
        hidden=np.tile(hidden, (r, 1)),
        ceasefire=np.zeros((r, n, n), dtype=bool),
        tension=np.full(r, init.tension),
        threat_status=np.zeros((r, threat_count), dtype=np.int8),
        threat_made=np.full((r, threat_count), -1, dtype=np.int32),
        threat_day=np.full((r, threat_count), -1, dtype=np.int32),
        trigger_seen=np.zeros((r, leaf_count), dtype=bool),
        last_attack_day=np.full((r, n, n), -10_000, dtype=np.int32),
    )


def decay_factor(half_life: np.ndarray) -> np.ndarray:
    """Per-day multiplier for a quantity with the given half-life in days, shape (R,)."""
    return np.power(0.5, 1.0 / half_life)
