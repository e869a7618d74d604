"""A results folder that was altered, damaged or is being written is never read as whole.

The manifest records the SHA-256 of every chunk file and merged table. A file truncated or
altered by hand is found: ``open_results`` (and so ``escsim plot``) refuses the folder naming
the file, and ``--resume`` redoes what is damaged. A second process writing the same folder
gets a clear "folder in use" error.
"""

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

from sim.batch import ResultsFolderError, open_results, run_batch

SCENARIO, SEED, RUNS = "march-2020", 4, 600


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("integrity") / "done"
    run_batch(SCENARIO, None, runs=RUNS, seed=SEED, out=out, workers=1, chunk_size=200,
              events=True, progress=False)
    return out


def _copy(finished: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "copy"
    shutil.copytree(finished, folder)
    return folder


def _alter(path: Path) -> None:
    """Change one byte in the middle: the file keeps its size and may still parse."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_the_manifest_records_a_checksum_for_every_file(finished: Path) -> None:
    manifest = json.loads((finished / "manifest.json").read_text())
    assert set(manifest["tables_sha256"]) == {"outcomes", "daily", "threats", "events"}
    for chunk in manifest["chunks"]:
        assert set(chunk["sha256"]) == {"outcomes", "daily", "events"}
    assert open_results(finished).runs == RUNS


@pytest.mark.parametrize("name", ["outcomes.parquet", "daily.parquet", "threats.parquet",
                                  "events.parquet", "chunks/chunk-000001.outcomes.parquet",
                                  "chunks/chunk-000002.daily.npz",
                                  "chunks/chunk-000000.events.parquet"])
def test_an_altered_file_is_refused_by_name(name: str, finished: Path, tmp_path: Path) -> None:
    folder = _copy(finished, tmp_path)
    _alter(folder / name)
    with pytest.raises(ResultsFolderError, match="damaged") as info:
        open_results(folder)
    assert name in str(info.value) and "--resume" in str(info.value)


def test_plot_refuses_a_damaged_folder_in_one_line(finished: Path, tmp_path: Path,
                                                   main_in_process) -> None:
    folder = _copy(finished, tmp_path)
    path = folder / "outcomes.parquet"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])  # truncated
    code, out, err = main_in_process("plot", str(folder), "--out", str(tmp_path / "figures"))
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.startswith("escsim: error:") and "outcomes.parquet is damaged" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "figures").exists()


def test_resume_redoes_a_damaged_chunk_and_says_so(finished: Path, tmp_path: Path) -> None:
    folder = _copy(finished, tmp_path)
    _alter(folder / "chunks" / "chunk-000001.daily.npz")
    result = run_batch(SCENARIO, None, runs=RUNS, seed=SEED, out=folder, workers=1,
                       events=True, resume=True, progress=False)
    session = result.manifest["sessions"][-1]
    assert session["chunks_run"] == 1
    assert session["damaged_files_redone"] == ["chunks/chunk-000001.daily.npz"]
    assert "redone because damaged: chunks/chunk-000001.daily.npz" in result.describe()
    expected = open_results(finished)
    for table in ("outcomes", "daily", "threats", "events"):
        assert_frame_equal(getattr(result, table), getattr(expected, table))


def test_resume_rebuilds_an_altered_merged_table(finished: Path, tmp_path: Path) -> None:
    folder = _copy(finished, tmp_path)
    _alter(folder / "daily.parquet")
    result = run_batch(SCENARIO, None, runs=RUNS, seed=SEED, out=folder, workers=1,
                       events=True, resume=True, progress=False)
    assert result.manifest["sessions"][-1]["chunks_run"] == 0
    assert result.manifest["sessions"][-1]["damaged_files_redone"] == ["daily"]
    assert_frame_equal(result.daily, open_results(finished).daily)


def test_a_manifest_that_is_not_one_is_refused(finished: Path, tmp_path: Path) -> None:
    for text in ("[" * 100_000 + "]" * 100_000, '{"format": "escsim-batch/2"}', "\x00" * 10):
        folder = _copy(finished, tmp_path / str(len(text)))
        (folder / "manifest.json").write_text(text)
        with pytest.raises(ResultsFolderError, match="manifest"):
            open_results(folder)


def test_a_second_writer_is_told_the_folder_is_in_use(tmp_path: Path) -> None:
    out = tmp_path / "busy"
    command = [sys.executable, "-m", "sim.cli", "batch", "june-2025", "--runs", "102400",
               "--seed", "1", "--out", str(out), "--chunk-size", "256", "--workers", "1",
               "--quiet"]
    # numpy: a run this large would otherwise first compile the fast engine (minutes)
    # wherever numba's cache does not hold it yet, and the lock is what is tested here
    env = {**os.environ, "ESCSIM_ENGINE": "numpy"}
    first = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 120
        while not (out / "manifest.json").exists():
            assert first.poll() is None and time.monotonic() < deadline, "the batch never started"
            time.sleep(0.01)
        second = subprocess.run([*command, "--resume"], capture_output=True, text=True,
                                timeout=120, env=env)
        assert first.poll() is None, "the first batch ended before the second could try"
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    assert second.returncode == 2 and "Traceback" not in second.stderr
    assert "folder in use" in second.stderr and len(second.stderr.strip().splitlines()) == 1
