"""Israel.

Rule: the same shared rule as the United States: answer attacks with strikes on militias or their
leaders when grievance and its threats outweigh expected costs; raise air defence as danger grows.
In the June 2025 replay its war with Iran is scripted; it decides freely only toward the militias.

Traits: resolve, rationality, risk_aversion, aggression, retaliation_severity. Evidence:
f-202410-israel-38-targets, f-20250621-israel-kills-kss-official, f-202409-nasrallah-killed.
"""

from __future__ import annotations

import numpy as np

from sim.model.actors.base import Actor
from sim.model.actors.posture import posture_scores


class Israel(Actor):
    """A state at war with Iran, able to strike militias and leaders in Iraq."""

    def situational_scores(self) -> np.ndarray:
        return posture_scores(self, super().situational_scores())
