"""What every actor agent shares: its options, the shared rule, and the hierarchical choice.

Each kind of actor (one module each in this folder) adds ``situational_terms``: how it values
its own non-kinetic moves (posture, meetings, bargains, directives). The rest of the rule, in
sim/model/rules.py, is the same for all, and the choice is sim/model/choice.py's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model.actions import ACTION_INDEX
from sim.model.choice import choose
from sim.model.rules import (Situation, Terms, closed_options, effort_terms, strike_terms,
                             tension_factor, threaten_terms)
from sim.model.state import ThreatStatus

if TYPE_CHECKING:
    from sim.model.model import EscalationModel

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
        # the choice relies on option 0 being "hold" (always open, scored 0)
        assert self.options.action[0] == _HOLD, "hold must be the first option"

    @property
    def can_decide(self) -> bool:
        """Whether the model ever chooses anything but holding for this actor."""
        return bool((self.options.action != _HOLD).any())

    def decides_on(self, day: int) -> bool:
        return self.can_decide and bool(self.model.world.free_days[day, self.index])

    def terms(self, sit: Situation, keep_parts: bool = True) -> Terms:
        """Every term of U for every option and replicate (each kept apart when
        ``keep_parts``, as ``escsim explain`` needs; the model's own runs keep only the sum)."""
        terms = Terms((sit.world.replicates, len(self.options)), keep_parts)
        strike_terms(sit, self.index, self.options, terms)
        threaten_terms(sit, self.index, self.options, terms)
        effort_terms(sit.world, self.options, terms)
        self.situational_terms(sit, terms)
        return terms

    def situational_terms(self, sit: Situation, terms: Terms) -> None:
        """The kind's own drives for its non-kinetic moves (none by default)."""

    def scores(self, sit: Situation, terms: Terms | None = None) -> np.ndarray:
        """U for every option and replicate, (R, n), with -inf for options closed today."""
        scores = (terms or self.terms(sit)).total()
        closed = closed_options(sit.world, sit.state, self.index, self.options)
        if closed is not None:
            scores = np.where(closed, -np.inf, scores)
        return scores

    def decide(self, sit: Situation, uniforms: np.ndarray, terms: Terms | None = None
               ) -> np.ndarray:
        """Pick one option per replicate (three uniforms per replicate: intent, target, means)."""
        return choose(self.scores(sit, terms), self.options,
                      sit.world.trait("rationality")[:, self.index], uniforms)

    # --- helpers the kinds share ------------------------------------------------------------

    def _columns(self, action: str) -> np.ndarray:
        return np.flatnonzero(self.options.action == ACTION_INDEX[action])

    def _threat_level(self, sit: Situation) -> np.ndarray:
        """How endangered the actor feels, (R,): regional tension (0..1) plus the number of
        open threats aimed at it."""
        open_against = np.zeros(sit.world.replicates)
        for ti, threat in enumerate(sit.threats.threats):
            if self.index in threat.against:
                open_against += sit.state.threat_status[:, ti] == ThreatStatus.OPEN
        return tension_factor(sit.state) + open_against
