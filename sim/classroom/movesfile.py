"""Moves files: a whole game's moves in YAML, played without a terminal.

    # escsim play june-2025 --teams kataib_hezbollah,united_states --seed 4 \\
    #     --moves moves.yaml --save game.escsim
    turns:
      - date: 2025-06-12                  # a stop of the game
        moves:
          kataib_hezbollah: hold          # an action id alone
          united_states: {action: deploy_air_defence}
      - date: 2025-06-13
        injects:                          # the facilitator's events (default: today)
          - {actor: unknown, action: drone_attack, target: united_states@iraq,
             claimed: false, note: "A drone hits Erbil airport"}
        threats:                          # a team's structured threat
          - team: united_states
            trigger: {event: {actor: kataib_hezbollah, action: [drone_attack, rocket_attack],
                              target: united_states}}
            response: {action: strike_militia_sites, target: kataib_hezbollah}
            deadline_days: 3
        moves:
          kataib_hezbollah: {action: drone_attack, target: united_states@iraq, claim: none}
          united_states: model            # let the model decide today
        pause: "Discuss the drone strike"  # pause and resume before playing the day
      - {date: 2025-06-14, undo: true}    # take back the last turn (back to its stop)
      - {date: 2025-06-20, end: "Out of time"}   # end the game at this stop

Each item is one stop: its injects, threats and moves are applied in that order and the day is
played (``advance``), unless the item is an ``undo`` or an ``end``. A team with no move at a stop
does what the game's idle setting says. The file becomes exactly the game's list of actions, so
a game played from it can be resumed from its saved file with the same moves file: the actions
already in the game are checked against the file and the rest are applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.classroom.errors import GameError
from sim.classroom.game import Game, TurnReport
from sim.classroom.record import (AdvanceEntry, DelegateEntry, EndEntry, Entry, InjectEntry,
                                  MoveEntry, PauseEntry, ResumeEntry, ThreatEntry, UndoEntry)
from sim.scenario.errors import ScenarioError
from sim.scenario.located import load_located, origin_of, plain
from sim.scenario.schema import Inject

ITEM_KEYS = {"date", "moves", "threats", "injects", "pause", "undo", "end"}
MOVE_KEYS = {"action", "target", "claim", "front"}
DELEGATE = "model"


class MovesFileError(GameError):
    """A moves file that cannot be read, or a move in it the game refuses."""


@dataclass(frozen=True)
class Planned:
    """One action of a moves file, with where it was written."""

    entry: Entry
    where: str  # "moves.yaml:12"


def _where(path: Path, tree: Any, loc: tuple[Any, ...]) -> str:
    origin = origin_of(tree, loc)
    return f"{path}:{origin.line}" if origin and origin.line else str(path)


def read_moves_file(path: str | Path) -> list[Planned]:
    """The actions a moves file asks for, in order (MovesFileError naming file and line)."""
    path = Path(path)
    if not path.is_file():
        raise MovesFileError(f"{path}: no such moves file")
    try:
        tree = load_located(path)
    except ScenarioError as exc:
        raise MovesFileError(str(exc).splitlines()[0]) from None
    if not isinstance(tree, dict) or not isinstance(tree.get("turns"), list):
        raise MovesFileError(f"{path}: a moves file is a mapping with a list 'turns:'")
    if set(tree) - {"turns"}:
        raise MovesFileError(f"{_where(path, tree, (sorted(set(tree) - {'turns'})[0],))}: "
                             f"unknown key (a moves file has only 'turns')")
    planned: list[Planned] = []
    counters: dict[str, int] = {}
    for i, item in enumerate(tree["turns"]):
        planned += _item(path, tree, i, item, counters)
    return planned


def _item(path: Path, tree: Any, i: int, item: Any, counters: dict[str, int]) -> list[Planned]:
    loc = ("turns", i)
    here = _where(path, tree, loc)
    if not isinstance(item, dict):
        raise MovesFileError(f"{here}: turns[{i}]: expected a mapping with a 'date'")
    unknown = sorted(set(item) - ITEM_KEYS)
    if unknown:
        raise MovesFileError(f"{_where(path, tree, (*loc, unknown[0]))}: turns[{i}].{unknown[0]}:"
                             f" unknown key (expected: {', '.join(sorted(ITEM_KEYS))})")
    date = item.get("date")
    if not isinstance(date, dt.date):
        raise MovesFileError(f"{here}: turns[{i}].date: expected a date like 2025-06-13")
    if item.get("undo"):
        if set(item) - {"date", "undo"}:
            raise MovesFileError(f"{here}: turns[{i}]: an undo item has only 'date' and 'undo'")
        return [Planned(UndoEntry(date=date), here)]
    out: list[Planned] = []

    def add(make: Callable[[], Entry], key: tuple[Any, ...]) -> None:
        where = _where(path, tree, (*loc, *key))
        try:
            out.append(Planned(make(), where))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(x) for x in first["loc"])
            raise MovesFileError(f"{where}: turns[{i}].{'.'.join(map(str, key))}: "
                                 f"{field + ': ' if field else ''}{first['msg']}") from None

    for j, fields in enumerate(item.get("injects") or []):
        counters["inject"] = counters.get("inject", 0) + 1
        number = counters["inject"]
        add(lambda f=fields, n=number: InjectEntry(date=date, inject=Inject.model_validate(
            {"date": date, **plain(f), "id": f"facilitator-{n}"})), ("injects", j))
    for j, fields in enumerate(item.get("threats") or []):
        team = fields.get("team") if isinstance(fields, dict) else None
        counters[f"threat:{team}"] = counters.get(f"threat:{team}", 0) + 1
        number = counters[f"threat:{team}"]
        add(lambda f=fields, n=number, t=team: ThreatEntry.model_validate(
            {"date": date, **plain(f), "id": f"{t}-threat-{n}", "against": _against(f)}),
            ("threats", j))
    for team, move in (item.get("moves") or {}).items():
        add(lambda t=team, m=move: _move(date, t, m), ("moves", team))
    if "end" in item:
        if item.get("moves") or item.get("threats") or item.get("injects"):
            raise MovesFileError(f"{here}: turns[{i}]: an end item has no moves, threats or "
                                 "injects")
        return [Planned(EndEntry(date=date, note=str(item["end"] or "")), here)]
    if "pause" in item:
        out += [Planned(PauseEntry(date=date, note=str(item["pause"] or "")), here),
                Planned(ResumeEntry(date=date), here)]
    return [*out, Planned(AdvanceEntry(date=date), here)]


def _against(fields: Any) -> list[str] | None:
    """A threat's targets as written, else those its trigger names (the game checks them)."""
    if not isinstance(fields, dict):
        return None
    if fields.get("against") is not None:
        value = plain(fields["against"])
        return [value] if isinstance(value, str) else value
    from sim.classroom.moves import trigger_actors
    from sim.scenario.schema import Trigger

    try:
        actors = trigger_actors(Trigger.model_validate(plain(fields.get("trigger"))))
    except ValidationError:
        return None
    response = fields.get("response") or {}
    target = response.get("target") if isinstance(response, dict) else None
    return actors or ([target] if target and target != "attacker" else None)


def _move(date: dt.date, team: str, move: Any) -> MoveEntry | DelegateEntry:
    if move == DELEGATE:
        return DelegateEntry(date=date, team=team)
    if isinstance(move, str):
        return MoveEntry(date=date, team=team, action=move)
    if isinstance(move, dict) and set(move) <= MOVE_KEYS:
        return MoveEntry(date=date, team=team, **plain(move))
    raise ValidationError.from_exception_data("move", [{
        "type": "value_error", "loc": (), "input": move,
        "ctx": {"error": f"a move is an action id, '{DELEGATE}', or a mapping with "
                         f"{', '.join(sorted(MOVE_KEYS))}"}}])


def still_to_play(game: Game, planned: list[Planned], source: str) -> list[Planned]:
    """The part of a moves file a saved game has not played yet (MovesFileError if the game's
    actions are not the beginning of the file's)."""
    done = game.actions
    if len(done) > len(planned):
        raise MovesFileError(f"the game has {len(done)} actions but {source} only "
                             f"{len(planned)}: it was not played from this file")
    for i, (entry, plan) in enumerate(zip(done, planned, strict=False)):
        if entry.model_dump(mode="json") != _comparable(entry, plan.entry):
            raise MovesFileError(f"{plan.where}: the saved game's action {i + 1} "
                                 f"({entry.do} on {entry.date}) differs from this file's: it "
                                 "was not played from this file")
    return planned[len(done):]


def _comparable(done: Entry, planned: Entry) -> dict[str, Any]:
    """A planned entry as the game records it (a front claim records the front's name)."""
    data = planned.model_dump(mode="json")
    if isinstance(done, MoveEntry) and isinstance(planned, MoveEntry) and planned.front is None:
        data["front"] = done.front if planned.claim == "front" else None
    return data


def play_moves(game: Game, planned: list[Planned],
               on_stop: Callable[[Game], None] | None = None,
               on_turn: Callable[[Game, TurnReport], None] | None = None) -> Game:
    """Apply the planned actions; ``on_stop`` is called at each stop before its moves, and
    ``on_turn`` after each day played. A refused action raises MovesFileError (the game keeps
    everything before it, saved)."""
    stop_seen: dt.date | None = None
    for plan in planned:
        if on_stop is not None and game.date is not None and game.date != stop_seen:
            stop_seen = game.date
            on_stop(game)
        try:
            result = game.apply(plan.entry)
        except GameError as exc:
            raise MovesFileError(f"{plan.where}: {exc}") from None
        if isinstance(result, TurnReport) and on_turn is not None:
            on_turn(game, result)
        if isinstance(plan.entry, UndoEntry):
            stop_seen = None
    return game
