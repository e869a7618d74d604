"""Iran, patron of the militias.

Rule: set a standing directive for each ally (urge it on, leave it to decide, or hold it back)
by weighing what that ally's best attack on Iran's adversaries would bring Iran: its grievance
against them (and its allies' wars elsewhere) against the retaliation the attack would draw on
the ally (its value as a deterrent held in reserve), the reprisals it would invite on Iraq where
Iran's assets and supply lines are (its stake), and the threats it would set off against Iran
itself (the danger of drawing the US in). Changing a directive costs effort; a directive stands
until changed, fading slowly. Iran also strikes directly by the shared rule, and can answer in a
calibrated way: a strike announced in advance, which does little harm and so provokes little.

Traits: resolve, rationality, risk_aversion, aggression, retaliation_severity, reserve_value.
Situation: stake (assets and supply lines in Iraq). Evidence:
f-202506-iran-discourages-militias (leaders summoned, told not to intervene),
f-202506-basra-strike-fear, f-202003-ghaani-visit, f-20200108-ain-al-asad-missile-strike,
f-20250623-iran-strikes-al-udeid.
"""

from __future__ import annotations

import numpy as np

from sim.model.actions import ACTION_INDEX
from sim.model.actors.base import Actor
from sim.model.actors.posture import posture_terms
from sim.model.rules import (KINETIC, Situation, Terms, effect, expected_retaliation,
                             threat_costs)

DIRECTIVES = {"encourage_allies": 1.0, "release_allies": 0.0, "discourage_allies": -1.0}


def ally_value(sit: Situation, patron: int, ally: int) -> np.ndarray:
    """(R,) what the ally's best attack on the patron's adversaries is worth to the patron.

    benefit: the patron's grievance toward the target (and its allies' wars against it),
    scaled by the chance the attack gets through; costs: the reprisals the attack invites on
    the ally, weighted by the ally's value as a deterrent held in reserve, and, since the ally
    is in Iraq, on the patron's stake there; and the threats it would set off against the
    patron itself (drawing the US in).
    """
    w, s, p = sit.world, sit.state, sit.world.param
    opts = w.options[ally]
    cols = np.flatnonzero(KINETIC[opts.action] & (opts.target >= 0)
                          & w.enemies[patron, np.maximum(opts.target, 0)])
    if cols.size == 0:
        return np.zeros(w.replicates)
    act, tgt, site = opts.action[cols], opts.target[cols], opts.site[cols]
    drive = p("grievance_weight")[:, None] * (np.log1p(s.grievance_of(patron)[:, tgt])
                                              + np.log1p(w.disputes[sit.day, patron, tgt])[None, :]) \
        + (p("solidarity_weight") * w.trait("solidarity")[:, patron])[:, None] \
        * w.front_drive[sit.day, tgt][None, :]
    benefit = effect(s, act, site) * drive
    on_ally = expected_retaliation(sit, ally, ally, opts, cols)
    on_patron = threat_costs(sit, patron, ally, opts, cols, only_observer=True)
    risk = (p("retaliation_weight") * w.trait("risk_aversion")[:, patron])[:, None] \
        * (w.trait("reserve_value")[:, patron, None] * on_ally + on_patron)
    stake = (p("stake_weight") * s.stake[:, patron]
             * (p("stake_baseline") + s.pressure[:, patron]))[:, None] * on_ally
    return (benefit - risk - stake).max(axis=1)


class Iran(Actor):
    """A regional power that steers allied militias by directive and can strike directly."""

    def situational_terms(self, sit: Situation, terms: Terms) -> None:
        posture_terms(self, sit, terms)
        allies = sit.world.allies_of(self.index)
        if allies.size == 0:
            return
        worth = {int(x): ally_value(sit, self.index, int(x)) for x in allies}
        opts = self.options
        for action, value in DIRECTIVES.items():
            for col in np.flatnonzero(opts.action == ACTION_INDEX[action]):
                told = [int(opts.target[col])] if opts.target[col] >= 0 else list(worth)
                # telling every ally at once is worth what it is worth for the one that
                # matters most (one summons, one message)
                gain = np.max([(value - sit.state.directive[:, x]) * worth[x] for x in told],
                              axis=0)
                terms.add("situation", gain[:, None], np.array([col]))
