"""Results depend only on (scenario, variant, seed, replicate index)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.model import EscalationModel
from sim.model.rng import BLOCK, ReplicateRNG


def outcomes(replicates: int, start: int = 0, seed: int = 7, variant: str | None = "no-restraint"):
    model = EscalationModel("june-2025", variant, replicates=replicates, rng=seed,
                            replicate_start=start, collect_data=False, log_events=False)
    return model.run().outcomes()


def assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_rng_rows_do_not_depend_on_the_layout():
    whole = ReplicateRNG(3, 0, 3 * BLOCK).uniforms(5)
    parts = [ReplicateRNG(3, start, count).uniforms(5)
             for start, count in ((0, 100), (100, BLOCK), (100 + BLOCK, 2 * BLOCK - 100))]
    np.testing.assert_array_equal(whole, np.concatenate(parts))
    alone = ReplicateRNG(3, 517, 1).uniforms(5)
    np.testing.assert_array_equal(alone[0], whole[517])


def test_same_seed_same_results_and_other_seed_differs():
    assert_same(outcomes(300), outcomes(300))
    other = outcomes(300, seed=8)
    assert any(not np.array_equal(other[k], outcomes(300)[k]) for k in other if k != "outcome_class")


@pytest.mark.parametrize("split", [1, 137, 256, 300])
def test_split_runs_equal_one_run(split):
    whole = outcomes(600)
    first, second = outcomes(split), outcomes(600 - split, start=split)
    joined = {k: np.concatenate([first[k], second[k]]) for k in whole}
    assert_same(whole, joined)


def test_any_replicate_reruns_alone():
    whole = outcomes(600)
    for i in (0, 255, 256, 599):
        alone = outcomes(1, start=i)
        assert_same({k: v[i:i + 1] for k, v in whole.items()}, alone)


def test_event_log_of_a_replicate_is_the_same_alone_and_in_a_crowd():
    crowd = EscalationModel("june-2025", "no-restraint", replicates=50, rng=4,
                            collect_data=False, log_events=True).run()
    alone = EscalationModel("june-2025", "no-restraint", replicates=1, rng=4, replicate_start=17,
                            collect_data=False, log_events=True).run()
    assert crowd.timeline(17) == alone.timeline(17)
    assert len(alone.timeline(17)) > 0
