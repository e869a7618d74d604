"""What every outcome figure must say beside its bars: that it is not a forecast, and what the
classes mean.

The class definitions are the rule of sim.model.outcomes in a teacher's words (docs/model.md
gives the exact rule); tests/test_plots.py checks that every class has one.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

NOT_A_FORECAST = ("Model output, not a forecast: shares of simulated runs under this scenario's "
                  "assumptions, decided over its assessment window.")

CLASS_DEFINITIONS: dict[str, str] = {
    "restraint": "no militia attack on US or Israeli targets",
    "harassment": "militia attacks on US or Israeli targets, none lethal, none answered",
    "limited_exchange": "a retaliatory strike on militias, or a militia attack that killed",
    "escalation_spiral": "a retaliatory strike followed by a further militia attack",
    "regional_war": "many militia attacks and several retaliatory strikes (at least "
                    "war_attack_threshold and war_strike_threshold)",
}


def class_key() -> str:
    """The classes and their definitions, as one paragraph."""
    return "; ".join(f"{name.replace('_', ' ')}: {text}"
                     for name, text in CLASS_DEFINITIONS.items()) + "."


def add_footnote(figure: Figure, width: int = 150) -> None:
    """The not-a-forecast note and the class definitions, in small type under the figure."""
    text = "\n".join([*textwrap.wrap(NOT_A_FORECAST, width),
                      *textwrap.wrap("Classes: " + class_key(), width)])
    figure.supxlabel(text, fontsize=7, x=0.01, ha="left", multialignment="left")
