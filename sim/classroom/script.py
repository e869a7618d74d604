"""The teams' orders day by day, applied the same way to the class's game and to its replays.

A ``GameScript`` says, for every day played, what each team's actor does: on the day of a turn
the team's move (or the model's choice, if it delegated), and on any other day the idle policy
(hold, or let the model decide). Playing it into a one-replicate model gives the class's game;
playing it into an N-replicate model with the same seed replays the class's moves with new dice
in every replicate but the first (the after-action review's distribution (a)). One function
does both, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sim.classroom.moves import CLAIM_MODES
from sim.classroom.record import DelegateEntry, MoveEntry, Order
from sim.model.model import EscalationModel


def apply_orders(model: EscalationModel, teams: tuple[str, ...],
                 orders: Mapping[str, Order], idle: str) -> None:
    """Set each team's action for the model's next day (all replicates)."""
    for team in teams:
        order = orders.get(team)
        if order is None:
            if idle == "hold":
                model.play(team, "hold")
        elif isinstance(order, MoveEntry):
            model.play(team, order.action, order.target, mode=CLAIM_MODES[order.claim])
        else:
            assert isinstance(order, DelegateEntry)  # the model decides for the actor


@dataclass(frozen=True)
class GameScript:
    """What the teams' actors did on each day of a game."""

    teams: tuple[str, ...]
    idle: str
    days: int  # days played
    turns: dict[int, dict[str, Order]] = field(default_factory=dict)  # day -> team -> order

    def play_day(self, model: EscalationModel) -> None:
        """Apply the day's orders and play the day."""
        apply_orders(model, self.teams, self.turns.get(model.day, {}), self.idle)
        model.step()

    def play(self, model: EscalationModel) -> EscalationModel:
        """Play every day of the script from the model's current day."""
        while model.day < self.days and model.running:
            self.play_day(model)
        return model
