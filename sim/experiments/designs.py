"""Experiment designs: the parameter points to run, drawn by SALib from an uncertainty space.

For sensitivity analysis (each design goes with its analysis in sim.experiments.sensitivity):

- ``sobol``: Saltelli's extension of a scrambled Sobol' sequence; N base points (a power of
  two) give N·(D + 2) points, or N·(2D + 2) with second-order indices;
- ``morris``: N trajectories of D + 1 points on a grid of ``levels`` levels (elementary
  effects, for screening many inputs);
- ``fast``: extended FAST, N points per input (N > 64), N·D in all.

For exploration (``escsim explore``, then scenario discovery):

- ``lhs``: a Latin hypercube of N points;
- ``mc``: N independent random points.

Points are drawn on the unit cube and mapped through each input's distribution (uniform,
loguniform, triangular, truncated normal). The same space, method, size and seed give the same
points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.experiments.uncertainties import UncertaintySpace

SENSITIVITY_METHODS = ("sobol", "morris", "fast")
EXPLORATION_DESIGNS = ("lhs", "mc")
FAST_INTERFERENCE = 4  # SALib's M: the harmonics eFAST keeps; N must exceed 4·M²
MORRIS_LEVELS = 4


class DesignError(UserError):
    """A design that cannot be drawn as asked (unknown method, bad size)."""


@dataclass(frozen=True)
class Design:
    """The points of an experiment: one row per point, one column per input."""

    method: str
    space: UncertaintySpace
    points: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.points)

    def point_dicts(self) -> list[dict[str, float]]:
        return [dict(zip(self.points.columns, map(float, row), strict=True))
                for row in self.points.to_numpy()]


def salib() -> None:
    """Check that SALib is installed (it comes with the ``[experiments]`` extra)."""
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise DesignError("experiments need SALib: pip install 'escsim[experiments]'") from None


def _size(n: Any, what: str, minimum: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise DesignError(f"{what} must be a whole number of at least {minimum}, got {n!r}")
    return int(n)


def _frame(values: np.ndarray, space: UncertaintySpace) -> pd.DataFrame:
    # a point mapped from the unit cube may overshoot a bound by a rounding error; the model
    # refuses values outside an input's range, so keep them inside
    low = np.array([u.low for u in space])
    high = np.array([u.high for u in space])
    values = np.clip(values, low, high)
    # inputs that count days or attacks take whole numbers: round them, staying inside the range
    for column, u in enumerate(space):
        if u.integer:
            values[:, column] = np.clip(np.round(values[:, column]), math.ceil(u.low),
                                        math.floor(u.high))
    frame = pd.DataFrame(values, columns=space.names)
    frame.index.name = "point"
    return frame


def sensitivity_design(space: UncertaintySpace, method: str, n: int, seed: int,
                       second_order: bool = False, levels: int = MORRIS_LEVELS) -> Design:
    """The design a sensitivity method analyses (see the module docstring for ``n``)."""
    salib()
    problem = space.problem()
    if method == "sobol":
        n = _size(n, "--n (base points of a Sobol' design)", 2)
        if n & (n - 1):
            raise DesignError(f"--n must be a power of two for a Sobol' design (e.g. 1024), "
                              f"got {n}")
        from SALib.sample import sobol

        values = sobol.sample(problem, n, calc_second_order=second_order, seed=seed)
        settings = {"n": n, "second_order": second_order}
    elif method == "morris":
        n = _size(n, "--n (Morris trajectories)", 2)
        from SALib.sample import morris

        values = morris.sample(problem, n, num_levels=levels, seed=seed)
        settings = {"n": n, "levels": levels}
    elif method == "fast":
        n = _size(n, "--n (points per input of a FAST design)", 4 * FAST_INTERFERENCE ** 2 + 1)
        from SALib.sample import fast_sampler

        values = fast_sampler.sample(problem, n, M=FAST_INTERFERENCE, seed=seed)
        settings = {"n": n, "interference": FAST_INTERFERENCE}
    else:
        raise DesignError(f"unknown sensitivity method '{method}' (choose from "
                          f"{', '.join(SENSITIVITY_METHODS)})")
    return Design(method, space, _frame(values, space), {**settings, "seed": seed})


def exploration_design(space: UncertaintySpace, design: str, n: int, seed: int) -> Design:
    """``n`` points spread over the space, by Latin hypercube (``lhs``) or at random (``mc``)."""
    salib()
    n = _size(n, "--points", 2)
    problem = space.problem()
    if design == "lhs":
        from SALib.sample import latin

        values = latin.sample(problem, n, seed=seed)
    elif design == "mc":
        from SALib.util import scale_samples

        values = scale_samples(np.random.default_rng(seed).random((n, len(space))), problem)
    else:
        raise DesignError(f"unknown design '{design}' (choose from "
                          f"{', '.join(EXPLORATION_DESIGNS)})")
    return Design(design, space, _frame(values, space), {"n": n, "seed": seed})
