"""A finished batch: its manifest and its tables, read from the results folder on demand."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from sim.batch.errors import ResultsFolderError
from sim.batch.files import DAILY, EVENTS, MANIFEST, OUTCOMES
from sim.batch.manifest import COMPLETE, read_manifest
from sim.batch.readout import OUTCOME_CLASS


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
        missing = [name for name in (OUTCOMES, DAILY) if not (path / name).is_file()]
        if missing:
            raise ResultsFolderError(f"{path} has no {missing[0]}; rebuild it from the chunks "
                                     "with `escsim batch ... --resume`")
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
            self._tables[name] = pd.read_parquet(self.folder / file)
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
    def events(self) -> pd.DataFrame:
        """Every event of every replicate (only for a batch run with ``events=True``)."""
        if not self.manifest["batch"]["events"]:
            raise ResultsFolderError("this batch was run without --events; it has no event table")
        return self._table("events", EVENTS)

    def in_memory(self) -> BatchResult:
        """A copy holding every table in memory and no folder (the folder may then go)."""
        tables = {"outcomes": self.outcomes, "daily": self.daily}
        if self.manifest["batch"]["events"]:
            tables["events"] = self.events
        return BatchResult(self.manifest, None, tables)

    # --- a summary --------------------------------------------------------------------------

    def class_shares(self) -> dict[str, float]:
        """Share of replicates in each outcome class (every class listed, least severe first)."""
        if "outcomes" in self._tables or self.folder is None:
            classes = self.outcomes[OUTCOME_CLASS]
        else:  # read one column, not the whole table
            classes = pq.read_table(self.folder / OUTCOMES, columns=[OUTCOME_CLASS]) \
                .column(OUTCOME_CLASS).to_pandas()
        counts = classes.value_counts(sort=False)
        return {str(name): int(count) / self.runs for name, count in counts.items()}

    def describe(self) -> str:
        """Two lines: what ran, where it went, and the outcome class shares."""
        where = f" -> {self.folder}" if self.folder is not None else ""
        sessions = self.manifest.get("sessions") or [{}]
        seconds = sessions[-1].get("seconds")
        took = f" in {seconds:.1f} s" if seconds is not None else ""
        shares = ", ".join(f"{name} {share:.1%}" for name, share in self.class_shares().items())
        return (f"{self.runs:,} replicates of {self.scenario_id} (variant {self.variant}, "
                f"seed {self.seed}){where}{took}\noutcome classes: {shares}")


def open_results(folder: str | Path) -> BatchResult:
    """The results of the finished batch in ``folder``."""
    return BatchResult.open(folder)
