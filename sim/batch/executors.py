"""Where units of work run: in this process, on local worker processes, or on a Dask cluster.

An executor calls ``fn(shared, item)`` for every item and hands each result to ``on_result``
in this process as the items finish (in completion order: callers that need an order restore
it). Batches (chunks of replicates) and sweeps (blocks of parameter points) both run through
one, so every command that runs the model can run on any of them.

- ``InProcess``: one item after another, here.
- ``LocalProcesses``: a pool of worker processes started by ``forkserver`` where the platform
  has it, else ``spawn``; never plain ``fork``, which would copy the parent's threads and memory
  into every worker.
- ``sim.batch.dask.DaskExecutor``: tasks on a ``dask.distributed`` cluster (the ``[cluster]``
  extra).

``writes_locally`` says whether the workers share this machine's disk. Local workers write a
batch's chunk files themselves, so only a small report travels back; a cluster's workers may
not see this disk, so they send each chunk's tables back and this process writes them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

from sim.batch.errors import BatchError

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")


class WorkerLost(BatchError):
    """A worker died while running an item (out of memory, killed, or lost with its machine)."""


class Executor(Protocol):
    """Runs ``fn(shared, item)`` for each item; results go to ``on_result`` as they finish.

    On an error or Ctrl-C, items not yet started are cancelled, and the error propagates.
    """

    slots: int  # how many items run at once (used to size chunks)
    writes_locally: bool  # whether the workers share this machine's disk

    def run_each(self, fn: Callable[[S, T], R], shared: S, items: Sequence[T],
                 on_result: Callable[[R], None]) -> None: ...

    def describe(self) -> dict[str, Any]: ...


class InProcess:
    """Everything in this process, one item after another."""

    slots = 1
    writes_locally = True

    def run_each(self, fn: Callable[[S, T], R], shared: S, items: Sequence[T],
                 on_result: Callable[[R], None]) -> None:
        for item in items:
            on_result(fn(shared, item))

    def describe(self) -> dict[str, Any]:
        return {"kind": "in-process", "workers": 1}


def process_context() -> multiprocessing.context.BaseContext:
    """forkserver (workers fork from a clean, preloaded server) where available, else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # import the model once in the server, not once per worker
        context.set_forkserver_preload(["sim.batch.worker"])
        return context
    return multiprocessing.get_context("spawn")


class LocalProcesses:
    """A pool of ``workers`` processes on this machine, started afresh for each ``run_each``."""

    writes_locally = True

    def __init__(self, workers: int):
        self.slots = workers

    def run_each(self, fn: Callable[[S, T], R], shared: S, items: Sequence[T],
                 on_result: Callable[[R], None]) -> None:
        """Running items finish on an error or Ctrl-C (a batch's chunk files are written
        atomically, so a later --resume finds them done); the rest are cancelled. If this
        process is killed, the workers end too (sim.batch.worker.worker_setup)."""
        from sim.batch.worker import worker_setup  # workers ignore Ctrl-C and end with us

        pool = ProcessPoolExecutor(max_workers=min(self.slots, len(items)) or 1,
                                   mp_context=process_context(), initializer=worker_setup,
                                   initargs=(os.getpid(),))
        try:
            pending: set[Future[R]] = {pool.submit(fn, shared, item) for item in items}
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    on_result(future.result())
        except BrokenProcessPool as exc:
            pool.shutdown(wait=True, cancel_futures=True)
            raise WorkerLost("a worker process died: out of memory, or a script that starts "
                             "workers outside `if __name__ == '__main__':` (workers import "
                             "it)") from exc
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)

    def describe(self) -> dict[str, Any]:
        return {"kind": "local processes", "workers": self.slots}


def local_executor(workers: int) -> InProcess | LocalProcesses:
    """In-process for one worker, else a local process pool."""
    return InProcess() if workers <= 1 else LocalProcesses(workers)
