"""Running batches and sweeps on a Dask cluster (``pip install 'escsim[cluster]'``).

    from sim.batch import run_batch
    from sim.batch.dask import open_dask

    with open_dask(scheduler="tcp://head:8786") as cluster:      # or open_dask(local=4)
        run_batch("june-2025", runs=10_000_000, seed=7, out="big/", executor=cluster)

Each chunk (or block of sweep points) is one task. Results are those of the local executors,
replicate for replicate: they depend only on (scenario, variant, seed, replicate index). The
workers need escsim installed (the same version: each task checks that the worker's model is
the one this process runs) but not this machine's disk: a batch's workers send each chunk's
tables back and this process writes the chunk files, once per chunk, as it would locally.

Dask reschedules the tasks of a worker that dies; a chunk's files are written only when its
result arrives here, so a chunk computed twice is still written once. If the client dies, the
chunks already written stay; ``--resume`` finishes the batch, on the cluster or locally.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sim.batch.errors import BatchError
from sim.batch.executors import WorkerLost
from sim.batch.plan import model_fingerprint

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

DEFAULT_TIMEOUT = 10.0  # seconds to wait for a scheduler to answer, and for a first worker
# The model allocates and frees arrays of megabytes every simulated day. Dask's nannies start
# workers with MALLOC_TRIM_THRESHOLD_=65536, which hands such memory back to the system at
# once and turns glibc's adaptive thresholds off, so each day's arrays fault their pages in
# afresh: about 1.5 times the CPU time of a local worker. Large fixed thresholds keep them.
# (They must be in the environment the worker process starts with: Dask sets its
# ``distributed.nanny.pre-spawn-environ`` before spawning, and ``env`` only after.)
WORKER_ENVIRONMENT = {"MALLOC_TRIM_THRESHOLD_": str(256 * 2**20),
                      "MALLOC_MMAP_THRESHOLD_": str(32 * 2**20)}


class ModelMismatch(RuntimeError):
    """A worker runs a different version of the model than the client."""


def _shared(value: S) -> S:
    return value


def _checked_call(fn: Callable[[S, T], R], fingerprint: str, shared: S, item: T) -> R:
    """Run one item on a worker, after checking that the worker runs the same model."""
    if model_fingerprint() != fingerprint:
        import socket

        raise ModelMismatch(f"the Dask worker on {socket.gethostname()} runs a different "
                            "version of escsim's model; install the same version everywhere")
    return fn(shared, item)


class DaskExecutor:
    """Items as tasks on a ``dask.distributed`` cluster (see ``open_dask``)."""

    writes_locally = False

    def __init__(self, client: Any, address: str, local: bool):
        self.client, self.address, self.local = client, address, local
        self.slots = max(1, sum(client.nthreads().values()))

    def run_each(self, fn: Callable[[S, T], R], shared: S, items: Sequence[T],
                 on_result: Callable[[R], None]) -> None:
        """Submit every item, hand results over as they arrive; cancel the rest on an error."""
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        # The shared part goes out as a task, not scattered data: if the worker holding it
        # dies, the scheduler recomputes it instead of failing every task that needs it.
        shared_future = self.client.submit(_shared, shared, pure=False)
        fingerprint = model_fingerprint()
        futures = [self.client.submit(_checked_call, fn, fingerprint, shared_future, item,
                                      pure=False) for item in items]
        try:
            for future in as_completed(futures, loop=self.client.loop):
                result = future.result()
                future.release()
                on_result(result)
        except KilledWorker as exc:
            raise WorkerLost(f"{exc.allowed_failures + 1} Dask workers in turn died running the "
                             "same task (out of memory?)") from None
        except ModelMismatch as exc:
            raise BatchError(str(exc)) from None
        finally:
            self.client.cancel([f for f in futures if not f.done()])
            shared_future.release()

    def describe(self) -> dict[str, Any]:
        kind = "dask local cluster" if self.local else "dask"
        return {"kind": kind, "scheduler": self.address, "workers": self.slots}


def _require_distributed() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise BatchError("running on Dask needs the cluster extra: "
                         "pip install 'escsim[cluster]'") from None


@contextmanager
def open_dask(scheduler: str | None = None, local: int | None = None,
              timeout: float = DEFAULT_TIMEOUT) -> Iterator[DaskExecutor]:
    """A Dask executor: the cluster whose scheduler is at ``scheduler`` (``tcp://host:8786``),
    or a new local cluster of ``local`` single-threaded worker processes on the loopback
    interface (closed on leaving).

    A scheduler that does not answer within ``timeout`` seconds, or has no worker by then, is
    a BatchError.
    """
    if (scheduler is None) == (local is None):
        raise BatchError("give either a Dask scheduler address or a number of local workers")
    _require_distributed()
    if local is not None:
        with _local_cluster(local) as executor:
            yield executor
        return
    client = _connect(str(scheduler), timeout)
    try:
        _wait_for_a_worker(client, str(scheduler), timeout)
        yield DaskExecutor(client, str(scheduler), local=False)
    finally:
        client.close()


def _checked_address(address: str) -> None:
    """Refuse a malformed address before a client is made: a client that fails to start
    hangs on its way out of the process."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        _, location = parse_address(address)
        host, port = parse_host_port(location)
    except ValueError as exc:
        raise BatchError(f"cannot use {address} as a Dask scheduler: {exc} (expected "
                         "tcp://host:port)") from None
    if not host or not 0 < int(port) < 65536:
        raise BatchError(f"cannot use {address} as a Dask scheduler: expected tcp://host:port")


def _connect(address: str, timeout: float) -> Any:
    from distributed import Client

    _checked_address(address)
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError):
        raise BatchError(f"no Dask scheduler answered at {address} within {timeout:g} s") from None
    except Exception as exc:  # a malformed address, or something that is not a scheduler
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BatchError(f"cannot use {address} as a Dask scheduler: {reason}") from None


def _wait_for_a_worker(client: Any, address: str, timeout: float) -> None:
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError):
        raise BatchError(f"the Dask scheduler at {address} has no workers (none joined within "
                         f"{timeout:g} s)") from None


@contextmanager
def _local_cluster(workers: int) -> Iterator[DaskExecutor]:
    import dask
    from distributed import Client, LocalCluster

    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise BatchError(f"--dask-local must be a whole number of at least 1, got {workers!r}")
    environment = {f"distributed.nanny.pre-spawn-environ.{k}": v
                   for k, v in WORKER_ENVIRONMENT.items()}
    with dask.config.set(environment):
        # one thread per worker process: the model is numpy code that holds the GIL between
        # calls; the nannies read the environment above as they start their workers
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None,
                               silence_logs=logging.ERROR)
    try:
        client = Client(cluster, set_as_default=False)
        try:
            yield DaskExecutor(client, cluster.scheduler_address, local=True)
        finally:
            client.close()
    finally:
        cluster.close()


@contextmanager
def chosen_executor(workers: int | None, scheduler: str | None, local: int | None,
                    timeout: float = DEFAULT_TIMEOUT) -> Iterator[DaskExecutor | None]:
    """What the command-line options ask for: a Dask executor (``--scheduler`` or
    ``--dask-local``), or None for local workers (``--workers``)."""
    if scheduler is None and local is None:
        yield None
        return
    if workers is not None:
        raise BatchError("--workers is for local worker processes; with --scheduler or "
                         "--dask-local the cluster's workers run the chunks")
    if scheduler is not None and local is not None:
        raise BatchError("give either --scheduler or --dask-local, not both")
    with open_dask(scheduler, local, timeout) as executor:
        yield executor
