"""Iraqi militias (Kata'ib Hezbollah, Nujaba, KSS, AAH, Badr, and any a scenario adds).

Rule: strike (US or Israeli forces, or at home: the Kurdistan Region, the state, a declared
rival) when grievance, the war its allies fight, its own triggered threats and its patron's
urging outweigh its reluctance, the retaliation it expects, fear for its leaders, its stake in
the Iraqi state (weighed up by Baghdad's pressure) and the defences in the way; choose the means
and the claim that serve best (deniable acts carry less of both cost and credit). Send leaders
to ground while decapitation is a live danger; they resurface once it passes, and while they
hide every operation costs more.

Traits (sim/model/actors.yaml): resolve, rationality, risk_aversion, aggression, solidarity,
hiding_cost. Situation (scenario): stake, fear, directive, restraint pressure, fronts,
disputes. Evidence: f-202506-militia-leaders-hide, f-20250614-sudani-restraint-meeting,
f-202506-iran-discourages-militias, f-20250615-kh-conditional-threat,
f-20250619-nujaba-khamenei-threat (Ozcelik and Badawi 2025 on why the militias sat out June
2025), f-20200316-osbat-al-thaereen-claim (front groups).
"""

from __future__ import annotations

import numpy as np

from sim.model.actors.base import Actor
from sim.model.rules import Situation, Terms, tension_factor


def leadership_danger(sit: Situation, actor: int) -> np.ndarray:
    """(R,) how live the danger to a militia's leaders is: its fear times the credibility of
    the most credible actor able to strike leaders, times how tense the region is now."""
    w, s = sit.world, sit.state
    if not w.decapitators.any():
        return np.zeros(w.replicates)
    reach = s.credibility_of(actor)[:, w.decapitators].max(axis=1)
    return s.fear[:, actor] * reach * tension_factor(s)


def hiding_value(sit: Situation, actor: int) -> np.ndarray:
    """(R,) what sending leaders to ground is worth: the danger, against the cost of hiding."""
    w = sit.world
    return w.param("decapitation_fear_weight") * leadership_danger(sit, actor) \
        - w.trait("hiding_cost")[:, actor]


class Militia(Actor):
    """An Iraqi armed faction with a patron (Iran) and a stake in the Iraqi state."""

    def situational_terms(self, sit: Situation, terms: Terms) -> None:
        value = np.where(sit.state.hidden[:, self.index], -np.inf, hiding_value(sit, self.index))
        terms.add("situation", value[:, None], self._columns("go_to_ground"))
