"""Iran, patron of the militias.

Rule: urge its allies to act when its grievance against the US or Israel is high and the danger
to itself and its Iraqi network is low; tell them to stand down when danger (regional tension
weighted by its risk aversion) exceeds grievance. Directives fade unless renewed, so repeating
one is worth less while it is still strong. Its own strikes follow the shared hostile rule.

Traits: resolve, rationality, risk_aversion, aggression, retaliation_severity. Evidence:
f-202506-iran-discourages-militias (leaders summoned, told not to intervene),
f-202506-basra-strike-fear, f-20200108-ain-al-asad-missile-strike, f-202003-ghaani-visit.
"""

from __future__ import annotations

import numpy as np

from sim.model.actors.base import Actor
from sim.model.actors.posture import posture_scores
from sim.model.rules import tension_factor


class Iran(Actor):
    """A regional power that steers allied militias by directive."""

    def situational_scores(self) -> np.ndarray:
        m, a, w = self.model, self.index, self.model.world
        scores = posture_scores(self, super().situational_scores())
        adversaries = ~w.aligned[a]
        grievance = (m.state.grievance_of(a) * adversaries[None, :]).max(axis=1)
        danger = w.trait("risk_aversion")[:, a] * tension_factor(m.state)
        allies = w.allies_of(a)
        current = m.state.directive[:, allies].mean(axis=1) if allies.size else np.zeros(w.replicates)
        urge = w.param("grievance_weight") * grievance - w.param("retaliation_weight") * danger
        effort = self._effort()[:, 0]
        scores[:, self._mask("encourage_allies")] += (urge - np.clip(current, 0, 1) * effort)[:, None]
        scores[:, self._mask("discourage_allies")] += (-urge - np.clip(-current, 0, 1) * effort)[:, None]
        return scores
