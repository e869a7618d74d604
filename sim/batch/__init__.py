"""Batches: many replicates of a scenario, run in chunks, written to a results folder.

    from sim.batch import run_batch, open_results
    result = run_batch("june-2025", runs=10_000, seed=7, out="results/june")
    result.outcomes        # pandas DataFrame, one row per replicate
    open_results("results/june").daily

See ``run_batch`` for the options and sim.batch.files for the layout of a results folder.
"""

from __future__ import annotations

from sim.batch.engine import run_batch
from sim.batch.errors import BatchError, BatchInterrupted, ResultsFolderError
from sim.batch.result import BatchResult, open_results

__all__ = ["BatchError", "BatchInterrupted", "BatchResult", "ResultsFolderError",
           "open_results", "run_batch"]
