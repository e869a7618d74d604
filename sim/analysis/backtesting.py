"""Running the backtest: every episode against its historical record, with a report.

    from sim.analysis.backtesting import backtest
    result = backtest(runs=10_000, seed=3)      # every shipped episode
    print(result.render())
    result.to_json("backtest.json"); result.figure()

The scoring itself lives in sim.analysis.backtest (probability and rank of the historical
class, metric percentiles and the central-90% check, Brier and log scores, the uniform and
previous-episode baselines); this module runs the episodes, in chronological order, and reports.

The criteria, checked by ``Backtest.criteria``; each can fail, and the report says by how much:
- for every episode the historical class is the most likely class (rank 1);
- every recorded metric is matched (its value in the recorded range, over the recorded dates)
  by at least ``MATCH_THRESHOLD`` (20%) of the runs;
- the model's summed log score is lower (better) than both baselines'.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis.backtest import MATCH_THRESHOLD, EpisodeBacktest, backtest_episode, scores_table
from sim.analysis.episodes import load_episodes, simulated_outcomes
from sim.analysis.files import json_report, output_folder, save_figure, write_text
from sim.text import percent
from sim.analysis.stats import class_probabilities
from sim.errors import UserError
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.batch.executors import Executor

TOP_CLASSES = 1  # the historical class must be the most likely class


@dataclass(frozen=True)
class EpisodeInfo:
    """What the report says about an episode besides its scores."""

    id: str
    title: str
    start: str
    end: str
    window: tuple[str, str]

    @classmethod
    def of(cls, scenario: Scenario) -> EpisodeInfo:
        w = scenario.window
        return cls(scenario.id, scenario.title, scenario.start.isoformat(),
                   scenario.end.isoformat(), (w.start.isoformat(), w.end.isoformat()))


@dataclass
class Backtest:
    """The backtest of several episodes (chronological), one ``EpisodeBacktest`` each."""

    episodes: list[EpisodeInfo]
    results: list[EpisodeBacktest]
    class_tables: dict[str, pd.DataFrame]  # raw class shares with Wilson intervals
    runs: int
    seed: int | None
    overrides: dict[str, float] = field(default_factory=dict)  # instead of shipped values

    @classmethod
    def from_outcomes(cls, scenarios: Sequence[Scenario], outcomes: Sequence[pd.DataFrame],
                      seed: int | None = None,
                      overrides: Mapping[str, float] | None = None) -> Backtest:
        """Score outcome tables already in hand, one per episode, given in chronological order."""
        results = [backtest_episode(s, o) for s, o in zip(scenarios, outcomes, strict=True)]
        tables = {s.id: class_probabilities(o["outcome_class"].astype(str))
                  for s, o in zip(scenarios, outcomes, strict=True)}
        runs = int(max(len(o) for o in outcomes)) if outcomes else 0
        return cls([EpisodeInfo.of(s) for s in scenarios], results, tables, runs, seed,
                   dict(overrides or {}))

    @property
    def order(self) -> list[str]:
        return [e.id for e in self.episodes]

    def result(self, episode: str) -> EpisodeBacktest:
        return next(r for r in self.results if r.scenario == episode)

    # --- tables ---------------------------------------------------------------------------

    def scores(self) -> pd.DataFrame:
        """Per episode and in total: the model's Brier and log scores next to the baselines'."""
        return scores_table(self.results, self.order)

    def summary(self) -> pd.DataFrame:
        """Per episode: historical class, its probability with interval and rank, how many
        historical metrics fall in the central 90%, and the scores (with totals)."""
        scores = self.scores()
        extra = pd.DataFrame([{
            "episode": r.scenario, "p_low": r.class_interval[0], "p_high": r.class_interval[1],
            "metrics_matched": sum(m.passes for m in r.metrics),
            "metrics": len(r.metrics)} for r in self.results])
        table = scores.merge(extra, on="episode", how="left")
        front = ["episode", "historical_class", "p_historical", "p_low", "p_high", "rank",
                 "metrics_matched", "metrics"]
        return table[front + [c for c in table.columns if c not in front]]

    def metric_table(self) -> pd.DataFrame:
        """One row per episode and historical metric: recorded range, shares of replicates
        below, inside (matched) and above it, its mid-percentile, the simulated 5th and 95th
        percentiles, and whether at least MATCH_THRESHOLD of the runs match it."""
        rows = [{"episode": r.scenario, "metric": m.metric, "record_min": m.low,
                 "record_max": m.high, "below": m.below, "inside": m.inside, "above": m.above,
                 "percentile": m.percentile, "q05": m.q05, "q95": m.q95,
                 "passes": m.passes}
                for r in self.results for m in r.metrics]
        return pd.DataFrame(rows)

    # --- the criteria ---------------------------------------------------------------------

    def class_in_top(self, episode: str, top: int = TOP_CLASSES) -> bool:
        return self.result(episode).class_rank <= top

    def metrics_matched(self, episode: str) -> bool:
        return all(m.passes for m in self.result(episode).metrics)

    def beats_baselines(self) -> dict[str, bool]:
        """Whether the model's summed log score is lower than each baseline's."""
        total = self.scores().iloc[-1]
        return {"uniform": bool(total["log"] < total["log_uniform"]),
                "previous_episode": bool(total["log"] < total["log_previous"])}

    def criteria(self) -> dict[str, bool]:
        """Each of the issue's checks, by name; all True when the backtest passes."""
        checks: dict[str, bool] = {}
        for episode in self.order:
            checks[f"{episode}: historical class ranks first"] = self.class_in_top(episode)
            checks[f"{episode}: every recorded metric matched by at least "
                   f"{MATCH_THRESHOLD:.0%} of runs"] = self.metrics_matched(episode)
        for name, ok in self.beats_baselines().items():
            checks[f"summed log score beats the {name.replace('_', '-')} baseline"] = ok
        return checks

    @property
    def passed(self) -> bool:
        return all(self.criteria().values())

    # --- outputs --------------------------------------------------------------------------

    def caption(self) -> str:
        seed = "" if self.seed is None else f", seed {self.seed}"
        changed = "".join(f", {k}={v:g}" for k, v in self.overrides.items())
        return f"{self.runs:,} replicates per episode{seed}{changed}"

    def render(self) -> str:
        """The backtest as plain text: summary table, metrics, criteria."""
        return render_backtest(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs, "seed": self.seed, "overrides": self.overrides,
            "episodes": [{"id": e.id, "title": e.title, "start": e.start, "end": e.end,
                          "assessment_window": list(e.window),
                          "probabilities": self.result(e.id).probabilities,
                          "class_shares": self.class_tables[e.id].to_dict(orient="records")}
                         for e in self.episodes],
            "summary": self.summary().to_dict(orient="records"),
            "metrics": self.metric_table().to_dict(orient="records"),
            "criteria": self.criteria(), "passed": self.passed,
            "notes": {
                "probabilities": "Jeffreys-smoothed class shares, (count + 1/2) / (n + K/2), "
                                 "used for the Brier and log scores",
                "baselines": "uniform over the classes; previous episode: 0.8 on the class "
                             "of the chronologically previous episode (uniform for the first)",
                "matched": "share of runs whose value lies in the recorded range over the "
                           f"recorded dates; a metric passes at {MATCH_THRESHOLD:.0%}",
            },
        }

    def to_json(self, path: str | Path | None = None) -> str:
        """The backtest as JSON; written to ``path`` when given."""
        return json_report(self.to_dict(), path)

    def figure(self) -> Figure:
        """Per episode, the class probabilities with the historical class marked, and the
        percentiles of the historical metrics (sim.plots.analysis)."""
        from sim.plots.analysis import backtest_figure

        return backtest_figure(self)

    def write(self, folder: str | Path, fmt: str = "png") -> list[Path]:
        """Write backtest.json, backtest-summary.csv, backtest-metrics.csv and the figure."""
        out = output_folder(folder)
        return [write_text(out / "backtest.json", self.to_json()),
                write_text(out / "backtest-summary.csv", self.summary().to_csv(index=False)),
                write_text(out / "backtest-metrics.csv", self.metric_table().to_csv(index=False)),
                save_figure(self.figure(), out / f"backtest.{fmt.lower().lstrip('.')}")]


def backtest(scenarios: Sequence[str | Path] | None = None, runs: int = 10_000, seed: int = 0,
             workers: int | None = None, progress: bool | None = None,
             overrides: Mapping[str, float] | None = None,
             executor: Executor | None = None) -> Backtest:
    """Run every episode (default: all shipped ones) and score it against its record.

    Args:
        scenarios: shipped ids or scenario files with a ``history``; None or empty: every
            shipped episode. They are ordered by start date whatever order they are given in.
        runs: replicates per episode (at least 2).
        seed: the random seed, the same for every episode.
        workers: worker processes per batch (default: one per core).
        progress: a progress bar per episode on stderr (default: when stderr is a terminal).
        overrides: parameter values to use instead of the shipped ones in every episode (as
            ``--set`` takes them), e.g. the fitted values of a calibration.
        executor: run on this executor (a Dask cluster) instead of local workers.
    """
    if runs < 2:
        raise UserError("a backtest needs at least 2 replicates per episode")
    episodes = load_episodes(scenarios)
    outcomes = [simulated_outcomes(s, None, runs, seed, workers, progress, overrides, executor)
                for s in episodes]
    return Backtest.from_outcomes(episodes, outcomes, seed, overrides)


# --- plain text -------------------------------------------------------------------------------

def _pct(value: float) -> str:
    """A share, precise enough that a rare event never reads 0% (sim.text.percent)."""
    return percent(value) if np.isfinite(value) else "-"


def _range(low: float | None, high: float | None) -> str:
    def text(v: float | None) -> str:
        return "" if v is None or not np.isfinite(v) else f"{v:g}"
    if low is not None and high is not None and low == high:
        return text(low)
    if low is None:
        return f"<= {text(high)}"
    return f"{text(low)}..{text(high)}" if high is not None else f">= {text(low)}"


def _summary_lines(bt: Backtest) -> list[str]:
    lines = [f"{'episode':<12} {'historical class':<18} {'P(model)':>8}  {'95% interval':<16}"
             f"{'rank':>4}  {'metrics ok':>10}  {'Brier':>6} {'unif.':>6} {'prev.':>6}"
             f"  {'log':>6} {'unif.':>6} {'prev.':>6}"]
    for _, row in bt.summary().iterrows():
        is_total = row["episode"] == "total"
        interval = "" if is_total else f"[{_pct(row['p_low'])}, {_pct(row['p_high'])}]"
        p = "" if is_total else _pct(row["p_historical"])
        rank = "" if is_total else f"{int(row['rank'])}"
        ok = "" if is_total else f"{int(row['metrics_matched'])}/{int(row['metrics'])}"
        lines.append(f"{row['episode']:<12} {row['historical_class'].replace('_', ' '):<18} "
                     f"{p:>8}  {interval:<16}{rank:>4}  {ok:>10}  {row['brier']:6.3f} "
                     f"{row['brier_uniform']:6.3f} {row['brier_previous']:6.3f}  "
                     f"{row['log']:6.3f} {row['log_uniform']:6.3f} {row['log_previous']:6.3f}")
    return lines


def _metric_lines(bt: Backtest) -> list[str]:
    width = max([len("metric"), *(len(m) for m in bt.metric_table().get("metric", []))])
    lines = [f"{'episode':<12} {'metric':<{width}} {'record':>8} {'below':>7} {'matched':>8} "
             f"{'above':>7} {'5th-95th':>10}  passes"]
    for _, m in bt.metric_table().iterrows():
        low = None if pd.isna(m["record_min"]) else m["record_min"]
        high = None if pd.isna(m["record_max"]) else m["record_max"]
        spread = f"{m['q05']:g}-{m['q95']:g}"
        lines.append(f"{m['episode']:<12} {m['metric']:<{width}} {_range(low, high):>8} "
                     f"{_pct(m['below']):>7} {_pct(m['inside']):>8} {_pct(m['above']):>7} "
                     f"{spread:>10}  {'yes' if m['passes'] else 'NO'}")
    return lines


def render_backtest(bt: Backtest) -> str:
    """Summary table, metric table and the criteria, as plain text."""
    lines = [f"Backtest of {len(bt.episodes)} episodes against the historical record: "
             f"{bt.caption()}.",
             "P(model): share of replicates in the historical class (95% Wilson interval); "
             "rank 1 = most likely class.",
             "Scores (lower is better) use Jeffreys-smoothed class shares; baselines: uniform "
             "over 5 classes, and 0.8 on the previous episode's class.", ""]
    lines += _summary_lines(bt) + ["", "Historical metrics: the share of runs whose value "
                                   f"matches the record (a metric passes at {MATCH_THRESHOLD:.0%})"]
    lines += _metric_lines(bt) + ["", "Criteria"]
    lines += [f"  [{'pass' if ok else 'FAIL'}] {name}" for name, ok in bt.criteria().items()]
    return "\n".join(lines)


__all__ = ["Backtest", "EpisodeInfo", "backtest", "render_backtest"]
