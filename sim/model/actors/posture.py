"""Defensive posture shared by the states: air defence and drawing down exposed staff.

Rule: value = risk_aversion * threat level * (room left to improve), where the threat level is
regional tension plus open threats aimed at the actor, and the room left is 1 - the mean air
defence of its sites, or their mean exposure. Evidence: f-20200313-patriot-announcement,
f-2020-ain-al-asad-cram, f-20200326-embassy-ordered-departure, f-20250612-us-embassy-drawdown.
"""

from __future__ import annotations

from sim.model.actors.base import Actor
from sim.model.rules import Situation, Terms


def posture_terms(actor: Actor, sit: Situation, terms: Terms) -> None:
    w, s, a = sit.world, sit.state, actor.index
    danger = w.trait("risk_aversion")[:, a] * actor._threat_level(sit)
    mine = w.actor_sites[a]
    room = 1.0 - s.air_defence[:, mine].mean(axis=1)
    terms.add("situation", (danger * room)[:, None], actor._columns("deploy_air_defence"))
    exposed = s.exposure[:, mine].mean(axis=1)
    terms.add("situation", (danger * exposed)[:, None], actor._columns("evacuate_staff"))
