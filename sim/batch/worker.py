"""Running one chunk: the unit of work a worker process (or the main process) does.

The worker builds the model for its replicates, runs it to the end with the one implementation
of the rules and reads the results out. A local worker writes the chunk's files itself, so only
a small report travels back and the main process never holds per-replicate data of the whole
batch; a cluster worker sends the chunk's tables back for the main process to write
(``compute_chunk``, then ``ChunkData.write``), one chunk at a time.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from sim.batch.daily import IndexHistogram, index_histogram
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
    cpu_seconds: float  # CPU time of the process that ran it, spent on this chunk
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


@dataclass
class ChunkData:
    """A chunk's results, computed and not yet written (what a cluster worker sends back)."""

    chunk: Chunk
    outcomes: pa.Table
    histogram: IndexHistogram
    attacks: np.ndarray
    events: pa.Table | None
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float | None
    pid: int

    def write(self, chunks_folder: Path) -> ChunkReport:
        """Write the chunk's files; the report counts the writing in its times."""
        began, cpu = time.perf_counter(), time.process_time()
        ChunkFiles(chunks_folder, self.chunk).write(self.outcomes, self.histogram, self.attacks,
                                                    self.events)
        return ChunkReport(self.chunk.index, self.chunk.count,
                           self.seconds + time.perf_counter() - began,
                           self.cpu_seconds + time.process_time() - cpu, self.peak_rss_mb,
                           self.pid)


def compute_chunk(job: ChunkJob, chunk: Chunk) -> ChunkData:
    """Run the chunk's replicates and read out its tables."""
    began, cpu = time.perf_counter(), time.process_time()
    model = run_replicates(job.scenario, None, job.seed, chunk.count, job.overrides,
                           replicate_start=chunk.start, log_events=job.events)
    data = ChunkData(chunk, outcome_table(model), index_histogram(daily_index(model)),
                     daily_attacks(model), events_table(model) if job.events else None,
                     time.perf_counter() - began, time.process_time() - cpu, None, os.getpid())
    del model
    data.peak_rss_mb = peak_rss_mb()
    return data


def run_chunk(job: ChunkJob, chunk: Chunk) -> ChunkReport:
    """Run the chunk's replicates and write its files; returns timing and memory."""
    return compute_chunk(job, chunk).write(job.chunks_folder)
