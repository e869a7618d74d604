"""The game: teams play actors, the model plays the rest and rolls the dice, one stop at a time.

    from sim.classroom import Game
    game = Game.create("june-2025", teams=["kataib_hezbollah", "united_states"], seed=4,
                       path="game.escsim")
    seat = game.join("kataib_hezbollah")          # what one team may see and do
    print(seat.briefing().text())
    seat.submit("go_to_ground")
    game.join("united_states").submit("deploy_air_defence")
    report = game.advance()                       # plays the day, moves on to the next stop
    game = Game.load("game.escsim")               # later: the same game, replayed and checked

Turns. The game waits at a *stop*: a day on which every team chooses its actor's move (decisions
are made at dawn, on what happened up to the day before). ``advance`` plays the day with the
teams' moves, then plays on, a day at a time, until the next stop: the scenario's decision
points, the facilitator's extra stops, and any day after something concerned a team (an event
done to it or reaching it, a threat it made or that names it changed) or while one of its
threats awaits its answer. With ``fast_forward`` off every day is a stop. On the days between
stops, and for a team with no move when the facilitator advances, the team's actor holds (or,
with ``idle: model``, the model decides for it). Scripted events of a team's actor (history's
shocks) still happen.

The facilitator can add a scripted event (``inject``), ``pause`` and ``resume`` play, ``undo``
the last turn and ``end`` the game. Every call that changes the game is one entry of
``actions`` (sim.classroom.record), applied by one method whether it comes from a person or from
a saved file, and the file is rewritten (whole, atomically) after each. A refused move raises
``MoveError`` and changes nothing.

Replaying. A game is (scenario content, variant, seed, teams, settings, actions). ``load``
rebuilds it from scratch by applying the actions again, checking every stop on the way and, at
the end, the event log against the digest saved with the file, so a file from another version of
the model, or for a scenario that has since changed, is refused (``force`` accepts the change and
replays under the current model and scenario).

Interfaces (the terminal, the browser) use only this class, ``Seat`` and the dataclasses they
return: ``Briefing``, ``OptionView``, ``TurnReport``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim import __version__
from sim.classroom.advice import Judgement, ModelAdvice, judge, model_advice
from sim.classroom.briefing import Briefing, seen_lines, situation_lines, threat_views
from sim.classroom.errors import GameError, GameFileError, MoveError, ScenarioChanged
from sim.classroom.fog import Fog, SeenEvent
from sim.classroom.moves import (OptionView, actor_name, check_move, make_inject, make_threat,
                                 menu, option_label, scenario_threat, threat_problems)
from sim.classroom.record import (AdvanceEntry, DelegateEntry, EndEntry, Entry, GameDocument,
                                  GameSettings, GameSetup, InjectEntry, MoveEntry, Order,
                                  PauseEntry, ResumeEntry, SavedState, ScenarioRef, ThreatEntry,
                                  UndoEntry)
from sim.classroom.savefile import read_game_file, write_game_file
from sim.classroom.script import GameScript
from sim.classroom.text import describe_event, describe_seen
from sim.model.actions import CATALOGUE
from sim.model.kinds import ClaimMode
from sim.model.model import EscalationModel
from sim.model.state import ThreatStatus
from sim.model.world import World
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import content_hash, load_scenario, shipped_scenarios
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Decision:
    """One team's move at one turn, judged against the model's own rule (for the review)."""

    turn: int
    date: dt.date
    team: str
    move: str  # the move in words
    delegated: bool
    decision_point: bool
    judgement: Judgement | None  # None: delegated, or the model does not decide for the actor
    likeliest: str | None  # the model's likeliest move, in words


@dataclass
class Turn:
    """The moves, threats and injects gathered at one stop."""

    date: dt.date
    orders: dict[str, Order] = field(default_factory=dict)
    threats: list[ThreatEntry] = field(default_factory=list)
    injects: list[InjectEntry] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)  # judged when the turn is played


@dataclass(frozen=True)
class TurnReport:
    """What ``advance`` played: the days, the events (true, and as the public saw them)."""

    played: list[dt.date]
    events: list[dict[str, Any]]  # the truth: for the facilitator and the review only
    public: list[str]  # what everyone learned, one line each (the projector's view)
    next_stop: dt.date | None
    reasons: list[str]
    ended: bool


def timeline_digest(events: list[dict[str, Any]]) -> str:
    text = json.dumps(events, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scenario_reference(scenario: str | Path) -> str:
    """How a game file names its scenario: a shipped id, or a file's absolute path."""
    text = str(scenario)
    if text in shipped_scenarios():
        return text
    return str(Path(text).resolve())


class Game:
    """A classroom game in progress (or finished)."""

    def __init__(self, setup: GameSetup, scenario: Scenario, path: str | Path | None = None):
        self.setup = setup
        self.scenario = scenario
        self.path = Path(path) if path is not None else None
        self.actions: list[Entry] = []
        self._done: list[Turn] = []
        self._pending: Turn | None = Turn(scenario.start)
        self.paused = False
        self.ended_by: str | None = None  # "scenario" or "facilitator"
        self._reasons: dict[str, list[str]] = {"": ["the first day"]}
        self._model = self._replayed(self._effective(), 0)
        for team in setup.teams:
            if team not in scenario.actors:
                raise GameError(f"'{team}' is not an actor of {scenario.id} (actors: "
                                f"{', '.join(scenario.actors)})")

    # --- making, saving and loading ---------------------------------------------------------

    @classmethod
    def create(cls, scenario: str | Path, variant: str | None = None,
               teams: list[str] | tuple[str, ...] = (), seed: int = 0,
               settings: GameSettings | Mapping[str, Any] | None = None,
               path: str | Path | None = None) -> Game:
        """A new game at its first stop (saved to ``path`` if given, which must not exist)."""
        spec = load_scenario(scenario, variant)
        if not teams:
            raise GameError("name at least one team (the actors the class plays)")
        if len(set(teams)) != len(teams):
            raise GameError("a team is listed twice")
        try:
            settings = settings if isinstance(settings, GameSettings) else \
                GameSettings.model_validate(dict(settings or {}))
        except ValidationError as exc:
            raise GameError(f"settings: {exc.errors()[0]['msg']}") from None
        for stop in settings.stops:
            if not spec.start <= stop <= spec.end:
                raise GameError(f"stop {stop} is outside the scenario ({spec.start} .. {spec.end})")
        if seed < 0:
            raise GameError("the seed must be a non-negative integer")
        ref = ScenarioRef(ref=scenario_reference(scenario), variant=variant, id=spec.id,
                          title=spec.title, digest=content_hash(spec))
        game = cls(GameSetup(scenario=ref, seed=seed, teams=list(teams), settings=settings),
                   spec)
        if path is not None:
            if Path(path).exists():
                raise GameError(f"{path} already exists: resume it, or choose another file")
            game.path = Path(path)
            game.save()
        return game

    @classmethod
    def load(cls, path: str | Path, force: bool = False) -> Game:
        """The game saved in ``path``, replayed from scratch and checked against the file."""
        path = Path(path)
        body, written_by = read_game_file(path)
        try:
            document = GameDocument.model_validate(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise GameFileError(f"{path}: not a valid game: {'.'.join(map(str, first['loc']))}: "
                                f"{first['msg']}") from None
        ref = document.setup.scenario
        try:
            spec = load_scenario(ref.ref, ref.variant)
        except ScenarioError as exc:
            raise GameFileError(f"{path}: its scenario cannot be loaded: "
                                f"{str(exc).splitlines()[0]}") from None
        if content_hash(spec) != ref.digest and not force:
            raise ScenarioChanged(
                f"{path}: the scenario {ref.ref} has changed since this game was played; "
                "resuming would replay a different game (use --force to continue with the "
                "scenario as it is now)")
        game = cls(document.setup.model_copy(update={"scenario": ref.model_copy(
            update={"digest": content_hash(spec)})}), spec)
        try:
            for i, entry in enumerate(document.actions):
                game._execute(entry)
        except GameError as exc:
            raise GameFileError(f"{path}: action {i + 1} ({entry.do} on {entry.date}) does not "
                                f"replay: {exc}") from None
        if game._state() != document.state and not force:
            raise GameFileError(
                f"{path}: the game replays differently under escsim {__version__} than when "
                f"it was saved (by escsim {written_by}): the model has changed (use --force "
                "to continue under the current model)")
        game.path = path
        return game

    def save(self, path: str | Path | None = None) -> Path:
        """Write the game file (whole or not at all); returns its path."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise GameError("no file to save the game to")
        body = GameDocument(setup=self.setup, actions=self.actions, state=self._state())
        write_game_file(target, body.model_dump(mode="json"))
        return target

    def _state(self) -> SavedState:
        events = self.timeline()
        return SavedState(turns=len(self._done), date=self.date, days_played=self.days_played,
                          ended=self.ended, paused=self.paused, events=len(events),
                          timeline_digest=timeline_digest(events))

    # --- where the game stands -----------------------------------------------------------------

    @property
    def teams(self) -> tuple[str, ...]:
        return tuple(self.setup.teams)

    @property
    def settings(self) -> GameSettings:
        return self.setup.settings

    @property
    def date(self) -> dt.date | None:
        """The stop the game waits at (None once it has ended)."""
        return self._pending.date if self._pending is not None else None

    @property
    def turn(self) -> int:
        """How many turns have been played."""
        return len(self._done)

    @property
    def ended(self) -> bool:
        return self.ended_by is not None

    @property
    def days_played(self) -> int:
        return self._model.day

    @property
    def model(self) -> EscalationModel:
        """The one-replicate model of the class's game (the truth: facilitator and review)."""
        return self._model

    @property
    def waiting_for(self) -> list[str]:
        """Teams that have not yet chosen a move this turn."""
        if self._pending is None:
            return []
        return [t for t in self.teams if t not in self._pending.orders]

    def submitted(self, team: str) -> Order | None:
        return self._pending.orders.get(team) if self._pending is not None else None

    def stop_reasons(self, team: str | None = None) -> list[str]:
        """Why the game stopped today: for everyone, and (with a team) for that team."""
        out = list(self._reasons.get("", []))
        if team is not None:
            out += self._reasons.get(team, [])
        return out

    def timeline(self) -> list[dict[str, Any]]:
        """Every event so far, as it truly happened (never show this to a team)."""
        return self._model.timeline()

    def escalation_index(self) -> list[tuple[dt.date, float]]:
        """The class's daily escalation index so far."""
        start = self.scenario.start
        return [(start + dt.timedelta(days=d), float(self._model.daily_index[0, d]))
                for d in range(self.days_played)]

    def script(self) -> GameScript:
        """What the teams' actors did each day played (for replays with other dice)."""
        turns = {self._day(t.date): dict(t.orders) for t in self._done}
        return GameScript(self.teams, self.settings.idle, self.days_played, turns)

    def played_scenario(self, with_threats: bool = True) -> Scenario:
        """The scenario as played: with the facilitator's injects (and, by default, the teams'
        threats) of the turns played, ending on the last day played."""
        scenario = self._effective(include_pending=False, with_threats=with_threats)
        last = self.scenario.start + dt.timedelta(days=max(self.days_played, 1) - 1)
        return scenario.model_copy(update={"end": min(last, scenario.end)})

    # --- what a team sees ------------------------------------------------------------------------

    def join(self, team: str) -> Seat:
        """One team's seat: its brief, its options, its moves."""
        self._team(team)
        return Seat(self, team)

    def seen(self, team: str) -> list[SeenEvent]:
        """Every event so far as ``team`` knows it."""
        fog = self.fog
        return [s for e in self.timeline() if (s := fog.sees(team, e)) is not None]

    @property
    def fog(self) -> Fog:
        return Fog(self._model.world, self._model.threats)

    def options(self, team: str) -> list[OptionView]:
        """The team's menu; with the ``probabilities`` setting, the model's chances."""
        self._team(team)
        views = menu(self._model.world, team)
        advice = self.advice(team) if self.settings.probabilities and not self.ended else None
        if advice is None:
            return views
        out = []
        for view in views:
            col = advice.column(self._model.world, view.action, view.target, view.claim)
            if col is not None:
                view = replace(view, probability=float(advice.probability[col]),
                               group_probability=float(advice.group_probability[col]))
            out.append(view)
        return out

    def advice(self, team: str) -> ModelAdvice | None:
        """The model's own probabilities and terms for the team's actor today."""
        return None if self.ended else model_advice(self._model, team)

    def briefing(self, team: str) -> Briefing:
        """The team's brief at the current stop."""
        self._team(team)
        fog, w = self.fog, self._model.world
        seen = self.seen(team)
        since = self._day(self._done[-1].date) if self._done else 0
        new = [s for s in seen if s.day >= since]
        earlier = [s for s in seen if s.day < since]
        date = self.date or self.scenario.start + dt.timedelta(days=self.days_played)
        note = None
        options = self.options(team) if not self.ended else []
        if self.settings.probabilities and not self.ended:
            note = self._model_note(team)
        return Briefing(team, actor_name(w, team), date, self.turn,
                        date in self.scenario.decision_points, self.stop_reasons(team),
                        situation_lines(self._model, fog, team, seen),
                        seen_lines(self._model, fog, new), seen_lines(self._model, fog, earlier),
                        threat_views(self._model, fog, team), self.escalation_index(), options,
                        note)

    def _model_note(self, team: str) -> str:
        """The model's three likeliest moves for the team's actor today, by move and target."""
        advice = self.advice(team)
        w = self._model.world
        name = actor_name(w, team)
        if advice is None:
            return f"The model does not decide for {name} today (it follows the scenario)."
        best: dict[int, int] = {}  # group -> its likeliest option
        for col, group in enumerate(advice.options.group):
            g = int(group)
            if g not in best or advice.probability[col] > advice.probability[best[g]]:
                best[g] = col
        top = sorted(best.values(), key=lambda c: -advice.group_probability[c])[:3]
        listed = "; ".join(f"{_group_words(w, advice, c)} {100 * advice.group_probability[c]:.0f}%"
                           for c in top)
        return f"What the model's {name} would do today: {listed}."

    def public_lines(self, days: list[int]) -> list[str]:
        """The events of some days as the public knows them (the projector's view)."""
        fog, w = self.fog, self._model.world
        lines = []
        for event in self.timeline():
            if event["day"] in days:
                seen = fog.sees("", event)
                if seen is not None:
                    lines.append(f"{seen.date}  "
                                 f"{describe_seen(w, seen, fog.threats.get(seen.threat or ''))}")
        return lines

    def describe(self, event: dict[str, Any]) -> str:
        """An event as it truly happened, in words (the facilitator's view)."""
        return describe_event(self._model.world, event, self.fog.threats.get(event["source"] or ""))

    # --- the teams' and the facilitator's actions ------------------------------------------------

    def submit(self, team: str, action: str, target: str | None = None, claim: str = "own",
               front: str | None = None) -> MoveEntry:
        """Choose the team's move for today (replacing an earlier choice this turn)."""
        entry = self._entry(MoveEntry, team=team, action=action, target=target, claim=claim,
                            front=front)
        return self._do(entry)  # type: ignore[return-value]

    def delegate(self, team: str) -> DelegateEntry:
        """Let the model choose the team's move today."""
        return self._do(self._entry(DelegateEntry, team=team))  # type: ignore[return-value]

    def threaten(self, team: str, trigger: Any, response: Any, deadline_days: int = 7,
                 wording: str = "", against: list[str] | None = None) -> ThreatEntry:
        """A structured conditional threat by the team, made today (besides its move)."""
        self._open_for(team)
        number = sum(1 for e in self.actions if isinstance(e, ThreatEntry) and e.team == team)
        entry = make_threat(self._effective(), team, self.date, f"{team}-threat-{number + 1}",
                            trigger, response, deadline_days, wording, against)
        return self._do(entry)  # type: ignore[return-value]

    def inject(self, **fields: Any) -> InjectEntry:
        """The facilitator's scripted event: ``actor``, ``action``, ``target``, ``claimed``,
        ``suspects``, ``result``, ``note``, ``date`` (default today), as a scenario inject."""
        self._open()
        number = sum(1 for e in self.actions if isinstance(e, InjectEntry))
        entry = make_inject(self._effective(), self.date, f"facilitator-{number + 1}", fields)
        return self._do(entry)  # type: ignore[return-value]

    def advance(self) -> TurnReport:
        """Play today with the teams' moves, then on to the next stop."""
        self._open()
        return self._do(AdvanceEntry(date=self.date))  # type: ignore[return-value]

    def undo(self) -> None:
        """Take back the last turn: back to its stop, its moves, threats and injects gone."""
        self._do(UndoEntry(date=self._today()))

    def pause(self, note: str = "") -> None:
        self._open()
        self._do(PauseEntry(date=self.date, note=note))

    def resume(self) -> None:
        self._do(ResumeEntry(date=self._today()))

    def end(self, note: str = "") -> None:
        """End the game here (the review covers the days played)."""
        self._do(EndEntry(date=self._today(), note=note))

    def apply(self, entry: Entry) -> Any:
        """Apply any recorded action (a moves file, a browser), checked like the others."""
        return self._do(entry)

    # --- applying actions ---------------------------------------------------------------------

    def _entry(self, kind: type, **fields: Any) -> Entry:
        self._open_for(fields["team"])
        try:
            return kind(date=self.date, **fields)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise MoveError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None

    def _do(self, entry: Entry) -> Any:
        result = self._execute(entry)
        if self.path is not None:
            self.save()
        return result

    def _execute(self, entry: Entry) -> Any:
        """Check an action against the game as it stands, apply it and record it."""
        if isinstance(entry, UndoEntry):
            self._check_undo(entry)
        elif isinstance(entry, ResumeEntry):
            if not self.paused:
                raise GameError("the game is not paused")
            if entry.date != self._today():
                raise GameError(f"dated {entry.date}, but the game is at {self._today()}")
        else:
            self._open()
            if entry.date != self.date:
                raise GameError(f"dated {entry.date}, but the game is at {self.date}")
        result = self._apply(entry)
        self.actions.append(entry)
        return result

    def _apply(self, entry: Entry) -> Any:
        pending = self._pending
        assert pending is not None or isinstance(entry, UndoEntry | ResumeEntry)
        if isinstance(entry, MoveEntry):
            self._open_for(entry.team)
            entry = check_move(self._model.world, self.scenario, entry)
            pending.orders[entry.team] = entry
            return entry
        if isinstance(entry, DelegateEntry):
            self._open_for(entry.team)
            pending.orders[entry.team] = entry
            return entry
        if isinstance(entry, ThreatEntry):
            self._open_for(entry.team)
            self._check_threat(entry)
            pending.threats.append(entry)
            return entry
        if isinstance(entry, InjectEntry):
            make_inject(self._effective(), entry.date, entry.inject.id,
                        entry.inject.model_dump(exclude={"id"}))
            if any(i.inject.id == entry.inject.id for t in self._all_turns() for i in t.injects):
                raise MoveError(f"inject id '{entry.inject.id}' is already used")
            pending.injects.append(entry)
            return entry
        if isinstance(entry, AdvanceEntry):
            if self.paused:
                raise GameError("the game is paused: resume it first")
            return self._play_turn()
        if isinstance(entry, UndoEntry):
            return self._undo()
        if isinstance(entry, PauseEntry):
            if self.paused:
                raise GameError("the game is already paused")
            self.paused = True
            return None
        if isinstance(entry, ResumeEntry):
            self.paused = False
            return None
        assert isinstance(entry, EndEntry)
        self.ended_by, self._pending = "facilitator", None
        return None

    def _check_threat(self, entry: ThreatEntry) -> None:
        if entry.id in {t.id for t in self._effective().threats}:
            raise MoveError(f"threat id '{entry.id}' is already used")
        problems = threat_problems(self._effective(), scenario_threat(entry))
        if problems:
            raise MoveError(f"threat: {problems[0]}")

    def _check_undo(self, entry: UndoEntry) -> None:
        if self.ended_by == "facilitator":
            raise GameError("the game has ended")
        if not self._done:
            raise GameError("there is no turn to undo")
        if entry.date != self._today():
            raise GameError(f"dated {entry.date}, but the game is at {self._today()}")

    def _open(self) -> None:
        if self.ended:
            raise GameError(f"the game has ended (after {self.days_played} days)")

    def _open_for(self, team: str) -> None:
        self._open()
        self._team(team)
        if self.paused:
            raise GameError("the game is paused")

    def _team(self, team: str) -> None:
        if team not in self.teams:
            raise MoveError(f"'{team}' is not a team in this game (teams: "
                            f"{', '.join(self.teams)})")

    def _today(self) -> dt.date:
        """The stop the game is at, or the last day played once it has ended."""
        if self.date is not None:
            return self.date
        return self.scenario.start + dt.timedelta(days=self.days_played)

    # --- playing -----------------------------------------------------------------------------

    def _day(self, date: dt.date) -> int:
        return self.scenario.day_index(date)

    def _all_turns(self) -> list[Turn]:
        return self._done + ([self._pending] if self._pending is not None else [])

    def _effective(self, include_pending: bool = True, with_threats: bool = True) -> Scenario:
        """The scenario with the teams' threats and the facilitator's injects added."""
        turns = self._all_turns() if include_pending else list(self._done)
        threats = [scenario_threat(t) for turn in turns for t in turn.threats] \
            if with_threats else []
        injects = [i.inject for turn in turns for i in turn.injects]
        if not threats and not injects:
            return self.scenario
        return self.scenario.model_copy(update={
            "threats": [*self.scenario.threats, *threats],
            "injects": [*self.scenario.injects, *injects]})

    def _fresh_model(self, scenario: Scenario) -> EscalationModel:
        return EscalationModel(scenario, None, 1, self.setup.seed, collect_data=False,
                               log_events=True)

    def _replayed(self, scenario: Scenario, upto_day: int) -> EscalationModel:
        """A new model played through the completed turns to ``upto_day``, checking that the
        game stops exactly on the turns' days (and on ``upto_day``)."""
        model = self._fresh_model(scenario)
        script = self.script_of(self._done)
        while model.day < upto_day and model.running:
            script.play_day(model)
            if not model.running:
                break
            expected = model.day in script.turns or model.day == upto_day
            if bool(self._stop_check(model)) != expected:
                raise GameFileError(f"the game does not stop as recorded on {model.date}")
        return model

    def script_of(self, turns: list[Turn]) -> GameScript:
        return GameScript(self.teams, self.settings.idle, 0,
                          {self._day(t.date): dict(t.orders) for t in turns})

    def _play_turn(self) -> TurnReport:
        turn = self._pending
        assert turn is not None
        day = self._day(turn.date)
        if turn.threats or turn.injects:  # the scenario changed: replay the game with them
            self._model = self._replayed(self._effective(), day)
        self._done.append(turn)
        script = self.script_of(self._done)
        turn.decisions = [self._judge(self._model, len(self._done) - 1, turn, team)
                          for team in self.teams]
        script.play_day(self._model)
        played, reasons = [day], {}
        while self._model.running:
            reasons = self._stop_check(self._model)
            if reasons:
                break
            script.play_day(self._model)
            played.append(self._model.day - 1)
        if self._model.running:
            self._pending, self._reasons = Turn(self._model.date), reasons
        else:
            self._pending, self._reasons, self.ended_by = None, {}, "scenario"
        events = [e for e in self.timeline() if e["day"] in played]
        start = self.scenario.start
        return TurnReport([start + dt.timedelta(days=d) for d in played], events,
                          self.public_lines(played), self.date,
                          self.stop_reasons(), self.ended)

    def _undo(self) -> None:
        last = self._done.pop()
        self._pending, self.ended_by = Turn(last.date), None
        self._model = self._replayed(self._effective(), self._day(last.date))
        self._reasons = self._stop_check(self._model) if self._done else {"": ["the first day"]}

    def _stop_check(self, model: EscalationModel) -> dict[str, list[str]]:
        """Why the game stops on the model's next day, by team ('' for everyone); empty: it
        plays on."""
        day, date = model.day, model.date
        reasons: dict[str, list[str]] = {}
        general = []
        if date in self.scenario.decision_points:
            general.append("a decision point of the scenario")
        if date in self.settings.stops:
            general.append("the facilitator's stop")
        if not self.settings.fast_forward:
            general.append("the game stops every day")
        if general:
            reasons[""] = general
        fog, w = Fog(model.world, model.threats), model.world
        yesterday = [e for e in model.timeline() if e["day"] == day - 1]
        for team in self.teams:
            mine = []
            for event in yesterday:
                if fog.concerns(team, event):
                    seen = fog.sees(team, event)
                    mine.append(describe_seen(w, seen, fog.threats.get(seen.threat or "")))
            for ti, threat in enumerate(model.threats.threats):
                if w.ids[threat.by] == team and \
                        model.state.threat_status[0, ti] == ThreatStatus.OPEN:
                    mine.append(f"your threat [{threat.id}] awaits your answer")
            if mine:
                reasons[team] = list(dict.fromkeys(mine))
        return reasons

    # --- the review's view of the decisions ------------------------------------------------------

    def decisions(self) -> list[Decision]:
        """Every team's move at every turn played, judged against the model's rule on the
        state at that turn's dawn (recorded as each turn is played)."""
        return [d for turn in self._done for d in turn.decisions]

    def _judge(self, model: EscalationModel, index: int, turn: Turn, team: str) -> Decision:
        w = model.world
        order = turn.orders.get(team)
        point = turn.date in self.scenario.decision_points
        advice = model_advice(model, team)
        likeliest = None
        if advice is not None:
            best = advice.likeliest()
            likeliest = _option_words(w, advice, best)
        if isinstance(order, DelegateEntry) or (order is None and self.settings.idle == "model"):
            return Decision(index, turn.date, team, "let the model decide", True, point, None,
                            likeliest)
        move = order if order is not None else MoveEntry(date=turn.date, team=team,
                                                         action="hold")
        words = _move_words(w, move) + ("" if order is not None else " (no move: held)")
        if advice is None:
            return Decision(index, turn.date, team, words, False, point, None, likeliest)
        column = advice.column(w, move.action, move.target, move.claim)
        return Decision(index, turn.date, team, words, False, point, judge(advice, column),
                        likeliest)


def _move_words(world: World, move: MoveEntry) -> str:
    return option_label(world, move.action, move.target, move.claim)


def _group_words(world: World, advice: ModelAdvice, column: int) -> str:
    """A move and its target, whatever the means: 'attack United States', 'hold'."""
    opts = advice.options
    action = CATALOGUE[int(opts.action[column])]
    if action.kinetic:
        return f"attack {actor_name(world, world.ids[int(opts.target[column])])}"
    return _option_words(world, advice, column)


def _option_words(world: World, advice: ModelAdvice, column: int) -> str:
    opts = advice.options
    target = None
    if opts.target[column] >= 0:
        target = world.site_ids[int(opts.site[column])] if opts.site[column] >= 0 \
            else world.ids[int(opts.target[column])]
    return option_label(world, CATALOGUE[int(opts.action[column])].id, target,
                        ClaimMode(int(opts.mode[column])).label)



class Seat:
    """One team's view of the game: only what its actor would know, and its own moves."""

    def __init__(self, game: Game, team: str):
        self._game = game
        self.team = team

    def briefing(self) -> Briefing:
        return self._game.briefing(self.team)

    def options(self) -> list[OptionView]:
        return self._game.options(self.team)

    def seen(self) -> list[SeenEvent]:
        return self._game.seen(self.team)

    def submit(self, action: str | OptionView, target: str | None = None, claim: str = "own",
               front: str | None = None) -> MoveEntry:
        if isinstance(action, OptionView):
            action, target, claim = action.action, action.target, action.claim
        return self._game.submit(self.team, action, target, claim, front)

    def delegate(self) -> DelegateEntry:
        return self._game.delegate(self.team)

    def threaten(self, trigger: Any, response: Any, deadline_days: int = 7, wording: str = "",
                 against: list[str] | None = None) -> ThreatEntry:
        return self._game.threaten(self.team, trigger, response, deadline_days, wording, against)

    @property
    def submitted(self) -> Order | None:
        return self._game.submitted(self.team)
