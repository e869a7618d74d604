"""Israel.

Rule: the shared rule: answer attacks with strikes on militias or their leaders when grievance
and its threats outweigh its reluctance and expected costs, among them what a strike inside Iraq
would cost it with Washington (its stake there, weighed up when the US presses it to hold back);
raise air defence as danger grows.

Traits: resolve, rationality, risk_aversion, aggression, retaliation_severity. Situation: stake
(its dependence on US goodwill over Iraq). Evidence: f-202410-israel-38-targets,
f-20250621-israel-kills-kss-official, f-202409-nasrallah-killed, f-20250318-us-restrains-israel.
"""

from __future__ import annotations

from sim.model.actors.base import Actor
from sim.model.actors.posture import posture_terms
from sim.model.rules import Situation, Terms


class Israel(Actor):
    """A state able to strike militias and leaders in Iraq, restrained by its ally."""

    def situational_terms(self, sit: Situation, terms: Terms) -> None:
        posture_terms(self, sit, terms)
