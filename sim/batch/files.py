"""The files of a results folder, and of each chunk inside it.

    manifest.json        what the batch is, its chunks and their status, and the SHA-256
                         of every file below (sim.batch.manifest, sim.batch.checksums)
    outcomes.parquet     one row per replicate                      } merged from the chunks
    daily.parquet        one row per day                            } when every chunk is done
    threats.parquet      one row per threat: how often it was       }
                         triggered, honoured, lapsed                }
    events.parquet       one row per event (with --events)          }
    chunks/chunk-NNNNNN.outcomes.parquet, .daily.npz, .events.parquet

Each file is written atomically (sim.batch.atomic). A chunk's outcomes file is written last, so
its presence means the chunk's other files are complete; a chunk still counts as done only when
its files match the checksums the manifest recorded for them or, if the batch was killed before
it recorded them, read back with the expected replicates.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.batch.atomic import write_atomic
from sim.batch.checksums import sha256_file
from sim.batch.daily import IndexHistogram
from sim.batch.plan import Chunk
from sim.batch.readout import REPLICATE

MANIFEST = "manifest.json"
OUTCOMES = "outcomes.parquet"
DAILY = "daily.parquet"
THREATS = "threats.parquet"
EVENTS = "events.parquet"
CHUNKS = "chunks"
LOCK = ".escsim.lock"

# What reading a damaged or truncated chunk file can raise.
UNREADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, pa.ArrowException)


def write_parquet(path: Path, table: pa.Table) -> None:
    """Write an Arrow table as Parquet, atomically."""
    write_atomic(path, lambda temp: pq.write_table(table, temp, compression="zstd"))


@dataclass(frozen=True)
class ChunkFiles:
    """Where one chunk's files live."""

    folder: Path  # the results folder's chunks/ subfolder
    chunk: Chunk

    @property
    def outcomes(self) -> Path:
        return self.folder / f"{self.chunk.name}.outcomes.parquet"

    @property
    def daily(self) -> Path:
        return self.folder / f"{self.chunk.name}.daily.npz"

    @property
    def events(self) -> Path:
        return self.folder / f"{self.chunk.name}.events.parquet"

    def write(self, outcomes: pa.Table, histogram: IndexHistogram, attacks: np.ndarray,
              threat_fates: np.ndarray, events: pa.Table | None) -> None:
        """Write the chunk; the outcomes file goes last and marks the chunk done."""
        def write_daily(temp: Path) -> None:
            with open(temp, "wb") as handle:  # a file object: np.savez would add ".npz" to a name
                np.savez_compressed(handle, histogram_keys=histogram.keys,
                                    histogram_counts=histogram.counts, attacks=attacks,
                                    threat_fates=threat_fates,
                                    replicates=np.int64(self.chunk.count))

        write_atomic(self.daily, write_daily)
        if events is not None:
            write_parquet(self.events, events)
        write_parquet(self.outcomes, outcomes)

    def read_daily(self) -> tuple[IndexHistogram, np.ndarray]:
        """The chunk's index histogram and attack counts (days, actors, target kinds)."""
        with np.load(self.daily, allow_pickle=False) as data:
            return (IndexHistogram(data["histogram_keys"], data["histogram_counts"]),
                    data["attacks"])

    def read_threat_fates(self) -> np.ndarray:
        """Per threat, the replicates in which it was made, triggered, honoured, lapsed, open."""
        with np.load(self.daily, allow_pickle=False) as data:
            return data["threat_fates"]

    def paths(self, events: bool) -> dict[str, Path]:
        """The chunk's files by role (the events file only for a batch that keeps events)."""
        out = {"daily": self.daily, "outcomes": self.outcomes}
        if events:
            out["events"] = self.events
        return out

    def digests(self, events: bool) -> dict[str, str]:
        """SHA-256 of each of the chunk's files."""
        return {role: sha256_file(path) for role, path in self.paths(events).items()}

    def is_done(self, days: int, events: bool) -> bool:
        """Whether every file of the chunk exists and reads back with the expected content."""
        chunk = self.chunk
        try:
            if not self.outcomes.is_file():
                return False
            replicates = pq.read_table(self.outcomes, columns=[REPLICATE])[REPLICATE].to_numpy()
            if not np.array_equal(replicates, np.arange(chunk.start, chunk.stop)):
                return False
            histogram, attacks = self.read_daily()
            if attacks.ndim != 3 or attacks.shape[0] != days \
                    or int(histogram.counts.sum()) != chunk.count * days:
                return False
            self.read_threat_fates()
            if events:
                pq.read_metadata(self.events)
        except UNREADABLE:
            return False
        return True

    def remove(self) -> None:
        """Delete the chunk's files (a damaged chunk is redone from scratch)."""
        for path in (self.outcomes, self.daily, self.events):
            path.unlink(missing_ok=True)
