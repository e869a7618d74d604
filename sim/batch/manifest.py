"""The manifest: what a results folder holds, how it was made, and how far the batch got.

It records the batch's identity (scenario id and content hash, variant, seed, runs, parameter
overrides, whether events were kept, a fingerprint of the model's code), the chunk layout with
each chunk's status, package versions, every session that worked on the folder (command line,
start and finish times, workers), and the scenario's dates, actors, injects and threats, so
that analysis and figures can be made from the folder alone.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from sim.batch.atomic import write_text_atomic
from sim.batch.daily import INDEX_RESOLUTION, QUANTILE_PERCENTS
from sim.batch.errors import ResultsFolderError
from sim.batch.files import DAILY, EVENTS, MANIFEST, OUTCOMES, THREATS
from sim.reading import FileRefused, read_text
from sim.batch.plan import BatchSpec, Chunk

FORMAT = "escsim-batch/2"  # 2: SHA-256 of every file, threats.parquet
# A manifest lists every chunk (about 400 bytes each, sim.batch.plan.MAX_CHUNKS at most), so it
# may be larger than the input files of sim.reading's limit.
MANIFEST_LIMIT = 64 * 2**20
RUNNING, COMPLETE = "running", "complete"
PENDING, DONE = "pending", "done"
VERSIONED_PACKAGES = ("escsim", "mesa", "numpy", "pandas", "pyarrow")


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def package_versions() -> dict[str, str]:
    """Versions of the packages that shape results, and of Python."""
    versions = {}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    versions["python"] = platform.python_version()
    versions["platform"] = platform.platform()
    return versions


def new_manifest(spec: BatchSpec, chunk_size: int, chunks: list[Chunk],
                 scenario: dict[str, Any], metrics: dict[str, str]) -> dict[str, Any]:
    """The manifest of a batch about to start: every chunk pending."""
    return {
        "format": FORMAT,
        "status": RUNNING,
        "batch": spec.identity(),
        "scenario_source": spec.source,
        "scenario": scenario,
        "chunk_size": chunk_size,
        "chunks": [{"index": c.index, "start": c.start, "count": c.count, "status": PENDING,
                    "seconds": None, "cpu_seconds": None, "sha256": None} for c in chunks],
        "tables": {"outcomes": OUTCOMES, "daily": DAILY, "threats": THREATS,
                   "events": EVENTS if spec.events else None},
        "tables_sha256": None,
        "metrics": metrics,
        "daily_index": {
            "definition": "per replicate and day: the sum of -Goldstein/10 over hostile actions",
            "resolution": INDEX_RESOLUTION,
            "quantiles_percent": list(QUANTILE_PERCENTS),
            "quantile_rule": "smallest value whose cumulative share of replicates reaches q",
        },
        "versions": package_versions(),
        "created": now(),
        "finished": None,
        "command": None,
        "sessions": [],
    }


def chunks_of(manifest: dict[str, Any]) -> list[Chunk]:
    """The chunk layout recorded in a manifest."""
    return [Chunk(c["index"], c["start"], c["count"]) for c in manifest["chunks"]]


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest, or None if it has none."""
    path = folder / MANIFEST
    if not path.exists() and not path.is_symlink():
        return None
    try:
        manifest = json.loads(read_text(path, MANIFEST_LIMIT))
    except (OSError, FileRefused, ValueError, RecursionError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ResultsFolderError(f"{path} cannot be read as a manifest: {reason}") from None
    if isinstance(manifest, dict) and isinstance(manifest.get("format"), str) \
            and manifest["format"].startswith("escsim-batch/") and manifest["format"] != FORMAT:
        raise ResultsFolderError(f"{path} was written by another version of escsim "
                                 f"({manifest['format']}, not {FORMAT}); run the batch again "
                                 "into a new folder")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
            or not _well_formed(manifest):
        raise ResultsFolderError(f"{path} is not an escsim batch manifest ({FORMAT})")
    return manifest


def _well_formed(manifest: dict[str, Any]) -> bool:
    """The parts of a manifest the batch engine relies on are there, with the right types."""
    chunks = manifest.get("chunks")
    return (isinstance(manifest.get("batch"), dict) and isinstance(chunks, list)
            and all(isinstance(c, dict) and all(isinstance(c.get(k), int) and
                                                not isinstance(c.get(k), bool)
                                                for k in ("index", "start", "count"))
                    for c in chunks)
            and [c["index"] for c in chunks] == list(range(len(chunks)))
            and isinstance(manifest.get("chunk_size"), int)
            and isinstance(manifest.get("scenario"), dict)
            and isinstance(manifest.get("sessions"), list))


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically (readable JSON, keys in a stable order)."""
    write_text_atomic(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def _described(key: str, value: Any) -> str:
    if key == "scenario":
        return f"scenario {value}"
    if key == "variant":
        return f"variant {value}"
    if key == "seed":
        return f"seed {value}"
    if key == "runs":
        return f"{value} runs"
    if key == "overrides":
        listed = ", ".join(f"{k}={v:g}" for k, v in value.items())
        return f"parameter overrides {listed or 'none'}"
    if key == "events":
        return "--events" if value else "no --events"
    return str(value)


def identity_difference(stored: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """How a folder's batch differs from the one asked for, in a user's words (None if same)."""
    for key in ("scenario", "variant", "seed", "runs", "overrides", "events"):
        if stored.get(key) != wanted[key]:
            return (f"it holds {_described(key, stored.get(key))}, "
                    f"not {_described(key, wanted[key])}")
    if stored.get("scenario_hash") != wanted["scenario_hash"]:
        return f"its scenario {wanted['scenario']} had different content (the file has changed)"
    if stored.get("model_fingerprint") != wanted["model_fingerprint"]:
        return "it was made by a different version of the model"
    return None


def start_session(manifest: dict[str, Any], command: str, executor: dict[str, Any],
                  damaged: list[str] | None = None) -> dict[str, Any]:
    """Record that a run (first or resumed) is working on the folder; returns its entry.

    ``executor`` describes where the chunks run (``{"kind": ..., "workers": n, ...}``);
    ``damaged`` names the files found damaged (checksum mismatch) and therefore redone.
    """
    session = {"command": command, "started": now(), "finished": None,
               "workers": executor["workers"], "executor": executor, "chunks_run": 0,
               "seconds": None, "peak_rss_mb": None,
               "damaged_files_redone": list(damaged or [])}
    manifest["sessions"].append(session)
    manifest["command"] = command
    return session


def mark_chunk_done(manifest: dict[str, Any], index: int, seconds: float | None,
                    sha256: dict[str, str], cpu_seconds: float | None = None) -> None:
    """A chunk is done, its files with these checksums; ``seconds`` (wall) and ``cpu_seconds``
    are those of the worker that ran it, None when a resumed batch found it done on disk."""
    entry = manifest["chunks"][index]
    entry["status"] = DONE
    entry["seconds"] = None if seconds is None else round(seconds, 3)
    entry["cpu_seconds"] = None if cpu_seconds is None else round(cpu_seconds, 3)
    entry["sha256"] = dict(sha256)


def mark_chunk_pending(manifest: dict[str, Any], index: int) -> None:
    entry = manifest["chunks"][index]
    entry["status"], entry["seconds"], entry["cpu_seconds"], entry["sha256"] = \
        PENDING, None, None, None
