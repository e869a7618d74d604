"""The Iraqi government.

Rule: as the danger from a militia grows (regional tension, that militia's threats in force, the
harm it has done the state), meet its commanders to dissuade them and extend economic bargains,
less so the more pressure already bears on it, and more so when Washington presses; remove a
militia's commanders when it has harmed the state, weighed by assertiveness against the chance
the removal provokes it; object when the US is close to striking inside Iraq (host consent).

Traits: vigilance, assertiveness, rationality, risk_aversion. Evidence:
f-20250614-sudani-restraint-meeting, f-202212-muhandis-company, f-20250318-factions-pledge-sudani,
f-20200329-abdul-mahdi-warning, f-20250727-kh-agriculture-assault,
f-20250809-sudani-removes-kh-commanders, f-20241216-us-dismantle-demand.
"""

from __future__ import annotations

import numpy as np

from sim.model.actions import ACTIONS
from sim.model.actors.base import Actor
from sim.model.actors.united_states import hostility_toward_militias
from sim.model.kinds import ActorKind
from sim.model.rules import Situation, Terms, provocation, tension_factor

REMOVAL_HARM = ACTIONS["remove_commanders"].material_harm


class IraqiGovernment(Actor):
    """The government in Baghdad, restraining militias by meetings, bargains and removals."""

    def situational_terms(self, sit: Situation, terms: Terms) -> None:
        w, s, a = sit.world, sit.state, self.index
        p, tr = w.param, w.trait
        live_threats = np.zeros((w.replicates, w.n))
        for ti, threat in enumerate(sit.threats.threats):
            live_threats[:, threat.by] += sit.threats.live(s, ti)
        harmed = np.log1p(s.grievance_of(a))  # (R, N) harm each actor has done the state
        danger = tension_factor(s)[:, None] + live_threats + harmed
        drive = tr("vigilance")[:, a, None] * danger * (1.0 + s.urged[:, a, None])
        provoke = p("retaliation_weight")[:, None] * tr("risk_aversion")[:, a, None] \
            * provocation(w, np.full((w.replicates, 1), REMOVAL_HARM)) \
            * s.credibility_of(a) * tr("retaliation_severity")
        militias = w.militias
        for action, value in (
            ("restraint_meeting", drive * (1.0 - s.pressure)),
            ("economic_bargain", drive * (1.0 - s.pressure) * (1.0 - s.stake)),
            ("remove_commanders", tr("assertiveness")[:, a, None] * harmed - provoke),
        ):
            for col in self._columns(action):
                target = int(self.options.target[col])
                gain = value[:, target] if target >= 0 else \
                    np.where(militias[None, :], value, -np.inf).max(axis=1)
                terms.add("situation", gain[:, None], np.array([col]))
        for col in self._columns("appeal_for_restraint"):
            target = int(self.options.target[col])
            if w.kinds[target] is ActorKind.UNITED_STATES:  # no strikes without our consent
                value = tr("vigilance")[:, a] * hostility_toward_militias(sit, target) \
                    * (1.0 - s.pressure[:, target])
                terms.add("situation", value[:, None], np.array([col]))
