"""Random numbers that depend only on (seed, replicate index), whatever the batch layout.

Replicates are grouped in fixed blocks of ``BLOCK`` consecutive indices. Block ``b`` draws from
its own generator, seeded by ``SeedSequence(seed, spawn_key=(b,))`` (the b-th child of
``SeedSequence(seed).spawn``). Every day the model asks for one matrix of uniforms with a fixed
number of columns; each block always draws a full ``BLOCK`` rows, and the rows of replicates the
run does not hold are dropped. So replicate i sees the same numbers whether it runs alone, in a
chunk of 1,000 or in a batch of a million, on any worker: a batch is reproducible row by row and
any replicate can be re-run alone with its full event log.

Only uniforms are drawn; every other distribution is derived from them by inversion, so the
number of values consumed never depends on the state of other replicates.

The compiled engine (sim/model/kernels.py) computes the same numbers itself, block of replicates
by block, from each generator's state (``stream_states``, ``stream_rows``), and then moves the
generators on as drawing would have (``skip``).
"""

from __future__ import annotations

import numpy as np

BLOCK = 256
_LOW_BITS = 2**64 - 1


class ReplicateRNG:
    """Uniform draws for replicates ``start .. start + count - 1`` of a seeded ensemble."""

    def __init__(self, seed: int, start: int = 0, count: int = 1):
        if start < 0 or count < 1:
            raise ValueError("replicate start must be >= 0 and count >= 1")
        self.seed = int(seed)
        self.start = start
        self.count = count
        first, last = start // BLOCK, (start + count - 1) // BLOCK
        self._blocks = [
            (b, np.random.Generator(np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=(b,)))))
            for b in range(first, last + 1)
        ]

    def uniforms(self, columns: int, out: np.ndarray | None = None) -> np.ndarray:
        """A (count, columns) matrix of U(0, 1) draws (into ``out`` if given, a C-contiguous
        float64 array of that shape); advances every block by a full block."""
        if out is None:
            out = np.empty((self.count, columns))
        elif out.shape != (self.count, columns) or not out.flags.c_contiguous:
            raise ValueError(f"out must be a C-contiguous ({self.count}, {columns}) array")
        for b, gen in self._blocks:
            lo = max(self.start - b * BLOCK, 0)
            hi = min(self.start + self.count - b * BLOCK, BLOCK)
            rows = out[b * BLOCK + lo - self.start:b * BLOCK + hi - self.start]
            if hi - lo == BLOCK:  # a whole block: drawn straight into place
                gen.random(out=rows)
            else:
                rows[:] = gen.random((BLOCK, columns))[lo:hi]
        return out

    # --- for code that computes the same numbers itself (sim/model/kernels.py) --------------

    def stream_states(self) -> np.ndarray:
        """Each block's PCG64 state as a (blocks, 4) uint64 table: the state's high and low
        64 bits, then the increment's."""
        table = np.empty((len(self._blocks), 4), dtype=np.uint64)
        for q, (_, gen) in enumerate(self._blocks):
            held = gen.bit_generator.state["state"]
            state, inc = held["state"], held["inc"]
            table[q] = (state >> 64, state & _LOW_BITS, inc >> 64, inc & _LOW_BITS)
        return table

    def stream_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """For each replicate held, which block's stream (a row of ``stream_states``) its
        numbers come from and its row in that block's (BLOCK, columns) matrix of a day."""
        replicate = np.arange(self.start, self.start + self.count)
        return replicate // BLOCK - self._blocks[0][0], replicate % BLOCK

    def skip(self, columns: int) -> None:
        """Advance every block as ``uniforms(columns)`` would, without drawing."""
        for _, gen in self._blocks:
            gen.bit_generator.advance(BLOCK * columns)


def poisson_from_uniform(lam: np.ndarray, u: np.ndarray, max_k: int = 60) -> np.ndarray:
    """Poisson(lam) draws by inverting the CDF at u (lam is small here: a few at most)."""
    lam = np.asarray(lam, dtype=np.float64)
    pmf = np.exp(-lam)
    cdf = pmf.copy()
    k = np.zeros(np.broadcast(lam, u).shape, dtype=np.int64)
    for i in range(1, max_k + 1):
        below = u > cdf
        if not below.any():
            break
        k += below
        pmf = pmf * lam / i
        cdf = cdf + pmf
    return k
