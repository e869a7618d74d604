"""Figures of a batch's results (matplotlib, imported only when a figure is drawn).

Each figure function takes a ``BatchResult`` (``sim.batch.open_results(folder)``) and returns a
``matplotlib.figure.Figure`` titled with scenario, variant, replicates and seed, drawn in greys,
hatching and markers so that it reads in black and white. ``write_figures`` saves them all.
"""

from __future__ import annotations

from sim.plots.figures import (FIGURES, escalation_fan_figure, key_counts_figure,
                               outcome_class_figure, say_do_gap_figure)
from sim.plots.files import PlotError, write_figures

__all__ = ["FIGURES", "PlotError", "escalation_fan_figure", "key_counts_figure",
           "outcome_class_figure", "say_do_gap_figure", "write_figures"]
