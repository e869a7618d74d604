"""The ranges of the numbers a user gives escsim on the command line (and to the library).

Each has a reason: a batch of ``MAX_RUNS`` replicates already takes hours on a laptop; seeds
and replicate indices must fit the 64-bit integers of result files; more worker processes than
``MAX_WORKERS`` only add memory. docs/user-guide.md#limits lists them with the scenario
format's own limits (sim.scenario.schema, sim.scenario.checks).
"""

from __future__ import annotations

import numbers
from typing import Any

from sim.errors import UserError

MAX_RUNS = 10_000_000  # replicates of one batch (and of each entry of compare or backtest)
MAX_SEED = 2**63 - 1
MAX_REPLICATE = 10**12 - 1  # a replicate index to replay
MAX_WORKERS = 256
MAX_BUDGET = 10_000  # candidate points of a calibration
MIN_CALIBRATION_RUNS = 10
MAX_CALIBRATION_RUNS = 1_000_000


def whole_number(value: Any, option: str, minimum: int, maximum: int,
                 error: type[UserError] = UserError) -> int:
    """``value`` as an int if it is a whole number in [minimum, maximum]; else ``error``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or not minimum <= value <= maximum:
        raise error(f"{option} must be a whole number from {minimum:,} to {maximum:,}, "
                    f"got {value!r}")
    return int(value)
