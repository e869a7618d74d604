"""Why actors did what they did: the terms of their rule, and what each documented reason is worth.

    from sim.analysis.explain import explain
    report = explain("june-2025", runs=1000, seed=1)
    print(report.render())

Two parts, both read from the model itself:

- **Terms.** For every free actor and day, the mean (over replicates) of each term of its rule
  (sim/model/rules.py) for its best strike option, beside the probability that it strikes at
  all that day. Holding scores 0, so a term's value *is* its contribution to striking rather
  than holding: positive terms push toward striking, negative ones hold the actor back.
- **Knockouts.** The class distribution of the scenario with each documented reason removed in
  turn (its weight set to 0), beside the scenario as it is: the reasons' measurable effects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.files import json_report
from sim.errors import UserError
from sim.memory import check_fits
from sim.model.actors import Actor
from sim.model.choice import choice_probabilities
from sim.model.model import EscalationModel
from sim.model.outcomes import OUTCOME_CLASSES
from sim.model.rules import KINETIC, TERM_NAMES, Situation, Terms
from sim.scenario.schema import Scenario

# The reasons a knockout removes, each by the weight that carries it in the rule. The first
# three are the reasons Ozcelik and Badawi (2025) give for the militias' restraint in June 2025.
KNOCKOUTS: dict[str, dict[str, float]] = {
    "fear of decapitation": {"decapitation_fear_weight": 0.0},
    "Baghdad's restraint (stakes and pressure)": {"stake_weight": 0.0},
    "Iran's directive": {"directive_weight": 0.0},
    "expected retaliation": {"retaliation_weight": 0.0},
    "commitments (own threats)": {"commitment_weight": 0.0},
    "solidarity with allies' wars": {"solidarity_weight": 0.0},
    "all three of Ozcelik and Badawi's reasons": {"decapitation_fear_weight": 0.0,
                                                   "stake_weight": 0.0, "directive_weight": 0.0},
}


class ExplainError(UserError):
    """An explanation that cannot be given as asked (unknown actor or date)."""


@dataclass
class _Recorder:
    """Collects, per (day, actor, target), the mean terms of the actor's best strike on that
    target, the chance it strikes that target, and the chance it strikes at all."""

    actors: set[str] | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    moves: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, day: int, agent: Actor, sit: Situation, terms: Terms,
                 choice: np.ndarray) -> None:
        if self.actors is not None and agent.actor_id not in self.actors:
            return
        opts = agent.options
        total = terms.total()
        p = choice_probabilities(total, opts, sit.world.trait("rationality")[:, agent.index])
        for i, intent in enumerate(opts.intents):
            self.moves.append({"day": day, "actor": agent.actor_id, "move": intent,
                               "p": float(p[:, opts.intent == i].sum(axis=1).mean())})
        strikes = np.flatnonzero(KINETIC[opts.action])
        if strikes.size == 0:
            return
        p_any = float(p[:, strikes].sum(axis=1).mean())
        rows = np.arange(total.shape[0])
        for target in np.unique(opts.target[strikes]):
            cols = strikes[opts.target[strikes] == target]
            best = cols[np.argmax(total[:, cols], axis=1)]
            row: dict[str, Any] = {
                "day": day, "actor": agent.actor_id, "target": sit.world.ids[int(target)],
                "p_strike": p_any, "p_target": float(p[:, cols].sum(axis=1).mean()),
                "best_strike": float(total[rows, best].mean())}
            for name in TERM_NAMES:
                if name in terms.parts:
                    row[name] = float(terms.parts[name][rows, best].mean())
            self.rows.append(row)


@dataclass
class Explanation:
    """Terms by actor and date, and the knockout table."""

    scenario: Scenario
    runs: int
    seed: int
    terms: pd.DataFrame
    knockouts: pd.DataFrame
    moves: pd.DataFrame = field(default_factory=pd.DataFrame)

    def term_table(self, actor: str | None = None, date: dt.date | None = None) -> pd.DataFrame:
        table = self.terms
        if actor is not None:
            table = table[table["actor"] == actor]
        if date is not None:
            table = table[table["date"] == date.isoformat()]
        return table

    def to_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario.id, "variant": self.scenario.variant,
                "runs": self.runs, "seed": self.seed,
                "terms": self.terms.to_dict(orient="records"),
                "moves": self.moves.to_dict(orient="records"),
                "knockouts": self.knockouts.to_dict(orient="records")}

    def to_json(self, path: str | Path | None = None) -> str:
        return json_report(self.to_dict(), path)

    def render(self, dates: Sequence[dt.date] | None = None) -> str:
        return render_explanation(self, dates)


def record_terms(scenario: Scenario, runs: int, seed: int, actors: set[str] | None,
                 overrides: Mapping[str, float] | None = None
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the scenario once with the recorder on: the terms, one row per (day, free actor,
    target of its strikes), and the chance of each of its moves, one row per (day, actor,
    move)."""
    model = EscalationModel(scenario, None, runs, seed, collect_data=False, log_events=False,
                            **(overrides or {}))
    recorder = _Recorder(actors)
    model.recorder = recorder
    model.run()
    return _dated(scenario, recorder.rows), _dated(scenario, recorder.moves)


def _dated(scenario: Scenario, rows: list[dict[str, Any]]) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    if not table.empty:
        table.insert(1, "date", [(scenario.start + dt.timedelta(days=int(d))).isoformat()
                                 for d in table["day"]])
    return table


def knockout_table(scenario: Scenario, runs: int, seed: int,
                   knockouts: Mapping[str, Mapping[str, float]] = KNOCKOUTS,
                   overrides: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Class shares of the scenario as it is and with each reason removed in turn."""
    from sim.analysis.episodes import simulated_outcomes

    rows = []
    for label, change in {"(as it is)": {}, **knockouts}.items():
        outcomes = simulated_outcomes(scenario, None, runs, seed, workers=1, progress=False,
                                      overrides={**(overrides or {}), **change})
        shares = outcomes["outcome_class"].value_counts(normalize=True)
        rows.append({"removed": label, **{c: float(shares.get(c, 0.0)) for c in OUTCOME_CLASSES}})
    return pd.DataFrame(rows)


def explain(scenario: str | Path | Scenario, variant: str | None = None, runs: int = 1000,
            seed: int = 0, actor: str | None = None, knockout_runs: int | None = None,
            overrides: Mapping[str, float] | None = None) -> Explanation:
    """Terms of every free actor's rule over the run, and the knockout table."""
    from sim.scenario.loader import load_scenario

    spec = scenario if isinstance(scenario, Scenario) and not variant \
        else load_scenario(scenario, variant)
    if actor is not None and actor not in spec.actors:
        raise ExplainError(f"no actor '{actor}' in {spec.id} (actors: {', '.join(spec.actors)})")
    check_fits(spec, runs, what=f"a run of {spec.id}", advice="lower --runs")
    terms, moves = record_terms(spec, runs, seed, None if actor is None else {actor}, overrides)
    knockouts = knockout_table(spec, knockout_runs or runs, seed, overrides=overrides)
    return Explanation(spec, runs, seed, terms, knockouts, moves)


def render_explanation(ex: Explanation, dates: Sequence[dt.date] | None = None) -> str:
    """The knockout table, then per actor the terms on the key dates."""
    lines = [f"Why actors did what they did: {ex.scenario.id}"
             f" ({ex.scenario.variant or 'base'}), {ex.runs:,} replicates, seed {ex.seed}.", "",
             "Knockouts: the outcome classes with each documented reason removed in turn"]
    header = f"{'removed':<44}" + "".join(f"{c.replace('_', ' '):>19}" for c in OUTCOME_CLASSES)
    lines.append(header)
    for _, row in ex.knockouts.iterrows():
        lines.append(f"{row['removed']:<44}"
                     + "".join(f"{100 * row[c]:>18.1f}%" for c in OUTCOME_CLASSES))
    chosen = _key_dates(ex) if dates is None else [d.isoformat() for d in dates]
    lines += ["", "Terms: for each actor, target and date, the mean contribution of each term "
              "to the actor's best strike on that target (holding scores 0, so positive terms "
              "push toward striking and negative ones hold it back); U is their sum, P the "
              "chance it strikes that target that day"]
    present = [t for t in TERM_NAMES if t in ex.terms.columns and t not in ("effort",)
               and ex.terms[t].abs().max() > 0]
    for actor, table in ex.terms.groupby("actor", sort=False):
        lines += ["", actor]
        lines += _move_lines(ex.moves, actor, chosen)
        lines.append(f"  {'date':<11}{'target':<26}{'P':>6}{'U':>7}"
                     + "".join(f"{t[:11]:>12}" for t in present))
        for _, row in table[table["date"].isin(chosen)].iterrows():
            values = "".join(f"{row[t]:>12.2f}" if pd.notna(row[t]) else f"{'':>12}"
                             for t in present)
            lines.append(f"  {row['date']:<11}{row['target']:<26}{100 * row['p_target']:>5.1f}%"
                         f"{row['best_strike']:>7.2f}{values}")
    return "\n".join(lines)


def _move_lines(moves: pd.DataFrame, actor: str, dates: list[str]) -> list[str]:
    """The actor's likeliest moves on each date other than holding (chance over replicates)."""
    if moves.empty:
        return []
    mine = moves[(moves["actor"] == actor) & moves["date"].isin(dates) & (moves["move"] != "hold")]
    lines = []
    for date, table in mine.groupby("date", sort=True):
        top = table.sort_values("p", ascending=False).head(4)
        listed = ", ".join(f"{m['move'].replace('_', ' ')} {100 * m['p']:.1f}%"
                           for _, m in top.iterrows() if m["p"] >= 0.0005)
        lines.append(f"  {date}  likeliest moves: {listed or 'hold, nearly always'}")
    return lines


def _key_dates(ex: Explanation) -> list[str]:
    """The scenario's injects' dates, the assessment window's ends, and weekly dates."""
    s = ex.scenario
    dates = {s.start, s.window.start, s.window.end, s.end}
    dates.update(i.date for i in s.injects)
    dates.update(t.made for t in s.threats if s.start <= t.made <= s.end)
    day = s.start
    while day <= s.end:
        dates.add(day)
        day += dt.timedelta(days=7)
    return sorted(d.isoformat() for d in dates)
