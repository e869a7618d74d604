"""Defensive posture shared by the states: air defence and drawing down exposed staff.

Rule: value = risk_aversion * threat level * (room left to improve) - effort_cost, where the
threat level is regional tension plus open threats aimed at the actor. Evidence:
f-20200313-patriot-announcement, f-2020-ain-al-asad-cram, f-20200326-embassy-ordered-departure,
f-20250612-us-embassy-drawdown.
"""

from __future__ import annotations

import numpy as np

from sim.model.actors.base import Actor


def posture_scores(actor: Actor, scores: np.ndarray) -> np.ndarray:
    m, a = actor.model, actor.index
    danger = m.world.trait("risk_aversion")[:, a] * actor._threat_level()
    defend = actor._mask("deploy_air_defence")
    scores[:, defend] += (danger * (1.0 - m.state.air_defence[:, a]))[:, None]
    leave = actor._mask("evacuate_staff")
    scores[:, leave] += (danger * m.state.exposure[:, a])[:, None]
    return scores
