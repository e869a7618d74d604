"""A black-and-white house style: greys, hatching and markers, never colour alone.

matplotlib is imported inside these functions, so importing sim.plots stays light; figures are
made with ``matplotlib.figure.Figure`` directly (no pyplot, no global backend switch): saving
one uses the Agg renderer for PNG and the SVG renderer for SVG.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sim.text import percent

__all__ = ["GREYS", "HATCHES", "INK", "RC", "batch_label", "new_figure", "percent", "readable",
           "styled"]

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.batch.result import BatchResult

# Light to dark fills, and hatches, to tell bars apart in print.
GREYS = ("0.92", "0.75", "0.55", "0.35", "0.15")
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "+++")
INK = "black"

RC: dict[str, Any] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": INK,
    "hatch.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "svg.fonttype": "none",  # keep text as text in SVG
}

def styled[**P, R](draw: Callable[P, R]) -> Callable[P, R]:
    """Draw a figure under the house style, without touching the caller's matplotlib settings."""
    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        import matplotlib

        with matplotlib.rc_context(RC):  # type: ignore[arg-type]  # keys typed as a Literal
            return draw(*args, **kwargs)

    return wrapper


def batch_label(result: BatchResult) -> str:
    """Scenario, variant, replicates and seed: the line every figure carries under its title."""
    return (f"{result.scenario_id} (variant {result.variant}) · {result.runs:,} replicates · "
            f"seed {result.seed}")


def new_figure(result: BatchResult, title: str, size: tuple[float, float], **subplots: Any
               ) -> tuple[Figure, Any]:
    """A titled figure and its axes (``subplots`` as for ``Figure.subplots``)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, layout="constrained")
    axes = figure.subplots(**subplots)
    figure.suptitle(f"{title}\n{batch_label(result)}", fontsize=11)
    return figure, axes


def readable(name: str) -> str:
    """A column or class name as words: ``limited_exchange`` -> ``limited exchange``."""
    return name.replace("_", " ")
