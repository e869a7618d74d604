"""Exploratory experiments: many points over uncertain inputs, many replicates each, on file.

    from sim.experiments.explore import explore, open_experiment
    experiment = explore("june-2025", vary="situations.yaml", design="lhs", points=2000,
                         runs=200, out="exp/")
    experiment.inputs          # one row per point: its inputs
    experiment.outcomes        # one row per point and replicate: every outcome metric
    open_experiment("exp/")    # the same, read back

An experiment folder holds:

    experiment.json     what was run: scenario (id, content hash, variant), seed, replicates per
                        point, design, the uncertainties, versions, command; written last, so
                        a folder without it is not a finished experiment
    inputs.parquet      point, then one column per uncertain input
    outcomes.parquet    point, replicate, every outcome metric, outcome_class

Every point runs replicates 0 .. runs - 1 of the seed on common random numbers, so point i's
rows are exactly the outcomes of ``EscalationModel(scenario, replicates=runs, rng=seed,
situation={its situation fields}, **{its parameters})``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.errors import UserError
from sim.experiments.designs import Design, exploration_design
from sim.experiments.runner import ModelRunner
from sim.experiments.uncertainties import UncertaintySpace, choose_space
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.batch.executors import Executor

FORMAT = "escsim-experiment/1"
MANIFEST, INPUTS, OUTCOMES = "experiment.json", "inputs.parquet", "outcomes.parquet"


class ExperimentError(UserError):
    """An experiment that cannot run or be read as asked."""


@dataclass
class Experiment:
    """An experiment's inputs (one row per point) and outcomes (one row per replicate)."""

    manifest: dict[str, Any]
    inputs: pd.DataFrame
    outcomes: pd.DataFrame
    folder: Path | None = None

    @property
    def space(self) -> UncertaintySpace:
        return UncertaintySpace.from_dict(self.manifest["uncertainties"])

    def label(self) -> str:
        m = self.manifest
        return (f"{m['scenario']['id']} ({m['scenario']['variant']}) · {m['design']['method']} "
                f"design, {m['design']['points']:,} points x {m['runs']:,} replicates · "
                f"seed {m['seed']}")


def _manifest(design: Design, spec: Scenario, runs: int, seed: int, command: str | None,
              seconds: float, cpu_seconds: float) -> dict[str, Any]:
    from sim.batch.manifest import now, package_versions
    from sim.scenario.loader import content_hash

    return {
        "format": FORMAT,
        "scenario": {"id": spec.id, "variant": spec.variant or "base",
                     "content_hash": content_hash(spec)},
        "seed": seed, "runs": runs,
        "design": {"method": design.method, "points": len(design), **design.settings},
        "uncertainties": design.space.to_dict(),
        "versions": package_versions(), "command": command, "created": now(),
        "seconds": round(seconds, 3), "cpu_seconds": round(cpu_seconds, 3),
    }


def _empty_folder(folder: Path) -> Path:
    """The folder to write, refused if it already holds anything (nothing is overwritten)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ExperimentError(f"{folder} already exists and is not an empty folder; choose "
                              "another --out")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExperimentError(f"cannot create folder {folder}: {exc.strerror or exc}") from None
    return folder


def write_experiment(experiment: Experiment, folder: str | Path) -> Path:
    """Write the tables, then the manifest that marks the folder finished."""
    from sim.batch.atomic import write_atomic, write_text_atomic

    out = _empty_folder(Path(folder))
    write_atomic(out / INPUTS, lambda temp: experiment.inputs.to_parquet(temp, index=False))
    write_atomic(out / OUTCOMES, lambda temp: experiment.outcomes.to_parquet(temp, index=False))
    write_text_atomic(out / MANIFEST, json.dumps(experiment.manifest, indent=2) + "\n")
    experiment.folder = out
    return out


def open_experiment(folder: str | Path) -> Experiment:
    """The experiment in a folder written by ``explore`` (ExperimentError if it is not one)."""
    path = Path(folder)
    if not path.is_dir():
        raise ExperimentError(f"no experiment folder at {path}")
    if not (path / MANIFEST).is_file():
        raise ExperimentError(f"{path} is not a finished experiment (no {MANIFEST}); make one "
                              "with `escsim explore`")
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise ValueError(f"not {FORMAT}")
        inputs = pd.read_parquet(path / INPUTS)
        outcomes = pd.read_parquet(path / OUTCOMES)
    except (OSError, ValueError) as exc:
        raise ExperimentError(f"cannot read the experiment in {path}: {exc}") from None
    return Experiment(manifest, inputs, outcomes, path)


def explore(scenario: str | Path | Scenario, variant: str | None = None, design: str = "lhs",
            points: int = 1000, runs: int = 100, seed: int = 0,
            params: Sequence[str] | str | None = None, everything: bool = False,
            vary: str | Path | None = None, out: str | Path | None = None,
            workers: int | None = None, executor: Executor | None = None,
            progress: bool | None = None, command: str | None = None) -> Experiment:
    """Run ``points`` points of a design over the uncertain inputs, ``runs`` replicates each.

    What varies: exactly one of ``params``, ``everything`` or ``vary`` (as for
    ``sim.experiments.sensitivity.sensitivity``). ``out`` writes the experiment folder (it
    must not exist yet, or be empty).
    """
    from sim.scenario.loader import load_scenario

    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise ExperimentError(f"--runs must be a whole number of at least 1, got {runs!r}")
    spec = load_scenario(scenario, variant)
    space = choose_space(spec, params, everything, vary)
    drawn = exploration_design(space, design, points, seed)
    if out is not None:
        _empty_folder(Path(out))  # refuse a used folder before hours of runs, not after
    runner = ModelRunner(spec, workers, executor, progress)
    began = time.perf_counter()
    outcomes = runner.run(drawn, runs, seed)
    inputs = drawn.points.reset_index()
    manifest = _manifest(drawn, spec, runs, seed, command, time.perf_counter() - began,
                         runner.timing.cpu_seconds)
    experiment = Experiment(manifest, inputs, outcomes)
    if out is not None:
        write_experiment(experiment, out)
    return experiment
