"""Merging the chunks' files into the batch's tables, one chunk in memory at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.batch.atomic import write_atomic
from sim.batch.daily import daily_table, merge_histograms
from sim.batch.files import CHUNKS, DAILY, EVENTS, OUTCOMES, ChunkFiles, write_parquet
from sim.batch.plan import Chunk


def _concatenate_parquet(sources: Sequence[Path], destination: Path) -> None:
    """Stream Parquet files with one schema into one file (a row group per source), atomically."""
    def write(temp: Path) -> None:
        writer: pq.ParquetWriter | None = None
        try:
            for source in sources:
                table = pq.read_table(source)
                if writer is None:
                    writer = pq.ParquetWriter(temp, table.schema, compression="zstd")
                writer.write_table(table)
                del table
                # hand freed buffers back to the OS, so that the main process of a batch of a
                # million replicates does not keep every chunk's pages it has read
                pa.default_memory_pool().release_unused()
        finally:
            if writer is not None:
                writer.close()

    write_atomic(destination, write)


def merge_outcomes(folder: Path, chunks: Sequence[Chunk]) -> None:
    """outcomes.parquet: every chunk's rows, in replicate order."""
    ordered = sorted(chunks, key=lambda c: c.start)
    _concatenate_parquet([ChunkFiles(folder / CHUNKS, c).outcomes for c in ordered],
                         folder / OUTCOMES)


def merge_events(folder: Path, chunks: Sequence[Chunk]) -> None:
    """events.parquet: every chunk's events, in replicate order."""
    ordered = sorted(chunks, key=lambda c: c.start)
    _concatenate_parquet([ChunkFiles(folder / CHUNKS, c).events for c in ordered],
                         folder / EVENTS)


def merge_daily(folder: Path, chunks: Sequence[Chunk], scenario: dict[str, Any],
                runs: int) -> None:
    """daily.parquet: the index histograms and attack counts of all chunks, added up."""
    histograms, attacks = [], None
    for chunk in chunks:
        histogram, chunk_attacks = ChunkFiles(folder / CHUNKS, chunk).read_daily()
        histograms.append(histogram)
        attacks = chunk_attacks.astype(np.int64) if attacks is None else attacks + chunk_attacks
    assert attacks is not None, "a batch has at least one chunk"
    table = daily_table(dt.date.fromisoformat(scenario["start"]), scenario["days"], runs,
                        merge_histograms(histograms), attacks,
                        [a["id"] for a in scenario["actors"]], scenario["target_kinds"])
    write_parquet(folder / DAILY, pa.Table.from_pandas(table, preserve_index=False))


def merge_all(folder: Path, chunks: Sequence[Chunk], scenario: dict[str, Any], runs: int,
              events: bool) -> None:
    """Write every merged table of a batch whose chunks are all done."""
    merge_outcomes(folder, chunks)
    merge_daily(folder, chunks, scenario, runs)
    if events:
        merge_events(folder, chunks)


def merged_tables_ok(folder: Path, runs: int, events: bool) -> bool:
    """Whether the merged tables exist and hold every replicate (a cheap footer check)."""
    try:
        if pq.read_metadata(folder / OUTCOMES).num_rows != runs:
            return False
        pq.read_metadata(folder / DAILY)
        if events:
            pq.read_metadata(folder / EVENTS)
    except (OSError, pa.ArrowException):
        return False
    return True
