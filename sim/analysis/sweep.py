"""Many parameter points of one scenario in one ensemble run, on common random numbers.

The model lets a parameter vary along the replicate axis, so K parameter points with M
replicates each are one run of K·M replicates: each parameter becomes an array that repeats
each point's value M times. On top of that, every point here sees the same random numbers:
replicate j of every point draws the uniforms replicate ``start + j`` of an ordinary run with
the same seed would draw. Differences between points are then differences of parameters, not
of luck (common random numbers), and a point's results are exactly those of a plain run
(``run_batch(..., overrides=point)``) with that seed.

Large sweeps are cut into blocks of points (at most ``MAX_REPLICATES_PER_RUN`` replicates per
model) and the blocks can run on worker processes; the results do not depend on the cut.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.batch.executors import Executor

# About 200 MB of model state per 8,192 replicates (sim.batch.plan); keep each run below that.
MAX_REPLICATES_PER_RUN = 8192
POINT = "point"
Point = Mapping[str, float]


class SharedUniforms:
    """The model's source of uniforms, tiled so that K points share M replicates' numbers.

    It stands in for ``sim.model.rng.ReplicateRNG`` (the same methods): each call draws the
    (M, columns) matrix of replicates ``start .. start + M - 1`` and repeats it for every point;
    the compiled engine, which computes the numbers itself, reads every point's rows from the
    same streams.
    """

    def __init__(self, seed: int, replicates: int, points: int, start: int = 0):
        from sim.model.rng import ReplicateRNG

        self._source = ReplicateRNG(seed, start, replicates)
        self.points = points

    def uniforms(self, columns: int, out: np.ndarray | None = None) -> np.ndarray:
        shared = self._source.uniforms(columns)
        if out is None:
            return np.tile(shared, (self.points, 1))
        out.reshape(self.points, *shared.shape)[:] = shared
        return out

    def stream_states(self) -> np.ndarray:
        return self._source.stream_states()

    def stream_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """As ReplicateRNG's, for every point's replicates in turn."""
        stream, row = self._source.stream_rows()
        return np.tile(stream, self.points), np.tile(row, self.points)

    def skip(self, columns: int) -> None:
        self._source.skip(columns)


def stacked_overrides(points: Sequence[Point], replicates: int) -> dict[str, np.ndarray]:
    """Keyword overrides for a K·M-replicate run: each value repeated M times, point by point.

    Every point must name the same parameters.
    """
    names = list(points[0]) if points else []
    for point in points:
        if set(point) != set(names):
            raise ValueError("every point of a sweep must set the same parameters")
    return {name: np.repeat(np.array([float(p[name]) for p in points]), replicates)
            for name in names}


def run_points(scenario: str | Path | Scenario, points: Sequence[Point], replicates: int,
               seed: int, start: int = 0) -> pd.DataFrame:
    """Outcomes of each parameter point, ``replicates`` each, in one model run.

    A point may set parameters (``stake_weight``, ``resolve__badr``) and situation fields
    (``initial_state.fear.badr``: names with a dot, sim.model.situation).

    Returns the outcomes table (as ``run_batch`` gives it) with a ``point`` column (0..K-1)
    and ``replicate`` numbering the random-number stream (``start`` .. ``start + M - 1``).
    """
    from sim.batch.readout import outcome_table
    from sim.model.model import EscalationModel
    from sim.model.situation import is_situation_path

    if not points:
        raise ValueError("no parameter points to run")
    k = len(points)
    stacked = stacked_overrides(points, replicates)
    overrides: dict[str, Any] = {n: v for n, v in stacked.items() if not is_situation_path(n)}
    situation = {n: v for n, v in stacked.items() if is_situation_path(n)}
    model = EscalationModel(scenario, None, k * replicates, seed, log_events=False,
                            collect_data=False, situation=situation, **overrides)
    # the model's only source of randomness, replaced by one every point shares
    model.ensemble_rng = SharedUniforms(seed, replicates, k, start)  # type: ignore[assignment]
    table = outcome_table(model.run()).to_pandas()
    table["replicate"] = np.tile(np.arange(start, start + replicates), k)
    table.insert(0, POINT, np.repeat(np.arange(k), replicates))
    return table


@dataclass(frozen=True)
class SweepJob:
    """A block of points of one scenario: the unit of work a worker runs."""

    key: str  # which scenario (the caller's name for it)
    scenario: Scenario
    first_point: int
    points: tuple[dict[str, float], ...]
    replicates: int
    seed: int
    start: int


@dataclass(frozen=True)
class BlockDone:
    """A finished block: its job, and the wall and CPU seconds of the process that ran it."""

    job: SweepJob
    seconds: float
    cpu_seconds: float


Reduce = Callable[[pd.DataFrame], pd.DataFrame]


def _run_job(reduce: Reduce | None, job: SweepJob) -> tuple[BlockDone, pd.DataFrame]:
    began, cpu = time.perf_counter(), time.process_time()
    table = run_points(job.scenario, job.points, job.replicates, job.seed, job.start)
    table[POINT] += job.first_point
    if reduce is not None:
        table = reduce(table)
    return BlockDone(job, time.perf_counter() - began, time.process_time() - cpu), table


def points_per_run(scenario: Scenario, replicates: int, workers: int = 1) -> int:
    """Parameter points one model run holds: up to ``MAX_REPLICATES_PER_RUN`` replicates, and
    no more than fit in a worker's memory (MemoryLimitError if one point does not)."""
    from sim.memory import ModelSize, check_fits, fitting_replicates

    size = ModelSize.of(scenario)
    check_fits(size, replicates, workers=workers, what=f"a run of {scenario.id}",
               advice="lower --runs or --workers")
    fitting = fitting_replicates(size, workers=workers)
    return max(1, min(MAX_REPLICATES_PER_RUN, fitting) // replicates)


def plan_jobs(scenarios: Mapping[str, Scenario], points: Sequence[Mapping[str, Point]],
              replicates: int, seed: int, start: int = 0, workers: int = 1) -> list[SweepJob]:
    """Blocks of points for each scenario. ``points[i][key]`` is point i's parameters in
    scenario ``key`` (they may differ: a trait of an actor absent from an episode is left out).
    """
    jobs = []
    for key, scenario in scenarios.items():
        per_run = points_per_run(scenario, replicates, workers)
        for first in range(0, len(points), per_run):
            block = tuple(dict(p[key]) for p in points[first:first + per_run])
            jobs.append(SweepJob(key, scenario, first, block, replicates, seed, start))
    return jobs


def run_sweep(scenarios: Mapping[str, Scenario], points: Sequence[Mapping[str, Point]],
              replicates: int, seed: int, start: int = 0, workers: int = 1,
              on_block: Callable[[BlockDone], None] | None = None,
              executor: Executor | None = None,
              reduce: Reduce | None = None) -> dict[str, pd.DataFrame]:
    """Every point in every scenario; one outcomes table per scenario (``point`` column).

    Blocks run on ``workers`` local processes when more than one, or on ``executor`` (a Dask
    cluster, say) when given; the tables come out the same. ``reduce``, if given, is applied
    to each block's outcomes table where the block ran (it must be picklable, and keep the
    ``point`` column), so that only what it returns travels back.
    """
    from sim.batch.executors import local_executor

    slots = executor.slots if executor is not None else workers
    jobs = plan_jobs(scenarios, points, replicates, seed, start, slots)
    # largest first, so that the last block to finish is a small one
    jobs.sort(key=lambda j: -len(j.points) * j.scenario.days)
    if jobs:  # compile the fast engine here, once, if the sweep is large enough for it to pay
        from sim.model.compiled import prepare_compiled_engine

        prepare_compiled_engine(jobs[0].scenario,
                                sum(len(j.points) * replicates * j.scenario.days for j in jobs))
    done: dict[str, dict[int, pd.DataFrame]] = {key: {} for key in scenarios}

    def collect(result: tuple[BlockDone, pd.DataFrame]) -> None:
        block, table = result
        done[block.job.key][block.job.first_point] = table
        if on_block is not None:
            on_block(block)

    runner = executor or local_executor(min(workers, len(jobs)))
    runner.run_each(_run_job, reduce, jobs, collect)
    return {key: pd.concat([tables[first] for first in sorted(tables)], ignore_index=True)
            for key, tables in done.items()}
