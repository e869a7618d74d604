"""Chunk plans and per-day aggregates: properties that hold for any batch size and any split."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.batch.daily import (INDEX_RESOLUTION, QUANTILE_PERCENTS, index_histogram,
                             index_statistics, merge_histograms, quantile_column)
from sim.batch.errors import BatchError
from sim.batch.plan import MAX_DEFAULT_CHUNK, default_chunk_size, make_spec, plan_chunks
from sim.model.rng import BLOCK


@given(runs=st.integers(1, 10_000_000), workers=st.integers(1, 64))
def test_default_chunks_are_whole_blocks_and_bounded(runs: int, workers: int) -> None:
    size = default_chunk_size(runs, workers)
    assert size % BLOCK == 0
    assert BLOCK <= size <= MAX_DEFAULT_CHUNK
    assert size < runs + BLOCK  # never more than one partial block beyond the batch


@given(runs=st.integers(1, 100_000), size=st.integers(1, 20_000))
def test_a_plan_covers_every_replicate_once_in_order(runs: int, size: int) -> None:
    chunks = plan_chunks(runs, size)
    assert chunks[0].start == 0 and chunks[-1].stop == runs
    assert all(a.stop == b.start for a, b in pairwise(chunks))
    assert all(0 < c.count <= size for c in chunks)
    assert [c.index for c in chunks] == list(range(len(chunks)))


def _grid_values(draw_seed: int, replicates: int, days: int) -> np.ndarray:
    """An index like the model's: sums of a few Goldstein/10 values, on the 0.01 grid."""
    rng = np.random.default_rng(draw_seed)
    goldstein = np.array([0.0, 1.0, 2.0, 4.4, 7.0, 8.3, 9.5, 10.0]) / 10
    picks = rng.integers(0, len(goldstein), size=(replicates, days, 3))
    return goldstein[picks].sum(axis=2)  # float sums: 0.1 + 0.2 and the like, off by 1e-17


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), replicates=st.integers(1, 400),
       cuts=st.lists(st.integers(1, 399), max_size=6))
def test_merged_histograms_give_the_quantiles_of_the_whole(seed: int, replicates: int,
                                                           cuts: list[int]) -> None:
    index = _grid_values(seed, replicates, days=4)
    bounds = sorted({0, replicates, *(c for c in cuts if c < replicates)})
    parts = [index_histogram(index[a:b]) for a, b in pairwise(bounds)]
    merged = merge_histograms(parts)
    whole = index_histogram(index)
    np.testing.assert_array_equal(merged.keys, whole.keys)
    np.testing.assert_array_equal(merged.counts, whole.counts)
    stats = index_statistics(merged, 4, replicates)
    ordered = np.sort(index, axis=0)
    for percent in QUANTILE_PERCENTS:  # type 1: the ceil(n q)-th smallest value
        rank = -(-replicates * percent // 100)
        np.testing.assert_allclose(stats[quantile_column(percent)], ordered[rank - 1],
                                   atol=INDEX_RESOLUTION / 2)
    np.testing.assert_allclose(stats["index_mean"], index.mean(axis=0), atol=1e-9)


@pytest.mark.parametrize("field, value, words", [
    ("runs", 0, "--runs"), ("runs", 2.5, "--runs"), ("runs", True, "--runs"),
    ("seed", -1, "--seed"),
])
def test_bad_numbers_are_user_errors(field: str, value: object, words: str) -> None:
    arguments = {"runs": 10, "seed": 0, field: value}
    with pytest.raises(BatchError, match=words):
        make_spec("june-2025", None, arguments["runs"], arguments["seed"])


def test_overrides_must_be_single_finite_numbers() -> None:
    with pytest.raises(BatchError, match="retaliation_weight"):
        make_spec("june-2025", None, 10, 0, {"retaliation_weight": float("nan")})
    with pytest.raises(BatchError, match="stake_weight"):
        make_spec("june-2025", None, 10, 0, {"stake_weight": [1.0, 2.0]})
