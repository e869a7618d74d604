"""Running one chunk: the unit of work a worker process (or the main process) does.

The worker builds the model for its replicates, runs it to the end with the one implementation
of the rules, reads the results out and writes the chunk's files itself; only a small report
travels back, so the main process never holds per-replicate data of the whole batch.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sim.batch.daily import index_histogram
from sim.batch.files import ChunkFiles
from sim.batch.plan import Chunk
from sim.batch.readout import daily_attacks, daily_index, events_table, outcome_table
from sim.model.model import run_replicates
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class ChunkJob:
    """What every chunk of a batch shares (sent to each worker with each chunk)."""

    scenario: Scenario  # variant already applied
    seed: int
    overrides: dict[str, float]
    events: bool
    chunks_folder: Path


@dataclass(frozen=True)
class ChunkReport:
    """What a finished chunk reports back."""

    index: int
    count: int
    seconds: float
    peak_rss_mb: float | None  # of the process that ran it, so far
    pid: int


def peak_rss_mb() -> float | None:
    """Peak resident memory of this process in MB (None where the OS does not say).

    On Linux this is VmHWM, the peak of this process's own memory map. ``getrusage`` would
    carry over the peak of whatever process forked and exec'd this one (Linux keeps ru_maxrss
    across exec), so a small batch started from a large program would look large.
    """
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KB else


def run_chunk(job: ChunkJob, chunk: Chunk) -> ChunkReport:
    """Run the chunk's replicates and write its files; returns timing and memory."""
    began = time.perf_counter()
    model = run_replicates(job.scenario, None, job.seed, chunk.count, job.overrides,
                           replicate_start=chunk.start, log_events=job.events)
    ChunkFiles(job.chunks_folder, chunk).write(
        outcome_table(model), index_histogram(daily_index(model)), daily_attacks(model),
        events_table(model) if job.events else None)
    del model
    return ChunkReport(chunk.index, chunk.count, time.perf_counter() - began, peak_rss_mb(),
                       os.getpid())


def ignore_interrupts() -> None:
    """Worker initializer: Ctrl-C reaches the whole process group; only the main process acts
    on it (it cancels pending chunks and lets running ones finish and be written)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
