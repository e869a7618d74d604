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
from sim.batch.readout import daily_attacks, daily_index, events_table, outcome_table, threat_fates
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
    sha256: dict[str, str]  # of each file the chunk wrote, by role (sim.batch.files)


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
    threat_fates: np.ndarray
    events: pa.Table | None
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float | None
    pid: int

    def write(self, chunks_folder: Path) -> ChunkReport:
        """Write the chunk's files; the report counts the writing in its times."""
        began, cpu = time.perf_counter(), time.process_time()
        files = ChunkFiles(chunks_folder, self.chunk)
        files.write(self.outcomes, self.histogram, self.attacks, self.threat_fates, self.events)
        return ChunkReport(self.chunk.index, self.chunk.count,
                           self.seconds + time.perf_counter() - began,
                           self.cpu_seconds + time.process_time() - cpu, self.peak_rss_mb,
                           self.pid, files.digests(self.events is not None))


def compute_chunk(job: ChunkJob, chunk: Chunk) -> ChunkData:
    """Run the chunk's replicates and read out its tables."""
    began, cpu = time.perf_counter(), time.process_time()
    model = run_replicates(job.scenario, None, job.seed, chunk.count, job.overrides,
                           replicate_start=chunk.start, log_events=job.events)
    data = ChunkData(chunk, outcome_table(model), index_histogram(daily_index(model)),
                     daily_attacks(model), threat_fates(model),
                     events_table(model) if job.events else None,
                     time.perf_counter() - began, time.process_time() - cpu, None, os.getpid())
    del model
    data.peak_rss_mb = peak_rss_mb()
    return data


def run_chunk(job: ChunkJob, chunk: Chunk) -> ChunkReport:
    """Run the chunk's replicates and write its files; returns timing and memory."""
    return compute_chunk(job, chunk).write(job.chunks_folder)


def worker_setup(main_pid: int) -> None:
    """Worker initializer.

    Ctrl-C reaches the whole process group; only the main process acts on it (it cancels
    pending chunks and lets running ones finish and be written), so workers ignore it. And a
    worker must not outlive the main process: if that is killed (SIGKILL, SIGTERM, a crash),
    nobody will collect the worker's chunk, and the worker would run on for minutes holding
    memory. A watchdog thread ends the worker within ``WATCH_SECONDS`` of the main process's
    death. (The worker's parent is the forkserver, not the main process, so the parent-death
    signal of Linux would not see it.)
    """
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    born = _started(main_pid)
    threading.Thread(target=_watch, args=(main_pid, born), name="escsim-watchdog",
                     daemon=True).start()


WATCH_SECONDS = 0.5


def _started(pid: int) -> str | None:
    """When process ``pid`` started (Linux: field 22 of /proc/PID/stat), to tell it from a
    later process that reuses its number; None where /proc is not available."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def main_alive(pid: int, born: str | None) -> bool:
    """Whether the main process still runs (a zombie, waiting to be reaped, does not)."""
    if born is not None or Path("/proc/self/stat").exists():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return False
        return fields[0] not in ("Z", "X") and (born is None or fields[19] == born)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but another user's: the number was reused
        return False
    return True


def _watch(main_pid: int, born: str | None) -> None:
    import signal

    while main_alive(main_pid, born):
        time.sleep(WATCH_SECONDS)
    os.kill(os.getpid(), signal.SIGKILL)
