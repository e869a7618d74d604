"""Interrupted batches: a killed batch leaves only whole files, and --resume finishes it with
the very table an uninterrupted batch makes; done chunks are verified by reading them."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal

from sim.batch import open_results, run_batch
from sim.batch.atomic import TEMP_MARK
from sim.batch.files import ChunkFiles
from sim.batch.manifest import chunks_of

SCENARIO, VARIANT, SEED = "june-2025", "no-restraint", 7


def test_killed_batch_resumes_to_the_uninterrupted_table(tmp_path: Path, main_in_process,
                                                         batch_until_a_chunk) -> None:
    runs, chunk = 8192, 256  # 32 chunks: the kill comes after the first, long before the last
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "sim.cli", "batch", SCENARIO, "--variant", VARIANT,
               "--runs", str(runs), "--seed", str(SEED), "--out", str(out),
               "--chunk-size", str(chunk), "--workers", "2", "--quiet"]
    # its own session, so that the kill reaches the worker processes too
    process = batch_until_a_chunk(command, out)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "running"
    assert not (out / "outcomes.parquet").exists()
    chunks = chunks_of(manifest)
    files = [ChunkFiles(out / "chunks", c) for c in chunks]
    named = [f for f in files if f.outcomes.exists()]
    assert 0 < len(named) < len(chunks)
    # no half-written file looks whole: every file under its final name reads back complete
    days = manifest["scenario"]["days"]
    assert all(files.is_done(days=days, events=False) for files in named)

    code, _, err = main_in_process("batch", SCENARIO, "--variant", VARIANT, "--runs", str(runs),
                                   "--seed", str(SEED), "--out", str(out), "--resume",
                                   "--workers", "1", "--quiet")
    assert code == 0, err
    resumed = open_results(out)
    assert resumed.manifest["sessions"][-1]["chunks_run"] == len(chunks) - len(named)
    assert not [p for p in out.rglob("*") if TEMP_MARK in p.name]
    uninterrupted = run_batch(SCENARIO, VARIANT, runs=runs, seed=SEED, workers=1,
                              chunk_size=runs, progress=False)
    assert_frame_equal(resumed.outcomes, uninterrupted.outcomes)
    assert_frame_equal(resumed.daily, uninterrupted.daily)


def test_ctrl_c_stops_with_a_one_line_error_and_a_resumable_folder(tmp_path: Path,
                                                                    batch_until_a_chunk) -> None:
    out = tmp_path / "interrupted"
    process = batch_until_a_chunk(
        # 400 chunks: far more than can finish between the first chunk and the signal
        [sys.executable, "-m", "sim.cli", "batch", SCENARIO, "--runs", "102400", "--seed", "3",
         "--out", str(out), "--chunk-size", "256", "--workers", "1", "--quiet"], out)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert len(err.strip().splitlines()) == 1 and "--resume" in err and "interrupted" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "running"
    done = sum(c["status"] == "done" for c in manifest["chunks"])
    assert 0 < done < len(manifest["chunks"])
    assert f"{done} of {len(manifest['chunks'])} chunks are done" in err


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("resume") / "done"
    run_batch(SCENARIO, VARIANT, runs=900, seed=SEED, out=out, workers=1, chunk_size=300,
              progress=False)
    return out


def _resume(folder: Path):
    return run_batch(SCENARIO, VARIANT, runs=900, seed=SEED, out=folder, workers=1, resume=True,
                     progress=False)


def test_a_damaged_chunk_is_found_by_reading_it_and_redone(finished: Path, tmp_path: Path) -> None:
    folder = tmp_path / "damaged"
    shutil.copytree(finished, folder)
    expected = open_results(finished).outcomes
    damaged = folder / "chunks" / "chunk-000001.outcomes.parquet"
    damaged.write_bytes(damaged.read_bytes()[:200])  # as a non-atomic writer would leave it
    # a whole, readable file under the wrong name: only its content gives it away
    shutil.copy(folder / "chunks" / "chunk-000000.outcomes.parquet",
                folder / "chunks" / "chunk-000002.outcomes.parquet")
    (folder / "outcomes.parquet").unlink()
    result = _resume(folder)
    assert result.manifest["sessions"][-1]["chunks_run"] == 2
    assert_frame_equal(result.outcomes, expected)


def test_missing_merged_tables_are_rebuilt_from_chunks(finished: Path, tmp_path: Path) -> None:
    folder = tmp_path / "unmerged"
    shutil.copytree(finished, folder)
    (folder / "daily.parquet").unlink()
    result = _resume(folder)
    assert result.manifest["sessions"][-1]["chunks_run"] == 0
    assert_frame_equal(result.daily, open_results(finished).daily)


def test_resume_keeps_the_chunk_size_of_the_folder(finished: Path, tmp_path: Path) -> None:
    from sim.batch import ResultsFolderError

    folder = tmp_path / "sized"
    shutil.copytree(finished, folder)
    with pytest.raises(ResultsFolderError, match="--chunk-size 300"):
        run_batch(SCENARIO, VARIANT, runs=900, seed=SEED, out=folder, chunk_size=100,
                  resume=True, progress=False)
    assert _resume(folder).manifest["chunk_size"] == 300


def test_a_folder_left_before_its_manifest_counts_as_empty(tmp_path: Path) -> None:
    """A batch killed between creating its folder and writing its manifest left only these."""
    folder = tmp_path / "early"
    (folder / "chunks").mkdir(parents=True)
    (folder / ".escsim.lock").touch()
    (folder / f".manifest.json{TEMP_MARK}123-abcd").write_text("{")
    result = run_batch(SCENARIO, VARIANT, runs=300, seed=SEED, out=folder, workers=1,
                       progress=False)
    assert len(result.outcomes) == 300
    assert not [p for p in folder.rglob("*") if TEMP_MARK in p.name]


# --- killed during the final merge, and workers outliving their batch --------------------------

def _session_processes(session: int) -> list[int]:
    """Processes of a session (Linux /proc), the session leader included while it runs."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] not in ("Z", "X"):
            found.append(int(stat.parent.name))
    return found


linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def test_batch_killed_during_the_final_merge_resumes_to_the_uninterrupted_tables(
        tmp_path: Path, main_in_process) -> None:
    scenario, runs, chunk = "march-2020", 768, 32  # 24 chunks with events: a merge to catch
    out = tmp_path / "merging"
    args = ["batch", scenario, "--runs", str(runs), "--seed", "5", "--out", str(out),
            "--events", "--quiet"]
    process = subprocess.Popen([sys.executable, "-m", "sim.cli", *args, "--chunk-size",
                                str(chunk), "--workers", "2"], start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not (out / "outcomes.parquet").exists():  # the merge writes this table first
        if process.poll() is not None or time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"the merge never started: {process.communicate()}")
        time.sleep(0.001)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
    manifest = json.loads((out / "manifest.json").read_text())
    assert all(c["status"] == "done" for c in manifest["chunks"])
    assert manifest["status"] == "running", "the kill came after the merge had finished"

    code, _, err = main_in_process(*args, "--resume", "--workers", "1")
    assert code == 0, err
    resumed = open_results(out)
    assert resumed.manifest["sessions"][-1]["chunks_run"] == 0  # only merged again
    uninterrupted = run_batch(scenario, None, runs=runs, seed=5, workers=1, chunk_size=runs,
                              events=True, progress=False)
    for table in ("outcomes", "daily", "threats", "events"):
        assert_frame_equal(getattr(resumed, table), getattr(uninterrupted, table))


@linux_only
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killing_the_main_process_ends_its_workers(how: signal.Signals, tmp_path: Path,
                                                  batch_until_a_chunk) -> None:
    out = tmp_path / "orphans"
    process = batch_until_a_chunk(
        [sys.executable, "-m", "sim.cli", "batch", SCENARIO, "--runs", "102400", "--seed", "3",
         "--out", str(out), "--chunk-size", "256", "--workers", "2", "--quiet"], out)
    helpers = [pid for pid in _session_processes(process.pid) if pid != process.pid]
    assert len(helpers) >= 2  # the workers (and the forkserver and resource tracker)
    process.send_signal(how)  # the main process only, as `kill PID` or an out-of-memory killer
    process.wait()  # not communicate(): surviving workers would hold its pipes open
    deadline = time.monotonic() + 60  # they end within a second; a busy machine gets slack
    while _session_processes(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _session_processes(process.pid)
    for pid in left:  # do not leave them running, whatever the outcome
        os.kill(pid, signal.SIGKILL)
    assert left == [], "processes of the killed batch still run"
