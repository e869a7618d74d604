"""`escsim batch` from the command line: a results folder, replay of its rows, and bad input.

Every bad input must give a one-line error, a non-zero exit, and leave what is on disk as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from sim.batch import open_results
from sim.model.outcomes import metric_names

SCENARIO, VARIANT, SEED, RUNS = "june-2025", "no-restraint", 7, 600


def batch_args(out: Path, *extra: str, runs: int = RUNS, seed: int = SEED) -> list[str]:
    return ["batch", SCENARIO, "--variant", VARIANT, "--runs", str(runs), "--seed", str(seed),
            "--out", str(out), "--workers", "1", "--chunk-size", "200", *extra]


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished results folder, made by the CLI (in this process)."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("cli") / "june"
    done = subprocess.run([sys.executable, "-m", "sim.cli", *batch_args(out)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{RUNS:,} replicates of {SCENARIO} (variant {VARIANT}, seed {SEED})" in done.stdout
    assert done.stderr == ""  # not a terminal: no progress bar
    return out


def test_batch_writes_a_results_folder(finished: Path) -> None:
    names = {p.name for p in finished.iterdir()}
    assert {"manifest.json", "outcomes.parquet", "daily.parquet", "chunks"} <= names
    assert "events.parquet" not in names
    manifest = json.loads((finished / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["command"].startswith("escsim batch june-2025 --variant no-restraint")
    assert len(manifest["chunks"]) == 3
    result = open_results(finished)
    assert len(result.outcomes) == RUNS
    assert len(result.daily) == manifest["scenario"]["days"]


def test_quiet_prints_nothing(tmp_path: Path, main_in_process) -> None:
    code, out, err = main_in_process(*batch_args(tmp_path / "q", "--quiet", runs=300))
    assert (code, out, err) == (0, "", "")
    assert (tmp_path / "q" / "outcomes.parquet").is_file()


def test_run_replays_a_row_of_the_batch(finished: Path, main_in_process) -> None:
    outcomes = open_results(finished).outcomes
    attacked = outcomes.index[outcomes["militia_attacks_on_us"] > 0]
    for i in (int(attacked[0]), RUNS - 1):
        code, out, err = main_in_process("run", SCENARIO, "--variant", VARIANT, "--seed",
                                         str(SEED), "--replicate", str(i), "--json")
        assert code == 0, err
        replay = json.loads(out)
        row = outcomes.iloc[i]
        for name in metric_names():
            expected = row[name]
            if name == "outcome_class":
                assert replay["outcome"][name] == str(expected)
            elif expected != expected:  # NaN: no militia attack
                assert replay["outcome"][name] is None
            else:
                assert replay["outcome"][name] == expected, (i, name)
        assert replay["timeline"], "the replay prints the full timeline"


def test_resume_of_a_finished_batch_reuses_it(finished: Path, main_in_process) -> None:
    chunk_files = {p: p.stat().st_mtime_ns for p in (finished / "chunks").iterdir()}
    code, _, err = main_in_process(*batch_args(finished, "--resume"))
    assert code == 0, err
    assert {p: p.stat().st_mtime_ns for p in (finished / "chunks").iterdir()} == chunk_files
    manifest = json.loads((finished / "manifest.json").read_text())
    assert manifest["sessions"][-1]["chunks_run"] == 0


# --- bad input ---------------------------------------------------------------------------------

def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``folder``: modification time and content hash."""
    return {str(p.relative_to(folder)):
            (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_one_line_error(code: int, out: str, err: str, *words: str) -> None:
    assert code != 0
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in err, (word, err)


@pytest.mark.parametrize("extra, words", [
    (["--runs", "0"], ["--runs", "from 1 to 10,000,000", "got 0"]),
    (["--runs", "10000000000000"], ["--runs", "got 10000000000000"]),
    (["--workers", "100000"], ["--workers", "from 1 to 256"]),
    (["--runs", "-3"], ["--runs", "-3"]),
    (["--variant", "nope"], ["no variant 'nope'"]),
    (["--workers", "0"], ["--workers"]),
    (["--chunk-size", "0"], ["--chunk-size"]),
    (["--set", "no_such_parameter=1"], ["no_such_parameter"]),
])
def test_bad_options_fail_before_anything_is_written(tmp_path: Path, main_in_process,
                                                     extra: list[str], words: list[str]) -> None:
    out = tmp_path / "new"
    code, stdout, stderr = main_in_process(*batch_args(out, runs=300), *extra)
    assert_one_line_error(code, stdout, stderr, *words)
    assert not out.exists()


def test_out_that_is_a_file_is_refused(tmp_path: Path, main_in_process) -> None:
    target = tmp_path / "results.txt"
    target.write_text("my notes\n")
    code, out, err = main_in_process(*batch_args(target, runs=300))
    assert_one_line_error(code, out, err, "is a file")
    assert target.read_text() == "my notes\n"


def test_folder_with_other_files_is_refused(tmp_path: Path, main_in_process) -> None:
    (tmp_path / "thesis.tex").write_text("\\section{}")
    before = snapshot(tmp_path)
    code, out, err = main_in_process(*batch_args(tmp_path, runs=300))
    assert_one_line_error(code, out, err, "not an escsim batch")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("change, words", [
    ({"seed": SEED + 1}, ["another batch", f"seed {SEED}", f"not seed {SEED + 1}"]),
    ({"runs": RUNS + 1}, ["another batch", f"{RUNS} runs"]),
    ({"variant": "khamenei-harmed"}, ["another batch", "variant no-restraint"]),
    ({"set": "retaliation_weight=1"}, ["another batch", "retaliation_weight=1"]),
    ({"events": True}, ["another batch", "--events"]),
    ({}, ["--resume", "another --out"]),  # the same batch, finished, without --resume
])
def test_a_finished_folder_is_never_overwritten(finished: Path, main_in_process,
                                                change: dict, words: list[str]) -> None:
    before = snapshot(finished)
    args = batch_args(finished, runs=change.get("runs", RUNS), seed=change.get("seed", SEED))
    if "variant" in change:
        args[args.index(VARIANT)] = change["variant"]
    if "set" in change:
        args += ["--set", change["set"]]
    if change.get("events"):
        args += ["--events", "--resume"]
    code, out, err = main_in_process(*args)
    assert_one_line_error(code, out, err, *words)
    assert snapshot(finished) == before


def _unwritable_location(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        return locked / "results"
    # root may write where permissions say no; a read-only system folder refuses even root
    candidate = Path("/sys/escsim-test-results")
    try:
        candidate.mkdir()
    except OSError:
        return candidate
    candidate.rmdir()
    pytest.skip("no location this user cannot write to")


def test_unwritable_folder_is_a_one_line_error(tmp_path: Path, main_in_process) -> None:
    out = _unwritable_location(tmp_path)
    try:
        code, stdout, stderr = main_in_process(*batch_args(out, runs=300))
        assert_one_line_error(code, stdout, stderr, "cannot create results folder", str(out))
        assert not out.exists()
    finally:
        if out.parent.is_relative_to(tmp_path):
            out.parent.chmod(0o755)
