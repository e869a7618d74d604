"""Memory a model needs, estimated from the scenario's size before any of it is allocated.

Every command that builds a model asks here first: ``escsim run`` (one replicate), ``batch``,
``compare`` and ``backtest`` (chunks of replicates on each worker) and ``calibrate`` (blocks of
parameter points). A batch's default chunk size is the largest that fits; a request that
cannot fit (an explicit ``--chunk-size``, or too many workers) is refused with the figure and
what to lower, instead of failing half-way with an allocation error.

The estimate is an upper bound per replicate, measured on the engine (peak resident memory of
runs of 8 to 100 actors, 1 to 8,192 replicates, 60 to 600 days):

- ``BYTES_PER_PAIR`` for each ordered pair of actors (grievance and credibility as float64,
  the day of the last attack as int32, ceasefires as bytes, and the threat each actor may make
  against another: its status, days, trigger pattern and trigger actor), the term that
  dominates;
- ``BYTES_PER_ACTOR`` per actor (standing state, traits, the day's draws and decision scores);
- ``BYTES_PER_DAY`` per day (the escalation index and its histogram);
- ``BYTES_PER_THREAT`` per threat (status, day, trigger patterns);
- with the event log, ``BYTES_PER_EVENT`` per event, at most one action per actor and day, one
  per scripted inject and four per threat (made, triggered, honoured or lapsed);

times ``SAFETY``; plus, per model, the buffer of a day's uniforms the compiled engine keeps
(drawn into it block by block; counted as if every inject fell on one day); plus
``PROCESS_BYTES`` for each process (interpreter and libraries).

The memory escsim allows itself is half of the machine's (or of its container's limit), or
``ESCSIM_MEMORY_MB`` megabytes when that is set.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from sim.errors import UserError
from sim.scenario.schema import Scenario

BYTES_PER_PAIR = 40
BYTES_PER_ACTOR = 200
BYTES_PER_DAY = 40
BYTES_PER_THREAT = 16
BYTES_PER_EVENT = 320
EVENTS_PER_THREAT = 4
UNIFORMS_PER_ACTOR = 8  # sim.model.choice.UNIFORMS_PER_CHOICE + adjudication.UNIFORMS_PER_BATCH
UNIFORMS_PER_INJECT = 5
SAFETY = 1.25
PROCESS_BYTES = 300 * 2**20  # measured peak: ~160 MB with numpy, ~295 MB with the compiled engine
MEMORY_MB_ENV = "ESCSIM_MEMORY_MB"
SHARE_OF_MACHINE = 0.5
_GB = 1e9


class MemoryLimitError(UserError):
    """A model (or a chunk, or a set of workers) that would not fit in the memory allowed."""


@dataclass(frozen=True)
class ModelSize:
    """What the memory of a model depends on."""

    actors: int
    days: int
    threats: int = 0
    injects: int = 0

    @classmethod
    def of(cls, scenario: Scenario) -> ModelSize:
        return cls(len(scenario.actors), scenario.days, len(scenario.threats),
                   len(scenario.injects))

    def events_per_replicate(self) -> int:
        """At most: one action per actor and day, every inject, every threat's records."""
        return self.actors * self.days + self.injects + EVENTS_PER_THREAT * self.threats

    def replicate_bytes(self, events: bool = False) -> int:
        """Upper bound of the memory one replicate adds to a model (with its event log)."""
        per = (BYTES_PER_PAIR * self.actors ** 2 + BYTES_PER_ACTOR * self.actors
               + BYTES_PER_DAY * self.days + BYTES_PER_THREAT * self.threats)
        if events:
            per += BYTES_PER_EVENT * self.events_per_replicate()
        return math.ceil(per * SAFETY)

    def model_bytes(self, replicates: int, events: bool = False) -> int:
        """Upper bound of the memory of a model of ``replicates`` replicates."""
        return replicates * (self.replicate_bytes(events) + self.day_of_draws_bytes())

    def day_of_draws_bytes(self) -> int:
        """Per replicate, the compiled engine's buffer of a day's uniforms
        (sim/model/compiled.py): eight per actor (a choice's three, an act's five) and five
        per inject, as if every inject fell on the same day."""
        return 8 * (UNIFORMS_PER_ACTOR * self.actors + UNIFORMS_PER_INJECT * self.injects)


def estimate_bytes(actors: int, replicates: int, days: int, threats: int = 0,
                   injects: int = 0, events: bool = False) -> int:
    """Memory (bytes) a model of this size needs at most, process overhead not included."""
    return ModelSize(actors, days, threats, injects).model_bytes(replicates, events)


def _container_limit() -> int | None:
    """The memory limit of this process's control group (Linux), if one is set."""
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:
            return int(text)
    return None


def machine_bytes() -> int:
    """Physical memory (or the container's limit, if lower); 8 GB where the OS does not say."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        physical = 8 * 2**30
    limit = _container_limit()
    return min(physical, limit) if limit else physical


def memory_budget() -> int:
    """The memory escsim may use in all its processes together, in bytes."""
    text = os.environ.get(MEMORY_MB_ENV, "").strip()
    if not text:
        return int(machine_bytes() * SHARE_OF_MACHINE)
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = float("nan")
    if not megabytes > 0 or math.isinf(megabytes):
        raise UserError(f"{MEMORY_MB_ENV} must be a positive number of megabytes, got {text!r}")
    return int(megabytes * 2**20)


def gigabytes(size: float) -> str:
    """A size in GB, readably ("0.4 GB", "12 GB")."""
    value = size / _GB
    return f"{value:.1f} GB" if value < 10 else f"{value:,.0f} GB"


def _allowance(budget: int) -> str:
    if os.environ.get(MEMORY_MB_ENV, "").strip():
        return f"{MEMORY_MB_ENV} allows escsim about {gigabytes(budget)}"
    return (f"escsim may use about {gigabytes(budget)} here, half the memory; set "
            f"{MEMORY_MB_ENV} to change that")


def worker_bytes(workers: int) -> int:
    """The memory each of ``workers`` processes may give its model (MemoryLimitError if the
    processes alone would not fit)."""
    budget = memory_budget()
    each = budget // max(1, workers) - PROCESS_BYTES
    if each <= 0:
        raise MemoryLimitError(f"{workers} worker processes need about "
                               f"{gigabytes(workers * PROCESS_BYTES)} before they start; use "
                               f"fewer --workers ({_allowance(budget)})")
    return each


def fitting_replicates(size: ModelSize, events: bool = False, workers: int = 1) -> int:
    """The most replicates one model may hold, with ``workers`` models side by side."""
    return worker_bytes(workers) // size.model_bytes(1, events)


def _describe(size: ModelSize, replicates: int) -> str:
    return (f"{size.actors:,} actors × {replicates:,} replicate"
            f"{'s' if replicates != 1 else ''} × {size.days:,} days")


def check_fits(scenario: Scenario | ModelSize, replicates: int, events: bool = False,
               workers: int = 1, what: str = "the model",
               advice: str = "lower --chunk-size or --runs") -> None:
    """MemoryLimitError, with the estimate and ``advice``, if ``replicates`` replicates of the
    scenario (in each of ``workers`` processes) would not fit."""
    size = scenario if isinstance(scenario, ModelSize) else ModelSize.of(scenario)
    if replicates <= fitting_replicates(size, events, workers):
        return
    need = size.model_bytes(replicates, events)
    raise MemoryLimitError(f"{what} needs about {gigabytes(need)} for {_describe(size, replicates)}"
                           f"{' with its event log' if events else ''}; {advice} "
                           f"({_allowance(memory_budget())})")
