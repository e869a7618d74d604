"""The worked question of docs/analyst-guide.md, run end to end: it prints every number the
guide quotes and writes its figures into docs/analysis/figures/.

    python docs/analysis/june_2025.py            # the guide's sizes: about 3 minutes on 2
                                                 # cores (and 2 to compile the fast engine,
                                                 # the first time)
    python docs/analysis/june_2025.py --quick    # small sizes, to check that it runs (its
                                                 # figures go to a temporary folder)
    python docs/analysis/june_2025.py --steps 3  # only some steps (1 Sobol', 2 Morris, 3 PRIM)

The model's numbers change whenever its rules or parameters do: after such a change, run this
script, paste what it prints into the guide where the guide says so, and commit the figures.
Each step is the library call behind the `escsim` command the guide shows.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIGURES = HERE / "figures"
SCENARIO = "june-2025"
WEIGHTS = "directive_weight,decapitation_fear_weight,stake_weight,retaliation_weight"
RESTRAINT_FILE = HERE / "june-2025-restraint.yaml"
SPIRAL = "class == 'escalation_spiral'"
NOT_RESTRAINT = "class != 'restraint'"


@dataclass(frozen=True)
class Sizes:
    sobol_n: int
    sobol_runs: int
    morris_n: int
    morris_runs: int
    points: int
    explore_runs: int


FULL = Sizes(sobol_n=1024, sobol_runs=200, morris_n=10, morris_runs=100, points=2000,
             explore_runs=200)
QUICK = Sizes(sobol_n=16, sobol_runs=8, morris_n=2, morris_runs=4, points=60, explore_runs=8)


def step(title: str, command: str) -> float:
    print(f"\n## {title}\n\n    {command}\n", flush=True)
    return time.perf_counter()


def done(began: float) -> None:
    print(f"({time.perf_counter() - began:.0f} s)", flush=True)


def save(figure, name: str, figures: Path) -> None:  # noqa: ANN001 (a matplotlib Figure)
    from sim.analysis.files import save_figure

    print(f"figure: {save_figure(figure, figures / name)}")


def sobol_of_the_weights(sizes: Sizes, figures: Path) -> None:
    from sim.experiments.sensitivity import sensitivity

    began = step("1. Which reason for restraint matters most? Sobol' indices of the four weights",
                 f"escsim sensitivity {SCENARIO} --method sobol --params {WEIGHTS} "
                 f"--n {sizes.sobol_n} --runs {sizes.sobol_runs} --outcome \"{NOT_RESTRAINT}\" "
                 f"--outcome \"{SPIRAL}\" --outcome window_militia_attacks_on_us")
    study = sensitivity(SCENARIO, params=WEIGHTS, n=sizes.sobol_n, runs=sizes.sobol_runs,
                        outcomes=[NOT_RESTRAINT, SPIRAL, "window_militia_attacks_on_us"],
                        progress=False)
    print(study.render())
    save(study.figure(), "sobol-weights.png", figures)
    done(began)


def morris_screen(sizes: Sizes, figures: Path) -> None:
    from sim.experiments.sensitivity import sensitivity

    began = step("2. Beyond the weights: Morris screening of every shared parameter and "
                 "situation field",
                 f"escsim sensitivity {SCENARIO} --method morris --all --n {sizes.morris_n} "
                 f"--runs {sizes.morris_runs} --outcome \"{NOT_RESTRAINT}\"")
    study = sensitivity(SCENARIO, method="morris", everything=True, n=sizes.morris_n,
                        runs=sizes.morris_runs, outcomes=[NOT_RESTRAINT], progress=False)
    print(study.render(top=15))
    save(study.figure(top=15), "morris-all.png", figures)
    done(began)


def explore_and_discover(sizes: Sizes, folder: Path, figures: Path) -> None:
    from sim.experiments.discovery import DiscoveryError, discover
    from sim.experiments.explore import explore

    began = step("3. Which combinations break restraint? An experiment, then PRIM and CART",
                 f"escsim explore {SCENARIO} --design lhs --points {sizes.points} --runs "
                 f"{sizes.explore_runs} --vary docs/analysis/june-2025-restraint.yaml "
                 f"--out exp/")
    experiment = explore(SCENARIO, design="lhs", points=sizes.points, runs=sizes.explore_runs,
                         vary=RESTRAINT_FILE, out=folder, progress=False)
    shares = experiment.outcomes["outcome_class"].value_counts(normalize=True, sort=False)
    print("outcome classes over the experiment: "
          + ", ".join(f"{name} {share:.1%}" for name, share in shares.items()))
    done(began)
    for outcome, method, figure in ((SPIRAL, "prim", "discovery-prim.png"),
                                    (SPIRAL, "cart", "discovery-cart.png"),
                                    (NOT_RESTRAINT, "prim", "discovery-prim-not-restraint.png")):
        began = step(f"   scenario discovery with {method.upper()}",
                     f"escsim discover exp/ --outcome \"{outcome}\" --method {method}")
        try:
            found = discover(experiment, outcome, method=method)
        except DiscoveryError as error:  # e.g. no case meets the outcome at --quick sizes
            print(f"no box: {error}")
        else:
            print(found.render())
            save(found.figure(), figure, figures)
        done(began)


def main(argv: list[str] | None = None) -> None:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to check it runs")
    parser.add_argument("--steps", nargs="+", type=int, choices=(1, 2, 3), default=[1, 2, 3],
                        help="which steps to run")
    arguments = parser.parse_args(argv)
    quick, steps = arguments.quick, arguments.steps
    sizes = QUICK if quick else FULL
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="escsim-guide-") as temp:
        figures = Path(temp) / "figures" if quick else FIGURES
        figures.mkdir(exist_ok=True)
        if 1 in steps:
            sobol_of_the_weights(sizes, figures)
        if 2 in steps:
            morris_screen(sizes, figures)
        if 3 in steps:
            explore_and_discover(sizes, Path(temp) / "exp", figures)
    print(f"\nall steps: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
