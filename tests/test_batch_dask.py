"""Batches on a real Dask cluster (a LocalCluster on the loopback interface): the same chunk
files as the local executor, a worker killed mid-run changes nothing, a killed client resumes."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal

from sim.batch import open_results, run_batch
from sim.batch.atomic import TEMP_MARK
from sim.batch.dask import open_dask

distributed = pytest.importorskip("distributed")

SCENARIO, VARIANT, SEED, CHUNK = "june-2025", "no-restraint", 11, 256
RUNS = 12 * CHUNK  # enough chunks that a kill after the first lands mid-batch


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.LocalCluster]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  silence_logs=50) as local:
        yield local


def local_run(runs: int, out: Path):
    return run_batch(SCENARIO, VARIANT, runs=runs, seed=SEED, out=out, workers=1,
                     chunk_size=CHUNK, progress=False)


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory):
    """The batch the tests below run on Dask, run in this process."""
    return local_run(RUNS, tmp_path_factory.mktemp("local") / "batch")


def chunk_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "chunks").iterdir())}


def test_a_batch_on_dask_writes_the_chunk_files_of_a_local_batch(cluster, tmp_path: Path) -> None:
    with open_dask(scheduler=cluster.scheduler_address) as executor:
        on_dask = run_batch(SCENARIO, VARIANT, runs=4 * CHUNK, seed=SEED, out=tmp_path / "dask",
                            chunk_size=CHUNK, progress=False, executor=executor)
    local = local_run(4 * CHUNK, tmp_path / "local")
    assert chunk_bytes(tmp_path / "dask") == chunk_bytes(tmp_path / "local")
    assert_frame_equal(on_dask.outcomes, local.outcomes)
    assert_frame_equal(on_dask.daily, local.daily)
    session = on_dask.manifest["sessions"][-1]
    assert session["executor"]["kind"] == "dask" and session["workers"] == 2
    assert on_dask.manifest["batch"] == local.manifest["batch"]


def _kill_a_busy_worker(client: distributed.Client, out: Path, killed: dict) -> None:
    """Once a first chunk is written, SIGKILL a worker process that is running a chunk."""
    deadline = time.monotonic() + 120
    while not list((out / "chunks").glob("chunk-*.outcomes.parquet")):
        if time.monotonic() > deadline:
            return
        time.sleep(0.005)
    pids = client.run(os.getpid)
    while time.monotonic() < deadline:
        busy = [w for w, tasks in client.processing().items() if tasks and w in pids]
        if busy:
            killed.update(worker=busy[0], pid=pids[busy[0]],
                          task=client.processing()[busy[0]][0])
            os.kill(pids[busy[0]], signal.SIGKILL)
            return
        time.sleep(0.005)


def test_a_worker_killed_mid_run_leaves_the_result_unchanged(cluster, local, tmp_path: Path
                                                             ) -> None:
    runs, out, killed = RUNS, tmp_path / "dask", {}
    with open_dask(scheduler=cluster.scheduler_address) as executor:
        killer = threading.Thread(target=_kill_a_busy_worker, args=(executor.client, out, killed))
        killer.start()
        result = run_batch(SCENARIO, VARIANT, runs=runs, seed=SEED, out=out, chunk_size=CHUNK,
                           progress=False, executor=executor)
        killer.join()
        executor.client.wait_for_workers(2, timeout=60)  # the nanny restarts it for the next test
    assert killed, "no worker was running a chunk after the first one was written"
    manifest = result.manifest
    assert manifest["status"] == "complete"
    assert manifest["sessions"][-1]["chunks_run"] == len(manifest["chunks"]) == runs // CHUNK
    assert all(c["status"] == "done" for c in manifest["chunks"])
    assert not [p for p in out.rglob("*") if TEMP_MARK in p.name]
    assert chunk_bytes(out) == chunk_bytes(local.folder)
    assert_frame_equal(result.outcomes, local.outcomes)


def test_resume_after_the_client_is_killed(cluster, local, tmp_path: Path, main_in_process,
                                           batch_until_a_chunk) -> None:
    runs, out = RUNS, tmp_path / "killed"
    arguments = ["batch", SCENARIO, "--variant", VARIANT, "--runs", str(runs), "--seed", str(SEED),
                 "--out", str(out), "--chunk-size", str(CHUNK), "--quiet",
                 "--scheduler", cluster.scheduler_address]
    client = batch_until_a_chunk([sys.executable, "-m", "sim.cli", *arguments], out)
    os.killpg(client.pid, signal.SIGKILL)
    client.communicate()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "running"
    done_before = len(list((out / "chunks").glob("chunk-*.outcomes.parquet")))
    assert 0 < done_before < runs // CHUNK

    code, _, err = main_in_process(*arguments, "--resume")
    assert code == 0, err
    resumed = open_results(out)
    assert resumed.manifest["sessions"][-1]["chunks_run"] == runs // CHUNK - done_before
    assert chunk_bytes(out) == chunk_bytes(local.folder)
    assert_frame_equal(resumed.outcomes, local.outcomes)
    assert_frame_equal(resumed.daily, local.daily)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_scheduler_that_does_not_answer_is_one_line_within_the_timeout(cli, tmp_path: Path
                                                                          ) -> None:
    address = f"tcp://127.0.0.1:{_closed_port()}"
    done = cli("batch", SCENARIO, "--runs", "100", "--out", str(tmp_path / "never"),
               "--scheduler", address, "--connect-timeout", "2", timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"escsim: error: no Dask scheduler answered at {address} within 2 s"]
    assert not (tmp_path / "never").exists()


def test_workers_and_a_scheduler_are_refused_together(main_in_process, tmp_path: Path) -> None:
    code, _, err = main_in_process("batch", SCENARIO, "--runs", "10", "--out", str(tmp_path / "x"),
                                   "--workers", "2", "--dask-local", "2")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--workers" in err


def test_a_sweep_on_dask_gives_the_local_table(cluster) -> None:
    """Sensitivity and exploration run blocks of points the same way: same table on Dask."""
    from sim.analysis.sweep import run_sweep
    from sim.scenario.loader import load_scenario

    scenario = {"june": load_scenario(SCENARIO, VARIANT)}
    points = [{"june": {"stake_weight": w, "initial_state.fear.badr": f}}
              for w, f in ((0.5, 0.1), (4.0, 0.9), (7.5, 0.5))]
    local = run_sweep(scenario, points, 64, SEED)["june"]
    with open_dask(scheduler=cluster.scheduler_address) as executor:
        on_dask = run_sweep(scenario, points, 64, SEED, executor=executor)["june"]
    assert_frame_equal(on_dask, local)
