"""The errors a classroom game reports: one line each, never a traceback (all are UserErrors)."""

from __future__ import annotations

from sim.errors import UserError


class GameError(UserError):
    """Something a team or the facilitator asked for that the game cannot do now."""


class MoveError(GameError, ValueError):
    """A move, threat or inject that is refused; the game goes on unchanged."""


class GameFileError(GameError):
    """A saved game that cannot be read or trusted (missing, truncated, edited, foreign)."""


class ScenarioChanged(GameFileError):
    """The scenario of a saved game is not what it was when the game was played."""
