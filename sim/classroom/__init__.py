"""Classroom wargames: teams play actors, the model plays the rest, the class reviews its game.

The engine, with no interface code (the terminal face is sim.tui; a browser face uses the same
calls):

- ``Game`` (sim.classroom.game): ``Game.create(scenario, variant, teams, seed, settings, path)``,
  ``Game.load(path, force)``; ``join(team)`` gives a ``Seat`` whose ``briefing()``,
  ``options()``, ``submit(...)``, ``delegate()`` and ``threaten(...)`` are all a team may see and
  do; the facilitator calls ``advance()``, ``undo()``, ``inject(...)``, ``pause()``,
  ``resume()`` and ``end()``. Every change is one recorded action and the file is rewritten
  whole after each (sim.classroom.savefile: versioned JSON with a checksum).
- ``GameSettings`` (sim.classroom.record): fast-forward, the model's probabilities for teams,
  what a team's actor does between stops, extra stops.
- moves files (sim.classroom.movesfile): a whole game's moves in YAML, for ``escsim play
  --moves`` and prepared demonstrations.
- fog of war (sim.classroom.fog): which events each team learns of, and how.
- role cards (sim.classroom.cards) and the after-action review (sim.classroom.aar).
"""

from __future__ import annotations

from sim.classroom.errors import GameError, GameFileError, MoveError, ScenarioChanged
from sim.classroom.game import Game, Seat, TurnReport
from sim.classroom.record import GameSettings

__all__ = ["Game", "GameError", "GameFileError", "GameSettings", "MoveError", "ScenarioChanged",
           "Seat", "TurnReport"]
