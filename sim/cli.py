"""The ``escsim`` command line. Thin: each command calls one library function.

Heavy modules (the model, pandas, matplotlib) are imported inside the commands that need them,
so that ``escsim --help`` and ``escsim list`` start fast. Every number a user types has a
documented range (sim.limits), checked before anything runs; everything printed goes through
``say``, which removes control characters that text from files could carry to the terminal.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from sim import limits
from sim.text import json_printable, printable

app = typer.Typer(
    name="escsim",
    help="Tabletop escalation scenario simulator: Iraq, Iran, the United States, Israel.\n\n"
         "A teaching and exploration tool, not a forecast.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no '<bool>' or '<list[str]>' type labels on options
)


def _within(low: int | float, high: int | float, whole: bool = True) -> Callable[[Any], Any]:
    """An option callback that refuses a value outside [low, high], saying what it got."""
    def check(value: Any) -> Any:
        if value is not None and not low <= value <= high:
            kind = "a whole number" if whole else "a number"
            raise typer.BadParameter(f"must be {kind} from {low:,} to {high:,}, got {value}")
        return value

    return check


def _range(low: int, high: int) -> str:
    return f"{low:,} to {high:,}"


ScenarioArg = Annotated[str, typer.Argument(
    metavar="SCENARIO",
    help="A shipped scenario id (see `escsim list`) or a path to a scenario .yaml file.")]
VariantOpt = Annotated[str | None, typer.Option(
    "--variant", "-v", metavar="NAME", help="One of the scenario's variants (counterfactuals).")]
SeedOpt = Annotated[int, typer.Option(
    "--seed", "-s", callback=_within(0, limits.MAX_SEED), metavar="SEED",
    help="Random seed, 0 to 2^63-1.")]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", metavar="NAME=VALUE",
    help="Override a parameter (repeatable); per actor: NAME__ACTOR=VALUE. "
         "See `escsim parameters`.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
RunsOpt = Annotated[int, typer.Option(
    "--runs", "-n", callback=_within(2, limits.MAX_RUNS), metavar="N",
    help=f"Replicates per scenario, {_range(2, limits.MAX_RUNS)}.")]
WorkersOpt = Annotated[int | None, typer.Option(
    callback=_within(1, limits.MAX_WORKERS), metavar="N",
    help=f"Worker processes, {_range(1, limits.MAX_WORKERS)} (default: one per core). Results "
         "do not depend on it.")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", metavar="png|svg",
                                        help="Figure format: png or svg.")]
OutFolderOpt = Annotated[Path | None, typer.Option(
    "--out", "-o", metavar="FOLDER", help="Folder for the reports and figures (made if missing).")]


def say(text: str, err: bool = False, nl: bool = True) -> None:
    """Print text that may come from files, without its control characters."""
    typer.echo(printable(text), err=err, nl=nl)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a user-facing error (no traceback) and exit non-zero."""
    say(f"escsim: error: {message}", err=True)
    raise typer.Exit(code)


def _overrides(pairs: list[str] | None) -> dict[str, float]:
    from sim.overrides import parse_overrides

    return parse_overrides(pairs)


@app.callback()
def settings(max_file_mb: Annotated[float | None, typer.Option(
        "--max-file-mb", callback=_within(0.001, 4096, whole=False), metavar="MB",
        help="Largest input file read, in MB, up to 4096 (default 4; also "
             "ESCSIM_MAX_FILE_MB).")] = None
             ) -> None:
    """Tabletop escalation scenario simulator: Iraq, Iran, the United States, Israel.

    A teaching and exploration tool, not a forecast.
    """
    from sim.reading import MAX_FILE_MB_ENV

    if max_file_mb is not None:  # through the environment, so that worker processes see it
        os.environ[MAX_FILE_MB_ENV] = str(max_file_mb)


@app.command("list")
def list_scenarios() -> None:
    """List the shipped scenarios, one line each, with their variants."""
    from sim.scenario.loader import load_scenario, shipped_scenarios

    for scenario_id in shipped_scenarios():
        s = load_scenario(scenario_id)
        variants = ", ".join(s.variants) or "none"
        say(f"{s.id:<12} {s.start}..{s.end}  {s.title}  [variants: {variants}]")


@app.command()
def run(scenario: ScenarioArg, variant: VariantOpt = None, seed: SeedOpt = 0,
        replicate: Annotated[int, typer.Option(
            callback=_within(0, limits.MAX_REPLICATE), metavar="I",
            help="Which replicate of a batch with this seed to replay, "
                 f"{_range(0, limits.MAX_REPLICATE)}.")] = 0,
        as_json: JsonFlag = False, set_: SetOpt = None) -> None:
    """Run one replicate of a scenario and print its dated timeline and outcome."""
    from sim.scenario.loader import load_scenario

    overrides = _overrides(set_)
    spec = load_scenario(scenario, variant)  # report a bad file before loading the model
    from sim.runs import format_timeline, run_one, to_json

    result = run_one(spec, None, seed, replicate, overrides)
    say(json_printable(to_json(result)) if as_json else format_timeline(result))


@app.command()
def validate(files: Annotated[list[str], typer.Argument(
        metavar="FILE...",
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
            say(str(exc), err=True)
            continue
        say(f"{ref}: ok ({', '.join(checked)})")
    if bad:
        fail(f"{bad} of {len(files)} scenario file(s) have problems", code=1)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format (for editors)."""
    from sim.scenario.json_schema import scenario_json_schema_text

    say(scenario_json_schema_text())


@app.command()
def evidence(scenario: ScenarioArg, actor: Annotated[str, typer.Argument(
        metavar="ACTOR", help="An actor id of the scenario, e.g. kataib_hezbollah.")],
        variant: VariantOpt = None) -> None:
    """Show the facts behind an actor's parameters, situation, threats and scripted events."""
    from sim.scenario.loader import load_scenario
    from sim.trace import actor_evidence, format_evidence

    spec = load_scenario(scenario, variant)
    say(format_evidence(spec, actor, actor_evidence(spec, actor)), nl=False)


@app.command()
def parameters() -> None:
    """List every behavioural parameter: meaning, range, default and evidence."""
    from sim.trace import format_parameters

    say(format_parameters(), nl=False)


@app.command()
def facts(fact_id: Annotated[str | None, typer.Argument(
        metavar="[FACT]", help="Show one fact in full.")] = None) -> None:
    """List the evidence register's facts (or show one)."""
    from sim.evidence import shipped_register

    register = shipped_register()
    if fact_id is not None:
        if fact_id not in register.facts:
            fail(f"no fact '{fact_id}' in the register")
        say(register.facts[fact_id].model_dump_json(indent=2))
        return
    for fact in sorted(register.facts.values(), key=lambda f: (f.date, f.id)):
        say(f"{fact.date_text:<10} {fact.id:<48} {fact.paraphrase}")
    say(f"\n{len(register.facts)} facts from {len(register.sources)} sources "
        f"({register.describe_sources()})")


def _command_line() -> str:
    """This invocation as a shell command (recorded in a batch's manifest)."""
    import shlex

    return shlex.join(["escsim", *sys.argv[1:]])


SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", metavar="ADDRESS",
    help="Run on the Dask cluster whose scheduler is at this address (tcp://host:8786). Needs "
         "the [cluster] extra.")]
DaskLocalOpt = Annotated[int | None, typer.Option(
    "--dask-local", callback=_within(1, limits.MAX_WORKERS), metavar="N",
    help=f"Run on a new Dask cluster of N local worker processes, {_range(1, limits.MAX_WORKERS)} "
         "(loopback only).")]
TimeoutOpt = Annotated[float, typer.Option(
    "--connect-timeout", callback=_within(0.1, 3600, whole=False), metavar="SECONDS",
    help="Seconds to wait for the Dask scheduler and a first worker, up to 3,600.")]


@app.command()
def batch(scenario: ScenarioArg,
          runs: Annotated[int, typer.Option(
              "--runs", "-n", callback=_within(1, limits.MAX_RUNS), metavar="N",
              help=f"Number of replicates, {_range(1, limits.MAX_RUNS)}.")],
          out: Annotated[Path, typer.Option(
              "--out", "-o", metavar="FOLDER",
              help="Results folder to write (made if missing; never overwritten).")],
          variant: VariantOpt = None, seed: SeedOpt = 0,
          workers: Annotated[int | None, typer.Option(
              callback=_within(1, limits.MAX_WORKERS), metavar="N",
              help=f"Worker processes, {_range(1, limits.MAX_WORKERS)} (default: one per core; "
                   "1 runs in this process).")] = None,
          chunk_size: Annotated[int | None, typer.Option(
              "--chunk-size", callback=_within(1, limits.MAX_RUNS), metavar="N",
              help="Replicates per chunk (default: several chunks per worker, as many as fit "
                   "in memory, at most 8192). Results do not depend on it.")] = None,
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
(one row per day), threats.parquet (the fate of each threat) and, with --events, \
events.parquet. Replay replicate i of the batch, with its full timeline, by \
`escsim run SCENARIO --seed S --replicate i`. With --scheduler or --dask-local the chunks run \
on a Dask cluster, with the same results.
    """
    from sim.scenario.loader import load_scenario

    overrides = _overrides(set_)
    load_scenario(scenario, variant)  # report a bad file before loading the engine
    from sim.batch import run_batch
    from sim.batch.dask import chosen_executor

    with chosen_executor(workers, scheduler, dask_local, connect_timeout) as executor:
        result = run_batch(scenario, variant, runs, seed, out, workers, chunk_size, events,
                           resume, progress=False if quiet else None, overrides=overrides,
                           command=_command_line(), executor=executor)
    if not quiet:
        say(result.describe())


@app.command()
def plot(results: Annotated[Path, typer.Argument(
             metavar="FOLDER", help="A results folder written by `escsim batch`.")],
         out: Annotated[Path, typer.Option(
             "--out", "-o", metavar="FOLDER", help="Folder for the figures (made if missing).")],
         fmt: FormatOpt = "png") -> None:
    """Draw a batch's figures: outcome classes, key counts, escalation fan chart, say-do gap."""
    from sim.plots import write_figures

    for path in write_figures(results, out, fmt):
        say(str(path))


@app.command()
def compare(scenarios: Annotated[list[str], typer.Argument(
                metavar="SCENARIO...",
                help="One scenario (compare its variants) or several (compare their bases).")],
            variants: Annotated[str | None, typer.Option(
                "--variants", metavar="A,B,...",
                help="Comma-separated variants, 'base' for none, e.g. base,no-iran-restraint. "
                     "The first is the reference. Default: for one scenario, base and every "
                     "variant.")] = None,
            runs: RunsOpt = 10_000, seed: SeedOpt = 0, workers: WorkersOpt = None,
            out: OutFolderOpt = None, fmt: FormatOpt = "png", set_: SetOpt = None,
            scheduler: SchedulerOpt = None, dask_local: DaskLocalOpt = None,
            connect_timeout: TimeoutOpt = 10.0) -> None:
    """Compare outcome classes and key metrics across variants or episodes, with 95% \
intervals and differences from the first."""
    from sim.analysis.compare import compare as run_comparison
    from sim.analysis.compare import comparison_entries
    from sim.batch.dask import chosen_executor

    entries = comparison_entries(scenarios, variants)
    with chosen_executor(workers, scheduler, dask_local, connect_timeout) as executor:
        result = run_comparison(entries, runs, seed, workers, overrides=_overrides(set_),
                                executor=executor)
    say(result.render())
    if out is not None:
        for path in result.write(out, fmt=fmt):
            say(str(path))


@app.command()
def backtest(scenarios: Annotated[list[str] | None, typer.Argument(
                 metavar="[SCENARIO...]",
                 help="Episodes to score (default: every shipped scenario with a record).")] = None,
             runs: RunsOpt = 10_000, seed: SeedOpt = 0, workers: WorkersOpt = None,
             as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
             out: OutFolderOpt = None, fmt: FormatOpt = "png", set_: SetOpt = None,
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
    say(json_printable(result.to_json()) if as_json else result.render())
    if out is not None:
        for path in result.write(out, fmt):
            say(str(path), err=as_json)
    if check and not result.passed:
        fail("the backtest fails at least one criterion (see above)", code=1)


@app.command()
def explain(scenario: ScenarioArg, variant: VariantOpt = None,
            actor: Annotated[str | None, typer.Option(
                metavar="ACTOR",
                help="Only this actor's terms (default: every free actor).")] = None,
            date: Annotated[list[str] | None, typer.Option(
                metavar="YYYY-MM-DD",
                help="A date to show (repeatable; default: the scenario's key dates).")] = None,
            runs: RunsOpt = 1000, seed: SeedOpt = 0, as_json: JsonFlag = False,
            set_: SetOpt = None) -> None:
    """Why actors did what they did: each term of every free actor's rule at the key dates \
(what pushes it to strike, what holds it back), and the outcome classes with each documented \
reason removed in turn."""
    dates = [_date_option("--date", text) for text in date or []]
    overrides = _overrides(set_)
    from sim.analysis.explain import explain as run_explain

    result = run_explain(scenario, variant, runs, seed, actor, overrides=overrides)
    say(json_printable(result.to_json()) if as_json else result.render(dates or None))


def _date_option(option: str, text: str) -> dt.date:
    """A YYYY-MM-DD option value, or a one-line usage error."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {printable(text)}: expected YYYY-MM-DD")


@app.command()
def calibrate(runs: Annotated[int, typer.Option(
                  "--runs", "-n",
                  callback=_within(limits.MIN_CALIBRATION_RUNS, limits.MAX_CALIBRATION_RUNS),
                  metavar="N", help="Replicates per candidate and episode, "
                  f"{_range(limits.MIN_CALIBRATION_RUNS, limits.MAX_CALIBRATION_RUNS)}.")] = 2000,
              seed: SeedOpt = 0,
              budget: Annotated[int | None, typer.Option(
                  callback=_within(1, limits.MAX_BUDGET), metavar="N",
                  help=f"Candidate parameter points to score, {_range(1, limits.MAX_BUDGET)} "
                       "(default 100).")] = None,
              parameter: Annotated[list[str] | None, typer.Option(
                  "--parameter", "-p", metavar="NAME",
                  help="A parameter to fit (repeatable; default: the documented set).")] = None,
              start: Annotated[Path | None, typer.Option(
                  metavar="FILE",
                  help="Start from a fitted-parameters.yaml instead of the shipped values.")] = None,
              out: Annotated[Path | None, typer.Option(
                  "--out", "-o", metavar="FOLDER",
                  help="Folder for fitted-parameters.yaml and the report.")] = None,
              holdout: Annotated[str | None, typer.Option(
                  metavar="EPISODE|all",
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
            say(leave_one_out(runs, seed, budget, parameter or None, workers,
                              progress=True, executor=executor).render())
            return
        report = run_calibration(runs, seed, budget, parameter or None, start, out, workers,
                                 progress=True, holdout=holdout, executor=executor)
    say(report.render())


GameOpt = Annotated[Path | None, typer.Option(
    "--save", metavar="FILE", help="The game file to keep (written whole after every move).")]


@app.command()
def play(scenario: Annotated[str | None, typer.Argument(
             metavar="[SCENARIO]", help="A shipped scenario id or a scenario file (not with --resume).")] = None,
         teams: Annotated[str | None, typer.Option(
             metavar="A,B,...", help="The actors the class plays, comma-separated, e.g. "
                  "kataib_hezbollah,united_states.")] = None,
         variant: VariantOpt = None, seed: SeedOpt = 0, save: GameOpt = None,
         resume: Annotated[Path | None, typer.Option(
             metavar="FILE", help="Continue the game saved in this file.")] = None,
         moves: Annotated[Path | None, typer.Option(
             metavar="FILE", help="Play the moves in this YAML file instead of asking at the terminal.")] = None,
         transcript: Annotated[Path | None, typer.Option(
             metavar="FILE", help="With --moves: write every stop's briefings and every turn's results here.")
         ] = None,
         force: Annotated[bool, typer.Option(
             help="Resume even if the scenario or the model changed since the game was saved "
                  "(the game is replayed under the current ones).")] = False,
         probabilities: Annotated[bool, typer.Option(
             help="Show each team the model's own probabilities for its options.")] = False,
         every_day: Annotated[bool, typer.Option(
             "--every-day", help="Stop every day (no fast-forward).")] = False,
         idle: Annotated[str, typer.Option(
             metavar="hold|model", help="What a team's actor does between stops: hold, or model (the model "
                  "decides).")] = "hold",
         stop: Annotated[list[str] | None, typer.Option(
             metavar="YYYY-MM-DD",
             help="An extra day to stop on (repeatable).")] = None) -> None:
    """Play a classroom game: teams play actors, the model plays the rest and rolls the dice.

    Without --moves it opens the terminal interface (hot seat: each team in turn); with \
--moves it plays a moves file. Either way the game is saved after every move; `escsim play \
--resume FILE` continues it and `escsim aar FILE` reviews it.
    """
    from sim.classroom.runner import game_settings, open_game, run_moves, status, team_list

    settings = game_settings(probabilities, every_day, idle, stop)
    game = open_game(scenario, team_list(teams), variant, seed, save, resume, force, settings)
    if moves is not None:
        run_moves(game, moves, say, transcript)
    else:
        from sim.tui import run_tui

        run_tui(game)
    say(status(game))


@app.command()
def cards(scenario: ScenarioArg, variant: VariantOpt = None,
          actor: Annotated[list[str] | None, typer.Option(
              metavar="ACTOR", help="Only this actor's card (repeatable; default: every actor).")] = None,
          out: Annotated[Path, typer.Option(
              "--out", "-o", metavar="FILE",
              help="The file to write: .pdf, .html or .md.")] = Path("cards.pdf"),
          paper: Annotated[str, typer.Option(metavar="a4|letter",
                                             help="a4 or letter (PDF).")] = "a4") -> None:
    """Print role cards: for each actor, who it is, what it wants and fears, its threats and \
the threats it faces, its options and their costs, the key facts and the timeline to the start."""
    from sim.classroom.cards import write_cards

    say(str(write_cards(scenario, variant, actor or None, out, paper)))


@app.command()
def aar(game: Annotated[Path, typer.Argument(
            metavar="GAME", help="A saved game (escsim play --save).")],
        runs: RunsOpt = 1000,
        out: Annotated[Path, typer.Option(
            "--out", "-o", metavar="FOLDER",
            help="Folder for the report and figures.")] = Path("aar"),
        seed: Annotated[int | None, typer.Option(
            callback=_within(0, limits.MAX_SEED), metavar="SEED",
            help="Seed of the simulated games, 0 to 2^63-1 (default: the game's).")] = None,
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
        say(str(line))


def _usage_error(exc: Exception) -> int:
    """Print a command-line usage error (unknown option, value out of range) on one line."""
    format_message = getattr(exc, "format_message", None)
    message = format_message() if format_message is not None else str(exc)
    if type(exc).__name__ == "NoArgsIsHelpError":  # `escsim` alone: the message is the help
        say(message)
        return 0
    context = getattr(exc, "ctx", None)
    command = getattr(context, "command_path", None) if context is not None else None
    hint = f" (see '{command} --help')" if command else ""
    say(f"escsim: error: {' '.join(message.split())}{hint}", err=True)
    return int(getattr(exc, "exit_code", 2))



ParamsOpt = Annotated[str | None, typer.Option(
    "--params", help="Comma-separated parameters or situation fields to vary over their "
                     "documented ranges.")]
AllOpt = Annotated[bool, typer.Option(
    "--all", help="Vary every shared parameter and every situation field the scenario sets.")]
VaryOpt = Annotated[Path | None, typer.Option(
    "--vary", help="An uncertainty file (YAML): what varies, over which range and "
                   "distribution. `escsim uncertainties SCENARIO` writes one to start from.")]
ExperimentRunsOpt = Annotated[int, typer.Option(
    "--runs", "-n", callback=_within(1, limits.MAX_RUNS), metavar="N",
    help=f"Replicates per point (common random numbers), {_range(1, limits.MAX_RUNS)}.")]


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
    say(template(spec, space), nl=False)


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
    say(study.render())
    if out is not None:
        say(f"wrote {out}/: indices.csv, sensitivity.json, points.parquet and the figure")


@app.command()
def explore(scenario: ScenarioArg,
            out: Annotated[Path, typer.Option(
                "--out", "-o", help="Experiment folder to write (new or empty).")],
            design: Annotated[str, typer.Option(
                "--design", help="lhs (Latin hypercube) or mc (independent random points)."
            )] = "lhs",
            points: Annotated[int, typer.Option(
                "--points", callback=_within(2, limits.MAX_RUNS), metavar="N",
                help=f"Parameter points, {_range(2, limits.MAX_RUNS)}.")
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
    say(f"{experiment.label()} -> {out}")
    say("outcome classes: " + ", ".join(f"{name} {share:.1%}"
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
                 "--box", callback=_within(0, limits.MAX_RUNS), metavar="I", help="Report this box of the trajectory (or CART leaf).")
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
    say(found.render(), nl=False)
    if out is not None:
        for path in found.write(out, fmt):
            say(str(path))


def main() -> None:
    """Entry point: run the app, turning user mistakes into one-line errors."""
    from typer.exceptions import TyperException

    from sim.errors import UserError
    from sim.scenario.errors import ScenarioError

    try:
        code = app(prog_name="escsim", standalone_mode=False)
    except ScenarioError as exc:
        say(str(exc), err=True)
        sys.exit(2)
    except UserError as exc:
        say(f"escsim: error: {exc}", err=True)
        sys.exit(2)
    except TyperException as exc:
        sys.exit(_usage_error(exc))
    except typer.Abort:
        say("Aborted!", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
