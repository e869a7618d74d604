"""The server's games in memory, each kept in step with its journal in the store.

Every request that changes a game goes through ``Room.act``: under the game's lock it calls
the engine (which checks the action exactly as it checks the terminal's and a moves file's), and
writes the action it recorded, with the state it leads to, in one transaction. If the write
fails, the game in memory is thrown away and replayed from the store, so that what browsers see
is always what is on disk. A refused action (the engine's ``GameError``) changes nothing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.classroom.errors import GameError
from sim.classroom.game import Game
from sim.classroom.record import GameSettings
from sim.web.auth import new_code, new_game_id
from sim.web.store import GameRow, Store


@dataclass
class Room:
    """One game, its lock and its row in the store."""

    id: str
    game: Game
    row: GameRow
    lock: threading.RLock

    @property
    def version(self) -> int:
        return self.row.version

    def read(self, view: Callable[..., Any], *args: Any) -> Any:
        """``view(self, *args)`` with the game still (no action half-applied under it)."""
        with self.lock:
            return view(self, *args)


class NotSaved(GameError):
    """An action the engine accepted but the database could not record: it is undone."""


class Rooms:
    """Every game of the server, loaded from the store on first use."""

    def __init__(self, store: Store):
        self.store = store
        self._rooms: dict[str, Room] = {}
        self._lock = threading.Lock()

    def ids(self) -> list[str]:
        return [row.id for row in self.store.games()]

    def get(self, game_id: str) -> Room | None:
        """The game with this id (replayed from the store the first time), or None."""
        with self._lock:
            room = self._rooms.get(game_id)
            if room is None:
                row = self.store.game(game_id)
                if row is None:
                    return None
                room = Room(game_id, self._replay(row), row, threading.RLock())
                self._rooms[game_id] = room
            return room

    def _replay(self, row: GameRow) -> Game:
        body = {"setup": row.setup, "actions": self.store.entries(row.id), "state": row.state}
        return Game.from_document(body, f"{self.store.path}: game {row.id}", row.written_by)

    def create(self, scenario: str, variant: str | None, teams: list[str], seed: int,
               settings: GameSettings, turn_minutes: int, auto_advance: bool) -> Room:
        """A new game with a random join code per team (GameError if the engine refuses it)."""
        game = Game.create(scenario, variant, teams, seed, settings)
        game_id = new_game_id()
        codes = {team: new_code() for team in game.teams}
        document = game.document()
        self.store.add_game(game_id, document["setup"], document["state"], codes, turn_minutes,
                            auto_advance)
        row = self.store.game(game_id)
        assert row is not None
        room = Room(game_id, game, row, threading.RLock())
        with self._lock:
            self._rooms[game_id] = room
        return room

    def act(self, room: Room, call: Callable[[Game], Any]) -> Any:
        """Apply one engine call to the game and store what it recorded, in one transaction."""
        with room.lock:
            game = room.game
            before, turn_before, date_before = len(game.actions), game.turn, game.date
            result = call(game)  # GameError: refused, nothing changed
            document = game.document()
            entries = document["actions"][before:]
            if entries:
                new_stop = game.turn != turn_before or game.date != date_before
                try:
                    self.store.append(room.id, entries, document["state"], new_stop)
                except sqlite3.Error as exc:
                    room.game = self._replay(room.row)  # back to what the store holds
                    raise NotSaved(f"it could not be saved ({exc}), so it did not happen: "
                                   "try again, and tell the facilitator") from None
                row = self.store.game(room.id)
                assert row is not None
                room.row = row
            return result

    def advance_if_all_moved(self, room: Room) -> bool:
        """With the game's setting, play the day once every team has chosen its move."""
        with room.lock:
            game = room.game
            if not room.row.auto_advance or game.ended or game.paused or game.waiting_for:
                return False
            try:
                self.act(room, lambda g: g.advance())
            except GameError:
                return False
            return True
