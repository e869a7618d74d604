"""What ``escsim play`` does, as library calls: open a game (new or resumed) and play a moves
file through it, writing a transcript of every stop's briefings and every turn's results.

``Transcript`` is plain text: for each stop, each team's brief as the team saw it, then what the
day brought (the public view, and the facilitator's view of the truth). It is how a prepared
demonstration game can be read without running it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sim.classroom.errors import GameError
from sim.classroom.game import Game, TurnReport
from sim.classroom.movesfile import play_moves, read_moves_file, still_to_play
from sim.classroom.record import IDLE_POLICIES, GameSettings


def open_game(scenario: str | None, teams: list[str] | None, variant: str | None, seed: int,
              save: Path | None, resume: Path | None, force: bool,
              settings: GameSettings | None = None) -> Game:
    """A new game saved to ``save``, or the game in ``resume`` (checked, replayed)."""
    if resume is not None:
        if scenario is not None or teams:
            raise GameError("--resume continues a saved game: give no scenario or --teams "
                            "(its settings are those it was created with)")
        game = Game.load(resume, force=force)
        if save is not None and Path(save) != Path(resume):
            game.path = Path(save)
            game.save()
        return game
    if scenario is None:
        raise GameError("name a scenario (or --resume a saved game)")
    if not teams:
        raise GameError("--teams: name the actors the class plays, e.g. "
                        "--teams kataib_hezbollah,united_states")
    if save is None:
        raise GameError("--save FILE: where to keep the game (it is saved after every move)")
    return Game.create(scenario, variant, teams, seed, settings, path=save)


def team_list(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


@dataclass
class Transcript:
    """Every stop's briefings and every turn's results, as plain text."""

    lines: list[str] = field(default_factory=list)

    def stop(self, game: Game) -> None:
        self.lines += ["", "=" * 78, f"STOP {game.date} (turn {game.turn + 1})", "=" * 78]
        for team in game.teams:
            self.lines += ["", game.briefing(team).text(with_options=False), "-" * 78]

    def turn(self, game: Game, report: TurnReport) -> None:
        days = f"{report.played[0]}" + (f" .. {report.played[-1]}" if len(report.played) > 1
                                        else "")
        self.lines += ["", f"PLAYED {days}", "What everyone learned:"]
        self.lines += [f"  {line}" for line in report.public] or ["  nothing"]
        self.lines += ["What happened (the facilitator's view):"]
        self.lines += [f"  {e['date']}  {game.describe(e)}" for e in report.events] or ["  nothing"]

    def text(self) -> str:
        return "\n".join(self.lines).lstrip() + "\n"


def turn_summary(game: Game, report: TurnReport) -> str:
    """One line per turn for the terminal."""
    days = len(report.played)
    where = f"next stop {report.next_stop}" if report.next_stop else "the game is over"
    why = f" ({'; '.join(report.reasons)})" if report.reasons else ""
    return (f"turn {game.turn}: played {report.played[0]}"
            + (f" and {days - 1} more day(s)" if days > 1 else "")
            + f", {len(report.events)} events; {where}{why}")


def run_moves(game: Game, moves: Path, echo: Callable[[str], None],
              transcript: Path | None = None) -> Game:
    """Play a moves file (what the saved game has not played of it yet)."""
    planned = read_moves_file(moves)
    todo = still_to_play(game, planned, str(moves))
    record = Transcript()

    def on_turn(g: Game, report: TurnReport) -> None:
        record.turn(g, report)
        echo(turn_summary(g, report))

    try:
        play_moves(game, todo, on_stop=record.stop, on_turn=on_turn)
    finally:
        if transcript is not None:
            from sim.analysis.files import write_text

            write_text(transcript, record.text())
    return game


def status(game: Game) -> str:
    where = f"at {game.date}" if game.date else f"ended ({game.ended_by})"
    return (f"{game.path}: {game.setup.scenario.id}, teams {', '.join(game.teams)}, seed "
            f"{game.setup.seed}; {game.turn} turns, {game.days_played} of "
            f"{game.scenario.days} days played, {where}")


def game_settings(probabilities: bool, every_day: bool, idle: str,
                  stops: list[str] | None) -> GameSettings:
    """The facilitator's settings from the command line (GameError for a bad value)."""
    if idle not in IDLE_POLICIES:
        raise GameError(f"--idle must be one of {', '.join(IDLE_POLICIES)}, got '{idle}'")
    return GameSettings(fast_forward=not every_day, probabilities=probabilities,
                        idle=idle, stops=parse_stops(stops))  # type: ignore[arg-type]


def parse_stops(values: list[str] | None) -> list[dt.date]:
    out = []
    for text in values or []:
        try:
            out.append(dt.date.fromisoformat(text))
        except ValueError:
            raise GameError(f"--stop {text}: expected a date like 2025-06-24") from None
    return out
