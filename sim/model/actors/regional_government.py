"""The Kurdistan Region (and any other sub-state government a scenario adds).

Rule: none of its own: it is a target (oil and energy infrastructure, bases) whose losses are
counted and felt as grievance; it always holds. Evidence: f-20250702-kurdistan-attacks-begin,
f-202507-kurdistan-output-halved.
"""

from __future__ import annotations

from sim.model.actors.base import Actor


class RegionalGovernment(Actor):
    """A sub-state government that is attacked but does not act in the model."""
