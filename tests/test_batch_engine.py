"""The ensemble engine: results depend on (scenario, variant, seed, replicate) only.

Every layout (one chunk or many, one worker process or two, a results folder or memory) must give
the same outcome, daily and event tables, exactly; any replicate must replay alone, with its full
timeline; the daily quantiles must be the exact quantiles of the replicates' escalation index.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from sim.batch import BatchResult, run_batch
from sim.batch.daily import QUANTILE_PERCENTS, attacks_column, quantile_column
from sim.model.model import run_replicates
from sim.model.outcomes import OUTCOME_CLASSES, metric_names
from sim.runs import run_one
from sim.scenario.loader import content_hash, load_scenario

SCENARIO, VARIANT, SEED = "march-2020", "taji-no-deaths", 7  # militias and the US both act
RUNS = 1200


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> BatchResult:
    """The whole batch as one chunk in this process: the layout the others must reproduce."""
    out = tmp_path_factory.mktemp("batch") / "reference"
    return run_batch(SCENARIO, VARIANT, runs=RUNS, seed=SEED, out=out, workers=1,
                     chunk_size=RUNS, events=True, progress=False)


def test_reference_is_not_trivial(reference: BatchResult) -> None:
    """Equality below means something only if replicates differ from one another."""
    outcomes = reference.outcomes
    standard = ["replicate", *metric_names()]
    assert list(outcomes.columns[:len(standard)]) == standard
    dated = [m for m in load_scenario(SCENARIO, VARIANT).history.metrics if m.start or m.end]
    assert len(outcomes.columns) == len(standard) + len(dated)  # the record's dated counts
    assert outcomes["replicate"].tolist() == list(range(RUNS))
    assert outcomes["outcome_class"].nunique() >= 3
    assert outcomes["militia_attacks_on_us"].nunique() >= 5
    assert list(outcomes["outcome_class"].cat.categories) == list(OUTCOME_CLASSES)


@pytest.mark.parametrize("workers, chunk_size, to_folder", [
    (1, 300, True),   # 4 chunks, one process
    (2, 256, True),   # chunks aligned with the random-number blocks, two worker processes
    (2, 500, True),   # chunks straddling blocks, two worker processes
    (1, 700, False),  # in memory, no results folder
])
def test_tables_do_not_depend_on_layout(reference: BatchResult, tmp_path, workers: int,
                                        chunk_size: int, to_folder: bool) -> None:
    other = run_batch(SCENARIO, VARIANT, runs=RUNS, seed=SEED,
                      out=tmp_path / "other" if to_folder else None, workers=workers,
                      chunk_size=chunk_size, events=True, progress=False)
    assert len(other.manifest["chunks"]) == math.ceil(RUNS / chunk_size)
    assert other.manifest["sessions"][-1]["workers"] == workers
    assert (other.folder is not None) == to_folder
    assert_frame_equal(other.outcomes, reference.outcomes)
    assert_frame_equal(other.daily, reference.daily)
    assert_frame_equal(other.events, reference.events)


def test_another_seed_gives_other_outcomes(reference: BatchResult) -> None:
    other = run_batch(SCENARIO, VARIANT, runs=300, seed=SEED + 1, workers=1, progress=False)
    mine = reference.outcomes.iloc[:300].reset_index(drop=True)
    assert not other.outcomes.drop(columns="replicate").equals(mine.drop(columns="replicate"))


def _replicates_to_replay(outcomes: pd.DataFrame) -> list[int]:
    """Replicates that say something: one of each class reached, block edges, the last one."""
    firsts = outcomes.groupby("outcome_class", observed=True)["replicate"].first().tolist()
    return sorted({*firsts, 255, 256, RUNS - 1})


def _same(value: object, expected: object) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return value is None or (isinstance(value, float) and math.isnan(value))
    return value == expected


EVENT_FIELDS = ("day", "kind", "actor", "action", "target", "place", "claim", "scripted",
                "result", "killed", "injured", "source")


def test_each_replicate_replays_alone_with_its_timeline(reference: BatchResult) -> None:
    outcomes, events = reference.outcomes, reference.events
    for i in _replicates_to_replay(outcomes):
        replay = run_one(SCENARIO, VARIANT, SEED, i)
        row = outcomes.iloc[i]
        assert row["replicate"] == i
        for name in metric_names():
            expected = row[name]
            expected = None if isinstance(expected, float) and math.isnan(expected) \
                else (expected.item() if hasattr(expected, "item") else str(expected))
            assert _same(replay.outcome[name], expected), (i, name, replay.outcome[name], expected)
        logged = events[events["replicate"] == i]
        records = logged[list(EVENT_FIELDS)].astype(object).itertuples(index=False)
        batch_timeline = [tuple(None if pd.isna(v) else v for v in rec) for rec in records]
        replay_timeline = [tuple(e[f] for f in EVENT_FIELDS) for e in replay.events]
        assert batch_timeline == replay_timeline, i


def test_daily_aggregates_are_exact(reference: BatchResult) -> None:
    """Quantiles are order statistics of the replicates' index (type 1: the smallest value whose
    cumulative share reaches q), computed here independently from a direct model run."""
    model = run_replicates(load_scenario(SCENARIO, VARIANT), None, SEED, RUNS, None,
                           log_events=False)
    index = np.sort(model.daily_index, axis=0)
    daily = reference.daily
    assert len(daily) == index.shape[1]
    for percent in QUANTILE_PERCENTS:
        rank = -(-RUNS * percent // 100)  # ceil(n q) in integers
        np.testing.assert_allclose(daily[quantile_column(percent)], index[rank - 1], atol=1e-9)
    np.testing.assert_allclose(daily["index_mean"], index.mean(axis=0), atol=1e-9)
    np.testing.assert_allclose(daily["index_max"], index[-1], atol=1e-9)
    assert daily[quantile_column(95)].max() > daily[quantile_column(5)].max()  # the fan is open
    kinds = [k.value for k in model.tally.target_kinds]
    for a, actor in enumerate(model.world.ids):
        for k, kind in enumerate(kinds):
            expected = model.tally.daily_attacks[:, a, k]
            np.testing.assert_array_equal(daily[attacks_column(actor, kind)], expected)
            np.testing.assert_allclose(daily[attacks_column(actor, kind, per_replicate=True)],
                                       expected / RUNS)
    assert sum(daily[attacks_column(a, "united_states")].sum() for a in model.world.ids) > 0


def test_manifest_records_the_batch(reference: BatchResult) -> None:
    manifest = reference.manifest
    batch = manifest["batch"]
    assert batch["scenario"] == SCENARIO and batch["variant"] == VARIANT
    assert batch["seed"] == SEED and batch["runs"] == RUNS and batch["overrides"] == {}
    assert batch["scenario_hash"] == content_hash(load_scenario(SCENARIO, VARIANT))
    assert manifest["status"] == "complete" and manifest["finished"]
    assert manifest["chunk_size"] == RUNS
    assert all(c["status"] == "done" for c in manifest["chunks"])
    assert {"escsim", "mesa", "numpy", "pandas", "pyarrow", "python"} <= set(manifest["versions"])
    assert manifest["command"].startswith(f"sim.batch.run_batch('{SCENARIO}'")
    assert [i["id"] for i in manifest["scenario"]["injects"]] == \
        [i.id for i in load_scenario(SCENARIO, VARIANT).injects]
    assert set(manifest["metrics"]) == {"replicate", *metric_names()}


def test_overrides_reach_every_replicate_and_the_manifest() -> None:
    overrides = {"retaliation_weight": 0.0, "stake_weight": 0.5}
    result = run_batch(SCENARIO, VARIANT, runs=300, seed=SEED, workers=1, chunk_size=150,
                       overrides=overrides, progress=False)
    assert result.manifest["batch"]["overrides"] == overrides
    row = result.outcomes.iloc[200]
    replay = run_one(SCENARIO, VARIANT, SEED, 200, overrides)
    assert replay.outcome["militia_attacks_on_us"] == row["militia_attacks_on_us"]
    assert replay.outcome["outcome_class"] == row["outcome_class"]
