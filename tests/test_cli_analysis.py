"""compare, backtest and calibrate from the command line: thin wrappers that really run."""

from __future__ import annotations

import json
from pathlib import Path


def test_compare_variants_prints_a_table_and_writes_files(cli, tmp_path: Path) -> None:
    result = cli("compare", "june-2025", "--variants", "base,no-restraint", "--runs", "400",
                 "--seed", "3", "--workers", "1", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no-restraint" in result.stdout and "restraint" in result.stdout
    for name in ("comparison.csv", "comparison.json", "comparison.png"):
        assert (tmp_path / name).stat().st_size > 0
    data = json.loads((tmp_path / "comparison.json").read_text())
    assert len(json.dumps(data)) > 100


def test_compare_needs_two_entries_and_known_variants(cli) -> None:
    one = cli("compare", "june-2025", "--variants", "base", "--runs", "10")
    assert one.returncode != 0 and "Traceback" not in one.stderr
    bad = cli("compare", "june-2025", "--variants", "base,nope", "--runs", "10")
    assert bad.returncode != 0 and "nope" in bad.stderr and "Traceback" not in bad.stderr


def test_backtest_json_covers_every_episode(cli) -> None:
    result = cli("backtest", "--runs", "300", "--seed", "3", "--workers", "1", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    text = json.dumps(data)
    for episode in ("march-2020", "april-2024", "june-2025"):
        assert episode in text


def test_calibrate_small_budget_writes_a_report_and_changes_nothing_shipped(
        cli, tmp_path: Path, repo_root: Path) -> None:
    shipped = {p: p.read_bytes() for p in [*(repo_root / "scenarios").glob("*.yaml"),
                                            repo_root / "sim" / "model" / "actors.yaml"]}
    result = cli("calibrate", "--runs", "60", "--seed", "2", "--budget", "3",
                 "--parameter", "directive_weight", "--workers", "1", "--out", str(tmp_path),
                 timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "fitted-parameters.yaml").is_file()
    assert (tmp_path / "calibration-report.md").is_file()
    assert "directive_weight" in (tmp_path / "fitted-parameters.yaml").read_text()
    assert {p: p.read_bytes() for p in shipped} == shipped
