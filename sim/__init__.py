"""escsim: a tabletop escalation scenario simulator (Iraq, Iran, the United States, Israel).

The data flows one way: scenario file -> validated ``Scenario`` (sim.scenario) -> model runs
(sim.model) -> result tables (sim.batch) -> analysis (sim.analysis) -> figures (sim.plots).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from sim.model.model import EscalationModel
    from sim.scenario.loader import load_scenario

__all__ = ["EscalationModel", "load_scenario", "__version__"]


def __getattr__(name: str) -> Any:
    # Imported on first use so that `import sim` (and the CLI's start) stays light.
    if name == "EscalationModel":
        from sim.model.model import EscalationModel
        return EscalationModel
    if name == "load_scenario":
        from sim.scenario.loader import load_scenario
        return load_scenario
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
