"""The compiled engine computes its uniforms itself (sim/model/kernels.py, numpy's PCG64): they
must be the very numbers sim/model/rng.py draws with numpy, row by row, day after day."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.sweep import SharedUniforms
from sim.model.compiled import load_kernels
from sim.model.rng import BLOCK, ReplicateRNG

kernels = load_kernels()
KERNEL_BLOCK = kernels.BLOCK


def drawn_by_kernel(source: ReplicateRNG | SharedUniforms, rows: int,
                    columns: list[int]) -> list[np.ndarray]:
    """Each day's (rows, columns) matrix as the kernel draws it, kernel block by block."""
    streams = kernels.Streams(source.stream_states(), *source.stream_rows())
    days, base = [], 0
    for count in columns:
        u = np.full((rows, count), np.nan)
        for r0 in range(0, rows, KERNEL_BLOCK):
            kernels.draw_block(streams, u, r0, min(r0 + KERNEL_BLOCK, rows), base, count)
        days.append(u)
        base += BLOCK * count
    source.skip(sum(columns))
    return days


@pytest.mark.parametrize("start, count", [
    (0, 2 * BLOCK),  # whole blocks of the streams
    (1000, 300),  # starting inside a stream's block, ending in the next
    (BLOCK - 3, 7),  # a few rows across a boundary
    (5, 1),  # one replicate
])
def test_the_kernel_draws_the_numbers_numpy_draws(start: int, count: int) -> None:
    columns = [77, 1, 5, 130]
    by_numpy = ReplicateRNG(11, start, count)
    by_kernel = ReplicateRNG(11, start, count)
    for day, drawn in enumerate(drawn_by_kernel(by_kernel, count, columns)):
        np.testing.assert_array_equal(drawn, by_numpy.uniforms(columns[day]), err_msg=str(day))
    # skipping leaves the generators where drawing leaves them: the next day agrees too
    np.testing.assert_array_equal(by_kernel.stream_states(), by_numpy.stream_states())
    np.testing.assert_array_equal(by_kernel.uniforms(9), by_numpy.uniforms(9))


def test_points_of_a_sweep_read_the_same_rows() -> None:
    """SharedUniforms: every point's replicates get the same numbers, as numpy tiles them."""
    by_numpy, by_kernel = SharedUniforms(3, 100, 4, start=200), SharedUniforms(3, 100, 4, 200)
    for day, drawn in enumerate(drawn_by_kernel(by_kernel, 400, [20, 33])):
        np.testing.assert_array_equal(drawn, by_numpy.uniforms([20, 33][day]))


def test_a_jump_far_ahead_lands_where_numpy_lands() -> None:
    """Days far into a long run start billions of steps into a stream."""
    source = ReplicateRNG(8, 0, BLOCK)
    streams = kernels.Streams(source.stream_states(), *source.stream_rows())
    steps = 3_000_000_007
    u = np.empty((1, 4))
    kernels.draw_block(streams, u, 0, 1, steps, 4)
    source.skip(1)  # BLOCK steps: then the rest, as numpy's own jump
    generator = source._blocks[0][1]
    generator.bit_generator.advance(steps - BLOCK)
    np.testing.assert_array_equal(u[0], generator.random(4))
