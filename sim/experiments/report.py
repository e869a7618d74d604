"""Plain-text summaries of sensitivity analyses, for the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sim.experiments.outcomes import noise_groups

if TYPE_CHECKING:
    from sim.experiments.sensitivity import SensitivityStudy


def _interval(row: pd.Series) -> str:
    return f"{row['value']:7.3f} [{row['low']:6.3f}, {row['high']:6.3f}]"


def _noise(value: float) -> str:
    return "    -" if pd.isna(value) else f"{value:5.3f}"


def _outcome_lines(study: SensitivityStudy, name: str, top: int) -> list[str]:
    table = study.table()
    rows = table[table["outcome"] == name]
    width = min(max(len(p) + (3 if i == "S2" else 0)  # S2 rows start with "S2 "
                    for p, i in zip(rows["parameter"], rows["index"], strict=True)) + 2, 64)
    kind = next(o.kind for o in study.outcomes if o.name == name)
    lines = [f"{name} ({kind})"]
    if study.method == "morris":
        wide = rows.pivot(index="parameter", columns="index", values=["value", "low", "high",
                                                                       "noise_se"])
        order = wide[("value", "mu_star")].sort_values(ascending=False).index
        lines.append(f"  {'input':<{width}}{'mu_star [95% interval]':>26}{'sigma':>9}{'mu':>9}"
                     f"{'noise':>8}")
        for p in order[:top]:
            star = pd.Series({k: wide.loc[p, (k, "mu_star")] for k in ("value", "low", "high")})
            sigma, mu = wide.loc[p, ("value", "sigma")], wide.loc[p, ("value", "mu")]
            lines.append(f"  {p:<{width}}{_interval(star):>26}{sigma:9.3f}{mu:9.3f}"
                         f"   {_noise(wide.loc[p, ('noise_se', 'mu_star')])}")
        hidden = len(order) - top
    else:
        first, total = rows[rows["index"] == "S1"].set_index("parameter"), \
            rows[rows["index"] == "ST"].set_index("parameter")
        order = total["value"].sort_values(ascending=False).index
        lines.append(f"  {'input':<{width}}{'S1 [95% interval]':>26}{'ST [95% interval]':>26}"
                     f"{'noise S1 / ST':>16}")
        for p in order[:top]:
            lines.append(f"  {p:<{width}}{_interval(first.loc[p]):>26}{_interval(total.loc[p]):>26}"
                         f"   {_noise(first.loc[p, 'noise_se'])} / "
                         f"{_noise(total.loc[p, 'noise_se'])}")
        hidden = len(order) - top
        pairs = rows[rows["index"] == "S2"].sort_values("value", ascending=False)
        for _, row in pairs.head(3).iterrows():
            lines.append(f"  S2 {row['parameter']:<{width - 3}}{_interval(row):>26}")
    if hidden > 0:
        lines.append(f"  ... {hidden} more inputs in the full table")
    return lines


def render_sensitivity(study: SensitivityStudy, top: int = 12) -> str:
    """The indices of the shown outcomes, then what was skipped, the warnings and the time."""
    lines = [study.title(),
             f"Intervals: {study.level:.0%} bootstrap over the design's points (SALib, "
             f"{study.resamples} resamples). Noise: replicate noise, the jackknife standard "
             f"error over {noise_groups(study.runs)} groups of the {study.runs} replicates per "
             "point.", ""]
    for name in study.shown_outcomes():
        lines += _outcome_lines(study, name, top) + [""]
    others = len(study.outcomes) - len(study.skipped) - len(study.shown_outcomes())
    if others > 0:
        lines.append(f"{others} more outcomes (each metric's mean) are in the full table "
                     "(indices.csv with --out).")
    for name, why in study.skipped.items():
        lines.append(f"no indices for {name}: {why}")
    for note in study.warnings():
        lines.append(f"warning: {note}")
    if "evaluate" in study.seconds:
        cpu = study.seconds.get("cpu")
        lines.append(f"model runs: {study.seconds['evaluate']:.1f} s wall"
                     + (f", {cpu:.1f} s CPU" if cpu else ""))
    return "\n".join(lines).rstrip() + "\n"
