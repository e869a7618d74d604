"""What every actor agent shares: its options, the shared hostile rule, and the logit choice.

Each kind of actor (one module each in this folder) adds ``situational_scores``: how it values
its own non-hostile moves (posture, meetings, bargains, directives). The rest of the rule, in
sim/model/rules.py, is the same for all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model.actions import ACTION_INDEX, CATALOGUE
from sim.model.rules import blocked, choose, hostile_scores, tension_factor

if TYPE_CHECKING:
    from sim.model.model import EscalationModel


_NON_KINETIC = np.array([not a.kinetic for a in CATALOGUE])
_HOLD = ACTION_INDEX["hold"]


class Actor(mesa.Agent):
    """One actor of the escalation system, deciding for all R replicates at once."""

    model: EscalationModel

    def __init__(self, model: EscalationModel, index: int):
        super().__init__(model)
        self.index = index
        self.actor_id = model.world.ids[index]
        self.spec = model.world.specs[index]
        # the options the model chooses among for this actor (free ones only)
        self.options = model.world.options[index].free_subset()
        # the choice rule relies on option 0 being "hold" (always open, scored 0)
        assert self.options.action[0] == _HOLD, "hold must be the first option"
        self.control = model.world.control[index]

    @property
    def decides(self) -> bool:
        """Whether the model chooses for this actor (free, or scripted with free targets)."""
        return bool((self.options.action != ACTION_INDEX["hold"]).any())

    def scores(self) -> np.ndarray:
        """U for every option and replicate, shape (R, n)."""
        m = self.model
        hostile = hostile_scores(m.world, m.state, m.threats, self.index, self.options,
                                 m.trigger_actor)
        return hostile + self.situational_scores()

    def situational_scores(self) -> np.ndarray:
        """Scores of the non-kinetic options: each costs ``effort_cost``; kinds add drives."""
        cost = np.where(_NON_KINETIC[self.options.action] & (self.options.action != _HOLD), 1.0, 0.0)
        return -self._effort() * cost[None, :]

    def decide(self, uniform: np.ndarray) -> np.ndarray:
        """Pick one option per replicate by the logit rule (one uniform per replicate)."""
        m = self.model
        return choose(self.scores(), m.world.trait("rationality")[:, self.index],
                      blocked(m.world, m.state, self.index, self.options), uniform)

    # --- helpers the kinds share ------------------------------------------------------------

    def _mask(self, action: str) -> np.ndarray:
        return self.options.action == ACTION_INDEX[action]

    def _effort(self) -> np.ndarray:
        return self.model.world.param("effort_cost")[:, None]

    def _threat_level(self) -> np.ndarray:
        """How endangered the actor feels, (R,): regional tension (0..1) plus the number of
        open threats aimed at it (the same measure the government applies to militias)."""
        m = self.model
        open_against = np.zeros(m.world.replicates)
        for ti, threat in enumerate(m.threats.threats):
            if self.index in threat.against:
                open_against += m.state.threat_status[:, ti] == 1
        return tension_factor(m.state) + open_against
