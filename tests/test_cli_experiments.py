"""The experiment commands end to end, and their bad input: one clear line, a non-zero exit,
nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("SALib")
pytest.importorskip("ema_workbench")

WEIGHTS = "directive_weight,decapitation_fear_weight,stake_weight,retaliation_weight"


def test_sensitivity_writes_its_table_report_and_figure(main_in_process, tmp_path: Path) -> None:
    out = tmp_path / "sens"
    code, stdout, err = main_in_process("sensitivity", "june-2025", "--method", "sobol",
                                        "--params", WEIGHTS, "--n", "8", "--runs", "8",
                                        "--outcome", "militia_armed_assaults > 0",
                                        "--workers", "1", "--out", str(out))
    assert code == 0, err
    assert "sobol indices, 4 inputs, 48 points x 8 replicates" in stdout
    assert "militia_armed_assaults > 0 (share of replicates)" in stdout
    table = pd.read_csv(out / "indices.csv")
    assert set(table["parameter"]) == set(WEIGHTS.split(","))
    assert {"S1", "ST"} == set(table["index"])
    report = json.loads((out / "sensitivity.json").read_text())
    assert report["design"]["points"] == 48 and report["runs"] == 8
    assert (out / "sensitivity.png").stat().st_size > 0
    assert len(pd.read_parquet(out / "points.parquet")) == 48 * (1 + 8)  # all, then 8 groups


def test_explore_then_discover(main_in_process, tmp_path: Path) -> None:
    vary = tmp_path / "situations.yaml"
    vary.write_text("scenario: june-2025\nuncertainties:\n  directive_weight:\n"
                    "  initial_state.directive.kataib_hezbollah: [-1, 1]\n"
                    "  actors.badr.stake:\n", encoding="utf-8")
    exp = tmp_path / "exp"
    code, stdout, err = main_in_process("explore", "june-2025", "--design", "lhs", "--points",
                                        "24", "--runs", "8", "--vary", str(vary), "--out",
                                        str(exp), "--workers", "1")
    assert code == 0, err
    assert "24 points x 8 replicates" in stdout and "outcome classes:" in stdout
    figures = tmp_path / "found"
    code, stdout, err = main_in_process("discover", str(exp), "--outcome",
                                        "militia_armed_assaults > 0", "--out", str(figures))
    assert code == 0, err
    assert "Scenario discovery (PRIM): militia_armed_assaults > 0" in stdout
    assert "Chosen box" in stdout and "peeling trajectory" in stdout
    assert {p.name for p in figures.iterdir()} == {"discovery.json", "trajectory.csv", "box.csv",
                                                   "discovery.png"}
    code, stdout, err = main_in_process("discover", str(exp), "--outcome",
                                        "militia_armed_assaults > 0", "--method", "cart")
    assert code == 0 and "leaves of the tree" in stdout, err


def test_uncertainties_prints_a_file_that_sensitivity_takes(main_in_process, tmp_path: Path
                                                            ) -> None:
    code, stdout, _ = main_in_process("uncertainties", "june-2025", "--params", WEIGHTS)
    assert code == 0 and stdout.count(": [0, 8]") == 4
    path = tmp_path / "weights.yaml"
    path.write_text(stdout, encoding="utf-8")
    code, stdout, err = main_in_process("sensitivity", "june-2025", "--method", "morris",
                                        "--vary", str(path), "--n", "2", "--runs", "2",
                                        "--workers", "1")
    assert code == 0, err
    assert "morris indices, 4 inputs, 10 points x 2 replicates" in stdout


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text("uncertainties:\n  stake_weight: [3, 1]\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("arguments, message", [
    (["sensitivity", "june-2025", "--params", "nope_weight"], "unknown parameter 'nope_weight'"),
    (["sensitivity", "june-2025", "--vary", "{bad}"], "bad.yaml:2: uncertainties.stake_weight: "
                                                     "empty range [3, 1]"),
    (["sensitivity", "june-2025", "--params", "stake_weight", "--n", "100"],
     "--n must be a power of two"),
    (["sensitivity", "june-2025", "--params", "stake_weight", "--method", "anova"],
     "unknown sensitivity method 'anova'"),
    (["sensitivity", "june-2025", "--params", "stake_weight", "--outcome", "klass == 1"],
     "'klass' in 'klass == 1' names no outcome column"),
    (["sensitivity", "june-2025"], "exactly one of --params, --all, --vary"),
    (["explore", "june-2025", "--params", "stake_weight", "--out", "{out}", "--design", "grid"],
     "unknown design 'grid'"),
    (["discover", "{out}", "--outcome", "class == 'spiral'"], "no experiment folder"),
    (["batch", "june-2025", "--runs", "10", "--out", "{out}", "--scheduler", "nonsense"],
     "cannot use nonsense as a Dask scheduler"),
])
def test_bad_input_is_one_line_and_exit_2(main_in_process, tmp_path: Path, bad_file: Path,
                                          arguments: list[str], message: str) -> None:
    filled = [a.format(bad=bad_file, out=tmp_path / "never") for a in arguments]
    code, stdout, err = main_in_process(*filled)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and message in err, err
    assert not (tmp_path / "never").exists()
