"""Running a design: every point of an experiment, many replicates each, through the model.

The model is driven only through its public entry points: the points become keyword
overrides and situation values with one value per replicate (sim.analysis.sweep), so a block of
points is one ensemble run on common random numbers; what comes back is the outcome table. A
``Runner`` is anything with the same two methods: the test suite passes a function with known
sensitivity indices through the same pipeline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from sim.analysis.sweep import BlockDone, Reduce, run_points, run_sweep
from sim.experiments.designs import Design
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.batch.executors import Executor


class Runner(Protocol):
    """Evaluates a design: one outcome row per point and replicate (``point``, ``replicate``,
    outcome columns), or what ``reduce`` makes of each block of such rows."""

    def probe(self, design: Design) -> pd.DataFrame:
        """A small outcome table of the design's first point (to check outcome expressions)."""
        ...

    def run(self, design: Design, runs: int, seed: int,
            reduce: Reduce | None = None) -> pd.DataFrame: ...


@dataclass
class Timing:
    """Wall time of the last run, and CPU time summed over the processes that ran its blocks."""

    seconds: float = 0.0
    cpu_seconds: float = 0.0


@dataclass
class ModelRunner:
    """Runs a design's points on a scenario (its variant already applied).

    Blocks run on ``workers`` local processes (default: one per core), or on ``executor``
    (a Dask cluster); results do not depend on where they run.
    """

    scenario: Scenario
    workers: int | None = None
    executor: Executor | None = None
    progress: bool | None = None
    timing: Timing = field(default_factory=Timing)

    def probe(self, design: Design) -> pd.DataFrame:
        return run_points(self.scenario, design.point_dicts()[:1], 2, seed=0)

    def run(self, design: Design, runs: int, seed: int,
            reduce: Reduce | None = None) -> pd.DataFrame:
        from sim.batch.plan import checked_workers
        from sim.batch.progress import progress_bar, wants_progress

        points = design.point_dicts()
        workers = 1 if self.executor is not None else checked_workers(self.workers)
        began, self.timing.cpu_seconds = time.perf_counter(), 0.0
        description = f"{self.scenario.id} ({self.scenario.variant or 'base'}), {design.method}"
        with progress_bar(description, len(points) * runs, 0,
                          wants_progress(self.progress)) as advance:
            def on_block(block: BlockDone) -> None:
                self.timing.cpu_seconds += block.cpu_seconds
                advance(len(block.job.points) * runs)

            table = run_sweep({"scenario": self.scenario}, [{"scenario": p} for p in points],
                              runs, seed, workers=workers, on_block=on_block,
                              executor=self.executor, reduce=reduce)["scenario"]
        self.timing.seconds = time.perf_counter() - began
        return table
