"""The episodes a backtest or a calibration runs over, and the outcome tables of their runs.

An episode is a scenario with a historical record (``history:``). The shipped episodes are
taken in chronological order of their start dates, the order the "previous episode" baseline of
the backtest needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sim.errors import UserError
from sim.scenario.loader import load_scenario, shipped_scenarios
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.batch.executors import Executor

BASE = "base"  # how a user names the scenario without a variant


class EpisodeError(UserError):
    """A scenario that cannot be backtested or calibrated on (no historical record)."""


def variant_of(name: str | None) -> str | None:
    """A variant as the user names it (``base`` or empty: none) as the loader takes it."""
    if name is None:
        return None
    name = name.strip()
    return None if name in ("", BASE) else name


def variant_label(variant: str | None) -> str:
    """A variant as shown to the user (``base`` for none)."""
    return variant or BASE


def chronological(scenarios: Sequence[Scenario]) -> list[Scenario]:
    """Scenarios by start date (then id, so that ties keep a fixed order)."""
    return sorted(scenarios, key=lambda s: (s.start, s.id))


def shipped_episodes() -> list[Scenario]:
    """Every shipped scenario that has a historical record, in chronological order."""
    loaded = [load_scenario(ref) for ref in shipped_scenarios()]
    return chronological([s for s in loaded if s.history is not None])


def load_episodes(refs: Sequence[str | Path] | None) -> list[Scenario]:
    """The episodes named (shipped ids or files), or every shipped one; chronological.

    Raises EpisodeError for a scenario without a historical record.
    """
    if not refs:
        return shipped_episodes()
    loaded = [load_scenario(ref) for ref in refs]
    missing = [s.id for s in loaded if s.history is None]
    if missing:
        raise EpisodeError(f"scenario '{missing[0]}' has no historical record (history:) to "
                           "check against")
    return chronological(loaded)


def simulated_outcomes(scenario: str | Path | Scenario, variant: str | None, runs: int, seed: int,
                       workers: int | None = None, progress: bool | None = None,
                       overrides: Mapping[str, float] | None = None,
                       executor: Executor | None = None) -> pd.DataFrame:
    """The outcomes table (one row per replicate) of a batch run in memory, nothing written.

    It runs on ``workers`` local processes, or on ``executor`` (a Dask cluster) when given.
    """
    from sim.batch import run_batch  # the batch engine starts worker processes: load it late

    return run_batch(scenario, variant=variant, runs=runs, seed=seed, out=None,
                     workers=None if executor is not None else workers, progress=progress,
                     overrides=overrides or None, executor=executor).outcomes
