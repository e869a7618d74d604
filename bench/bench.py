"""Speed and memory of the ensemble engine (issue 3). Prints figures; asserts nothing.

    python bench/bench.py            # the full benchmark (several minutes on 2 cores)
    python bench/bench.py --quick    # a short version: smaller batches, same sections

Sections:
1. june-2025, 10,000 replicates, one worker, results folder written (target: at most 3 s);
2. the same model run replicate by replicate through ``mesa.batch_run`` (R = 1), and the ratio of
   per-replicate rates (target: the ensemble at least 100 times faster);
3. wall time against the number of replicates (1e3, 1e4, 1e5; close to linear);
4. one against two workers, and 1,000,000 replicates with two workers through ``escsim batch``:
   speed-up and the peak memory of every process (target: at most 2 GB each);
5. wall time against the number of militias (5, 10, 20), with a generated scenario that extends
   june-2025 and adds militias;
6. the engine per core (issue 10), side by side, each in a fresh process, CPU time beside wall
   time: (a) the engine as issue 10 started (commit b116191, run from a ``git archive`` of it
   with this Python and these packages), (b) this model played with numpy, (c) the same model
   played by the compiled day step, (d) an idiomatic Mesa model of the same shape
   (bench/idiomatic_mesa.py) through ``mesa.batch_run``; the headline is (d) against (c);
7. start-up and compilation: ``escsim run june-2025`` and a 10,000-replicate ``escsim batch``
   on a fresh install (empty compilation cache) and again once the cache is there.

Timings are wall-clock on whatever else the machine is doing; run it on a quiet machine. Only
ratios taken within one run mean much on a shared machine; sections 6 and 7 print CPU time too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.batch import run_batch
from sim.batch.plan import available_cores

SCENARIO = "june-2025"
SEED = 7
MEMORY_LIMIT_MB = 2048


ISSUE_10_START = "b116191"  # the commit issue 10 was filed against (section 6, engine a)


@dataclass(frozen=True)
class Sizes:
    """How big each section's batches are."""

    headline: int  # section 1
    mesa_runs: int  # section 2
    scaling: tuple[int, ...]  # section 3
    workers_runs: int  # section 4: one against two workers
    big_runs: int  # section 4: the large run with two workers
    militia_runs: int  # section 5
    engine_runs: int = 10_000  # section 6: (a) and (c)
    numpy_runs: int = 4_000  # section 6: (b)
    idiomatic_runs: int = 200  # section 6: (d)
    militias: tuple[int, ...] = (5, 10, 20)


FULL = Sizes(headline=10_000, mesa_runs=200, scaling=(1_000, 10_000, 100_000),
             workers_runs=100_000, big_runs=1_000_000, militia_runs=10_000)
QUICK = Sizes(headline=10_000, mesa_runs=50, scaling=(1_000, 10_000, 30_000),
              workers_runs=30_000, big_runs=100_000, militia_runs=2_000, engine_runs=4_000,
              numpy_runs=1_000, idiomatic_runs=50)


def timed[T](call: Callable[[], T]) -> tuple[float, T]:
    """Wall-clock seconds of a call, and its result."""
    began = time.perf_counter()
    result = call()
    return time.perf_counter() - began, result


def per_replicate(seconds: float, replicates: int) -> str:
    return (f"{1e6 * seconds / replicates:8.1f} µs/replicate  "
            f"({replicates / seconds:9,.0f} replicates/s)")


def batch_seconds(out: Path, runs: int, workers: int = 1, scenario: str = SCENARIO) -> float:
    """Wall time of an in-process batch that writes its results folder."""
    seconds, _ = timed(lambda: run_batch(scenario, runs=runs, seed=SEED, out=out, workers=workers,
                                         progress=False))
    return seconds


def chunks_in_flight(manifest: dict[str, Any]) -> float:
    """Mean number of chunks running at once: their summed run times over the batch's wall time.

    Near the number of workers means the workers ran side by side; a speed-up below that then
    comes from the cores being shared (with other programs, or memory bandwidth), not the engine.
    """
    session = manifest["sessions"][-1]
    return sum(c["seconds"] or 0.0 for c in manifest["chunks"]) / session["seconds"]


def cli_batch(out: Path, runs: int, workers: int) -> tuple[float, dict[str, Any]]:
    """Run ``escsim batch`` in a fresh process: wall time (start-up included) and the manifest."""
    command = [sys.executable, "-m", "sim.cli", "batch", SCENARIO, "--runs", str(runs),
               "--seed", str(SEED), "--out", str(out), "--workers", str(workers), "--quiet"]
    seconds, done = timed(lambda: subprocess.run(command, capture_output=True, text=True))
    if done.returncode != 0:
        raise RuntimeError(f"escsim batch failed: {done.stderr}")
    return seconds, json.loads((out / "manifest.json").read_text())


# --- the sections ------------------------------------------------------------------------------

def headline(sizes: Sizes, work: Path) -> float:
    """Section 1; returns seconds per replicate of the in-process run (for section 2)."""
    print(f"\n1. {SCENARIO}, {sizes.headline:,} replicates, one worker, results written")
    seconds = batch_seconds(work / "headline", sizes.headline)
    print(f"   in-process run_batch: {seconds:6.2f} s   {per_replicate(seconds, sizes.headline)}"
          f"   target <= 3 s: {'met' if seconds <= 3 else 'NOT met'}")
    cli_seconds, _ = cli_batch(work / "headline-cli", sizes.headline, 1)
    print(f"   `escsim batch` (with Python start-up and imports): {cli_seconds:6.2f} s")
    return seconds / sizes.headline


def mesa_comparison(sizes: Sizes, ensemble_per_replicate: float) -> None:
    """Section 2: one replicate per model, through Mesa's own batch runner."""
    import mesa

    from sim.model.model import EscalationModel
    from sim.scenario.loader import load_scenario

    n = sizes.mesa_runs
    print(f"\n2. the same model through mesa.batch_run, R = 1, {n} replicates (number_processes=1)")
    seconds, rows = timed(lambda: mesa.batch_run(
        EscalationModel, parameters={"scenario": SCENARIO}, rng=list(range(n)),
        number_processes=1, display_progress=False))
    assert len(rows) == n
    mesa_per_replicate = seconds / n
    print(f"   mesa.batch_run, scenario by id:      {seconds:6.2f} s   "
          f"{per_replicate(seconds, n)}")
    spec = load_scenario(SCENARIO)
    loaded_seconds, _ = timed(lambda: mesa.batch_run(
        EscalationModel, parameters={"scenario": [spec]}, rng=list(range(n)),
        number_processes=1, display_progress=False))
    print(f"   mesa.batch_run, scenario pre-loaded: {loaded_seconds:6.2f} s   "
          f"{per_replicate(loaded_seconds, n)}")
    print(f"   ensemble engine (section 1):                   "
          f"{1e6 * ensemble_per_replicate:8.1f} µs/replicate")
    ratio = mesa_per_replicate / ensemble_per_replicate
    print(f"   ratio, ensemble vs mesa.batch_run: {ratio:,.0f}x  (target >= 100x: "
          f"{'met' if ratio >= 100 else 'NOT met'}); against the pre-loaded scenario: "
          f"{loaded_seconds / n / ensemble_per_replicate:,.0f}x")


def scaling_with_replicates(sizes: Sizes, work: Path) -> dict[int, float]:
    """Section 3; returns seconds per run size."""
    print("\n3. wall time against replicates (one worker, results written)")
    seconds = {}
    for runs in sizes.scaling:
        seconds[runs] = batch_seconds(work / f"scale-{runs}", runs)
        print(f"   {runs:>9,} replicates: {seconds[runs]:7.2f} s   "
              f"{per_replicate(seconds[runs], runs)}")
    for small, large in zip(sizes.scaling, sizes.scaling[1:], strict=False):
        growth = seconds[large] / seconds[small]
        print(f"   {small:,} -> {large:,}: time grows {growth:.1f}x for {large / small:.0f}x the "
              f"replicates ({growth / (large / small):.2f} of linear; below 1, fixed costs of a "
              "batch are being spread)")
    return seconds


def burn(loops: int) -> float:
    """Pure-Python work, to see how many cores the machine gives right now."""
    began, total = time.perf_counter(), 0
    for i in range(loops):
        total += i * i
    return time.perf_counter() - began


def effective_cores(loops: int = 20_000_000) -> float:
    """Cores available at the moment: one busy process alone against two side by side.

    2.0 on an idle two-core machine; less when other programs share the cores, which caps any
    speed-up from a second worker whatever the engine does.
    """
    from concurrent.futures import ProcessPoolExecutor

    alone = burn(loops)
    with ProcessPoolExecutor(2) as pool:
        began = time.perf_counter()
        list(pool.map(burn, [loops, loops]))
        together = time.perf_counter() - began
    return 2 * alone / together


def workers_and_memory(sizes: Sizes, work: Path, one_worker: float | None) -> None:
    """Section 4: speed-up from one to two workers; the large run's memory."""
    runs = sizes.workers_runs
    print(f"\n4. one against two workers, and {sizes.big_runs:,} replicates with two workers "
          f"({available_cores()} cores available)")
    print(f"   cores the machine gives now (two busy processes against one): "
          f"{effective_cores():.2f} of {available_cores()}")
    if one_worker is None:
        one_worker = batch_seconds(work / "workers-1", runs, workers=1)
    two_workers = batch_seconds(work / "workers-2", runs, workers=2)
    in_flight = chunks_in_flight(json.loads((work / "workers-2" / "manifest.json").read_text()))
    print(f"   {runs:,} replicates: 1 worker {one_worker:6.2f} s, 2 workers {two_workers:6.2f} s, "
          f"speed-up {one_worker / two_workers:.2f}x (2.00 = linear); chunks in flight on "
          f"average {in_flight:.2f}")
    seconds, manifest = cli_batch(work / "big", sizes.big_runs, 2)
    session = manifest["sessions"][-1]
    peak = session["peak_rss_mb"]
    worst = max(v for v in peak.values() if v is not None)
    print(f"   `escsim batch --runs {sizes.big_runs} --workers 2`: {seconds:7.1f} s wall "
          f"(engine {session['seconds']:.1f} s)   "
          f"{per_replicate(session['seconds'], sizes.big_runs)}")
    print(f"   chunks: {len(manifest['chunks'])} of {manifest['chunk_size']:,}, in flight on "
          f"average {chunks_in_flight(manifest):.2f}; peak memory (RSS): "
          f"main process {peak['main']:.0f} MB, largest worker {peak['workers']:.0f} MB; "
          f"limit {MEMORY_LIMIT_MB} MB: {'met' if worst <= MEMORY_LIMIT_MB else 'NOT met'}")
    rate_one = runs / one_worker
    rate_big = sizes.big_runs / session["seconds"]
    print(f"   per-replicate rate, {sizes.big_runs:,} on 2 workers vs {runs:,} on 1 worker: "
          f"{rate_big / rate_one:.2f}x")


def militia_scenario(folder: Path, militias: int) -> Path:
    """A scenario extending june-2025 with extra militias modelled on Harakat al-Nujaba."""
    from sim.model.catalogue import actor_catalogue
    from sim.scenario.loader import load_scenario, shipped_scenarios

    base = load_scenario(SCENARIO)
    present = [a for a, spec in actor_catalogue().items()
               if a in base.actors and spec.kind.value == "militia"]
    template = actor_catalogue()["harakat_al_nujaba"]
    extra = {f"militia_{i:02d}": {
        "kind": "militia", "name": f"Generated militia {i}", "patron": "iran", "stake": 0.4,
        "parameters": dict(template.traits),
        "rationale": "generated for the benchmark: a copy of Harakat al-Nujaba's traits"}
        for i in range(len(present) + 1, militias + 1)}
    everyone = [*present, *extra]
    actors: dict[str, Any] = {**extra}
    for responder in ("united_states", "israel"):  # let the US and Israel answer the new ones
        actors[responder] = {"free_against": everyone}
    doc = {"id": f"{SCENARIO}-m{militias}", "title": f"{SCENARIO} with {militias} militias",
           "extends": str(shipped_scenarios()[SCENARIO].resolve()), "actors": actors}
    path = folder / f"{SCENARIO}-m{militias}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def scaling_with_militias(sizes: Sizes, work: Path) -> None:
    """Section 5."""
    runs = sizes.militia_runs
    print(f"\n5. wall time against militias ({runs:,} replicates, one worker, results written)")
    seconds = {}
    for militias in sizes.militias:
        scenario = SCENARIO if militias == 5 else str(militia_scenario(work, militias))
        seconds[militias] = batch_seconds(work / f"militias-{militias}", runs, scenario=scenario)
        print(f"   {militias:>3} militias: {seconds[militias]:7.2f} s   "
              f"{per_replicate(seconds[militias], runs)}")
    low, high = sizes.militias[0], sizes.militias[-1]
    print(f"   time grows {seconds[high] / seconds[low]:.1f}x for {high / low:.0f}x the militias "
          f"({seconds[high] / seconds[low] / (high / low):.2f} of linear)")


# --- section 6: the engine per core ----------------------------------------------------------

# Runs in a fresh process: times whole model runs (construction included) of june-2025 and
# prints CPU and wall seconds per replicate (the best of the repeats, by CPU time).
_ENGINE_PROBE = """
import json, sys, time
if sys.argv[1]:
    sys.path.insert(0, sys.argv[1])
import sim
from sim.model.model import EscalationModel
options, replicates, repeats = json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def run(count):
    EscalationModel("june-2025", replicates=count, rng=1, collect_data=False, log_events=False,
                    **options).run()
run(min(replicates, 600))  # imports, caches, and the compiled kernel loaded or compiled
best = None
for _ in range(repeats):
    wall, cpu = time.perf_counter(), time.process_time()
    run(replicates)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    best = min(best or (cpu, wall), (cpu, wall))
print(json.dumps({"cpu": best[0] / replicates, "wall": best[1] / replicates,
                  "code": sim.__file__}))
"""

_IDIOMATIC_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import idiomatic_mesa
idiomatic_mesa.run(5)  # imports
cpu, wall = idiomatic_mesa.seconds_per_replicate(int(sys.argv[2]))
print(json.dumps({"cpu": cpu, "wall": wall, "code": idiomatic_mesa.__file__}))
"""


@dataclass(frozen=True)
class Rate:
    """Seconds per replicate of one engine, measured in its own process."""

    cpu: float
    wall: float
    code: str

    def line(self, label: str, replicates: int) -> str:
        return (f"   {label:<46} {1e6 * self.cpu:9,.1f} µs CPU  {1e6 * self.wall:9,.1f} µs wall "
                f"per replicate  ({replicates:,} replicates)")


def probe(script: str, *args: str) -> Rate:
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise RuntimeError(f"engine probe failed: {done.stderr[-2000:]}")
    return Rate(**json.loads(done.stdout.strip().splitlines()[-1]))


def issue_start_checkout(folder: Path) -> Path | None:
    """The code as issue 10 started, extracted from git into ``folder`` (None without git)."""
    root = Path(__file__).resolve().parents[1]
    archive = subprocess.run(["git", "-C", str(root), "archive", ISSUE_10_START],
                             capture_output=True)
    if archive.returncode != 0:
        return None
    target = folder / f"escsim-{ISSUE_10_START}"
    target.mkdir()
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def engine_per_core(sizes: Sizes, work: Path) -> None:
    """Section 6: the four engines side by side; (a) and (c) twice, interleaved."""
    runs = sizes.engine_runs
    print(f"\n6. the engine per core, june-2025 (59 days), each in a fresh process; "
          f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    old = issue_start_checkout(work)
    rates: dict[str, list[Rate]] = {"a": [], "b": [], "c": [], "d": []}
    for round_ in range(2):
        if old is not None:
            rates["a"].append(probe(_ENGINE_PROBE, str(old), "{}", str(runs), "1"))
        rates["c"].append(probe(_ENGINE_PROBE, "", '{"engine": "compiled"}', str(runs), "2"))
        if round_ == 0:
            rates["b"].append(probe(_ENGINE_PROBE, "", '{"engine": "numpy"}',
                                    str(sizes.numpy_runs), "1"))
            rates["d"].append(probe(_IDIOMATIC_PROBE, str(Path(__file__).parent),
                                    str(sizes.idiomatic_runs)))
    best = {key: min(found, key=lambda rate: rate.cpu) for key, found in rates.items() if found}
    labels = {"a": f"(a) the engine as issue 10 started ({ISSUE_10_START})",
              "b": "(b) this model, numpy path", "c": "(c) this model, compiled day step",
              "d": "(d) idiomatic Mesa, one model per replicate"}
    counts = {"a": runs, "b": sizes.numpy_runs, "c": runs, "d": sizes.idiomatic_runs}
    for key, rate in best.items():
        print(rate.line(labels[key], counts[key]))
    if "a" not in best:
        print(f"   (a) skipped: {ISSUE_10_START} could not be extracted (not a git checkout)")
    else:
        print(f"   (a) ran from {Path(best['a'].code).parents[1]}")
    c = best["c"]
    print(f"   headline, (c) against idiomatic Mesa (d): {best['d'].cpu / c.cpu:,.0f}x per core "
          f"(CPU), {best['d'].wall / c.wall:,.0f}x (wall)")
    print(f"   (c) against this model's numpy path (b): {best['b'].cpu / c.cpu:.1f}x (CPU), "
          f"{best['b'].wall / c.wall:.1f}x (wall)")
    if "a" in best:
        ratio = best["a"].cpu / c.cpu
        print(f"   (c) against the engine as issue 10 started (a): {ratio:.2f}x (CPU), "
              f"{best['a'].wall / c.wall:.2f}x (wall); goal >= 4x: "
              f"{'met' if ratio >= 4 else 'NOT met'}")
        print(f"   (b) against (a): the model as reworked since, played with numpy, is "
              f"{best['b'].cpu / best['a'].cpu:.1f}x slower than (a) per replicate (CPU)")


# --- section 7: start-up and compilation ------------------------------------------------------

def timed_command(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (children's user + system) of a command in a fresh process."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, done = timed(lambda: subprocess.run(args, capture_output=True, text=True, env=env))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def start_up_and_compilation(work: Path) -> None:
    """Section 7: first runs with an empty compilation cache (a fresh install), then cached."""
    print("\n7. start-up and compilation: a fresh install (empty compilation cache), then again")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(work / "numba-cache")}
    cli = [sys.executable, "-m", "sim.cli"]
    for attempt in ("first run", "cached run"):
        seconds, cpu = timed_command([*cli, "run", SCENARIO, "--seed", "1"], env)
        print(f"   `escsim run {SCENARIO}` ({attempt}): {seconds:6.2f} s wall, {cpu:6.2f} s CPU")
    for attempt in ("first run, compiles the kernel", "cached run"):
        out = work / f"compile-{attempt.split()[0]}"
        seconds, cpu = timed_command([*cli, "batch", SCENARIO, "--runs", "10000", "--seed",
                                      str(SEED), "--out", str(out), "--workers", "1", "--quiet"],
                                     env)
        print(f"   `escsim batch {SCENARIO} --runs 10000 --workers 1` ({attempt}): "
              f"{seconds:6.2f} s wall, {cpu:6.2f} s CPU")
    out = work / "compile-two-workers"
    seconds, cpu = timed_command([*cli, "batch", SCENARIO, "--runs", "10000", "--seed", str(SEED),
                                  "--out", str(out), "--workers", "2", "--quiet"], env)
    print(f"   the same with --workers 2 (each worker loads the cached kernel): {seconds:6.2f} s "
          f"wall, {cpu:6.2f} s CPU")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short version of every section")
    parser.add_argument("--sections", default="1,2,3,4,5,6,7",
                        help="which sections to run, e.g. 6,7 (default: all)")
    arguments = parser.parse_args(argv)
    sizes = QUICK if arguments.quick else FULL
    chosen = {int(x) for x in arguments.sections.split(",")}
    from importlib.metadata import version

    print(f"escsim {version('escsim')} benchmark ({'quick' if sizes is QUICK else 'full'}): "
          f"Python {platform.python_version()}, numpy {version('numpy')}, mesa {version('mesa')}, "
          f"{available_cores()} cores, {platform.machine()}, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    began = time.perf_counter()
    run_batch(SCENARIO, runs=256, seed=SEED, workers=1, progress=False)  # warm caches and imports
    with tempfile.TemporaryDirectory(prefix="escsim-bench-") as temp:
        work = Path(temp)
        ensemble = headline(sizes, work) if chosen & {1, 2} else None
        if 2 in chosen and ensemble is not None:
            mesa_comparison(sizes, ensemble)
        scaled = scaling_with_replicates(sizes, work) if 3 in chosen else {}
        if 4 in chosen:
            workers_and_memory(sizes, work, scaled.get(sizes.workers_runs))
        if 5 in chosen:
            scaling_with_militias(sizes, work)
        if 6 in chosen:
            engine_per_core(sizes, work)
        if 7 in chosen:
            start_up_and_compilation(work)
    print(f"\nbenchmark took {time.perf_counter() - began:.0f} s; load average now "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
