"""Shared helpers of the classroom tests: the scripted short game, played into a file."""

from __future__ import annotations

from pathlib import Path

from sim.classroom import Game
from sim.classroom.movesfile import play_moves, read_moves_file

DATA = Path(__file__).resolve().parent / "data"
MOVES = DATA / "classroom-moves.yaml"
TEAMS = ["kataib_hezbollah", "united_states"]
SEED = 4


def new_game(path: Path | None = None, **settings) -> Game:
    return Game.create("june-2025", teams=TEAMS, seed=SEED, settings=settings or None,
                       path=path)


def scripted_game(path: Path | None = None) -> Game:
    """The short game of tests/data/classroom-moves.yaml, played to its end."""
    return play_moves(new_game(path), read_moves_file(MOVES))
