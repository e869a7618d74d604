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
from sim.plots.data import (count_distribution, injects_by_date, integer_bins,
                            threat_fate_shares)
from sim.plots.notes import CLASS_DEFINITIONS, NOT_A_FORECAST

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


def test_outcome_figures_mark_the_record_and_say_what_they_are(result: BatchResult) -> None:
    figure = outcome_class_figure(result)
    (ax,) = figure.axes
    marked = [t.get_text() for t in ax.texts if "historical record" in t.get_text()]
    assert len(marked) == 1  # the record of June 2025: restraint
    restraint = result.outcomes["outcome_class"].value_counts(normalize=True)["restraint"]
    assert marked[0].startswith(f"{100 * restraint:.1f}%") or "restraint" in marked[0]
    text = " ".join(_texts(figure).split())
    assert NOT_A_FORECAST in text
    for name, definition in CLASS_DEFINITIONS.items():
        assert f"{name.replace('_', ' ')}: {definition}" in text


def test_every_outcome_class_has_a_definition() -> None:
    assert list(CLASS_DEFINITIONS) == list(OUTCOME_CLASSES)


def test_key_counts_figure(result: BatchResult) -> None:
    figure = key_counts_figure(result)
    titles = [ax.get_title(loc="left") for ax in figure.axes]
    assert [" ".join(t.split()) for t in titles] == [
        "Militia attacks on US forces", "People killed by militia attacks",
        "Retaliatory strikes on militias",
        "Days to the first militia attack on US or Israeli targets"]
    assert all(ax.get_ylabel() == "share of replicates" for ax in figure.axes)
    assert "no such attack in" in _texts(figure)  # replicates without a first attack
    killed = figure.axes[1]
    assert sum(bar.get_height() for bar in killed.patches) == pytest.approx(1.0)
    attacks_axis = figure.axes[0]
    shares = sum(bar.get_height() for bar in attacks_axis.patches)
    assert shares == pytest.approx(1.0)  # every replicate counted once


def test_escalation_fan_figure_marks_every_inject(result: BatchResult) -> None:
    figure = escalation_fan_figure(result)
    ax, share_ax = figure.axes[:2]
    assert "escalation index" in ax.get_ylabel() and "Goldstein" not in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    for words in ("mean", "median", "95th percentile", "scripted inject", "assessment window"):
        assert any(words in label for label in labels), (words, labels)
    daily = result.daily
    half_shows = bool((daily["index_q75"] > daily["index_q25"]).any())
    assert any("middle half" in label for label in labels) == half_shows  # never an empty band
    groups = injects_by_date(result.scenario)
    numbers = [a.get_text() for a in ax.texts]
    assert numbers == [str(i) for i in range(1, len(groups) + 1)]
    text = " ".join(_texts(figure).split())
    for date, acts in groups:
        for act in acts:
            assert " ".join(act.split()) in text, act
    shares = [bar.get_height() for bar in share_ax.containers[0]]
    assert shares == pytest.approx(list(daily["hostile_share"]))


def test_inject_markers_of_neighbouring_days_do_not_overlap(result: BatchResult) -> None:
    figure = escalation_fan_figure(result)
    figure.canvas.draw()  # lay the figure out
    boxes = [a.get_window_extent() for a in figure.axes[0].texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_say_do_gap_figure_shows_each_threat(result: BatchResult) -> None:
    figure = say_do_gap_figure(result)
    (ax,) = figure.axes
    threats = result.threats
    assert len(threats) == len(result.scenario["threats"])
    assert [t.get_text().split(":")[0] for t in ax.get_yticklabels()] == \
        list(threats["threat"])
    widths = np.array([bar.get_width() for bar in ax.patches]).reshape(4, len(threats))
    assert widths.sum(axis=0) == pytest.approx(np.ones(len(threats)))  # each row is every replicate
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert legend == ["not set off", "honoured", "lapsed", "still open at the end"]
    # the scenario's threats are part of the outcomes table's totals, which also count the
    # threats the actors make themselves during the run
    outcomes = result.outcomes
    assert threats["triggered"].sum() > 0
    for fate in ("triggered", "honoured", "lapsed"):
        assert 0 <= threats[fate].sum() <= outcomes[f"threats_{fate}"].sum()


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


def test_threat_fate_shares_add_up() -> None:
    threats = pd.DataFrame({"threat": ["t"], "by": ["a"], "made_on": ["2025-06-12"],
                            "response": ["drone_attack"], "target": ["b"], "replicates": [10],
                            "made": [10], "triggered": [6], "honoured": [1], "lapsed": [3],
                            "open": [2]})
    shares = threat_fate_shares(threats).iloc[0]
    assert [shares[k] for k in ("untriggered", "honoured", "lapsed", "open")] == \
        pytest.approx([0.4, 0.1, 0.3, 0.2])
