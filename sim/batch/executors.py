"""Where chunks run: in this process, or on local worker processes.

Both executors call the same ``run_chunk`` and hand each report to ``on_done`` as chunks
finish (in completion order; the merge later restores replicate order). Worker processes start
by ``forkserver`` where the platform has it, else ``spawn``: never plain ``fork``, which would
copy the parent's threads and memory into every worker.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from sim.batch.errors import BatchError
from sim.batch.plan import Chunk
from sim.batch.worker import ChunkJob, ChunkReport, run_chunk, worker_setup

OnDone = Callable[[ChunkReport], None]


def run_chunks(job: ChunkJob, chunks: Sequence[Chunk], workers: int, on_done: OnDone) -> None:
    """Run every chunk, in-process when one worker suffices, else on a process pool."""
    if workers <= 1 or len(chunks) <= 1:
        run_in_process(job, chunks, on_done)
    else:
        run_on_processes(job, chunks, min(workers, len(chunks)), on_done)


def run_in_process(job: ChunkJob, chunks: Sequence[Chunk], on_done: OnDone) -> None:
    """Run the chunks one after another in this process."""
    for chunk in chunks:
        on_done(run_chunk(job, chunk))


def process_context() -> multiprocessing.context.BaseContext:
    """forkserver (workers fork from a clean, preloaded server) where available, else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # import the model once in the server, not once per worker
        context.set_forkserver_preload(["sim.batch.worker"])
        return context
    return multiprocessing.get_context("spawn")


def run_on_processes(job: ChunkJob, chunks: Sequence[Chunk], workers: int,
                     on_done: OnDone) -> None:
    """Run the chunks on ``workers`` local processes.

    On an error or Ctrl-C, chunks not yet started are cancelled and running ones finish (their
    files are written atomically, so a later --resume finds them done). If this process is
    killed, the workers end too (sim.batch.worker.worker_setup).
    """
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=process_context(),
                               initializer=worker_setup, initargs=(os.getpid(),))
    try:
        pending: set[Future[ChunkReport]] = {pool.submit(run_chunk, job, c) for c in chunks}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                on_done(future.result())
    except BrokenProcessPool as exc:
        pool.shutdown(wait=True, cancel_futures=True)
        raise BatchError("a worker process died: out of memory, or a script that calls "
                         "run_batch outside `if __name__ == '__main__':` (workers import it); "
                         "--resume finishes the batch") from exc
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
