"""The United States.

Rule: answer attacks on its forces with strikes on militia sites or leaders when grievance
(casualties above all) and its own threats outweigh its reluctance, the retaliation it expects
and, for a strike inside Iraq, what it stands to lose there (its basing and partnership, weighed
up when Baghdad objects); warn those who attack it; raise air defences and draw down staff as
the danger to its forces grows; hold Israel back from striking Iraq, and press Baghdad to rein
in the factions, as the danger from them rises.

Traits: resolve, rationality, risk_aversion, aggression, retaliation_severity, vigilance.
Situation: stake (its position in Iraq). Evidence: f-20200311-taji-attack and
f-20200313-us-strikes-five-sites (retaliation within two days), f-202003-white-memo (strikes
endanger the agreements with Baghdad), f-20200329-abdul-mahdi-warning,
f-20250318-us-restrains-israel, f-20241216-us-dismantle-demand, f-2025-us-six-bases-warning,
f-20200313-patriot-announcement, f-20200326-embassy-ordered-departure.
"""

from __future__ import annotations

import numpy as np

from sim.model.actors.base import Actor
from sim.model.actors.posture import posture_terms
from sim.model.kinds import ActorKind
from sim.model.rules import Situation, Terms, tension_factor
from sim.model.state import ThreatStatus


def hostility_toward_militias(sit: Situation, actor: int) -> np.ndarray:
    """(R,) how close ``actor`` is to striking militias: log(1 + its largest grievance toward
    one) plus its own threats against militias now open."""
    w, s = sit.world, sit.state
    militias = np.flatnonzero(w.militias)
    if militias.size == 0:
        return np.zeros(w.replicates)
    level = np.log1p(s.grievance_of(actor)[:, militias].max(axis=1))
    for ti, threat in enumerate(sit.threats.threats):
        if threat.by == actor and any(w.militias[t] for t in threat.against):
            level = level + (s.threat_status[:, ti] == ThreatStatus.OPEN)
    return level


def danger_from_militias(sit: Situation, actor: int) -> np.ndarray:
    """(R,) the danger militias pose to ``actor``: tension, their grievance toward it at its
    largest, and their threats against it now open."""
    w, s = sit.world, sit.state
    militias = np.flatnonzero(w.militias)
    if militias.size == 0:
        return np.zeros(w.replicates)
    level = tension_factor(s) + np.log1p(s.grievance[militias, :, actor].max(axis=0))
    for ti, threat in enumerate(sit.threats.threats):
        if w.militias[threat.by] and actor in threat.against:
            level = level + (s.threat_status[:, ti] == ThreatStatus.OPEN)
    return level


class UnitedStates(Actor):
    """A great power with forces in the region, able to strike militias and their leaders."""

    def situational_terms(self, sit: Situation, terms: Terms) -> None:
        posture_terms(self, sit, terms)
        w, s, a = sit.world, sit.state, self.index
        vigilance = w.trait("vigilance")[:, a]
        for col in self._columns("appeal_for_restraint"):
            ally = int(self.options.target[col])
            if w.kinds[ally] is ActorKind.ISRAEL:  # keep Israel from striking Iraq
                value = vigilance * s.stake[:, a] * hostility_toward_militias(sit, ally) \
                    * (1.0 - s.pressure[:, ally])
                terms.add("situation", value[:, None], np.array([col]))
        for col in self._columns("press_government"):
            government = int(self.options.target[col])
            value = vigilance * danger_from_militias(sit, a) * (1.0 - s.urged[:, government])
            terms.add("situation", value[:, None], np.array([col]))
