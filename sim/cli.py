"""The ``escsim`` command line. Thin: each command calls one library function.

Heavy modules (the model, pandas, matplotlib) are imported inside the commands that need them,
so that ``escsim --help`` and ``escsim list`` start fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

app = typer.Typer(
    name="escsim",
    help="Tabletop escalation scenario simulator: Iraq, Iran, the United States, Israel.\n\n"
         "A teaching and exploration tool, not a forecast.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ScenarioArg = Annotated[str, typer.Argument(
    help="A shipped scenario id (see `escsim list`) or a path to a scenario .yaml file.")]
VariantOpt = Annotated[str | None, typer.Option(
    "--variant", "-v", help="One of the scenario's variants (counterfactuals).")]
SeedOpt = Annotated[int, typer.Option("--seed", "-s", min=0, help="Random seed.")]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", help="Override a parameter, NAME=VALUE (repeatable); per actor: NAME__ACTOR=VALUE. "
                  "See `escsim parameters`.")]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a user-facing error (no traceback) and exit non-zero."""
    typer.echo(f"escsim: error: {message}", err=True)
    raise typer.Exit(code)


def _overrides(pairs: list[str] | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            fail(f"--set expects NAME=VALUE, got '{pair}'")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            fail(f"--set {name}: '{value}' is not a number")
    return out


@app.command("list")
def list_scenarios() -> None:
    """List the shipped scenarios, one line each, with their variants."""
    from sim.scenario.loader import load_scenario, shipped_scenarios

    for scenario_id in shipped_scenarios():
        s = load_scenario(scenario_id)
        variants = ", ".join(s.variants) or "none"
        typer.echo(f"{s.id:<12} {s.start}..{s.end}  {s.title}  [variants: {variants}]")


@app.command()
def run(scenario: ScenarioArg, variant: VariantOpt = None, seed: SeedOpt = 0,
        replicate: Annotated[int, typer.Option(
            min=0, help="Which replicate of a batch with this seed to replay.")] = 0,
        as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
        set_: SetOpt = None) -> None:
    """Run one replicate of a scenario and print its dated timeline and outcome."""
    from sim.scenario.loader import load_scenario

    spec = load_scenario(scenario, variant)  # report a bad file before loading the model
    from sim.runs import format_timeline, run_one, to_json

    result = run_one(spec, None, seed, replicate, _overrides(set_))
    typer.echo(to_json(result) if as_json else format_timeline(result))


@app.command()
def validate(files: Annotated[list[str], typer.Argument(
        help="Scenario files (or shipped ids) to check, with all their variants.")]) -> None:
    """Check scenario files against the format, with every variant; report all problems."""
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import validate_file

    bad = 0
    for ref in files:
        try:
            checked = validate_file(ref)
        except ScenarioError as exc:
            bad += 1
            typer.echo(str(exc), err=True)
            continue
        typer.echo(f"{ref}: ok ({', '.join(checked)})")
    if bad:
        fail(f"{bad} of {len(files)} scenario file(s) have problems", code=1)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format (for editors)."""
    from sim.scenario.schema import Scenario

    doc = Scenario.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = "escsim scenario"
    typer.echo(json.dumps(doc, indent=2, sort_keys=True))


@app.command()
def evidence(scenario: ScenarioArg, actor: Annotated[str, typer.Argument(
        help="An actor id of the scenario, e.g. kataib_hezbollah.")],
        variant: VariantOpt = None) -> None:
    """Show the facts behind an actor's parameters, situation, threats and scripted events."""
    from sim.scenario.loader import load_scenario
    from sim.trace import actor_evidence, format_evidence

    spec = load_scenario(scenario, variant)
    typer.echo(format_evidence(spec, actor, actor_evidence(spec, actor)), nl=False)


@app.command()
def parameters() -> None:
    """List every behavioural parameter: meaning, range, default and evidence."""
    from sim.model.parameters import GLOBAL, PER_ACTOR

    typer.echo("Global parameters (override with --set NAME=VALUE). Support: how far the "
               "evidence goes (magnitude, direction, or a judgement).")
    for p in GLOBAL.values():
        typer.echo(f"  {p.name} = {p.default:g}  [{p.low:g}, {p.high:g}]  {p.meaning}")
        typer.echo(f"      support: {p.support}"
                   + (f"; evidence: {', '.join(p.evidence)}" if p.evidence else ""))
    typer.echo("\nPer-actor traits (values in sim/model/actors.yaml; override with "
               "--set NAME__ACTOR=VALUE):")
    for p in PER_ACTOR.values():
        typer.echo(f"  {p.name}  [{p.low:g}, {p.high:g}]  {p.meaning}")


@app.command()
def facts(fact_id: Annotated[str | None, typer.Argument(help="Show one fact in full.")] = None) -> None:
    """List the evidence register's facts (or show one)."""
    from sim.evidence import shipped_register

    register = shipped_register()
    if fact_id is not None:
        if fact_id not in register.facts:
            fail(f"no fact '{fact_id}' in the register")
        typer.echo(register.facts[fact_id].model_dump_json(indent=2))
        return
    for fact in sorted(register.facts.values(), key=lambda f: (f.date, f.id)):
        typer.echo(f"{fact.date_text:<10} {fact.id:<48} {fact.paraphrase}")
    typer.echo(f"\n{len(register.facts)} facts from {len(register.sources)} sources")


def _command_line() -> str:
    """This invocation as a shell command (recorded in a batch's manifest)."""
    import shlex

    return shlex.join(["escsim", *sys.argv[1:]])


SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help="Run on the Dask cluster whose scheduler is at this address "
                        "(tcp://host:8786). Needs the [cluster] extra.")]
DaskLocalOpt = Annotated[int | None, typer.Option(
    "--dask-local", min=1, help="Run on a new Dask cluster of N local worker processes "
                                "(loopback only).")]
TimeoutOpt = Annotated[float, typer.Option(
    "--connect-timeout", min=0.1, help="Seconds to wait for the Dask scheduler and a first "
                                       "worker.")]


@app.command()
def batch(scenario: ScenarioArg,
          runs: Annotated[int, typer.Option("--runs", "-n", help="Number of replicates.")],
          out: Annotated[Path, typer.Option(
              "--out", "-o", help="Results folder to write (made if missing; never overwritten).")],
          variant: VariantOpt = None, seed: SeedOpt = 0,
          workers: Annotated[int | None, typer.Option(
              help="Worker processes (default: one per core; 1 runs in this process).")] = None,
          chunk_size: Annotated[int | None, typer.Option(
              "--chunk-size", help="Replicates per chunk (default: several chunks per worker, "
                                   "at most 8192). Results do not depend on it.")] = None,
          events: Annotated[bool, typer.Option(
              "--events", help="Also write every event of every replicate (events.parquet)."
          )] = False,
          resume: Annotated[bool, typer.Option(
              "--resume", help="Finish an interrupted batch in --out; done chunks are kept."
          )] = False,
          quiet: Annotated[bool, typer.Option(
              "--quiet", "-q", help="No progress bar and no summary; errors only.")] = False,
          set_: SetOpt = None, scheduler: SchedulerOpt = None, dask_local: DaskLocalOpt = None,
          connect_timeout: TimeoutOpt = 10.0) -> None:
    """Run many replicates of a scenario and write a results folder.

    The folder holds manifest.json, outcomes.parquet (one row per replicate), daily.parquet \
(one row per day) and, with --events, events.parquet. Replay replicate i of the batch, with \
its full timeline, by `escsim run SCENARIO --seed S --replicate i`. With --scheduler or \
--dask-local the chunks run on a Dask cluster, with the same results.
    """
    from sim.batch import run_batch
    from sim.batch.dask import chosen_executor

    with chosen_executor(workers, scheduler, dask_local, connect_timeout) as executor:
        result = run_batch(scenario, variant, runs, seed, out, workers, chunk_size, events,
                           resume, progress=False if quiet else None,
                           overrides=_overrides(set_), command=_command_line(),
                           executor=executor)
    if not quiet:
        typer.echo(result.describe())


@app.command()
def plot(results: Annotated[Path, typer.Argument(
             help="A results folder written by `escsim batch`.")],
         out: Annotated[Path, typer.Option(
             "--out", "-o", help="Folder for the figures (made if missing).")],
         fmt: Annotated[str, typer.Option("--format", "-f", help="png or svg.")] = "png") -> None:
    """Draw a batch's figures: outcome classes, key counts, escalation fan chart, say-do gap."""
    from sim.plots import write_figures

    for path in write_figures(results, out, fmt):
        typer.echo(path)


RunsOpt = Annotated[int, typer.Option("--runs", "-n", min=1, help="Replicates per scenario.")]
WorkersOpt = Annotated[int | None, typer.Option(
    help="Worker processes (default: one per core). Results do not depend on it.")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="Figure format: png or svg.")]


@app.command()
def compare(scenarios: Annotated[list[str], typer.Argument(
                help="One scenario (compare its variants) or several (compare their bases).")],
            variants: Annotated[str | None, typer.Option(
                "--variants", help="Comma-separated variants, 'base' for none, e.g. "
                                   "base,no-iran-restraint. The first is the reference. Default: "
                                   "for one scenario, base and every variant.")] = None,
            runs: RunsOpt = 10_000, seed: SeedOpt = 0, workers: WorkersOpt = None,
            out: Annotated[Path | None, typer.Option(
                "--out", "-o", help="Folder for comparison.csv, .json and the figure.")] = None,
            fmt: FormatOpt = "png", set_: SetOpt = None, scheduler: SchedulerOpt = None,
            dask_local: DaskLocalOpt = None, connect_timeout: TimeoutOpt = 10.0) -> None:
    """Compare outcome classes and key metrics across variants or episodes, with 95% \
intervals and differences from the first."""
    from sim.analysis.compare import compare as run_comparison
    from sim.analysis.compare import comparison_entries
    from sim.batch.dask import chosen_executor

    entries = comparison_entries(scenarios, variants)
    with chosen_executor(workers, scheduler, dask_local, connect_timeout) as executor:
        result = run_comparison(entries, runs, seed, workers, overrides=_overrides(set_),
                                executor=executor)
    typer.echo(result.render())
    if out is not None:
        for path in result.write(out, fmt=fmt):
            typer.echo(path)


@app.command()
def backtest(scenarios: Annotated[list[str] | None, typer.Argument(
                 help="Episodes to score (default: every shipped scenario with a record).")] = None,
             runs: RunsOpt = 10_000, seed: SeedOpt = 0, workers: WorkersOpt = None,
             as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
             out: Annotated[Path | None, typer.Option(
                 "--out", "-o", help="Folder for the report and figure.")] = None,
             fmt: FormatOpt = "png", set_: SetOpt = None,
             check: Annotated[bool, typer.Option(
                 "--check", help="Exit with status 1 when any criterion fails.")] = False,
             scheduler: SchedulerOpt = None, dask_local: DaskLocalOpt = None,
             connect_timeout: TimeoutOpt = 10.0) -> None:
    """Score each episode (shipped ids or scenario files) against its historical record: the \
probability of what happened, the share of runs matching each recorded metric, proper scores \
against two naive baselines, and the pass/fail criteria."""
    from sim.analysis.backtesting import backtest as run_backtest
    from sim.batch.dask import chosen_executor

    with chosen_executor(workers, scheduler, dask_local, connect_timeout) as executor:
        result = run_backtest(scenarios or None, runs, seed, workers, overrides=_overrides(set_),
                              executor=executor)
    typer.echo(result.to_json() if as_json else result.render())
    if out is not None:
        for path in result.write(out, fmt):
            typer.echo(path, err=as_json)
    if check and not result.passed:
        fail("the backtest fails at least one criterion (see above)", code=1)


@app.command()
def explain(scenario: ScenarioArg, variant: VariantOpt = None,
            actor: Annotated[str | None, typer.Option(
                help="Only this actor's terms (default: every free actor).")] = None,
            date: Annotated[list[str] | None, typer.Option(
                help="A date to show (YYYY-MM-DD, repeatable; default: the scenario's key "
                     "dates).")] = None,
            runs: RunsOpt = 1000, seed: SeedOpt = 0,
            as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
            set_: SetOpt = None) -> None:
    """Why actors did what they did: each term of every free actor's rule at the key dates \
(what pushes it to strike, what holds it back), and the outcome classes with each documented \
reason removed in turn."""
    import datetime as dt

    from sim.analysis.explain import explain as run_explain

    dates = []
    for text in date or []:
        try:
            dates.append(dt.date.fromisoformat(text))
        except ValueError:
            fail(f"--date {text}: expected YYYY-MM-DD")
    result = run_explain(scenario, variant, runs, seed, actor, overrides=_overrides(set_))
    typer.echo(result.to_json() if as_json else result.render(dates or None))


@app.command()
def calibrate(runs: RunsOpt = 2000, seed: SeedOpt = 0,
              budget: Annotated[int | None, typer.Option(
                  min=1, help="Candidate parameter points to score (default 100).")] = None,
              parameter: Annotated[list[str] | None, typer.Option(
                  "--parameter", "-p", help="A parameter to fit (repeatable; default: the "
                                            "documented set).")] = None,
              start: Annotated[Path | None, typer.Option(
                  help="Start from a fitted-parameters.yaml instead of the shipped values.")] = None,
              out: Annotated[Path | None, typer.Option(
                  "--out", "-o", help="Folder for fitted-parameters.yaml and the report.")] = None,
              holdout: Annotated[str | None, typer.Option(
                  help="Leave this episode out of the fit and score it with the fitted values; "
                       "'all' does so for every episode in turn (the leave-one-out table).")
              ] = None,
              workers: WorkersOpt = None, scheduler: SchedulerOpt = None,
              dask_local: DaskLocalOpt = None, connect_timeout: TimeoutOpt = 10.0) -> None:
    """Refit the shared behavioural parameters to the historical records of the shipped \
episodes, and report the score before and after. Shipped values are never changed. With \
--holdout, fit on the other episodes and score the one left out."""
    from sim.analysis.calibrate import calibrate as run_calibration
    from sim.analysis.calibrate import leave_one_out

    from sim.batch.dask import chosen_executor

    if holdout == "all" and (start is not None or out is not None):
        fail("--holdout all takes neither --start nor --out")
    with chosen_executor(workers, scheduler, dask_local, connect_timeout) as executor:
        if holdout == "all":
            typer.echo(leave_one_out(runs, seed, budget, parameter or None, workers,
                                     progress=True, executor=executor).render())
            return
        report = run_calibration(runs, seed, budget, parameter or None, start, out, workers,
                                 progress=True, holdout=holdout, executor=executor)
    typer.echo(report.render())


GameOpt = Annotated[Path | None, typer.Option(
    "--save", help="The game file to keep (written whole after every move).")]


@app.command()
def play(scenario: Annotated[str | None, typer.Argument(
             help="A shipped scenario id or a scenario file (not with --resume).")] = None,
         teams: Annotated[str | None, typer.Option(
             help="The actors the class plays, comma-separated, e.g. "
                  "kataib_hezbollah,united_states.")] = None,
         variant: VariantOpt = None, seed: SeedOpt = 0, save: GameOpt = None,
         resume: Annotated[Path | None, typer.Option(
             help="Continue the game saved in this file.")] = None,
         moves: Annotated[Path | None, typer.Option(
             help="Play the moves in this YAML file instead of asking at the terminal.")] = None,
         transcript: Annotated[Path | None, typer.Option(
             help="With --moves: write every stop's briefings and every turn's results here.")
         ] = None,
         force: Annotated[bool, typer.Option(
             help="Resume even if the scenario or the model changed since the game was saved "
                  "(the game is replayed under the current ones).")] = False,
         probabilities: Annotated[bool, typer.Option(
             help="Show each team the model's own probabilities for its options.")] = False,
         every_day: Annotated[bool, typer.Option(
             "--every-day", help="Stop every day (no fast-forward).")] = False,
         idle: Annotated[str, typer.Option(
             help="What a team's actor does between stops: hold, or model (the model "
                  "decides).")] = "hold",
         stop: Annotated[list[str] | None, typer.Option(
             help="An extra day to stop on (YYYY-MM-DD, repeatable).")] = None) -> None:
    """Play a classroom game: teams play actors, the model plays the rest and rolls the dice.

    Without --moves it opens the terminal interface (hot seat: each team in turn); with \
--moves it plays a moves file. Either way the game is saved after every move; `escsim play \
--resume FILE` continues it and `escsim aar FILE` reviews it.
    """
    from sim.classroom.runner import game_settings, open_game, run_moves, status, team_list

    settings = game_settings(probabilities, every_day, idle, stop)
    game = open_game(scenario, team_list(teams), variant, seed, save, resume, force, settings)
    if moves is not None:
        run_moves(game, moves, typer.echo, transcript)
    else:
        from sim.tui import run_tui

        run_tui(game)
    typer.echo(status(game))


@app.command()
def cards(scenario: ScenarioArg, variant: VariantOpt = None,
          actor: Annotated[list[str] | None, typer.Option(
              help="Only this actor's card (repeatable; default: every actor).")] = None,
          out: Annotated[Path, typer.Option(
              "--out", "-o", help="The file to write: .pdf, .html or .md.")] = Path("cards.pdf"),
          paper: Annotated[str, typer.Option(help="a4 or letter (PDF).")] = "a4") -> None:
    """Print role cards: for each actor, who it is, what it wants and fears, its threats and \
the threats it faces, its options and their costs, the key facts and the timeline to the start."""
    from sim.classroom.cards import write_cards

    typer.echo(write_cards(scenario, variant, actor or None, out, paper))


@app.command()
def aar(game: Annotated[Path, typer.Argument(help="A saved game (escsim play --save).")],
        runs: RunsOpt = 1000,
        out: Annotated[Path, typer.Option(
            "--out", "-o", help="Folder for the report and figures.")] = Path("aar"),
        seed: Annotated[int | None, typer.Option(
            min=0, help="Seed of the simulated games (default: the game's).")] = None,
        workers: WorkersOpt = None, fmt: FormatOpt = "png",
        force: Annotated[bool, typer.Option(
            help="Review even if the scenario or the model changed since the game.")] = False
        ) -> None:
    """After-action review: the class's game, its decisions against the model's rule, each \
team's say-do record, and where the game sits among simulated games (your moves with new \
dice; the model playing everyone) and against history. Writes report.html, report.pdf, \
figures and aar.json."""
    from sim.classroom.aar_report import review_game

    for line in review_game(game, runs, out, seed, workers, fmt, force):
        typer.echo(line)


ParamsOpt = Annotated[str | None, typer.Option(
    "--params", help="Comma-separated parameters or situation fields to vary over their "
                     "documented ranges.")]
AllOpt = Annotated[bool, typer.Option(
    "--all", help="Vary every shared parameter and every situation field the scenario sets.")]
VaryOpt = Annotated[Path | None, typer.Option(
    "--vary", help="An uncertainty file (YAML): what varies, over which range and "
                   "distribution. `escsim uncertainties SCENARIO` writes one to start from.")]
ExperimentRunsOpt = Annotated[int, typer.Option(
    "--runs", "-n", min=1, help="Replicates per point (common random numbers).")]


@app.command()
def uncertainties(scenario: ScenarioArg, variant: VariantOpt = None,
                  params: ParamsOpt = None,
                  everything: Annotated[bool, typer.Option(
                      "--all", help="Every shared parameter and situation field the scenario "
                                    "sets (the default).")] = False) -> None:
    """Print an uncertainty file for a scenario: every input `--all` varies (or those of \
--params), at its default range, with its meaning and the scenario's value. Edit it and pass \
it to `escsim sensitivity` or `escsim explore` with --vary."""
    from sim.experiments.uncertainties import choose_space, template
    from sim.scenario.loader import load_scenario

    spec = load_scenario(scenario, variant)
    space = choose_space(spec, params, everything or params is None)
    typer.echo(template(spec, space), nl=False)


@app.command()
def sensitivity(scenario: ScenarioArg,
                method: Annotated[str, typer.Option(
                    "--method", "-m", help="sobol (first-order and total indices), morris "
                                           "(screening) or fast.")] = "sobol",
                params: ParamsOpt = None, everything: AllOpt = False, vary: VaryOpt = None,
                n: Annotated[int | None, typer.Option(
                    "--n", help="Design size: base points (Sobol', a power of two; default "
                                "256), trajectories (Morris; 10) or points per input (FAST; "
                                "128).")] = None,
                runs: ExperimentRunsOpt = 200, variant: VariantOpt = None, seed: SeedOpt = 0,
                outcome: Annotated[list[str] | None, typer.Option(
                    "--outcome", help="An outcome to analyse (repeatable): a condition such as "
                                      "\"class == 'escalation_spiral'\" (its share of "
                                      "replicates) or a metric (its mean). Default: every "
                                      "class and metric.")] = None,
                second_order: Annotated[bool, typer.Option(
                    "--second-order", help="Sobol': also second-order indices (N(2D+2) points "
                                           "instead of N(D+2)).")] = False,
                out: Annotated[Path | None, typer.Option(
                    "--out", "-o", help="Folder for indices.csv, sensitivity.json, "
                                        "points.parquet and the figure.")] = None,
                fmt: FormatOpt = "png", workers: WorkersOpt = None,
                scheduler: SchedulerOpt = None, dask_local: DaskLocalOpt = None,
                connect_timeout: TimeoutOpt = 10.0) -> None:
    """Global sensitivity analysis (SALib): which inputs decide each outcome, with 95% \
intervals and the Monte Carlo noise of finitely many replicates per point."""
    from sim.batch.dask import chosen_executor
    from sim.experiments.sensitivity import sensitivity as run_sensitivity

    with chosen_executor(workers, scheduler, dask_local, connect_timeout) as executor:
        study = run_sensitivity(scenario, variant, method, params, everything, vary, n, runs,
                                seed, outcome or None, second_order, workers, executor,
                                out=out, fmt=fmt)
    typer.echo(study.render())
    if out is not None:
        typer.echo(f"wrote {out}/: indices.csv, sensitivity.json, points.parquet and the figure")


@app.command()
def explore(scenario: ScenarioArg,
            out: Annotated[Path, typer.Option(
                "--out", "-o", help="Experiment folder to write (new or empty).")],
            design: Annotated[str, typer.Option(
                "--design", help="lhs (Latin hypercube) or mc (independent random points)."
            )] = "lhs",
            points: Annotated[int, typer.Option("--points", min=2, help="Parameter points.")
                              ] = 1000,
            runs: ExperimentRunsOpt = 100, params: ParamsOpt = None, everything: AllOpt = False,
            vary: VaryOpt = None, variant: VariantOpt = None, seed: SeedOpt = 0,
            workers: WorkersOpt = None, scheduler: SchedulerOpt = None,
            dask_local: DaskLocalOpt = None, connect_timeout: TimeoutOpt = 10.0) -> None:
    """Run an experiment over uncertain inputs: many points, many replicates each, written \
to a folder that `escsim discover` reads."""
    from sim.batch.dask import chosen_executor
    from sim.experiments.explore import explore as run_explore

    with chosen_executor(workers, scheduler, dask_local, connect_timeout) as executor:
        experiment = run_explore(scenario, variant, design, points, runs, seed, params,
                                 everything, vary, out, workers, executor,
                                 command=_command_line())
    shares = experiment.outcomes["outcome_class"].value_counts(normalize=True, sort=False)
    typer.echo(f"{experiment.label()} -> {out}")
    typer.echo("outcome classes: " + ", ".join(f"{name} {share:.1%}"
                                               for name, share in shares.items()))


@app.command()
def discover(experiment: Annotated[Path, typer.Argument(
                 help="An experiment folder written by `escsim explore`.")],
             outcome: Annotated[str, typer.Option(
                 "--outcome", help="The condition of interest, e.g. "
                                   "\"class == 'escalation_spiral'\".")],
             method: Annotated[str, typer.Option(
                 "--method", "-m", help="prim (peeling trajectory) or cart (a tree).")
                 ] = "prim",
             inputs: Annotated[str | None, typer.Option(
                 "--inputs", help="Comma-separated inputs to search over (default: all).")
                 ] = None,
             min_coverage: Annotated[float | None, typer.Option(
                 "--min-coverage", help="Report the densest box covering at least this share "
                                        "of the cases of interest (default: the best balance "
                                        "of coverage and density).")] = None,
             box: Annotated[int | None, typer.Option(
                 "--box", min=0, help="Report this box of the trajectory (or CART leaf).")
                 ] = None,
             mass_min: Annotated[float, typer.Option(
                 "--mass-min", help="Smallest box, as a share of all cases.")] = 0.05,
             keep_restrictions: Annotated[bool, typer.Option(
                 "--keep-restrictions", help="PRIM: keep the chosen box's restrictions that "
                                             "are not significant (quasi-p > 0.05).")] = False,
             out: Annotated[Path | None, typer.Option(
                 "--out", "-o", help="Folder for discovery.json, trajectory.csv, box.csv and "
                                     "the figure.")] = None,
             fmt: FormatOpt = "png") -> None:
    """Scenario discovery: the boxes of an experiment's inputs where an outcome happens \
(PRIM or CART), with coverage and density."""
    from sim.experiments.discovery import discover as run_discover

    found = run_discover(experiment, outcome, method,
                         inputs.split(",") if inputs else None, min_coverage, box, mass_min,
                         simplify=not keep_restrictions)
    typer.echo(found.render(), nl=False)
    if out is not None:
        for path in found.write(out, fmt):
            typer.echo(path)


def main() -> None:
    """Entry point: run the app, turning user mistakes into one-line errors."""
    from sim.errors import UserError
    from sim.scenario.errors import ScenarioError

    try:
        app()
    except ScenarioError as exc:
        typer.echo(str(exc), err=True)
        sys.exit(2)
    except UserError as exc:
        typer.echo(f"escsim: error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
