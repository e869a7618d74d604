"""The Iraqi government.

Rule: as danger from a militia grows (regional tension plus that militia's open threats), meet
its commanders to dissuade them and extend economic bargains, less so the more pressure already
bears on it; remove a militia's commanders when that militia has harmed the state at home
(grievance of the government toward it), weighed by assertiveness.

Traits: vigilance, assertiveness, rationality. Evidence: f-20250614-sudani-restraint-meeting,
f-202212-muhandis-company, f-20250318-factions-pledge-sudani, f-20200329-abdul-mahdi-warning,
f-20250727-kh-agriculture-assault, f-20250809-sudani-removes-kh-commanders.
"""

from __future__ import annotations

import numpy as np

from sim.model.actors.base import Actor
from sim.model.rules import tension_factor


class IraqiGovernment(Actor):
    """The government in Baghdad, restraining militias by meetings, bargains and removals."""

    def situational_scores(self) -> np.ndarray:
        m, a, w = self.model, self.index, self.model.world
        scores = super().situational_scores()
        open_threats = np.zeros((w.replicates, w.n))
        for ti, threat in enumerate(m.threats.threats):
            open_threats[:, threat.by] += m.state.threat_status[:, ti] == 1
        danger = tension_factor(m.state)[:, None] + open_threats  # (R, N) per militia
        restraint_drive = w.trait("vigilance")[:, a, None] * danger * (1.0 - m.state.pressure)
        for action, value in (
            ("restraint_meeting", restraint_drive),
            ("economic_bargain", restraint_drive * (1.0 - m.state.stake)),
            ("remove_commanders",
             w.trait("assertiveness")[:, a, None] * np.log1p(m.state.grievance_of(a))),
        ):
            cols = np.flatnonzero(self._mask(action))
            scores[:, cols] += value[:, self.options.target[cols]]
        return scores
