"""Calibration: refit the shared behavioural parameters to the records of all episodes.

    from sim.analysis.calibrate import calibrate
    report = calibrate(runs=2000, seed=3, out="calibration/")
    print(report.render())

The method (docs/calibration.md says it at length):

- objective: sim.analysis.objective, summed over every shipped episode: -log P(historical
  outcome class) + sum of -log P(metric in its recorded range), both smoothed;
- search space: the chosen parameters (``DEFAULT_PARAMETERS`` unless told), each within its
  documented [low, high] of sim/model/parameters.py; half-lives on a log scale, the rest linear;
- search: the starting point (the shipped values unless told) and a Latin hypercube sample over
  the whole box (``EXPLORATION_SHARE`` of the budget), then a compass search from the best point
  found: each round tries every parameter one step up and one step down, and all the moves that
  helped taken together; it moves to the best of these if it improves the score, else halves
  the step;
- common random numbers: every candidate is run with the same seed on the same replicate
  streams (sim.analysis.sweep), many candidates in one ensemble run, so candidates differ by
  their parameters only; the search never accepts a move that does not lower the score, so the
  fitted score is never worse than the starting one on these replicates;
- a check on fresh replicates: the shipped, starting and fitted points are scored again on
  replicates the search never saw (streams ``runs .. 2*runs - 1``), to show how much of the
  gain is real rather than luck of the draw;
- a profile of the fitted point: each parameter alone moved ``PROFILE_STEP`` of its range down
  and up, to show which values the record pins down and which it leaves loose.

Everything is driven by ``numpy.random.default_rng(seed)`` and the model's seed: the same call
gives the same report, whatever the number of workers. Nothing shipped is changed: the result
is a report and a ``fitted-parameters.yaml`` for the user to review and commit.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis.episodes import load_episodes
from sim.analysis.files import json_report, output_folder, write_text
from sim.analysis.objective import EpisodeScore, score_episode, total_score
from sim.analysis.sweep import POINT, run_sweep
from sim.errors import UserError
from sim.model.parameters import GLOBAL, PER_ACTOR, ParameterSpec
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.batch.executors import Executor

# The weights of the decision rule and the two half-lives that move the score most (a
# one-at-a-time screen over every global parameter; docs/calibration.md).
DEFAULT_PARAMETERS: tuple[str, ...] = (
    "commitment_weight", "grievance_weight", "solidarity_weight", "directive_weight",
    "retaliation_weight", "decapitation_fear_weight", "stake_weight", "effort_cost",
    "provocation_harm", "retaliation_satisfaction", "grievance_half_life", "fear_half_life")
DEFAULT_BUDGET = 100  # candidate points, the starting point included
EXPLORATION_SHARE = 0.4  # of the budget, spent on the Latin hypercube
FIRST_STEP = 0.25  # compass step, as a share of each parameter's (scaled) range
SMALLEST_STEP = 1 / 64
SIGNIFICANT_DIGITS = 4  # candidate values are rounded to these, so that reports reproduce them
PROFILE_STEP = 0.125  # the fitted point's sensitivity: each parameter moved this share down/up
PARAMETERS_YAML = "fitted-parameters.yaml"
REPORT_MD = "calibration-report.md"
REPORT_JSON = "calibration-report.json"


class CalibrationError(UserError):
    """A calibration that cannot run as asked (unknown parameter, bad start, budget)."""


# --- the search space -------------------------------------------------------------------------

@dataclass(frozen=True)
class Dimension:
    """One fitted parameter: its range, scale and shipped value.

    ``name`` is a global parameter (``grievance_weight``) or an actor's trait
    (``resolve__kataib_hezbollah``); the search works on [0, 1], mapped linearly onto
    [low, high], or logarithmically for half-lives.
    """

    name: str
    low: float
    high: float
    shipped: float
    log: bool = False

    @property
    def actor(self) -> str | None:
        return self.name.partition("__")[2] or None

    def to_unit(self, value: float) -> float:
        if self.log:
            span = math.log(self.high) - math.log(self.low)
            return (math.log(value) - math.log(self.low)) / span
        return (value - self.low) / (self.high - self.low)

    def from_unit(self, u: float) -> float:
        u = min(max(float(u), 0.0), 1.0)
        if self.log:
            value = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        else:
            value = self.low + u * (self.high - self.low)
        return min(max(_round(value), self.low), self.high)


def _round(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    if value == 0:
        return 0.0
    return round(value, digits - 1 - int(math.floor(math.log10(abs(value)))))


def _shipped_trait(trait: str, actor: str) -> float:
    from sim.model.catalogue import actor_catalogue

    catalogue = actor_catalogue()
    if actor not in catalogue:
        raise CalibrationError(f"parameter '{trait}__{actor}': no actor '{actor}' in the shared "
                               f"catalogue (sim/model/actors.yaml)")
    return float(catalogue[actor].trait(trait))


def dimension(name: str) -> Dimension:
    """The search dimension of a parameter name (CalibrationError if it cannot be fitted)."""
    base, _, actor = name.partition("__")
    spec: ParameterSpec
    if base in GLOBAL and not actor:
        spec = GLOBAL[base]
        shipped = spec.default
    elif base in PER_ACTOR:
        if not actor:
            raise CalibrationError(f"'{name}' is a per-actor trait: name the actor, e.g. "
                                   f"{name}__kataib_hezbollah (actors differ in it)")
        spec = PER_ACTOR[base]
        shipped = _shipped_trait(base, actor)
    else:
        raise CalibrationError(f"unknown parameter '{name}' (see `escsim parameters`)")
    log = base.endswith("_half_life") and spec.low > 0
    return Dimension(name, spec.low, spec.high, shipped, log)


def search_space(parameters: Sequence[str] | None) -> list[Dimension]:
    """The dimensions to fit: the names given (in order, duplicates dropped) or the default."""
    names = list(dict.fromkeys(parameters)) if parameters else list(DEFAULT_PARAMETERS)
    return [dimension(n) for n in names]


def starting_values(space: Sequence[Dimension],
                    start: Mapping[str, float] | str | Path | None) -> dict[str, float]:
    """The starting point: the shipped values, replaced by any given in ``start`` (a mapping,
    or a ``fitted-parameters.yaml`` from an earlier calibration)."""
    given = read_parameters_file(start) if isinstance(start, (str, Path)) else dict(start or {})
    names = {d.name for d in space}
    unknown = sorted(set(given) - names)
    if unknown:
        raise CalibrationError(f"the start sets '{unknown[0]}', which is not being fitted "
                               f"(fitted: {', '.join(d.name for d in space)})")
    values = {}
    for d in space:
        value = float(given.get(d.name, d.shipped))
        if not (d.low <= value <= d.high) or not math.isfinite(value):
            raise CalibrationError(f"start value {value:g} of '{d.name}' is outside its range "
                                   f"[{d.low:g}, {d.high:g}]")
        values[d.name] = value
    return values


def read_parameters_file(path: str | Path) -> dict[str, float]:
    """The parameters of a ``fitted-parameters.yaml``: the top-level ``parameters:`` mapping
    and any actor traits under ``actors: {id: {parameters: ...}}`` (as ``trait__id``).

    The file is read like a scenario (bounded in size and depth, plain data only); anything
    but a number where a value goes is a CalibrationError naming the file and the field.
    """
    from sim.scenario.errors import ScenarioError
    from sim.scenario.located import load_located, plain

    try:
        data = plain(load_located(Path(path)))
    except ScenarioError as exc:
        raise CalibrationError(f"cannot read start values: {exc.problems[0]}") from None
    if not isinstance(data, dict) or not isinstance(data.get("parameters") or {}, dict) \
            or not isinstance(data.get("actors") or {}, dict):
        raise CalibrationError(f"{path}: expected a mapping with 'parameters:' (and optionally "
                               "'actors:'), as calibrate writes in fitted-parameters.yaml")
    values = {str(k): _start_number(path, f"parameters.{k}", v)
              for k, v in (data.get("parameters") or {}).items()}
    for actor, entry in (data.get("actors") or {}).items():
        traits = (entry or {}).get("parameters") if isinstance(entry, dict) else entry
        if not isinstance(traits or {}, dict):
            raise CalibrationError(f"{path}: actors.{actor}: expected 'parameters:' with "
                                   "trait values")
        for trait, value in (traits or {}).items():
            values[f"{trait}__{actor}"] = _start_number(path, f"actors.{actor}.parameters."
                                                              f"{trait}", value)
    return values


def _start_number(path: str | Path, field: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(float(value)):
        raise CalibrationError(f"{path}: {field}: expected a finite number, got "
                               f"{type(value).__name__}")
    return float(value)


def latin_hypercube(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """n points in [0, 1]^d, one in each of n equal slices of every axis."""
    if n <= 0:
        return np.zeros((0, d))
    slices = np.stack([rng.permutation(n) for _ in range(d)], axis=1)
    return (slices + rng.random((n, d))) / n


# --- evaluating candidates --------------------------------------------------------------------

@dataclass(frozen=True)
class Evaluation:
    """A candidate point and its score, per episode."""

    values: dict[str, float]
    episodes: tuple[EpisodeScore, ...]

    @property
    def total(self) -> float:
        return total_score(self.episodes)

    def episode(self, name: str) -> EpisodeScore:
        return next(e for e in self.episodes if e.episode == name)

    def to_dict(self) -> dict[str, Any]:
        return {"values": dict(self.values), "total": self.total,
                "episodes": [e.to_dict() for e in self.episodes]}


Progress = Callable[[str], None]


class Objective:
    """Scores candidate points over the episodes, many at a time, on common random numbers."""

    def __init__(self, episodes: Sequence[Scenario], space: Sequence[Dimension], runs: int,
                 seed: int, workers: int = 1, say: Progress | None = None,
                 executor: Executor | None = None):
        self.episodes = {e.id: e for e in episodes}
        self.space = list(space)
        self.runs, self.seed, self.workers, self.executor = runs, seed, workers, executor
        self.say = say or (lambda message: None)
        self.evaluated = 0

    def values_of(self, unit: np.ndarray) -> dict[str, float]:
        return {d.name: d.from_unit(u) for d, u in zip(self.space, unit, strict=True)}

    def _overrides(self, values: Mapping[str, float], episode: Scenario) -> dict[str, float]:
        """The point as keyword overrides for one episode: an actor's trait only where the
        actor takes part."""
        return {name: value for name, value in values.items()
                if (actor := name.partition("__")[2]) == "" or actor in episode.actors}

    def evaluate(self, points: Sequence[Mapping[str, float]], fresh: bool = False,
                 what: str = "candidates") -> list[Evaluation]:
        """Score each point on every episode; ``fresh`` uses replicates the search never sees."""
        if not points:
            return []
        start = self.runs if fresh else 0
        per_episode = [{key: self._overrides(p, e) for key, e in self.episodes.items()}
                       for p in points]
        began = time.perf_counter()
        tables = run_sweep(self.episodes, per_episode, self.runs, self.seed, start,
                           self.workers, executor=self.executor)
        scored = [Evaluation(dict(p), tuple(
            score_episode(e, tables[key][tables[key][POINT] == i])
            for key, e in self.episodes.items())) for i, p in enumerate(points)]
        if not fresh:
            self.evaluated += len(points)
        best = min(s.total for s in scored)
        self.say(f"  {len(points)} {what} x {len(self.episodes)} episodes x {self.runs:,} "
                 f"replicates: best {best:.3f} ({time.perf_counter() - began:.0f} s)")
        return scored


# --- the search -------------------------------------------------------------------------------

@dataclass
class Trace:
    """Every candidate the search scored, in order."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, stage: str, evaluations: Sequence[Evaluation]) -> None:
        for e in evaluations:
            row: dict[str, Any] = {"candidate": len(self.rows), "stage": stage, **e.values,
                                   "total": e.total}
            row.update({f"score_{s.episode}": s.total for s in e.episodes})
            self.rows.append(row)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows)


@dataclass(frozen=True)
class SearchResult:
    start: Evaluation
    best: Evaluation
    trace: Trace
    rounds: int
    last_step: float


def compass_candidates(centre: np.ndarray, step: float) -> list[np.ndarray]:
    """The centre moved one step up and one step down along each axis (inside [0, 1])."""
    out = []
    for axis in range(len(centre)):
        for sign in (1.0, -1.0):
            moved = centre.copy()
            moved[axis] = min(max(moved[axis] + sign * step, 0.0), 1.0)
            if moved[axis] != centre[axis]:
                out.append(moved)
    return out


def _distinct(objective: Objective, units: Sequence[np.ndarray],
              seen: set[tuple[float, ...]]) -> list[tuple[np.ndarray, dict[str, float]]]:
    """Candidates whose (rounded) values have not been scored yet, in order."""
    out = []
    for unit in units:
        values = objective.values_of(unit)
        key = tuple(values.values())
        if key not in seen:
            seen.add(key)
            out.append((unit, values))
    return out


def search(objective: Objective, start: Mapping[str, float], budget: int,
           rng: np.random.Generator) -> SearchResult:
    """Latin hypercube exploration, then compass refinement, within ``budget`` candidates."""
    space, trace = objective.space, Trace()
    say = objective.say
    start_unit = np.array([d.to_unit(start[d.name]) for d in space])
    seen: set[tuple[float, ...]] = {tuple(start[d.name] for d in space)}
    explore = max(0, min(budget - 1, round(budget * EXPLORATION_SHARE) - 1))
    say(f"exploring: the starting point and {explore} Latin hypercube points")
    sample = _distinct(objective, list(latin_hypercube(rng, explore, len(space))), seen)
    first = objective.evaluate([dict(start)] + [v for _, v in sample], what="points")
    trace.add("start", first[:1])
    trace.add("explore", first[1:])
    units = [start_unit] + [u for u, _ in sample]
    best_i = int(np.argmin([e.total for e in first]))
    centre, best = units[best_i], first[best_i]
    step, rounds = FIRST_STEP, 0
    while objective.evaluated < budget and step >= SMALLEST_STEP:
        rounds += 1
        candidates = _distinct(objective, compass_candidates(centre, step), seen)
        room = budget - objective.evaluated
        if len(candidates) > room:  # the last round: a random share of the moves
            keep = sorted(rng.choice(len(candidates), size=room, replace=False))
            candidates = [candidates[i] for i in keep]
        if not candidates:
            step /= 2
            continue
        say(f"refining, round {rounds}: step {step:g} of each range, {len(candidates)} moves")
        scored = objective.evaluate([v for _, v in candidates], what="moves")
        trace.add(f"refine-{rounds}", scored)
        if objective.evaluated < budget:  # all the moves that helped, taken together
            combined = _distinct(objective, [combined_move(centre, candidates, scored,
                                                           best.total)], seen)
            if combined:
                extra = objective.evaluate([combined[0][1]], what="combined move")
                trace.add(f"refine-{rounds}-combined", extra)
                candidates, scored = candidates + combined, scored + extra
        i = int(np.argmin([e.total for e in scored]))
        if scored[i].total < best.total:
            centre, best = candidates[i][0], scored[i]
        else:
            step /= 2
    return SearchResult(first[0], best, trace, rounds, step)


def combined_move(centre: np.ndarray, moves: Sequence[tuple[np.ndarray, dict[str, float]]],
                  scores: Sequence[Evaluation], current: float) -> np.ndarray:
    """The centre with every single-axis move that lowered the score applied at once (the
    better direction where both did)."""
    out = centre.copy()
    gain = np.zeros(len(centre))
    for (unit, _), ev in zip(moves, scores, strict=True):
        axis = int(np.flatnonzero(unit != centre)[0])
        if current - ev.total > gain[axis]:
            gain[axis], out[axis] = current - ev.total, unit[axis]
    return out


def profile_points(space: Sequence[Dimension], fitted: Mapping[str, float],
                   step: float = PROFILE_STEP) -> list[tuple[str, str, dict[str, float]]]:
    """The fitted point with one parameter moved ``step`` of its (scaled) range down or up:
    (parameter, direction, values); moves that would leave the range are left out."""
    out = []
    for d in space:
        u = d.to_unit(fitted[d.name])
        for direction, moved in (("down", u - step), ("up", u + step)):
            if 0.0 <= moved <= 1.0:
                out.append((d.name, direction, {**fitted, d.name: d.from_unit(moved)}))
    return out


def profile_table(space: Sequence[Dimension], fitted: Evaluation,
                  moves: Sequence[tuple[str, str, dict[str, float]]],
                  scores: Sequence[Evaluation]) -> pd.DataFrame:
    """Per parameter: the value one step down and up, and how much each raises the score.
    Small changes mean the record hardly constrains the parameter there."""
    rows = {d.name: {"parameter": d.name, "down_value": np.nan, "down_change": np.nan,
                     "up_value": np.nan, "up_change": np.nan} for d in space}
    for (name, direction, values), ev in zip(moves, scores, strict=True):
        rows[name][f"{direction}_value"] = values[name]
        rows[name][f"{direction}_change"] = ev.total - fitted.total
    return pd.DataFrame(list(rows.values()))


# --- the report -------------------------------------------------------------------------------

@dataclass
class CalibrationReport:
    """What a calibration did and found. ``elapsed_seconds`` is the only number that differs
    between two runs of the same call."""

    settings: dict[str, Any]
    space: list[Dimension]
    shipped: Evaluation
    start: Evaluation
    fitted: Evaluation
    fresh: dict[str, Evaluation]  # shipped, start, fitted on replicates the search never saw
    trace: pd.DataFrame
    profile: pd.DataFrame  # the score around the fitted point, one parameter at a time
    elapsed_seconds: float = 0.0
    holdout: dict[str, EpisodeScore] | None = None  # the left-out episode, shipped and fitted

    @property
    def improvement(self) -> float:
        """How much the fitted point lowers the score from the start (search replicates)."""
        return self.start.total - self.fitted.total

    def fitted_parameters(self) -> dict[str, float]:
        return dict(self.fitted.values)

    def comparison_table(self) -> pd.DataFrame:
        """Per fitted parameter: range, shipped, start and fitted values, and the change in score
        when it alone moves one profile step down or up from the fitted value."""
        values = pd.DataFrame([{
            "parameter": d.name, "low": d.low, "high": d.high,
            "scale": "log" if d.log else "linear",
            "shipped": d.shipped, "start": self.start.values[d.name],
            "fitted": self.fitted.values[d.name]} for d in self.space])
        return values.merge(self.profile, on="parameter", how="left")

    def scores_table(self) -> pd.DataFrame:
        """Per episode and in total: class term, metric term and score of the shipped, start
        and fitted points, on the search replicates and on fresh ones."""
        rows = []
        points = {"shipped": self.shipped, "start": self.start, "fitted": self.fitted}
        for replicates, source in (("search", points), ("fresh", self.fresh)):
            for point, ev in source.items():
                for s in ev.episodes:
                    rows.append({"replicates": replicates, "point": point, "episode": s.episode,
                                 "class_term": s.class_term, "metric_term": s.metric_term,
                                 "score": s.total})
                rows.append({"replicates": replicates, "point": point, "episode": "total",
                             "class_term": sum(s.class_term for s in ev.episodes),
                             "metric_term": sum(s.metric_term for s in ev.episodes),
                             "score": ev.total})
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "settings": self.settings,
            "parameters": self.comparison_table().to_dict(orient="records"),
            "scores": {"shipped": self.shipped.to_dict(), "start": self.start.to_dict(),
                       "fitted": self.fitted.to_dict(),
                       "fresh": {k: v.to_dict() for k, v in self.fresh.items()}},
            "improvement": self.improvement,
            "profile_step": PROFILE_STEP,
            "candidates": self.trace.to_dict(orient="records"),
            "elapsed_seconds": self.elapsed_seconds,
            "holdout": None if self.holdout is None else
            {point: score.to_dict() for point, score in self.holdout.items()},
        }

    def to_json(self, path: str | Path | None = None) -> str:
        return json_report(self.to_dict(), path)

    def fitted_yaml(self) -> str:
        """``fitted-parameters.yaml``: a scenario's top-level ``parameters:`` mapping (and actor
        traits, if any were fitted, under ``actors: {id: {parameters: ...}}``)."""
        return fitted_yaml(self)

    def markdown(self) -> str:
        return report_markdown(self)

    def render(self) -> str:
        """A short plain-text summary for the terminal."""
        return render_report(self)

    def write(self, folder: str | Path) -> list[Path]:
        """Write fitted-parameters.yaml, calibration-report.md and .json into ``folder``."""
        out = output_folder(folder)
        return [write_text(out / PARAMETERS_YAML, self.fitted_yaml()),
                write_text(out / REPORT_MD, self.markdown()),
                write_text(out / REPORT_JSON, self.to_json())]


def _printer(progress: bool | Progress | None) -> Progress | None:
    if callable(progress):
        return progress
    show = sys.stderr.isatty() if progress is None else progress
    if not show:
        return None

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    return say


def calibrate(runs: int = 2000, seed: int = 0, budget: int | None = None,
              parameters: Sequence[str] | None = None,
              start: Mapping[str, float] | str | Path | None = None,
              out: str | Path | None = None, workers: int | None = None,
              progress: bool | Progress | None = None,
              scenarios: Sequence[str | Path] | None = None,
              holdout: str | None = None,
              executor: Executor | None = None) -> CalibrationReport:
    """Fit the shared behavioural parameters to the records of the episodes.

    Args:
        runs: replicates per candidate and episode.
        seed: the seed of the model runs and of the search; the same call gives the same report.
        budget: candidate points to score, the starting point included (default
            ``DEFAULT_BUDGET``).
        parameters: names to fit (global parameters, or ``trait__actor``); default
            ``DEFAULT_PARAMETERS``.
        start: starting values (a mapping or a fitted-parameters.yaml); the rest start shipped.
        out: a folder for fitted-parameters.yaml, calibration-report.md and .json; None writes
            nothing.
        workers: worker processes (default: one per core); results do not depend on it.
        progress: print progress lines on stderr (True), not (False), to a function, or (None)
            when stderr is a terminal.
        scenarios: the episodes (default: every shipped scenario with a historical record).
        holdout: an episode id to leave out of the fit; it is then scored with the shipped and
            with the fitted values, on the search replicates (``report.holdout``): how well a
            fit on the other episodes carries over to one it never saw.
        executor: run on this executor (a Dask cluster) instead of local workers.

    Shipped files are never changed.
    """
    from sim.batch.plan import checked_workers

    budget = DEFAULT_BUDGET if budget is None else int(budget)
    if budget < 1:
        raise CalibrationError("the budget must be at least 1 candidate")
    if runs < 10:
        raise CalibrationError("calibration needs at least 10 replicates per candidate")
    began = time.perf_counter()
    space = search_space(parameters)
    start_values = starting_values(space, start)  # a bad start file fails before any loading
    episodes = load_episodes(scenarios)
    held_out = _split_holdout(episodes, holdout)
    episodes = [e for e in episodes if held_out is None or e.id != held_out.id]
    shipped_values = {d.name: d.shipped for d in space}
    say = _printer(progress)
    objective = Objective(episodes, space, runs, seed,
                          1 if executor is not None else checked_workers(workers), say, executor)
    if say:
        say(f"calibrate: {len(space)} parameters, {len(episodes)} episodes "
            f"({', '.join(e.id for e in episodes)}), {runs:,} replicates per candidate, "
            f"budget {budget}, seed {seed}")
    result = search(objective, start_values, budget, np.random.default_rng(seed))
    shipped = result.start if start_values == shipped_values else \
        objective.evaluate([shipped_values], what="shipped point")[0]
    (objective.say)("checking on fresh replicates: shipped, start and fitted points")
    fresh_points = {"shipped": shipped_values, "start": start_values,
                    "fitted": result.best.values}
    fresh_scores = objective.evaluate(list(fresh_points.values()), fresh=True, what="points")
    objective.say(f"profile: each parameter {PROFILE_STEP:g} of its range down and up from the "
                  "fitted point")
    moves = profile_points(space, result.best.values)
    profile = profile_table(space, result.best, moves, objective.evaluate(
        [values for _, _, values in moves], what="profile points"))
    trace = result.trace.table()
    scored_holdout = None
    if held_out is not None:
        judge = Objective([held_out], space, runs, seed, objective.workers, say, executor)
        shipped_h, fitted_h = judge.evaluate([shipped_values, result.best.values],
                                             what=f"points on the left-out {held_out.id}")
        scored_holdout = {"shipped": shipped_h.episode(held_out.id),
                          "fitted": fitted_h.episode(held_out.id)}
    report = CalibrationReport(
        settings=_settings(runs, seed, budget, space, episodes, result, len(trace)),
        space=space, shipped=shipped, start=result.start, fitted=result.best,
        fresh=dict(zip(fresh_points, fresh_scores, strict=True)), trace=trace,
        profile=profile, elapsed_seconds=time.perf_counter() - began,
        holdout=scored_holdout)
    if out is not None:
        written = report.write(out)
        objective.say("wrote " + ", ".join(str(p) for p in written))
    return report


def _split_holdout(episodes: Sequence[Scenario], holdout: str | None) -> Scenario | None:
    if holdout is None:
        return None
    ids = [e.id for e in episodes]
    if holdout not in ids:
        raise CalibrationError(f"cannot leave out '{holdout}': not among the episodes "
                               f"({', '.join(ids)})")
    if len(episodes) < 2:
        raise CalibrationError("leaving an episode out needs at least two episodes")
    return next(e for e in episodes if e.id == holdout)


@dataclass(frozen=True)
class LeaveOneOut:
    """One calibration per episode, each fitted on the others and scored on the one left out."""

    reports: dict[str, CalibrationReport]

    def table(self) -> pd.DataFrame:
        rows = []
        for episode, report in self.reports.items():
            assert report.holdout is not None
            shipped, fitted = report.holdout["shipped"], report.holdout["fitted"]
            rows.append({
                "left_out": episode, "fitted_on": ", ".join(report.settings["episodes"]),
                "class_term_shipped": shipped.class_term, "class_term_fitted": fitted.class_term,
                "p_class_shipped": float(np.exp(-shipped.class_term)),
                "p_class_fitted": float(np.exp(-fitted.class_term)),
                "score_shipped": shipped.total, "score_fitted": fitted.total})
        return pd.DataFrame(rows)

    def render(self) -> str:
        lines = ["Leave one episode out: fit on the others, score the one left out "
                 "(lower is better; P = smoothed probability of its historical class).", "",
                 f"{'left out':<12}{'P shipped':>11}{'P fitted':>10}{'score shipped':>15}"
                 f"{'score fitted':>14}   fitted on"]
        for _, r in self.table().iterrows():
            lines.append(f"{r['left_out']:<12}{r['p_class_shipped']:>10.1%}"
                         f"{r['p_class_fitted']:>10.1%}{r['score_shipped']:>15.3f}"
                         f"{r['score_fitted']:>14.3f}   {r['fitted_on']}")
        return "\n".join(lines)


def leave_one_out(runs: int = 2000, seed: int = 0, budget: int | None = None,
                  parameters: Sequence[str] | None = None, workers: int | None = None,
                  progress: bool | Progress | None = None,
                  scenarios: Sequence[str | Path] | None = None,
                  executor: Executor | None = None) -> LeaveOneOut:
    """``calibrate(holdout=E)`` for every episode E in turn."""
    episodes = load_episodes(scenarios)
    refs = list(scenarios) if scenarios else None
    return LeaveOneOut({e.id: calibrate(runs, seed, budget, parameters, None, None, workers,
                                        progress, refs, holdout=e.id, executor=executor)
                        for e in episodes})


def _settings(runs: int, seed: int, budget: int, space: Sequence[Dimension],
              episodes: Sequence[Scenario], result: SearchResult, evaluated: int
              ) -> dict[str, Any]:
    return {
        "method": "Latin hypercube exploration, then compass search with combined moves; "
                  "common random numbers",
        "objective": "sum over episodes of -log P(historical class) [Jeffreys-smoothed over "
                     "the classes] + sum over historical metrics of -log P(metric in recorded "
                     "range) [(inside + 1/2) / (runs + 1)]",
        "runs": runs, "seed": seed, "budget": budget, "candidates_scored": evaluated,
        "episodes": [e.id for e in episodes], "parameters": [d.name for d in space],
        "exploration_share": EXPLORATION_SHARE, "first_step": FIRST_STEP,
        "smallest_step": SMALLEST_STEP, "compass_rounds": result.rounds,
        "last_step": result.last_step, "significant_digits": SIGNIFICANT_DIGITS,
        "fresh_replicates": f"{runs}..{2 * runs - 1}",
        "search_replicates": f"0..{runs - 1}",
    }


# --- writing it out ---------------------------------------------------------------------------

def fitted_yaml(report: CalibrationReport) -> str:
    """The fitted values, commented with how they were made and how to adopt them."""
    import yaml

    s = report.settings
    global_values = {d.name: report.fitted.values[d.name] for d in report.space if not d.actor}
    actors: dict[str, dict[str, dict[str, float]]] = {}
    for d in report.space:
        if d.actor:
            trait = d.name.partition("__")[0]
            actors.setdefault(d.actor, {"parameters": {}})["parameters"][trait] = \
                report.fitted.values[d.name]
    header = [
        "# Fitted by `escsim calibrate` (sim.analysis.calibrate): "
        f"runs {s['runs']}, seed {s['seed']}, budget {s['budget']},",
        f"# episodes {', '.join(s['episodes'])}.",
        f"# Score (lower is better): start {report.start.total:.3f} -> fitted "
        f"{report.fitted.total:.3f} on the search replicates;",
        f"# {report.fresh['start'].total:.3f} -> {report.fresh['fitted'].total:.3f} on fresh "
        "replicates. See calibration-report.md.",
        "# Nothing shipped was changed. To try these values, paste `parameters:` into a copy of",
        "# a scenario (or pass them with --set name=value); to adopt them for every episode,",
        "# change the defaults in sim/model/parameters.py (actor traits: sim/model/actors.yaml)",
        "# after reviewing them against their evidence.",
    ]
    data: dict[str, Any] = {"parameters": global_values}
    if actors:
        data["actors"] = actors
    return "\n".join(header) + "\n" + yaml.safe_dump(data, sort_keys=False)


def _fmt(value: float) -> str:
    return f"{value:g}"


def _move(value: float, change: float) -> str:
    """A profile move: the value and the change in score (or a dash at a bound)."""
    if not np.isfinite(value):
        return "(at bound)"
    return f"{value:g}, {change:+.2f}"


def _episode_lines(report: CalibrationReport, replicates: str) -> list[str]:
    points = ({"shipped": report.shipped, "start": report.start, "fitted": report.fitted}
              if replicates == "search" else report.fresh)
    names = [e.episode for e in report.fitted.episodes]
    lines = ["| episode | " + " | ".join(f"{p} (class + metrics = score)" for p in points) + " |",
             "|---|" + "---|" * len(points)]
    for name in names:
        cells = [f"{ev.episode(name).class_term:.3f} + {ev.episode(name).metric_term:.3f} = "
                 f"**{ev.episode(name).total:.3f}**" for ev in points.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    totals = [f"**{ev.total:.3f}**" for ev in points.values()]
    lines.append("| total | " + " | ".join(totals) + " |")
    return lines


def _metric_lines(report: CalibrationReport) -> list[str]:
    lines = ["| episode | metric | shipped | start | fitted |", "|---|---|---|---|---|"]
    for s in report.fitted.episodes:
        for metric in s.metric_terms:
            values = [ev.episode(s.episode).metric_terms[metric]
                      for ev in (report.shipped, report.start, report.fitted)]
            lines.append(f"| {s.episode} | {metric} | "
                         + " | ".join(f"{v:.3f}" for v in values) + " |")
    return lines


def report_markdown(report: CalibrationReport) -> str:
    """calibration-report.md: settings, scores before and after, fitted values, limits."""
    s = report.settings
    table = report.comparison_table()
    lines = [
        "# Calibration report", "",
        f"Episodes: {', '.join(s['episodes'])}. Replicates per candidate and episode: "
        f"{s['runs']:,}. Seed: {s['seed']}. Budget: {s['budget']} candidates "
        f"({s['candidates_scored']} scored). Time: {report.elapsed_seconds:.0f} s.", "",
        "## Method", "",
        f"- Objective (lower is better): {s['objective']}.",
        f"- Search: the starting point and a Latin hypercube over each parameter's documented "
        f"range ({s['exploration_share']:.0%} of the budget), then a compass search from the "
        f"best point (each round tries every parameter one step up and one step down, and "
        f"the moves that helped taken together, and keeps the best if it lowers the score; "
        f"first step "
        f"{s['first_step']:g} of the range, halved when no move helps, down to "
        f"{s['smallest_step']:g}); {s['compass_rounds']} rounds, last step {s['last_step']:g}. "
        "Half-lives are searched on a log scale.",
        f"- Common random numbers: every candidate runs on replicates {s['search_replicates']} "
        f"of seed {s['seed']}; the check on fresh replicates uses {s['fresh_replicates']}.",
        "- The method, its limits and how to adopt the result: docs/calibration.md.", "",
        "## Score before and after", "",
        f"On the search replicates: start **{report.start.total:.3f}** -> fitted "
        f"**{report.fitted.total:.3f}** (shipped {report.shipped.total:.3f}).",
        f"On fresh replicates: start **{report.fresh['start'].total:.3f}** -> fitted "
        f"**{report.fresh['fitted'].total:.3f}** (shipped {report.fresh['shipped'].total:.3f}). "
        "A gain that shrinks here was partly luck of the draw.", "",
        "Search replicates, per episode:", "", *_episode_lines(report, "search"), "",
        "Fresh replicates, per episode:", "", *_episode_lines(report, "fresh"), "",
        "Metric terms, -log P(metric in recorded range), search replicates:", "",
        *_metric_lines(report), "",
        "## Fitted values", "",
        f"Profile: the change in score when one parameter alone moves {PROFILE_STEP:g} of its "
        "(scaled) range down or up from the fitted value, on the search replicates. A change "
        "near zero (under a few tenths, the Monte Carlo noise) means the record hardly pins "
        "the parameter down there.", "",
        "| parameter | range | scale | shipped | start | fitted | down: value, change | "
        "up: value, change |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for _, r in table.iterrows():
        lines.append(f"| {r['parameter']} | {_fmt(r['low'])}..{_fmt(r['high'])} | {r['scale']} "
                     f"| {_fmt(r['shipped'])} | {_fmt(r['start'])} | **{_fmt(r['fitted'])}** | "
                     f"{_move(r['down_value'], r['down_change'])} | "
                     f"{_move(r['up_value'], r['up_change'])} |")
    lines += ["", "## Reading it", "",
              "Three episodes and a few dozen recorded facts cannot identify ten parameters: "
              "several trade off, and the fit checks that a point is consistent with the "
              "record, not that the model forecasts. The shipped values are judgements "
              "anchored in evidence; a fitted value that moves far from its evidence needs a "
              "reason before it is adopted. Nothing shipped was changed.", ""]
    return "\n".join(lines)


def render_report(report: CalibrationReport) -> str:
    """The terminal summary: scores before and after, per episode, and the fitted values."""
    names = [e.episode for e in report.fitted.episodes]
    lines = [f"Calibration: {len(report.space)} parameters, {report.settings['runs']:,} "
             f"replicates per candidate, seed {report.settings['seed']}, "
             f"{report.settings['candidates_scored']} candidates.", "",
             f"{'score (lower is better)':<26}{'shipped':>9}{'start':>9}{'fitted':>9}"
             f"{'fresh: start':>14}{'fitted':>9}"]
    for name in [*names, "total"]:
        shipped, start, fitted, fresh_start, fresh_fitted = (
            ev.total if name == "total" else ev.episode(name).total
            for ev in (report.shipped, report.start, report.fitted, report.fresh["start"],
                       report.fresh["fitted"]))
        lines.append(f"  {name:<24}{shipped:>9.3f}{start:>9.3f}{fitted:>9.3f}"
                     f"{fresh_start:>14.3f}{fresh_fitted:>9.3f}")
    if report.holdout is not None:
        shipped, fitted = report.holdout["shipped"], report.holdout["fitted"]
        lines += ["", f"Left out of the fit: {shipped.episode}. Its score with the shipped values "
                      f"{shipped.total:.3f}, with the values fitted without it {fitted.total:.3f} "
                      f"(P(historical class) {np.exp(-shipped.class_term):.1%} -> "
                      f"{np.exp(-fitted.class_term):.1%})."]
    lines += ["", f"{'parameter':<28}{'range':>14}{'shipped':>9}{'start':>9}{'fitted':>9}"
                  f"   score change one step down / up"]
    for _, r in report.comparison_table().iterrows():
        span = f"{_fmt(r['low'])}..{_fmt(r['high'])}"
        changes = " / ".join("-" if not np.isfinite(c) else f"{c:+.2f}"
                             for c in (r["down_change"], r["up_change"]))
        lines.append(f"  {r['parameter']:<26}{span:>14}{_fmt(r['shipped']):>9}"
                     f"{_fmt(r['start']):>9}{_fmt(r['fitted']):>9}   {changes}")
    return "\n".join(lines)
