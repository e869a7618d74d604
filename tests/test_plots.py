"""Figures of a batch: `escsim plot` writes every one, and each carries the labels a reader
needs (scenario, variant, replicates, seed; axes; injects), in greys and hatching."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.batch import BatchResult, run_batch
from sim.model.outcomes import OUTCOME_CLASSES
from sim.plots import (FIGURES, escalation_fan_figure, key_counts_figure, outcome_class_figure,
                       say_do_gap_figure)
from sim.plots.data import count_distribution, fate_of_triggered, injects_by_date, integer_bins

SCENARIO, VARIANT, SEED, RUNS = "june-2025", "no-restraint", 7, 600


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> BatchResult:
    out = tmp_path_factory.mktemp("plots") / "results"
    return run_batch(SCENARIO, VARIANT, runs=RUNS, seed=SEED, out=out, workers=1,
                     chunk_size=300, progress=False)


@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG"), ("svg", b"<?xml")])
def test_plot_command_writes_every_figure(result: BatchResult, tmp_path: Path, main_in_process,
                                          fmt: str, magic: bytes) -> None:
    figures = tmp_path / "figures"
    code, out, err = main_in_process("plot", str(result.folder), "--out", str(figures),
                                     "--format", fmt)
    assert code == 0, err
    expected = {figures / f"{name}.{fmt}" for name in FIGURES}
    assert {Path(line) for line in out.split()} == expected
    for path in expected:
        assert path.read_bytes().startswith(magic) and path.stat().st_size > 5_000
    assert sorted(p.name for p in figures.iterdir()) == sorted(p.name for p in expected)


def _texts(figure) -> str:
    """Every piece of text in a figure, drawn or not, joined."""
    from matplotlib.text import Text

    return "\n".join(t.get_text() for t in figure.findobj(Text))


@pytest.mark.parametrize("draw", list(FIGURES.values()), ids=list(FIGURES))
def test_every_figure_names_scenario_variant_replicates_and_seed(result: BatchResult,
                                                                 draw) -> None:
    title = draw(result).get_suptitle()
    for words in (SCENARIO, f"variant {VARIANT}", f"{RUNS} replicates", f"seed {SEED}"):
        assert words in title, (words, title)


def _is_grey(colour) -> bool:
    r, g, b = colour[:3]
    return bool(np.isclose(r, g) and np.isclose(g, b))


def test_outcome_class_figure(result: BatchResult) -> None:
    figure = outcome_class_figure(result)
    (ax,) = figure.axes
    labels = sorted(ax.get_yticklabels(), key=lambda t: -t.get_position()[1])  # top first
    assert [t.get_text() for t in labels] == [c.replace("_", " ") for c in OUTCOME_CLASSES]
    assert "Wilson" in ax.get_xlabel() and "95%" in ax.get_xlabel()
    bars = ax.patches
    assert len(bars) == len(OUTCOME_CLASSES)
    # black and white: greys only, and no two classes look alike
    assert all(_is_grey(bar.get_facecolor()) for bar in bars)
    assert len({(bar.get_facecolor(), bar.get_hatch()) for bar in bars}) == len(bars)
    shares = result.outcomes["outcome_class"].value_counts(normalize=True)
    widths = {label.get_text(): bar.get_width() for label, bar in
              zip(labels, sorted(bars, key=lambda b: -b.get_y()), strict=True)}
    for name in OUTCOME_CLASSES:
        assert widths[name.replace("_", " ")] == pytest.approx(shares.get(name, 0.0))


def test_key_counts_figure(result: BatchResult) -> None:
    figure = key_counts_figure(result)
    titles = [ax.get_title(loc="left") for ax in figure.axes]
    assert titles == ["Militia attacks on US forces", "People killed (all kinetic actions)",
                      "Retaliatory strikes on militias", "Days to the first militia attack"]
    assert all(ax.get_ylabel() == "share of replicates" for ax in figure.axes)
    assert "no attack in" in _texts(figure)  # the share of replicates without a first attack
    attacks_axis = figure.axes[0]
    shares = sum(bar.get_height() for bar in attacks_axis.patches)
    assert shares == pytest.approx(1.0)  # every replicate counted once


def test_escalation_fan_figure_marks_every_inject(result: BatchResult) -> None:
    figure = escalation_fan_figure(result)
    ax = figure.axes[0]
    assert "escalation index" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    for words in ("median", "50%", "90%", "scripted inject", "assessment window"):
        assert any(words in label for label in labels), (words, labels)
    groups = injects_by_date(result.scenario)
    numbers = [a.get_text() for a in ax.texts]
    assert numbers == [str(i) for i in range(1, len(groups) + 1)]
    text = _texts(figure)
    for inject in result.scenario["injects"]:
        assert inject["id"] in text.replace("\n", " ").replace("- ", "-")


def test_say_do_gap_figure(result: BatchResult) -> None:
    figure = say_do_gap_figure(result)
    left, right = figure.axes
    assert [t.get_text() for t in left.get_xticklabels()] == \
        ["made\n(scenario)", "triggered", "honoured", "lapsed"]
    triggered = result.outcomes["threats_triggered"].mean()
    assert left.patches[1].get_height() == pytest.approx(triggered)
    legend = " ".join(t.get_text() for t in right.get_legend().get_texts())
    for fate in ("honoured", "lapsed", "open"):
        assert fate in legend
    assert "Threats made in the scenario" in _texts(figure)


def test_plot_refuses_an_unfinished_folder_and_a_bad_format(result: BatchResult, tmp_path: Path,
                                                            main_in_process) -> None:
    code, out, err = main_in_process("plot", str(tmp_path), "--out", str(tmp_path / "f"))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "not an escsim results folder" in err
    code, out, err = main_in_process("plot", str(result.folder), "--out", str(tmp_path / "f"),
                                     "--format", "gif")
    assert code == 2 and "--format" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "f").exists()


def test_a_plain_run_does_not_import_matplotlib() -> None:
    probe = ("import sys, contextlib, io\n"
             "from sim.cli import main\n"
             "sys.argv = ['escsim', 'run', 'june-2025']\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    try:\n        main()\n    except SystemExit:\n        pass\n"
             "print('matplotlib' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "False", done.stderr


# --- the numbers behind the figures ------------------------------------------------------------

def test_zero_keeps_a_bar_of_its_own() -> None:
    values = pd.Series([0] * 50 + list(range(1, 60)))
    edges = integer_bins(values.to_numpy(dtype=float))
    assert edges[0] == -0.5 and edges[1] == 0.5 and edges[2] - edges[1] > 1
    table = count_distribution(values)
    assert table.iloc[0][["low", "high"]].tolist() == [0, 0]
    assert table["share"].sum() == pytest.approx(1.0)


def test_missing_values_are_left_out_of_count_shares() -> None:
    table = count_distribution(pd.Series([1.0, np.nan, np.nan, 3.0]))
    assert table["share"].sum() == pytest.approx(0.5)


def test_fate_of_triggered_threats_adds_up() -> None:
    outcomes = pd.DataFrame({"threats_triggered": [2, 1, 0], "threats_honoured": [1, 0, 0],
                             "threats_lapsed": [1, 0, 0]})
    assert fate_of_triggered(outcomes) == pytest.approx({"honoured": 1 / 3, "lapsed": 1 / 3,
                                                         "open": 1 / 3})
