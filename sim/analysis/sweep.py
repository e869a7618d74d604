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

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario.schema import Scenario

# About 200 MB of model state per 8,192 replicates (sim.batch.plan); keep each run below that.
MAX_REPLICATES_PER_RUN = 8192
POINT = "point"
Point = Mapping[str, float]


class SharedUniforms:
    """The model's source of uniforms, tiled so that K points share M replicates' numbers.

    It stands in for ``sim.model.rng.ReplicateRNG`` (same ``uniforms(columns)`` method): each
    call draws the (M, columns) matrix of replicates ``start .. start + M - 1`` and repeats it
    for every point.
    """

    def __init__(self, seed: int, replicates: int, points: int, start: int = 0):
        from sim.model.rng import ReplicateRNG

        self._source = ReplicateRNG(seed, start, replicates)
        self.points = points

    def uniforms(self, columns: int) -> np.ndarray:
        return np.tile(self._source.uniforms(columns), (self.points, 1))


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

    Returns the outcomes table (as ``run_batch`` gives it) with a ``point`` column (0..K-1)
    and ``replicate`` numbering the random-number stream (``start`` .. ``start + M - 1``).
    """
    from sim.batch.readout import outcome_table
    from sim.model.model import EscalationModel

    if not points:
        raise ValueError("no parameter points to run")
    k = len(points)
    overrides: dict[str, Any] = stacked_overrides(points, replicates)
    model = EscalationModel(scenario, None, k * replicates, seed, log_events=False,
                            collect_data=False, **overrides)
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


def _run_job(job: SweepJob) -> tuple[SweepJob, pd.DataFrame]:
    table = run_points(job.scenario, job.points, job.replicates, job.seed, job.start)
    table[POINT] += job.first_point
    return job, table


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
              on_block: Callable[[SweepJob], None] | None = None) -> dict[str, pd.DataFrame]:
    """Every point in every scenario; one outcomes table per scenario (``point`` column).

    Blocks run on ``workers`` processes when more than one; the tables come out the same.
    """
    jobs = plan_jobs(scenarios, points, replicates, seed, start, workers)
    done: dict[str, list[pd.DataFrame]] = {key: [] for key in scenarios}
    for job, table in _execute(jobs, workers):
        done[job.key].append(table)
        if on_block is not None:
            on_block(job)
    return {key: pd.concat(tables, ignore_index=True).sort_values([POINT, "replicate"],
                                                                   ignore_index=True)
            for key, tables in done.items()}


def _execute(jobs: list[SweepJob], workers: int) -> Iterator[tuple[SweepJob, pd.DataFrame]]:
    """Run the jobs here, or on worker processes (yielded as they finish)."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield _run_job(job)
        return
    from sim.batch.executors import process_context
    from sim.batch.worker import worker_setup

    # largest first, so that the last block to finish is a small one
    ordered = sorted(jobs, key=lambda j: -len(j.points) * j.scenario.days)
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=process_context(),
                             initializer=worker_setup, initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(_run_job, job) for job in ordered]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise
