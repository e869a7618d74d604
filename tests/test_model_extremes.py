"""The model's arithmetic holds at the extremes of every range validation admits.

Hypothesis puts every number of a scenario at the low or the high end of its range (the format's
field ranges in sim.scenario.schema, fears, fronts and disputes included, every global parameter
and actor trait of the catalogue), the scenario is validated like a user's file, and the model
runs under ``np.errstate(all="raise")``: an overflow, a NaN or a division by zero anywhere is an error. The casualty counts
must then add up exactly (no wrapped integers), and every metric is finite where it is defined.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.model import EscalationModel
from sim.model.parameters import GLOBAL, PER_ACTOR
from sim.scenario.checks import MAX_DAYS
from sim.scenario.loader import _validate
from sim.scenario.located import parse_located
from sim.scenario.schema import (MAX_ACTORS, MAX_CASUALTIES, MAX_DISPUTE, MAX_FEAR,
                                 MAX_GRIEVANCE, MAX_METRIC, MAX_TENSION, Scenario)

MINIMAL = yaml.safe_load((Path(__file__).resolve().parent / "data" / "minimal.yaml")
                         .read_text(encoding="utf-8"))
START = dt.date(2025, 6, 12)
STRIKES = 30  # scripted strikes with fixed casualties, on top of the minimal scenario's


def _validated(data: dict[str, Any]) -> Scenario:
    """The scenario as a user's file would be loaded (every check applied)."""
    return _validate(parse_located(yaml.safe_dump(data, sort_keys=False), "extremes.yaml"),
                     "extremes.yaml")


@st.composite
def extreme_scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    """The minimal scenario with every number at one end of its range, and the number of
    people the scripted strikes kill (each strike hits)."""
    def end(low: float, high: float) -> float:
        return high if draw(st.booleans()) else low

    data = copy.deepcopy(MINIMAL)
    data.pop("variants")
    data["parameters"] = {n: end(p.low, p.high) for n, p in GLOBAL.items()}
    for entry in data["actors"].values():
        entry["parameters"] = {n: end(p.low, p.high) for n, p in PER_ACTOR.items()}
        entry["stake"] = end(0.0, 1.0)
    actors = list(data["actors"])
    data["initial_state"] = {
        "tension": end(0.0, MAX_TENSION),
        **{f: {a: end(0.0, 1.0) for a in actors}
           for f in ("restraint_pressure", "urged", "air_defence", "exposure")},
        "fear": {a: end(0.0, MAX_FEAR) for a in actors},
        "directive": {"kataib_hezbollah": end(-1.0, 1.0)},
        "grievance": [{"holder": h, "toward": t, "value": end(0.0, MAX_GRIEVANCE)}
                      for h in actors for t in actors if h != t],
        "credibility": [{"holder": h, "toward": t, "value": end(0.0, 1.0)}
                        for h in actors for t in actors if h != t],
    }
    data["fronts"] = [{"id": "elsewhere", "against": "united_states",
                       "intensity": end(0.0, 1.0)}]
    data["disputes"] = [{"holder": h, "toward": t, "value": end(0.0, MAX_DISPUTE)}
                        for h in actors for t in actors if h != t]
    threat = data["threats"][0]
    threat["deadline_days"] = int(end(1, 365))
    threat["trigger"]["event"]["min_rung"] = int(end(0, 8))
    days = int(end(19, MAX_DAYS))
    data["end"] = START + dt.timedelta(days=days - 1)
    killed = int(end(0, MAX_CASUALTIES))
    for inject in data["injects"]:
        inject["magnitude"] = end(1e-9, 1.0)
    data["injects"] += [{"id": f"strike-{k}", "date": START + dt.timedelta(days=k % days),
                         "actor": "united_states", "action": "state_strike", "target": "iran",
                         "result": {"hit": True, "killed": killed,
                                    "injured": int(end(0, MAX_CASUALTIES))}}
                        for k in range(STRIKES)]
    data["history"] = {"outcome_class": "restraint", "metrics": [
        {"metric": "killed", "min": end(0.0, MAX_METRIC), "max": MAX_METRIC}]}
    return data, killed


@settings(max_examples=12)
@given(extreme_scenarios())
def test_no_overflow_or_nan_at_the_ends_of_every_range(case: tuple[dict[str, Any], int]) -> None:
    data, killed = case
    scenario = _validated(data)
    with np.errstate(all="raise"):
        model = EscalationModel(scenario, None, 8, 1, collect_data=False, log_events=True).run()
        outcomes = model.outcomes()
        events = model.timeline()
    scripted = sum(e["killed"] for e in events if e["source"] and
                   e["source"].startswith("strike-"))
    assert scripted == STRIKES * killed  # exact: no integer wrapped round
    assert outcomes["killed"].min() >= STRIKES * killed
    for name, values in outcomes.items():
        if values.dtype != object and name != "days_to_first_militia_attack":
            assert np.all(np.isfinite(values)) and values.min() >= 0, name


@pytest.mark.slow
def test_the_largest_scenario_validation_admits_runs() -> None:
    """The most actors over the longest window: it runs, with finite results."""
    data = copy.deepcopy(MINIMAL)
    data.pop("variants")
    data["end"] = START + dt.timedelta(days=MAX_DAYS - 1)
    for i in range(MAX_ACTORS - len(data["actors"])):
        data["actors"][f"militia-{i}"] = {"kind": "militia", "patron": "iran"}
    with np.errstate(all="raise"):
        model = EscalationModel(_validated(data), None, 1, 1, collect_data=False,
                                log_events=False).run()
    assert model.daily_index.shape == (1, MAX_DAYS)
    assert all(np.all(np.isfinite(v)) for n, v in model.outcomes().items()
               if v.dtype != object and n != "days_to_first_militia_attack")
