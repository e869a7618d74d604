"""A finished batch: its manifest and its tables, read from the results folder on demand.

Opening a folder checks every file against the checksums in its manifest, so that a table or
chunk truncated or altered by hand is refused, by name, instead of being read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.batch.checksums import mismatched
from sim.batch.errors import ResultsFolderError
from sim.batch.files import CHUNKS, DAILY, EVENTS, MANIFEST, OUTCOMES, THREATS, ChunkFiles
from sim.batch.manifest import COMPLETE, chunks_of, read_manifest
from sim.batch.merge import table_paths
from sim.batch.readout import OUTCOME_CLASS
from sim.text import count_share


@dataclass
class BatchResult:
    """The results of a batch.

    ``outcomes`` (one row per replicate), ``daily`` (one row per day) and ``events`` (with
    ``events=True``) are pandas DataFrames, read from the results folder the first time they are
    used; ``manifest`` says what the batch was and how it was made. A batch run without a folder
    (``out=None``) keeps its tables in memory and has ``folder`` None.
    """

    manifest: dict[str, Any]
    folder: Path | None = None
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, folder: str | Path) -> BatchResult:
        """The results in a finished batch's folder (ResultsFolderError if it is not one)."""
        path = Path(folder)
        if not path.is_dir():
            raise ResultsFolderError(f"no results folder at {path}")
        manifest = read_manifest(path)
        if manifest is None:
            raise ResultsFolderError(f"{path} is not an escsim results folder (no {MANIFEST})")
        if manifest.get("status") != COMPLETE:
            raise ResultsFolderError(f"{path} holds an unfinished batch; finish it with "
                                     "`escsim batch ... --resume` (the command that started it)")
        missing = [name for name in (OUTCOMES, DAILY, THREATS) if not (path / name).is_file()]
        if missing:
            raise ResultsFolderError(f"{path} has no {missing[0]}; rebuild it from the chunks "
                                     "with `escsim batch ... --resume`")
        damaged = damaged_file(path, manifest)
        if damaged is not None:
            raise ResultsFolderError(f"{path}: {damaged} is damaged (it does not match the "
                                     "checksum in the manifest); run the batch's command again "
                                     "with --resume to redo it")
        return cls(manifest, path)

    # --- what the batch was -----------------------------------------------------------------

    @property
    def scenario_id(self) -> str:
        return str(self.manifest["batch"]["scenario"])

    @property
    def variant(self) -> str:
        return str(self.manifest["batch"]["variant"])

    @property
    def seed(self) -> int:
        return int(self.manifest["batch"]["seed"])

    @property
    def runs(self) -> int:
        return int(self.manifest["batch"]["runs"])

    @property
    def scenario(self) -> dict[str, Any]:
        """The scenario's title, dates, actors, injects and threats, as recorded."""
        return dict(self.manifest["scenario"])

    # --- tables -----------------------------------------------------------------------------

    def _table(self, name: str, file: str) -> pd.DataFrame:
        if name not in self._tables:
            if self.folder is None:
                raise ResultsFolderError(f"this batch kept no {name} table")
            try:
                self._tables[name] = pd.read_parquet(self.folder / file)
            except (OSError, ValueError, pa.ArrowException) as exc:
                raise ResultsFolderError(f"{self.folder / file} cannot be read: "
                                         f"{str(exc).splitlines()[0]}") from None
        return self._tables[name]

    @property
    def outcomes(self) -> pd.DataFrame:
        """One row per replicate: ``replicate``, every outcome metric, ``outcome_class``."""
        return self._table("outcomes", OUTCOMES)

    @property
    def daily(self) -> pd.DataFrame:
        """One row per day: escalation index mean and quantiles, attacks by actor and target."""
        return self._table("daily", DAILY)

    @property
    def threats(self) -> pd.DataFrame:
        """One row per threat of the scenario: in how many replicates it was made, triggered,
        honoured, lapsed, or still open at the end."""
        return self._table("threats", THREATS)

    @property
    def events(self) -> pd.DataFrame:
        """Every event of every replicate (only for a batch run with ``events=True``)."""
        if not self.manifest["batch"]["events"]:
            raise ResultsFolderError("this batch was run without --events; it has no event table")
        return self._table("events", EVENTS)

    def in_memory(self) -> BatchResult:
        """A copy holding every table in memory and no folder (the folder may then go)."""
        tables = {"outcomes": self.outcomes, "daily": self.daily, "threats": self.threats}
        if self.manifest["batch"]["events"]:
            tables["events"] = self.events
        return BatchResult(self.manifest, None, tables)

    # --- a summary --------------------------------------------------------------------------

    def class_counts(self) -> dict[str, int]:
        """Replicates in each outcome class (every class listed, least severe first)."""
        if "outcomes" in self._tables or self.folder is None:
            classes = self.outcomes[OUTCOME_CLASS]
        else:  # read one column, not the whole table
            classes = pq.read_table(self.folder / OUTCOMES, columns=[OUTCOME_CLASS]) \
                .column(OUTCOME_CLASS).to_pandas()
        return {str(name): int(count) for name, count in classes.value_counts(sort=False).items()}

    def class_shares(self) -> dict[str, float]:
        """Share of replicates in each outcome class (every class listed, least severe first)."""
        return {name: count / self.runs for name, count in self.class_counts().items()}

    def describe(self) -> str:
        """What ran, where it went, and the replicates in each outcome class (with shares
        precise enough that a rare class never reads 0%); and any damaged files redone."""
        where = f" -> {self.folder}" if self.folder is not None else ""
        sessions = self.manifest.get("sessions") or [{}]
        seconds = sessions[-1].get("seconds")
        took = f" in {seconds:.1f} s" if seconds is not None else ""
        counts = ", ".join(f"{name} {count_share(count, self.runs)}"
                           for name, count in self.class_counts().items())
        lines = [f"{self.runs:,} replicates of {self.scenario_id} (variant {self.variant}, "
                 f"seed {self.seed}){where}{took}", f"outcome classes: {counts}"]
        redone = sessions[-1].get("damaged_files_redone")
        if redone:
            lines.append(f"redone because damaged: {', '.join(redone)}")
        return "\n".join(lines)


def damaged_file(folder: Path, manifest: dict[str, Any]) -> str | None:
    """The first file of a finished folder that does not match its recorded checksum (merged
    tables first, then each chunk's files), as a path inside the folder; None if all match."""
    events = bool(manifest["batch"].get("events"))
    recorded = manifest.get("tables_sha256")
    paths = table_paths(folder, events)
    if not isinstance(recorded, dict) or set(recorded) != set(paths):
        return "the manifest's table checksums"
    bad = mismatched(paths, recorded)
    if bad is not None:
        return paths[bad].name
    for chunk in chunks_of(manifest):
        files = ChunkFiles(folder / CHUNKS, chunk).paths(events)
        digests = manifest["chunks"][chunk.index].get("sha256")
        if not isinstance(digests, dict) or set(digests) != set(files):
            return f"{CHUNKS}/{chunk.name} (no checksums recorded)"
        bad = mismatched(files, digests)
        if bad is not None:
            return f"{CHUNKS}/{files[bad].name}"
    return None


def open_results(folder: str | Path) -> BatchResult:
    """The results of the finished batch in ``folder``."""
    return BatchResult.open(folder)
