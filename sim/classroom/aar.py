"""The after-action review: the class's game, its decisions, and where it sits among simulated
games.

    from sim.classroom import Game
    from sim.classroom.aar import review
    result = review(Game.load("game.escsim"), runs=1000)
    result.write("aar/")              # report.html, report.pdf, figures, aar.json

Three distributions place the class's game, each over the days the class played:

(a) *your moves, new dice*: the teams' moves replayed, day by day, while the model plays the
    other actors and rolls new dice (was the class lucky?). It is one N-replicate model played
    with the game's script (sim.classroom.script) and the game's seed, so replicate 0 *is* the
    class's game, and replicate i is what ``Game``'s replay would give with replicate index i;
(b) *the model plays everyone*: ``run_batch`` of the scenario as played (the facilitator's
    injects included, the teams' threats and moves not), same seed and N (what would the
    model have done?);
(c) *history*: the scenario's historical record (``history:``): the outcome class that
    happened and the recorded ranges of its metrics.

Then, for each team and turn, the probability the model's own rule gave the move the team chose,
whether that is in character, and the term of the rule that most favoured and most opposed it
(sim.classroom.advice); and each team's say-do record: threats made, triggered, carried out,
lapsed.

(b), an ordinary batch, runs in a worker process while (a) runs in this one, so the review of
N = 1,000 takes a few seconds on two cores (bench/bench.py measures it).
"""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis.files import plain
from sim.batch.daily import index_histogram, index_statistics
from sim.classroom.game import Decision, Game
from sim.classroom.script import GameScript
from sim.errors import UserError
from sim.model.model import EscalationModel
from sim.model.outcomes import OUTCOME_CLASSES, STATE_CONFLICT_CLASSES, dated_column
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from pathlib import Path

# The counts shown for the class beside the distributions (name, words).
KEY_METRICS: tuple[tuple[str, str], ...] = (
    ("militia_attacks_on_us", "militia attacks on US forces"),
    ("militia_attacks_on_israel", "militia attacks on Israel"),
    ("militia_attacks_on_kurdistan", "militia attacks on the Kurdistan Region"),
    ("strikes_on_militias", "US or Israeli strikes on militias"),
    ("killed", "people killed"),
    ("threats_honoured", "threats carried out"),
    ("threats_lapsed", "threats left to lapse"),
)
REPLAY, MODEL = "a", "b"
LABELS = {REPLAY: "(a) your moves, new dice", MODEL: "(b) the model plays everyone"}


class ReviewError(UserError):
    """A review that cannot be made (nothing played yet, bad numbers)."""


@dataclass
class Distribution:
    """N simulated games: one row of outcome metrics per replicate, and the daily index."""

    key: str
    outcomes: pd.DataFrame
    index: pd.DataFrame  # per day: index_mean, index_q05 .. index_q95, index_max

    @property
    def label(self) -> str:
        return LABELS[self.key]

    def share(self, column: str, value: Any) -> float:
        return float((self.outcomes[column].astype(str) == str(value)).mean())

    def class_shares(self, column: str = "outcome_class") -> dict[str, float]:
        classes = OUTCOME_CLASSES if column == "outcome_class" else STATE_CONFLICT_CLASSES
        return {c: self.share(column, c) for c in classes}

    def place(self, column: str, value: float) -> dict[str, float]:
        """Shares of replicates below, equal to and above a value of a metric."""
        values = pd.to_numeric(self.outcomes[column], errors="coerce").to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        if values.size == 0:
            return {"below": float("nan"), "equal": float("nan"), "above": float("nan")}
        return {"below": float((values < value).mean()), "equal": float((values == value).mean()),
                "above": float((values > value).mean())}

    def in_range(self, column: str, low: float | None, high: float | None) -> float:
        values = pd.to_numeric(self.outcomes[column], errors="coerce").to_numpy(dtype=float)
        inside = np.ones(values.size, dtype=bool)
        if low is not None:
            inside &= values >= low
        if high is not None:
            inside &= values <= high
        return float(inside.mean()) if values.size else float("nan")


@dataclass(frozen=True)
class ThreatRecord:
    """One threat of a team's actor and what became of it."""

    id: str
    made: str | None  # date, or "before the game"
    in_play: bool  # made during the game (not one of the scenario's threats on record)
    text: str
    triggered: str | None
    honoured: str | None
    lapsed: str | None

    @property
    def fate(self) -> str:
        if self.honoured:
            return f"carried out {self.honoured}"
        if self.lapsed:
            return f"lapsed {self.lapsed}"
        if self.triggered:
            return f"triggered {self.triggered}, still open"
        return "never triggered" if self.made else "not made"


@dataclass(frozen=True)
class SayDo:
    team: str
    threats: list[ThreatRecord]

    def counts(self) -> dict[str, int]:
        made = [t for t in self.threats if t.made]
        return {"made": len(made), "triggered": sum(1 for t in made if t.triggered),
                "honoured": sum(1 for t in made if t.honoured),
                "lapsed": sum(1 for t in made if t.lapsed)}


@dataclass(frozen=True)
class RecordLine:
    """One metric of the historical record, the class's value and the shares in range."""

    metric: str
    column: str
    low: float | None
    high: float | None
    note: str
    yours: float | None
    inside: bool | None
    share_a: float
    share_b: float
    complete: bool  # the game played the whole period the metric covers


@dataclass
class Review:
    """Everything the after-action review shows."""

    game: Game
    runs: int
    seed: int
    scenario: Scenario  # as played (teams' threats and facilitator's injects; last day played)
    events: list[dict[str, Any]]
    decisions: list[Decision]
    say_do: list[SayDo]
    yours: dict[str, Any]  # the class's outcome metrics
    your_index: np.ndarray  # (days,)
    replay: Distribution
    model: Distribution
    record: list[RecordLine]
    seconds: float = 0.0
    finished: float = 0.0  # perf_counter when the review was done
    cpu_seconds: float = 0.0  # CPU time of the review in this process and its worker
    notes: list[str] = field(default_factory=list)

    @property
    def history(self) -> Any:
        return self.scenario.history

    def write(self, out: str | Path, fmt: str = "png") -> list[Path]:
        """The report (HTML, PDF), the figures and aar.json in ``out``; returns the files."""
        from sim.classroom.aar_report import write_review

        return write_review(self, out, fmt)


def _replay_outcomes(scenario: Scenario, script: GameScript, runs: int,
                     seed: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Distribution (a): the game's script played into an N-replicate model."""
    model = EscalationModel(scenario, None, runs, seed, collect_data=False, log_events=False)
    script.play(model)
    return model.outcomes(), np.asarray(model.daily_index)


def replay_distribution(scenario: Scenario, script: GameScript, runs: int, seed: int
                        ) -> Distribution:
    outcomes, index = _replay_outcomes(scenario, script, runs, seed)
    return _distribution(REPLAY, outcomes, index)


def _distribution(key: str, outcomes: dict[str, np.ndarray], index: np.ndarray) -> Distribution:
    table = pd.DataFrame({"replicate": np.arange(index.shape[0]), **outcomes})
    stats = index_statistics(index_histogram(index), index.shape[1], index.shape[0])
    return Distribution(key, table, stats)


def model_distribution(scenario: Scenario, runs: int, seed: int) -> Distribution:
    """Distribution (b): an ordinary batch of the scenario as played."""
    from sim.batch import run_batch

    result = run_batch(scenario, None, runs, seed, out=None, workers=1, progress=False)
    daily = result.daily
    columns = [c for c in daily.columns if c.startswith("index_")]
    return Distribution(MODEL, result.outcomes.reset_index(drop=True),
                        daily[columns].reset_index(drop=True))


def _timed_model_distribution(scenario: Scenario, runs: int, seed: int
                              ) -> tuple[Distribution, float]:
    """Distribution (b) on a worker process, with the CPU seconds it took there."""
    began = time.process_time()
    return model_distribution(scenario, runs, seed), time.process_time() - began


def review(game: Game, runs: int = 1000, seed: int | None = None,
           workers: int | None = None) -> Review:
    """The after-action review of a game (finished or not: it covers the days played)."""
    if game.days_played == 0:
        raise ReviewError("nothing has been played yet: the review needs at least one day")
    if int(runs) < 1:
        raise ReviewError("--runs must be at least 1")
    began, cpu = time.perf_counter(), time.process_time()
    seed = game.setup.seed if seed is None else int(seed)
    played = game.played_scenario(with_threats=True)
    untouched = game.played_scenario(with_threats=False)
    script = game.script()
    if workers is None:
        from sim.batch.plan import available_cores

        workers = available_cores()
    if workers > 1:  # (b), the longer, on a worker process while (a) runs here
        from sim.batch.executors import process_context

        with ProcessPoolExecutor(max_workers=1, mp_context=process_context()) as pool:
            future = pool.submit(_timed_model_distribution, untouched, runs, seed)
            replay = replay_distribution(played, script, runs, seed)
            model, worker_cpu = future.result()
    else:
        replay = replay_distribution(played, script, runs, seed)
        model, worker_cpu = model_distribution(untouched, runs, seed), 0.0
    yours = {k: plain(v[0]) for k, v in game.model.outcomes().items()}
    result = Review(game, runs, seed, played, game.timeline(), game.decisions(),
                    say_do(game), yours, np.asarray(game.model.daily_index[0, :game.days_played]),
                    replay, model, record_lines(played, game, yours, replay, model))
    if seed == game.setup.seed and not _same_game(result):
        result.notes.append("replicate 0 of (a) does not reproduce your game: please report this")
    if game.ended_by != "scenario":
        result.notes.append(f"the game ended on day {game.days_played} of {game.scenario.days}: "
                            "every distribution covers the same days")
    result.finished = time.perf_counter()
    result.seconds = result.finished - began
    result.cpu_seconds = time.process_time() - cpu + worker_cpu
    return result


def _same_game(result: Review) -> bool:
    row = result.replay.outcomes.iloc[0]
    return all(plain(row[k]) == v or (v is None and pd.isna(row[k]))
               for k, v in result.yours.items())


def say_do(game: Game) -> list[SayDo]:
    """Each team's threats, those on record in the scenario and those made in play, and what
    became of each (an actor's own threat can be made again once spent: one line per time)."""
    from sim.classroom.text import threat_text

    model, w = game.model, game.model.world
    lives: dict[str, list[dict[str, str]]] = {}
    for threat in model.threats.threats:
        if threat.made_day is not None and threat.made_day <= 0:
            lives[threat.id] = [{"made": "before the game" if threat.made_day < 0
                                 else game.scenario.start.isoformat()}]
    for event in game.timeline():
        if event["kind"] == "action":
            continue
        key = event["kind"].removeprefix("threat_")
        runs = lives.setdefault(event["source"], [])
        if key == "made" or not runs:
            runs.append({})
        runs[-1][key] = event["date"]
    on_record = {t.id for t in game.scenario.threats}
    out = []
    for team in game.teams:
        records = [ThreatRecord(threat.id, life.get("made"), threat.id not in on_record,
                                threat_text(w, threat), life.get("triggered"),
                                life.get("honoured"), life.get("lapsed"))
                   for threat in model.threats.threats if w.ids[threat.by] == team
                   for life in lives.get(threat.id, [])]
        out.append(SayDo(team, records))
    return out


def record_lines(scenario: Scenario, game: Game, yours: dict[str, Any], replay: Distribution,
                 model: Distribution) -> list[RecordLine]:
    """The historical record's metrics against the class's game and the two distributions."""
    history = scenario.history
    if history is None:
        return []
    last = scenario.end
    out = []
    for m in history.metrics:
        column = dated_column(m.metric, m.start, m.end) if (m.start or m.end) else m.metric
        if column not in replay.outcomes:
            continue
        value = yours.get(column)
        inside = None if value is None else (
            (m.min is None or value >= m.min) and (m.max is None or value <= m.max))
        full = game.scenario
        end = m.end or (full.window.end if m.metric.startswith("window_") else full.end)
        complete = end <= last
        out.append(RecordLine(m.metric, column, m.min, m.max, m.note, value, inside,
                              replay.in_range(column, m.min, m.max),
                              model.in_range(column, m.min, m.max), complete))
    return out


def dates_of(review_: Review) -> list[dt.date]:
    start = review_.scenario.start
    return [start + dt.timedelta(days=d) for d in range(review_.game.days_played)]
