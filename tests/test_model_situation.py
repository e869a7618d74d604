"""Situation overrides (sim.model.situation): a value given to every replicate runs exactly as a
scenario file with that value, and values that differ by replicate apply replicate by replicate."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from sim.model.model import EscalationModel
from sim.model.situation import SituationError, situation_fields
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Pairwise, Scenario

VARIANT, SEED, R = "historical-directives", 5, 96
KH, US = "kataib_hezbollah", "united_states"


def run(scenario: Scenario, replicates: int = R, **kwargs) -> dict[str, np.ndarray]:
    model = EscalationModel(scenario, None, replicates, SEED, collect_data=False,
                            log_events=False, **kwargs)
    return model.run().outcomes()


def same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return all(np.array_equal(a[k], b[k], equal_nan=a[k].dtype.kind == "f") for k in a)


def with_initial(name: str, value) -> Callable[[Scenario], Scenario]:
    def patch(s: Scenario) -> Scenario:
        init = s.initial_state
        current = getattr(init, name)
        if isinstance(current, dict):
            new = {**current, KH: value}
        elif isinstance(current, list):
            new = [p for p in current if (p.holder, p.toward) != (KH, US)] + \
                [Pairwise(holder=KH, toward=US, value=value)]
        else:
            new = value
        return s.model_copy(update={"initial_state": init.model_copy(update={name: new})})
    return patch


def with_stake(value: float) -> Callable[[Scenario], Scenario]:
    def patch(s: Scenario) -> Scenario:
        actors = {**s.actors, KH: s.actors[KH].model_copy(update={"stake": value})}
        return s.model_copy(update={"actors": actors})
    return patch


def with_magnitude(inject_id: str, value: float) -> Callable[[Scenario], Scenario]:
    def patch(s: Scenario) -> Scenario:
        injects = [i.model_copy(update={"magnitude": value}) if i.id == inject_id else i
                   for i in s.injects]
        return s.model_copy(update={"injects": injects})
    return patch


CASES = {
    f"initial_state.fear.{KH}": (0.95, with_initial("fear", 0.95)),
    f"initial_state.directive.{KH}": (0.8, with_initial("directive", 0.8)),
    f"initial_state.restraint_pressure.{KH}": (1.0, with_initial("restraint_pressure", 1.0)),
    f"initial_state.credibility.{KH}.{US}": (0.05, with_initial("credibility", 0.05)),
    f"initial_state.grievance.{KH}.{US}": (4.0, with_initial("grievance", 4.0)),
    "initial_state.tension": (6.0, with_initial("tension", 6.0)),
    f"actors.{KH}.stake": (0.0, with_stake(0.0)),
    "injects.iran-discourages-during.magnitude": (0.05, with_magnitude("iran-discourages-during", 0.05)),
}


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario("june-2025", VARIANT)


@pytest.fixture(scope="module")
def plain(scenario: Scenario) -> dict[str, np.ndarray]:
    return run(scenario)


@pytest.mark.parametrize("path", list(CASES))
def test_an_override_for_every_replicate_equals_the_scenario_with_that_value(
        path: str, scenario: Scenario, plain: dict[str, np.ndarray]) -> None:
    value, patch = CASES[path]
    overridden = run(scenario, situation={path: value})
    assert same(overridden, run(patch(scenario)))
    assert not same(overridden, plain), f"{path} = {value} changed nothing"


def test_values_differ_replicate_by_replicate(scenario: Scenario) -> None:
    path = "injects.iran-discourages-during.magnitude"
    high = CASES[path][0]
    low = 1.0
    mixed = run(scenario, situation={path: np.where(np.arange(R) % 2 == 0, high, low)})
    for value, rows in ((high, slice(0, None, 2)), (low, slice(1, None, 2))):
        alone = run(scenario, situation={path: value})
        for name in mixed:
            np.testing.assert_array_equal(mixed[name][rows], alone[name][rows], err_msg=name)


def test_fields_name_what_the_scenario_sets(scenario: Scenario) -> None:
    fields = situation_fields(scenario)
    fear = fields[f"initial_state.fear.{KH}"]
    assert fear.given and fear.value == scenario.initial_state.fear[KH] > 0
    assert not fields[f"initial_state.fear.{US}"].given
    assert fields["initial_state.directive.badr"].low == -1.0
    assert fields[f"actors.{KH}.stake"].given
    assert fields["injects.iran-discourages-during.magnitude"].given  # a directive's pull scales
    assert not fields["injects.israel-war-on-iran.magnitude"].given  # a strike's does not


@pytest.mark.parametrize("situation, message", [
    ({"initial_state.fear.nobody": 0.5}, "not a situation field"),
    ({f"initial_state.fear.{KH}": 10.5}, r"must lie in \[0, 10\]"),
    ({f"initial_state.directive.{KH}": np.zeros(3)}, "expected one value or 4 values"),
])
def test_bad_overrides_are_refused(scenario: Scenario, situation: dict, message: str) -> None:
    with pytest.raises(SituationError, match=message):
        EscalationModel(scenario, None, 4, SEED, situation=situation)
