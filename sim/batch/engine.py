"""``run_batch``: an ensemble of replicates, cut in chunks, run, written and merged.

The steps, in order:
1. validate the request and load the scenario (nothing touched on disk if anything is wrong);
2. check the results folder: a new or empty folder starts a batch; a folder of this very batch
   is resumed only with ``resume``; anything else is refused, so nothing is ever overwritten;
3. lock the folder (a second writer is refused: "folder in use"), find the chunks whose files
   are already done (their checksums match the manifest's, or, if the batch was killed before
   recording them, they read back whole), run the others in-process or on worker processes,
   each chunk writing its own files;
4. merge the chunk files into the batch's tables, record their checksums and mark the
   manifest complete. A batch killed at any moment, the merge included, is finished by
   ``resume``.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sim.batch.atomic import TEMP_MARK, remove_temp_files
from sim.batch.checksums import mismatched
from sim.batch.errors import BatchError, BatchInterrupted, ResultsFolderError
from sim.batch.executors import Executor, WorkerLost, local_executor
from sim.batch.files import CHUNKS, LOCK, ChunkFiles
from sim.batch.lock import check_not_in_use, folder_lock
from sim.batch.manifest import (COMPLETE, DONE, RUNNING, chunks_of, identity_difference,
                                mark_chunk_done, mark_chunk_pending, new_manifest, now,
                                read_manifest, start_session, write_manifest)
from sim.batch.merge import merge_all, merged_tables_ok, table_paths
from sim.batch.plan import (BatchSpec, Chunk, checked_workers, chunk_size_for, make_spec,
                            plan_chunks)
from sim.batch.progress import progress_bar, wants_progress
from sim.batch.readout import metric_descriptions, probe_scenario
from sim.batch.result import BatchResult
from sim.batch.worker import (ChunkData, ChunkJob, ChunkReport, compute_chunk, peak_rss_mb,
                              run_chunk)
from sim.memory import check_fits
from sim.model.compiled import prepare_compiled_engine
from sim.scenario.schema import Scenario


def run_batch(scenario: str | Path | Scenario, variant: str | None = None, runs: int = 1000,
              seed: int = 0, out: str | Path | None = None, workers: int | None = None,
              chunk_size: int | None = None, events: bool = False, resume: bool = False,
              progress: bool | None = None, overrides: Mapping[str, float] | None = None,
              command: str | None = None, executor: Executor | None = None) -> BatchResult:
    """Run ``runs`` replicates of a scenario and return their results.

    Args:
        scenario: a shipped scenario id, a path to a scenario file, or a loaded ``Scenario``.
        variant: one of the scenario's variants, or None for the base.
        runs: number of replicates (replicate indices ``0 .. runs - 1``).
        seed: the random seed; replicate i of (scenario, variant, seed) is the same whatever
            the chunk size or the number of workers, and ``escsim run --replicate i`` replays it.
        out: the results folder to write; None keeps the tables in memory only.
        workers: local worker processes (default: one per available core; 1 runs in-process).
            On Windows workers start by ``spawn``, which re-imports the calling script: call
            ``run_batch`` from under ``if __name__ == "__main__":`` there.
        executor: run the chunks here instead of on local workers, e.g. a Dask cluster
            (``sim.batch.dask.open_dask``); ``workers`` must then be None.
        chunk_size: replicates per chunk (default: several chunks per worker, at most 8,192).
        events: also keep every event of every replicate (``events.parquet``).
        resume: finish (or re-check) a batch already started in ``out``.
        progress: draw a progress bar on stderr; None draws one if stderr is a terminal.
        overrides: parameter overrides, ``{name: value}`` as ``escsim run --set`` takes them.
        command: the command line to record in the manifest (the CLI passes its own).

    Raises:
        BatchError (a UserError) for a bad request, ResultsFolderError for a folder that cannot
        be used, ScenarioError for a bad scenario or variant, BatchInterrupted on Ctrl-C.
    """
    spec = make_spec(scenario, variant, runs, seed, overrides, events)
    if executor is not None and workers is not None:
        raise BatchError("give either local workers or an executor (a Dask cluster), not both")
    slots = executor.slots if executor is not None else checked_workers(workers)
    size = chunk_size_for(spec, chunk_size, slots)  # refused here if a chunk cannot fit
    summary = probe_scenario(spec.scenario, spec.seed, spec.override_dict)
    # a large batch compiles the fast engine here, once, before its workers start
    prepare_compiled_engine(spec.scenario, spec.runs * spec.scenario.days)
    command = command or _python_call(spec, chunk_size)
    run = _Run(spec, summary, slots, executor, chunk_size, size, wants_progress(progress),
               command)
    if out is None:
        with tempfile.TemporaryDirectory(prefix="escsim-batch-") as temp:
            return run.into(Path(temp) / "results", resume=False).in_memory()
    return run.into(Path(out), resume)


def _python_call(spec: BatchSpec, chunk_size: int | None) -> str:
    arguments = [repr(spec.source), f"variant={spec.scenario.variant!r}", f"runs={spec.runs}",
                 f"seed={spec.seed}"]
    if chunk_size is not None:
        arguments.append(f"chunk_size={chunk_size}")
    if spec.events:
        arguments.append("events=True")
    if spec.overrides:
        arguments.append(f"overrides={spec.override_dict!r}")
    return f"sim.batch.run_batch({', '.join(arguments)})"


# --- the results folder -----------------------------------------------------------------------

def check_folder(folder: Path, spec: BatchSpec, resume: bool, chunk_size: int | None,
                 locked: bool = False) -> dict[str, Any] | None:
    """The manifest of the batch to resume in ``folder``, or None for a new batch.

    Only reads: a folder that must not be used (another batch's, one in use by another
    process unless this one holds the lock, ``locked``) is refused before anything in it
    changes.
    """
    if folder.exists() and not folder.is_dir():
        raise ResultsFolderError(f"{folder} is a file, not a results folder; choose another --out")
    if not folder.exists():
        return None
    if not locked:
        check_not_in_use(folder)
    manifest = read_manifest(folder)
    if manifest is None:
        foreign = [p.name for p in folder.iterdir() if not _left_by_a_start(p)]
        if foreign:
            raise ResultsFolderError(f"{folder} already holds files that are not an escsim batch "
                                     f"(e.g. {sorted(foreign)[0]}); choose another --out")
        return None
    difference = identity_difference(manifest["batch"], spec.identity())
    if difference:
        raise ResultsFolderError(f"{folder} holds the results of another batch: {difference}; "
                                 "choose another --out")
    if not resume:
        state = "this finished batch" if manifest.get("status") == COMPLETE \
            else "an unfinished run of this batch"
        raise ResultsFolderError(f"{folder} already holds {state}; add --resume to "
                                 f"{'reuse' if state.startswith('this') else 'finish'} it, "
                                 "or choose another --out")
    if chunk_size is not None and chunk_size != manifest["chunk_size"]:
        raise ResultsFolderError(f"{folder} was started with --chunk-size "
                                 f"{manifest['chunk_size']}; resume with that size or without "
                                 "--chunk-size")
    return manifest


def _left_by_a_start(path: Path) -> bool:
    """What a batch killed before writing its manifest may leave: temporary files, an empty
    chunks folder (and the lock file of earlier versions). Such a folder counts as empty."""
    if path.name == LOCK or TEMP_MARK in path.name:
        return True
    return path.name == CHUNKS and path.is_dir() and not any(path.iterdir())


def create_folder(folder: Path) -> None:
    """Make the results folder (and its parents), as a one-line error if the OS refuses."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultsFolderError(f"cannot create results folder {folder}: "
                                 f"{exc.strerror or exc}") from None


# --- one run of the batch into a folder -------------------------------------------------------

def run_chunks(job: ChunkJob, chunks: list[Chunk], executor: Executor,
               on_done: Callable[[ChunkReport], None]) -> None:
    """Run the chunks on the executor; each one's files are written once, as it finishes.

    Workers that share this disk write their chunk's files; a cluster's workers send the
    tables back and they are written here.
    """
    try:
        if executor.writes_locally:
            executor.run_each(run_chunk, job, chunks, on_done)
        else:
            def write(data: ChunkData) -> None:
                on_done(data.write(job.chunks_folder))

            executor.run_each(compute_chunk, job, chunks, write)
    except WorkerLost as exc:
        raise WorkerLost(f"{exc}; --resume finishes the batch") from exc


class _Run:
    """A batch being run (or resumed) into one results folder."""

    def __init__(self, spec: BatchSpec, summary: dict[str, Any], workers: int,
                 executor: Executor | None, chunk_size: int | None, planned_size: int,
                 show_progress: bool, command: str):
        self.spec, self.summary, self.workers, self.executor = spec, summary, workers, executor
        self.chunk_size, self.show_progress, self.command = chunk_size, show_progress, command
        self.planned_size = planned_size  # the chunk size of a new batch (fits in memory)
        self.damaged: list[str] = []  # files found not to match their checksums, redone

    def into(self, folder: Path, resume: bool) -> BatchResult:
        check_folder(folder, self.spec, resume, self.chunk_size)  # refuse before creating it
        create_folder(folder)
        with folder_lock(folder):
            # check again under the lock: another batch may have written the folder meanwhile
            manifest = check_folder(folder, self.spec, resume, self.chunk_size, locked=True)
            if manifest is None:
                manifest = self._new_manifest()
            else:  # made elsewhere, perhaps on a machine with more memory
                check_fits(self.spec.scenario, manifest["chunk_size"], self.spec.events,
                           self.workers, what="each chunk of this folder",
                           advice="resume with fewer --workers, or where more memory is free")
            self._finish(folder, manifest)
        return BatchResult.open(folder)

    def _new_manifest(self) -> dict[str, Any]:
        size = self.planned_size
        return new_manifest(self.spec, size, plan_chunks(self.spec.runs, size), self.summary,
                            metric_descriptions())

    def _pending(self, folder: Path, manifest: dict[str, Any]) -> list[Chunk]:
        """Chunks whose files are not verified done; the manifest is brought up to date.

        Files that differ from the checksums recorded for them (truncated, altered, swapped)
        are named in ``self.damaged`` and their chunk is redone.
        """
        pending = []
        for chunk in chunks_of(manifest):
            files = ChunkFiles(folder / CHUNKS, chunk)
            entry = manifest["chunks"][chunk.index]
            recorded = entry.get("sha256") if entry.get("status") == DONE else None
            bad = mismatched(files.paths(self.spec.events), recorded) if recorded else None
            if recorded and bad is None:
                continue
            if recorded is None and files.is_done(self.summary["days"], self.spec.events):
                # written by a batch killed before it could record them: checked by reading
                mark_chunk_done(manifest, chunk.index, None, files.digests(self.spec.events))
                continue
            if bad is not None:
                self.damaged.append(f"{CHUNKS}/{files.paths(self.spec.events)[bad].name}")
            files.remove()
            mark_chunk_pending(manifest, chunk.index)
            pending.append(chunk)
        return pending

    def _finish(self, folder: Path, manifest: dict[str, Any]) -> None:
        """Run the chunks not yet done, merge, and mark the batch complete."""
        began = time.perf_counter()
        pending, needs_merge = self._take_stock(folder, manifest)
        executor = self.executor or local_executor(min(self.workers, max(1, len(pending))))
        session = start_session(manifest, self.command, executor.describe(), self.damaged)
        write_manifest(folder, manifest)
        (folder / CHUNKS).mkdir(exist_ok=True)  # after the manifest: the folder is now a batch's
        peaks: list[float] = []  # workers' peak memory, as reported with each chunk
        try:
            self._run_pending(folder, manifest, pending, session, peaks, executor)
            if needs_merge:
                manifest["tables_sha256"] = merge_all(folder, chunks_of(manifest), self.summary,
                                                      self.spec.runs, self.spec.events)
        except KeyboardInterrupt:
            raise self._interrupted(folder, manifest, pending, session, began, peaks) from None
        self._close_session(session, began, peaks)
        manifest["status"] = COMPLETE
        if needs_merge or not manifest["finished"]:
            manifest["finished"] = session["finished"]
        write_manifest(folder, manifest)

    def _take_stock(self, folder: Path, manifest: dict[str, Any]) -> tuple[list[Chunk], bool]:
        """Clear what killed writers left; return the chunks to run and whether to merge."""
        remove_temp_files(folder)
        remove_temp_files(folder / CHUNKS)
        pending = self._pending(folder, manifest)
        recorded = manifest.get("tables_sha256") if manifest["status"] == COMPLETE else None
        tables_ok = merged_tables_ok(folder, self.spec.runs, self.spec.events, recorded)
        if recorded and not tables_ok:
            self.damaged.extend(name for name, path in table_paths(folder, self.spec.events).items()
                                if mismatched({name: path}, {name: recorded.get(name, "")}))
        needs_merge = bool(pending) or manifest["status"] != COMPLETE or not tables_ok
        if needs_merge:
            manifest["status"], manifest["finished"] = RUNNING, None
            manifest["tables_sha256"] = None
        return pending, needs_merge

    def _run_pending(self, folder: Path, manifest: dict[str, Any], pending: list[Chunk],
                     session: dict[str, Any], peaks: list[float], executor: Executor) -> None:
        """Run the chunks, recording each in the manifest as it finishes."""
        job = ChunkJob(self.spec.scenario, self.spec.seed, self.spec.override_dict,
                       self.spec.events, folder / CHUNKS)
        done_before = self.spec.runs - sum(c.count for c in pending)
        description = f"{self.spec.scenario.id} ({self.spec.variant})"
        with progress_bar(description, self.spec.runs, done_before,
                          self.show_progress and bool(pending)) as advance:
            def on_done(report: ChunkReport) -> None:
                mark_chunk_done(manifest, report.index, report.seconds, report.sha256,
                                report.cpu_seconds)
                session["chunks_run"] += 1
                if report.peak_rss_mb is not None:
                    peaks.append(report.peak_rss_mb)
                write_manifest(folder, manifest)
                advance(report.count)

            run_chunks(job, pending, executor, on_done)

    def _interrupted(self, folder: Path, manifest: dict[str, Any], pending: list[Chunk],
                     session: dict[str, Any], began: float, peaks: list[float]
                     ) -> BatchInterrupted:
        """Record an interrupted session; the error says how far the batch got."""
        # chunks that were running when Ctrl-C came have since finished and written their
        # files: count what is on disk
        still_pending = self._pending(folder, manifest)
        session["chunks_run"] = len(pending) - len(still_pending)
        self._close_session(session, began, peaks)
        write_manifest(folder, manifest)
        done, total = len(manifest["chunks"]) - len(still_pending), len(manifest["chunks"])
        return BatchInterrupted(f"interrupted: {done} of {total} chunks are done in {folder}; "
                                "run the same command with --resume to finish")

    @staticmethod
    def _close_session(session: dict[str, Any], began: float, peaks: list[float]) -> None:
        session["finished"] = now()
        session["seconds"] = round(time.perf_counter() - began, 3)
        main = peak_rss_mb()
        session["peak_rss_mb"] = {
            "main": None if main is None else round(main, 1),
            "workers": round(max(peaks), 1) if peaks else None,
        }
