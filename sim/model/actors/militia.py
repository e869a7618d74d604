"""Iraqi militias (Kata'ib Hezbollah, Nujaba, KSS, AAH, Badr, and any a scenario adds).

Rule: attack US or Israeli targets (or domestic ones) when grievance, the pull of the militia's
own triggered threats and the patron's encouragement outweigh expected retaliation, fear of
leadership decapitation and its stake in the Iraqi state (weighted up by Baghdad's pressure);
send leaders to ground when decapitation fear exceeds the cost of hiding.

Traits (sim/model/actors.yaml): resolve, rationality, risk_aversion, aggression, solidarity
(share of harm to Iran felt as its own), hiding_cost. Situation (scenario): stake, fear,
directive, restraint pressure. Evidence: f-202506-militia-leaders-hide,
f-20250614-sudani-restraint-meeting, f-202506-iran-discourages-militias,
f-20250615-kh-conditional-threat, f-20250619-nujaba-khamenei-threat (Ozcelik and Badawi 2025 on
why the militias sat out June 2025).
"""

from __future__ import annotations

import numpy as np

from sim.model.actors.base import Actor


class Militia(Actor):
    """An Iraqi armed faction with a patron (Iran) and a stake in the Iraqi state."""

    def situational_scores(self) -> np.ndarray:
        m, a = self.model, self.index
        scores = super().situational_scores()
        hide = self._mask("go_to_ground")
        fear_pull = m.world.param("decapitation_fear_weight") * m.state.fear[:, a]
        value = fear_pull - m.world.trait("hiding_cost")[:, a]  # effort is already counted
        value = np.where(m.state.hidden[:, a], -np.inf, value)  # already hidden
        scores[:, hide] += value[:, None]
        return scores
