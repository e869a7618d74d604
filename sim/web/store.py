"""Where ``escsim serve`` keeps its games: one SQLite file, the journal of every game.

A game is stored as the engine defines it (sim.classroom.record): its setup, then one row per
recorded action (a move, a threat, an advance, an undo...), in order. Loading replays the rows
through the engine and checks the state it reaches against the state saved with the last row
(``Game.from_document``), exactly as a game file is checked. Every change to a game (its
creation with its join codes, or one action) is one transaction: a server killed at any moment
keeps every action it acknowledged, and none half-written.

The schema is versioned: ``schema_version`` holds the number of the last migration applied, and
the migrations below run, each in its own transaction, when a server opens the file. A file
written by a newer escsim (a version above ours) is refused rather than guessed at.

Besides games: the browsers' sessions (so that a reconnecting browser, or any browser after a
restart, picks up where it was), the join codes, and the facilitator's secret when escsim made
it (so that a restarted server keeps the secret it printed).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim import __version__
from sim.errors import UserError

# Each migration is one SQL script; the schema's version is the number of scripts applied.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE games (
        id TEXT PRIMARY KEY,
        created REAL NOT NULL,
        setup TEXT NOT NULL,            -- sim.classroom.record.GameSetup, JSON
        state TEXT NOT NULL,            -- SavedState after the last action, JSON
        written_by TEXT NOT NULL,       -- the escsim version that wrote the state
        version INTEGER NOT NULL,       -- bumped by every change (browsers poll it)
        turn_started REAL NOT NULL,     -- when the current stop began (the countdown)
        turn_minutes INTEGER NOT NULL,  -- the countdown's length, 0 for none
        auto_advance INTEGER NOT NULL   -- advance as soon as every team has moved
    );
    CREATE TABLE codes (
        game_id TEXT NOT NULL REFERENCES games(id),
        team TEXT NOT NULL,
        code TEXT NOT NULL UNIQUE,
        PRIMARY KEY (game_id, team)
    );
    CREATE TABLE entries (
        game_id TEXT NOT NULL REFERENCES games(id),
        seq INTEGER NOT NULL,
        entry TEXT NOT NULL,            -- one sim.classroom.record entry, JSON
        at REAL NOT NULL,
        PRIMARY KEY (game_id, seq)
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,    -- SHA-256 of the cookie's token
        csrf TEXT NOT NULL,
        facilitator INTEGER NOT NULL DEFAULT 0,
        game_id TEXT,
        team TEXT,
        created REAL NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(UserError):
    """The database cannot be opened or used (a bad path, not SQLite, a newer schema)."""


@dataclass(frozen=True)
class GameRow:
    id: str
    created: float
    setup: dict[str, Any]
    state: dict[str, Any]
    written_by: str
    version: int
    turn_started: float
    turn_minutes: int
    auto_advance: bool


@dataclass(frozen=True)
class SessionRow:
    token_hash: str
    csrf: str
    facilitator: bool
    game_id: str | None
    team: str | None


class Store:
    """The SQLite file of a server: one connection, used under a lock by the server's threads."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder; give a database file, e.g. "
                             f"{self.path / 'classroom.sqlite'}")
        if not self.path.parent.is_dir():
            raise StoreError(f"{self.path}: the folder {self.path.parent} does not exist")
        self._lock = threading.RLock()
        if not self.path.exists():
            # the facilitator's secret and the join codes live here: for its owner's eyes only
            # (SQLite gives its journal files the same permissions)
            try:
                self.path.touch(mode=0o600)
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot create it ({exc.strerror})") from None
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                                       timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a transaction acknowledged to a browser survives a power cut, not only a
            # crash of the server
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable escsim database ({exc})") from None

    # --- schema ----------------------------------------------------------------------------

    def schema_version(self) -> int:
        with self._lock:
            exists = self._db.execute("SELECT name FROM sqlite_master WHERE type='table' AND "
                                      "name='schema_version'").fetchone()
            if not exists:
                return 0
            row = self._db.execute("SELECT version FROM schema_version").fetchone()
            return int(row[0]) if row else 0

    def _migrate(self) -> None:
        with self._lock:
            others = self._db.execute("SELECT name FROM sqlite_master WHERE type='table' AND "
                                      "name NOT IN ('schema_version')").fetchall()
            current = self.schema_version()
            if current == 0 and others:
                raise StoreError(f"{self.path}: an SQLite file that is not an escsim database")
            if current > SCHEMA_VERSION:
                raise StoreError(f"{self.path}: written by a newer escsim (database schema "
                                 f"{current}; this escsim {__version__} reads up to "
                                 f"{SCHEMA_VERSION})")
            for number in range(current + 1, SCHEMA_VERSION + 1):
                with self.transaction() as db:
                    db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER "
                               "NOT NULL)")
                    for statement in _statements(MIGRATIONS[number - 1]):
                        db.execute(statement)
                    db.execute("DELETE FROM schema_version")
                    db.execute("INSERT INTO schema_version VALUES (?)", (number,))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction: everything inside is written together, or not at all."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- meta --------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # --- games -------------------------------------------------------------------------------

    def add_game(self, game_id: str, setup: dict[str, Any], state: dict[str, Any],
                 codes: dict[str, str], turn_minutes: int, auto_advance: bool) -> None:
        """A new game and its teams' join codes, in one transaction."""
        now = time.time()
        with self.transaction() as db:
            db.execute("INSERT INTO games VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)",
                       (game_id, now, _json(setup), _json(state), __version__, now,
                        turn_minutes, int(auto_advance)))
            db.executemany("INSERT INTO codes VALUES (?, ?, ?)",
                           [(game_id, team, code) for team, code in codes.items()])

    def append(self, game_id: str, entries: list[dict[str, Any]], state: dict[str, Any],
               new_stop: bool) -> None:
        """Record actions of a game with the state they lead to, in one transaction."""
        now = time.time()
        with self.transaction() as db:
            (seq,) = db.execute("SELECT COUNT(*) FROM entries WHERE game_id=?",
                                (game_id,)).fetchone()
            db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?)",
                           [(game_id, seq + i, _json(e), now) for i, e in enumerate(entries)])
            db.execute("UPDATE games SET state=?, written_by=?, version=version+1 WHERE id=?",
                       (_json(state), __version__, game_id))
            if new_stop:
                db.execute("UPDATE games SET turn_started=? WHERE id=?", (now, game_id))

    def games(self) -> list[GameRow]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM games ORDER BY created").fetchall()
        return [_game_row(r) for r in rows]

    def game(self, game_id: str) -> GameRow | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM games WHERE id=?", (game_id,)).fetchone()
        return _game_row(row) if row else None

    def entries(self, game_id: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT entry FROM entries WHERE game_id=? ORDER BY seq",
                                    (game_id,)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def codes(self, game_id: str) -> dict[str, str]:
        with self._lock:
            rows = self._db.execute("SELECT team, code FROM codes WHERE game_id=?",
                                    (game_id,)).fetchall()
        return dict(rows)

    def all_codes(self) -> list[tuple[str, str, str]]:
        """(code, game, team) of every team of every game."""
        with self._lock:
            return list(self._db.execute("SELECT code, game_id, team FROM codes").fetchall())

    # --- sessions ----------------------------------------------------------------------------

    def add_session(self, token_hash: str, csrf: str) -> SessionRow:
        with self.transaction() as db:
            db.execute("INSERT INTO sessions (token_hash, csrf, created) VALUES (?, ?, ?)",
                       (token_hash, csrf, time.time()))
        return SessionRow(token_hash, csrf, False, None, None)

    def session(self, token_hash: str) -> SessionRow | None:
        with self._lock:
            row = self._db.execute("SELECT token_hash, csrf, facilitator, game_id, team FROM "
                                   "sessions WHERE token_hash=?", (token_hash,)).fetchone()
        if row is None:
            return None
        return SessionRow(row[0], row[1], bool(row[2]), row[3], row[4])

    def set_facilitator(self, token_hash: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE sessions SET facilitator=1 WHERE token_hash=?", (token_hash,))

    def set_seat(self, token_hash: str, game_id: str, team: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE sessions SET game_id=?, team=? WHERE token_hash=?",
                       (game_id, team, token_hash))


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _game_row(row: tuple) -> GameRow:
    return GameRow(row[0], row[1], json.loads(row[2]), json.loads(row[3]), row[4], row[5],
                   row[6], row[7], bool(row[8]))


def _statements(script: str) -> list[str]:
    """The statements of a migration script (no semicolons inside them; comments dropped)."""
    lines = [line.split("--")[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
