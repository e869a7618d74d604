"""EscalationModel as an ordinary Mesa model: batch_run, DataCollector, ``running``."""

from __future__ import annotations

import math
import multiprocessing

import mesa
import numpy as np
import pytest

from sim import EscalationModel
from sim.model.outcomes import OUTCOME_CLASSES, STATE_CONFLICT_CLASSES, metric_names
from sim.scenario.loader import load_scenario

JUNE = "june-2025"
DAYS = load_scenario(JUNE).days


@pytest.fixture
def restore_start_method():
    """mesa.batch_run forces the 'spawn' start method process-wide; put it back afterwards."""
    before = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(before, force=True)


def batch(parameters: dict, rng: list[int], processes: int = 1) -> list[dict]:
    return mesa.batch_run(EscalationModel, parameters=parameters, rng=rng,
                          number_processes=processes, display_progress=False)


def without_ids(row: dict) -> dict:
    """A row without batch_run's bookkeeping (run number, position in the rng list); NaN as None."""
    return {k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in row.items() if k not in ("RunId", "iteration")}


def _check_rows(rows: list[dict]) -> None:
    for row in rows:
        assert set(metric_names()) <= set(row), set(metric_names()) - set(row)
        assert row["outcome_class"] in OUTCOME_CLASSES
        assert row["Step"] == DAYS  # ran to the end of the window, not to max_steps
        assert row["state_conflict"] in STATE_CONFLICT_CLASSES
        for name in metric_names():
            if name not in ("outcome_class", "state_conflict", "days_to_first_militia_attack"):
                assert row[name] >= 0, name


def test_batch_run_with_seeds(restore_start_method) -> None:
    rows = batch({"scenario": JUNE}, [1, 2, 3])
    assert len(rows) == 3
    assert sorted(row["rng"] for row in rows) == [1, 2, 3]
    _check_rows(rows)
    again = batch({"scenario": JUNE}, [2])
    (same,) = [row for row in rows if row["rng"] == 2]
    assert without_ids(again[0]) == without_ids(same)  # the same seed, the same run


def test_batch_run_varies_variant_and_a_parameter(restore_start_method) -> None:
    rows = batch({"scenario": JUNE, "variant": [None, "no-restraint"],
                  "retaliation_weight": [1.0, 4.0]}, [7])
    assert len(rows) == 4
    assert sorted((str(r["variant"]), r["retaliation_weight"]) for r in rows) == [
        ("None", 1.0), ("None", 4.0), ("no-restraint", 1.0), ("no-restraint", 4.0)]
    _check_rows(rows)


def test_batch_run_in_worker_processes_matches_one_process(restore_start_method) -> None:
    parameters = {"scenario": JUNE, "variant": [None, "no-restraint"]}
    pooled = batch(parameters, [1, 2], processes=2)
    assert len(pooled) == 4
    _check_rows(pooled)

    def key(row: dict) -> tuple:
        return row["rng"], str(row["variant"])

    local = {key(r): r for r in batch(parameters, [1, 2])}
    for row in pooled:
        expected = local[key(row)]
        assert without_ids(row) == without_ids(expected)


def test_running_stops_at_the_end_of_the_window() -> None:
    model = EscalationModel(scenario=JUNE, rng=3)
    assert model.running and model.steps == 0
    for _ in range(DAYS - 1):
        model.step()
    assert model.running
    model.step()
    assert not model.running and model.steps == DAYS
    before = {k: repr(v.tolist()) for k, v in model.outcomes().items()}  # (NaN-safe)
    model.step()  # a step after the end plays no day and changes nothing
    assert model.day == DAYS and not model.running
    assert {k: repr(v.tolist()) for k, v in model.outcomes().items()} == before


def test_datacollector_has_one_row_per_day_of_outcome_metrics() -> None:
    model = EscalationModel(JUNE, rng=4).run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == DAYS
    assert list(frame.columns) == metric_names()
    assert frame["outcome_class"].isin(OUTCOME_CLASSES).all()
    final = model.outcomes()
    last = frame.iloc[-1]
    for name in metric_names():
        value = final[name][0]
        if name in ("outcome_class", "state_conflict"):
            assert last[name] == value
        elif value == value:  # not NaN
            assert last[name] == pytest.approx(float(value))
    # counts never go down from one day to the next
    for name in ("militia_attacks_on_us", "state_strikes", "killed", "threats_triggered"):
        assert frame[name].is_monotonic_increasing, name


def test_constructor_takes_parameters_as_keywords() -> None:
    model = EscalationModel(scenario=JUNE, variant="no-iran-restraint", rng=5,
                            retaliation_weight=2.5)
    assert model.spec.variant == "no-iran-restraint"
    assert float(model.world.param("retaliation_weight")[0]) == 2.5


def test_model_scenario_names_the_episode_and_rebuilds_the_same_model() -> None:
    """Mesa 3.5 gives every model a ``scenario`` and tools such as SolaraViz rebuild a model by
    passing one back as ``scenario=``: that must run the same episode, variant and seed."""
    from sim.model.model import EpisodeScenario

    first = EscalationModel("march-2020", "taji-no-deaths", replicates=3, rng=5,
                            collect_data=False)
    assert isinstance(first.scenario, EpisodeScenario)
    assert (first.scenario.episode, first.scenario.variant, first.scenario.rng) == (
        "march-2020", "taji-no-deaths", 5)
    again = EscalationModel(scenario=first.scenario, replicates=3, collect_data=False)
    assert (again.spec.id, again.spec.variant, again.seed) == ("march-2020", "taji-no-deaths", 5)
    a, b = first.run().outcomes(), again.run().outcomes()
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)  # NaN equals NaN here


def test_a_plain_mesa_scenario_means_the_default_episode() -> None:
    from mesa.experimental.scenarios import Scenario

    model = EscalationModel(scenario=Scenario(rng=2), collect_data=False)
    assert (model.spec.id, model.seed) == ("june-2025", 2)
