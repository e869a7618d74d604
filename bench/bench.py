"""Speed and memory of the ensemble engine (issues 3 and 10). Prints figures; asserts nothing.

    python bench/bench.py            # the full benchmark (several minutes on 2 cores)
    python bench/bench.py --quick    # a short version: smaller batches, same sections
    python bench/bench.py --sections sobol dask    # only some sections (engine: 1-5)

Sections:
1. june-2025, 10,000 replicates, one worker, results folder written (target: at most 3 s);
2. the same model run replicate by replicate through ``mesa.batch_run`` (R = 1), and the ratio of
   per-replicate rates (target: the ensemble at least 100 times faster);
3. wall time against the number of replicates (1e3, 1e4, 1e5; close to linear);
4. one against two workers, and 1,000,000 replicates with two workers through ``escsim batch``:
   speed-up and the peak memory of every process (target: at most 2 GB each);
5. wall time against the number of militias (5, 10, 20), with a generated scenario that extends
   june-2025 and adds militias;
6. a Sobol' sensitivity analysis of the four weights the issue names (N = 1,024 base points,
   first-order and total indices: 6,144 points, 200 replicates each, about 1.2 million
   replicates) on the local workers (target: under 5 minutes on 2 cores);
7. the same batch on a Dask LocalCluster of two workers and on two local worker processes;
8. the classroom after-action review (`escsim aar`) of the full June 2025 demonstration game
   (docs/examples/classroom/moves.yaml) with 1,000 and 10,000 simulated games per distribution
   (target: under 10 s for 1,000), and the size of the saved game.

9. the browser classroom (`escsim serve`) under load: 40 team clients on loopback submit a move
   each, all at once, for 30 turns of one game (the facilitator plays each day): counts, and the
   median and 99th percentile of the response times (sim.web.rehearsal, as the load test).

``python bench/bench.py --sections classroom`` runs section 8 alone (any subset of engine,
sobol, dask, classroom and web can be chosen).

CPU time is printed beside wall time where it is measured: this process plus the workers'
own (each chunk and block reports the CPU time of the process that ran it).

Timings are wall-clock on whatever else the machine is doing; run it on a quiet machine.
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


@dataclass(frozen=True)
class Sizes:
    """How big each section's batches are."""

    headline: int  # section 1
    mesa_runs: int  # section 2
    scaling: tuple[int, ...]  # section 3
    workers_runs: int  # section 4: one against two workers
    big_runs: int  # section 4: the large run with two workers
    militia_runs: int  # section 5
    sobol_n: int  # section 6: base points of the Sobol' design
    dask_runs: int  # section 7
    militias: tuple[int, ...] = (5, 10, 20)
    sobol_runs: int = 200


FULL = Sizes(headline=10_000, mesa_runs=200, scaling=(1_000, 10_000, 100_000),
             workers_runs=100_000, big_runs=1_000_000, militia_runs=10_000, sobol_n=1024,
             dask_runs=200_000)
QUICK = Sizes(headline=10_000, mesa_runs=50, scaling=(1_000, 10_000, 30_000),
              workers_runs=30_000, big_runs=100_000, militia_runs=2_000, sobol_n=64,
              dask_runs=30_000)
SOBOL_WEIGHTS = ("directive_weight", "decapitation_fear_weight", "stake_weight",
                 "retaliation_weight")
SOBOL_GOAL_SECONDS = 300
SECTIONS = ("engine", "sobol", "dask", "classroom", "web")


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


DEMO_MOVES = Path(__file__).resolve().parents[1] / "docs" / "examples" / "classroom" / "moves.yaml"
DEMO_TEAMS = "kataib_hezbollah,iraqi_government,united_states,iran"


def child_cpu() -> float:
    """CPU seconds used so far by this process's finished children (not their forkserver's)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def classroom_review(sizes: Sizes, work: Path) -> None:
    """Section 8: `escsim aar` of the demonstration game, as a user runs it."""
    print("\n8. classroom after-action review of the full June 2025 demonstration game "
          "(`escsim aar`, with Python start-up; target < 10 s for 1,000)")
    game = work / "demo.escsim"
    subprocess.run([sys.executable, "-m", "sim.cli", "play", SCENARIO, "--teams", DEMO_TEAMS,
                    "--seed", "4", "--moves", str(DEMO_MOVES), "--save", str(game)],
                   check=True, capture_output=True)
    print(f"   saved game after a full game: {game.stat().st_size:,} bytes")
    for runs in (1_000, 10_000 if sizes is FULL else 3_000):
        cpu = child_cpu()
        seconds, done = timed(lambda: subprocess.run(
            [sys.executable, "-m", "sim.cli", "aar", str(game), "--runs", str(runs), "--out",
             str(work / f"aar-{runs}")],
            check=True, capture_output=True, text=True))
        inside = done.stdout.strip().splitlines()[-1]
        print(f"   --runs {runs:>6,}: {seconds:6.2f} s wall, {child_cpu() - cpu:6.2f} s CPU "
              f"(the command's process; its worker's is in the review's own line)\n"
              f"      {inside}")


def web_section(sizes: Sizes, work: Path) -> None:
    """Section 9: `escsim serve` on loopback, many team clients moving at once."""
    import socket

    import httpx

    from sim.web.rehearsal import rehearse

    clients, turns = (40, 30) if sizes is FULL else (20, 10)
    print(f"\n9. the browser classroom under load: {clients} team clients, {turns} turns, one "
          "game, `escsim serve` on loopback (a process of its own)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    secret = "bench-secret-0"
    server = subprocess.Popen([sys.executable, "-m", "sim.cli", "serve", "--port", str(port),
                               "--db", str(work / "web.sqlite"), "--secret", secret],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(f"{url}/static/style.css", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        server_cpu = _process_cpu(server.pid)
        result = rehearse(url, secret, clients=clients, turns=turns)
        server_cpu = _process_cpu(server.pid) - server_cpu
    finally:
        server.terminate()
        server.wait(timeout=30)
    for line in result.summary():
        print(f"   {line}")
    print(f"   the server's CPU during the rehearsal: {server_cpu:.1f} s")


def _process_cpu(pid: int) -> float:
    """CPU seconds a running process has used (Linux: /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wall_and_cpu(wall: float, cpu: float) -> str:
    """``12.3 s wall, 23.9 s CPU (1.94 cores busy)``."""
    return f"{wall:7.1f} s wall, {cpu:7.1f} s CPU ({cpu / wall:.2f} cores busy)"


def sobol_section(sizes: Sizes) -> None:
    """Section 6: a Sobol' analysis of four weights, on local worker processes."""
    from sim.experiments.sensitivity import sensitivity

    workers = available_cores()
    d, n, runs = len(SOBOL_WEIGHTS), sizes.sobol_n, sizes.sobol_runs
    points = n * (d + 2)
    print(f"\n6. Sobol' analysis of {SCENARIO}: {d} weights, N = {n:,} (first-order and total "
          f"indices: N(D + 2) = {points:,} points), {runs} replicates per point = "
          f"{points * runs:,} replicates, {workers} workers")
    began, cpu = time.perf_counter(), time.process_time()
    study = sensitivity(SCENARIO, params=",".join(SOBOL_WEIGHTS), n=n, runs=runs, seed=SEED,
                        outcomes=["class == 'restraint'", "militia_attacks_on_us"],
                        workers=workers, progress=False)
    wall = time.perf_counter() - began
    total_cpu = time.process_time() - cpu + study.seconds.get("cpu", 0.0)
    model = study.seconds["evaluate"]
    print(f"   whole analysis: {wall_and_cpu(wall, total_cpu)}; model runs {model:.1f} s "
          f"({points * runs / model:,.0f} replicates/s), SALib and replicate noise "
          f"{wall - model:.1f} s")
    print(f"   target < {SOBOL_GOAL_SECONDS} s on 2 cores: "
          f"{'met' if wall < SOBOL_GOAL_SECONDS else 'NOT met'} ({workers} cores here); the "
          f"second-order design would run N(2D + 2) = {n * (2 * d + 2):,} points")
    table = study.main_table()
    for name in study.shown_outcomes():
        rows = table[(table["outcome"] == name) & (table["index"] == "ST")]
        top = rows.sort_values("value", ascending=False).iloc[0]
        print(f"   {name}: largest ST {top['parameter']} {top['value']:.3f} "
              f"[{top['low']:.3f}, {top['high']:.3f}], replicate noise up to "
              f"{study.worst_noise(name)['noise_se']:.3f}")


def dask_section(sizes: Sizes, work: Path) -> None:
    """Section 7: one batch on a Dask LocalCluster and on local processes, two workers each."""
    import pandas as pd

    from sim.batch.dask import open_dask

    runs = sizes.dask_runs
    print(f"\n7. {runs:,} replicates on a Dask LocalCluster (2 worker processes, loopback) and "
          "on 2 local worker processes")
    began = time.perf_counter()
    with open_dask(local=2) as cluster:
        started = time.perf_counter() - began
        cluster.client.run(lambda: __import__("sim.batch.worker"))  # as a warm pool would be
        dask_wall, dask_cpu, on_dask = _timed_batch(work / "dask", runs, executor=cluster)
    local_wall, local_cpu, local = _timed_batch(work / "local", runs, workers=2)
    same = pd.read_parquet(on_dask / "outcomes.parquet").equals(
        pd.read_parquet(local / "outcomes.parquet"))
    print(f"   cluster start-up {started:.1f} s; chunks of "
          f"{json.loads((on_dask / 'manifest.json').read_text())['chunk_size']:,}")
    print(f"   Dask LocalCluster: {wall_and_cpu(dask_wall, dask_cpu)}   "
          f"{per_replicate(dask_wall, runs)}")
    print(f"   local processes:   {wall_and_cpu(local_wall, local_cpu)}   "
          f"{per_replicate(local_wall, runs)}")
    print(f"   Dask / local wall time: {dask_wall / local_wall:.2f}; identical outcomes: "
          f"{'yes' if same else 'NO'}")


def _timed_batch(out: Path, runs: int, **where: Any) -> tuple[float, float, Path]:
    """Wall time of a batch, and its CPU time: this process's and every chunk's worker's."""
    began, cpu = time.perf_counter(), time.process_time()
    run_batch(SCENARIO, runs=runs, seed=SEED, out=out, progress=False, **where)
    wall, own = time.perf_counter() - began, time.process_time() - cpu
    manifest = json.loads((out / "manifest.json").read_text())
    return wall, own + sum(c["cpu_seconds"] or 0.0 for c in manifest["chunks"]), out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short version of every section")
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS),
                        help="which sections to run (engine: sections 1-5)")
    arguments = parser.parse_args(argv)
    sizes = QUICK if arguments.quick else FULL
    from importlib.metadata import version

    print(f"escsim {version('escsim')} benchmark ({'quick' if sizes is QUICK else 'full'}): "
          f"Python {platform.python_version()}, numpy {version('numpy')}, mesa {version('mesa')}, "
          f"{available_cores()} cores, {platform.machine()}, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    began = time.perf_counter()
    run_batch(SCENARIO, runs=256, seed=SEED, workers=1, progress=False)  # warm caches and imports
    with tempfile.TemporaryDirectory(prefix="escsim-bench-") as temp:
        work = Path(temp)
        if "engine" in arguments.sections:
            ensemble = headline(sizes, work)
            mesa_comparison(sizes, ensemble)
            scaled = scaling_with_replicates(sizes, work)
            workers_and_memory(sizes, work, scaled.get(sizes.workers_runs))
            scaling_with_militias(sizes, work)
        if "sobol" in arguments.sections:
            sobol_section(sizes)
        if "dask" in arguments.sections:
            dask_section(sizes, work)
        if "classroom" in arguments.sections:
            classroom_review(sizes, work)
        if "web" in arguments.sections:
            web_section(sizes, work)
    print(f"\nbenchmark took {time.perf_counter() - began:.0f} s; load average now "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
