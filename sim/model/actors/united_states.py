"""The United States.

Rule: answer attacks on its forces with strikes on militia sites or leaders when grievance (from
casualties and damage) and its own open threats outweigh its aggression deficit and the
retaliation it expects; raise air defences and draw down staff as the danger to its forces grows.

Traits: resolve, rationality, risk_aversion, aggression, retaliation_severity. Evidence:
f-20200311-taji-attack and f-20200313-us-strikes-five-sites (retaliation within two days),
f-2025-us-six-bases-warning, f-20200313-patriot-announcement, f-20200326-embassy-ordered-departure,
f-20250612-us-embassy-drawdown.
"""

from __future__ import annotations

import numpy as np

from sim.model.actors.base import Actor
from sim.model.actors.posture import posture_scores


class UnitedStates(Actor):
    """A great power with forces in Iraq, able to strike militias and their leaders."""

    def situational_scores(self) -> np.ndarray:
        return posture_scores(self, super().situational_scores())
