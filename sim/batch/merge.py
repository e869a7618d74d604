"""Merging the chunks' files into the batch's tables, one chunk in memory at a time.

Each table is written atomically; the manifest records their checksums only after all are
written, so a batch killed during the merge is merged again on resume."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.batch.atomic import write_atomic
from sim.batch.checksums import mismatched, sha256_file
from sim.batch.daily import daily_table, merge_histograms
from sim.batch.files import CHUNKS, DAILY, EVENTS, OUTCOMES, THREATS, ChunkFiles, write_parquet
from sim.batch.plan import Chunk
from sim.batch.readout import THREAT_FATES


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


def merge_threats(folder: Path, chunks: Sequence[Chunk], scenario: dict[str, Any],
                  runs: int) -> None:
    """threats.parquet: per threat, in how many replicates it was made, triggered, honoured,
    lapsed or left open (the chunks' counts added up)."""
    fates = None
    for chunk in chunks:
        counts = ChunkFiles(folder / CHUNKS, chunk).read_threat_fates().astype(np.int64)
        fates = counts if fates is None else fates + counts
    threats = scenario.get("threats", [])
    fates = np.zeros((len(threats), len(THREAT_FATES)), np.int64) if fates is None else fates
    columns: dict[str, Any] = {
        "threat": [t["id"] for t in threats], "by": [t["by"] for t in threats],
        "made_on": [t["made"] for t in threats], "response": [t["response"] for t in threats],
        "target": [t["target"] for t in threats], "replicates": [runs] * len(threats)}
    for i, fate in enumerate(THREAT_FATES):
        columns[fate] = fates[:, i] if len(threats) else np.zeros(0, np.int64)
    write_parquet(folder / THREATS, pa.table(columns))


def table_paths(folder: Path, events: bool) -> dict[str, Path]:
    """The merged tables of a batch, by name."""
    out = {"outcomes": folder / OUTCOMES, "daily": folder / DAILY, "threats": folder / THREATS}
    if events:
        out["events"] = folder / EVENTS
    return out


def merge_all(folder: Path, chunks: Sequence[Chunk], scenario: dict[str, Any], runs: int,
              events: bool) -> dict[str, str]:
    """Write every merged table of a batch whose chunks are all done; returns their SHA-256."""
    merge_outcomes(folder, chunks)
    merge_daily(folder, chunks, scenario, runs)
    merge_threats(folder, chunks, scenario, runs)
    if events:
        merge_events(folder, chunks)
    return {name: sha256_file(path) for name, path in table_paths(folder, events).items()}


def merged_tables_ok(folder: Path, runs: int, events: bool,
                     recorded: dict[str, str] | None) -> bool:
    """Whether the merged tables exist whole: their checksums match the manifest's, or (none
    recorded yet) their footers read and hold every replicate."""
    paths = table_paths(folder, events)
    if recorded:
        return set(recorded) == set(paths) and mismatched(paths, recorded) is None
    try:
        if pq.read_metadata(folder / OUTCOMES).num_rows != runs:
            return False
        for path in paths.values():
            pq.read_metadata(path)
    except (OSError, pa.ArrowException):
        return False
    return True
