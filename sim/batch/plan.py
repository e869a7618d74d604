"""What a batch is, and how its replicates are cut into chunks.

A batch is (scenario with its variant, seed, number of runs, parameter overrides, whether to
keep the event log). Its identity, recorded in the manifest, is what a results folder must
match before a batch may add to it. The chunk layout is bookkeeping only: results depend on
(scenario, variant, seed, replicate index) alone (sim.model.rng), never on how the replicates
are cut or where the pieces run.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sim.batch.errors import BatchError
from sim.limits import MAX_RUNS, MAX_SEED, MAX_WORKERS, whole_number
from sim.memory import ModelSize, check_fits, fitting_replicates
from sim.overrides import OverrideError, checked_overrides
from sim.model.rng import BLOCK
from sim.scenario.loader import content_hash, load_scenario
from sim.scenario.schema import Scenario

# A chunk of 8,192 replicates of a shipped episode needs about 100 MB in a worker; larger
# chunks are no faster. Chunks of larger scenarios are cut to fit (sim.memory).
MAX_DEFAULT_CHUNK = 32 * BLOCK
# Each chunk pays a fixed cost (about 5 ms a simulated day for building arrays and Python
# overhead, whatever its size), so chunks below about 2,000 replicates waste time.
MIN_DEFAULT_CHUNK = 8 * BLOCK
# Two chunks per worker at least keep the workers evenly busy and the progress bar moving.
CHUNKS_PER_WORKER = 2
# Each chunk is three files and a manifest entry: more would only make a folder hard to handle.
MAX_CHUNKS = 100_000


@dataclass(frozen=True)
class Chunk:
    """Replicates ``start .. start + count - 1``, run and written as one unit."""

    index: int
    start: int
    count: int

    @property
    def stop(self) -> int:
        return self.start + self.count

    @property
    def name(self) -> str:
        return f"chunk-{self.index:06d}"


@dataclass(frozen=True)
class BatchSpec:
    """A validated batch: everything its results depend on."""

    scenario: Scenario  # with the variant already applied
    source: str  # the reference the user gave: a shipped id or a file path
    seed: int
    runs: int
    overrides: tuple[tuple[str, float], ...]  # sorted by name
    events: bool

    @property
    def variant(self) -> str:
        return self.scenario.variant or "base"

    @property
    def override_dict(self) -> dict[str, float]:
        return dict(self.overrides)

    def identity(self) -> dict[str, Any]:
        """What a results folder must match to be added to (JSON-ready)."""
        return {
            "scenario": self.scenario.id,
            "scenario_hash": content_hash(self.scenario),
            "variant": self.variant,
            "seed": self.seed,
            "runs": self.runs,
            "overrides": self.override_dict,
            "events": self.events,
            "model_fingerprint": model_fingerprint(),
        }


def _whole_number(value: Any, option: str, minimum: int, maximum: int) -> int:
    return whole_number(value, option, minimum, maximum, BatchError)


def _checked_overrides(overrides: Mapping[str, Any] | None) -> tuple[tuple[str, float], ...]:
    try:
        return tuple(sorted(checked_overrides(overrides).items()))
    except OverrideError as exc:
        raise BatchError(str(exc)) from None


def make_spec(scenario: str | Path | Scenario, variant: str | None, runs: int, seed: int,
              overrides: Mapping[str, Any] | None = None, events: bool = False) -> BatchSpec:
    """Validate a batch request and load its scenario (ScenarioError for a bad one or variant)."""
    runs = _whole_number(runs, "--runs", 1, MAX_RUNS)
    seed = _whole_number(seed, "--seed", 0, MAX_SEED)
    checked = _checked_overrides(overrides)
    spec = load_scenario(scenario, variant)
    source = scenario.id if isinstance(scenario, Scenario) else str(scenario)
    return BatchSpec(spec, source, seed, runs, checked, bool(events))


def checked_workers(workers: int | None) -> int:
    """The number of worker processes: as given, or one per core this process may use."""
    if workers is None:
        return available_cores()
    return _whole_number(workers, "--workers", 1, MAX_WORKERS)


def available_cores() -> int:
    """Cores this process may run on (respects CPU affinity where the OS reports it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def default_chunk_size(runs: int, workers: int) -> int:
    """Two or more chunks per worker, each a whole number of random-number blocks, between
    ``MIN_DEFAULT_CHUNK`` and ``MAX_DEFAULT_CHUNK`` replicates (fewer if the batch is smaller).

    Whole blocks matter for speed only: a chunk that starts inside a block of ``BLOCK``
    replicates still draws that block in full and drops the rows it does not hold.
    """
    per_chunk = math.ceil(runs / (CHUNKS_PER_WORKER * workers))
    size = min(max(per_chunk, MIN_DEFAULT_CHUNK), MAX_DEFAULT_CHUNK, runs)
    return math.ceil(size / BLOCK) * BLOCK


def checked_chunk_size(chunk_size: int | None, runs: int, workers: int) -> int:
    """The chunk size asked for (validated), or the default for this many runs and workers."""
    if chunk_size is None:
        return default_chunk_size(runs, workers)
    return _whole_number(chunk_size, "--chunk-size", 1, MAX_RUNS)


def chunk_size_for(spec: BatchSpec, chunk_size: int | None, workers: int) -> int:
    """The chunk size of a batch: the one asked for, if a chunk of it fits in each worker's
    memory (MemoryLimitError if not), else the default cut down to what fits."""
    size = ModelSize.of(spec.scenario)
    if chunk_size is not None:
        chunk = checked_chunk_size(chunk_size, spec.runs, workers)
        check_fits(size, min(chunk, spec.runs), spec.events, workers, what="each chunk",
                   advice="lower --chunk-size (results do not depend on it) or --workers")
        return _few_enough_chunks(chunk, spec.runs)
    chunk = default_chunk_size(spec.runs, workers)
    fitting = fitting_replicates(size, spec.events, workers)
    if fitting < 1:
        check_fits(size, 1, spec.events, workers, what="one replicate",
                   advice="use fewer --workers, or a smaller scenario")
    if chunk > fitting:  # whole random-number blocks where possible (they are faster)
        chunk = fitting // BLOCK * BLOCK or fitting
    return _few_enough_chunks(chunk, spec.runs)


def _few_enough_chunks(chunk: int, runs: int) -> int:
    if math.ceil(runs / chunk) > MAX_CHUNKS:
        raise BatchError(f"--chunk-size {chunk:,} cuts {runs:,} runs into "
                         f"{math.ceil(runs / chunk):,} chunks; at most {MAX_CHUNKS:,} are "
                         f"allowed: use a --chunk-size of at least {math.ceil(runs / MAX_CHUNKS):,} "
                         "(results do not depend on it)")
    return chunk


def plan_chunks(runs: int, chunk_size: int) -> list[Chunk]:
    """Consecutive chunks of ``chunk_size`` replicates covering ``0 .. runs - 1``."""
    return [Chunk(i, start, min(chunk_size, runs - start))
            for i, start in enumerate(range(0, runs, chunk_size))]


@cache
def model_fingerprint() -> str:
    """SHA-256 of the model's source and data files: a changed model never resumes old chunks."""
    root = Path(__file__).resolve().parent.parent / "model"
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".yaml") and p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
