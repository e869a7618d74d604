"""Speed and memory of the ensemble engine (issues 3 and 10). Prints figures; asserts nothing.

    python bench/bench.py            # the full benchmark (tens of minutes on 2 cores)
    python bench/bench.py --quick    # a short version: smaller batches, same sections
    python bench/bench.py --sections engine sobol    # only some sections

Sections (by name, for ``--sections``):

engine
  1. the engine per core on june-2025 (59 days), each engine in a fresh process, CPU time beside
     wall time: an idiomatic Mesa model of the same shape (bench/idiomatic_mesa.py: 10 agents, a
     softmax over 20 actions, one model per replicate through ``mesa.batch_run``), the headline
     anchor; the engine as issue 10 started (commit b116191, run from a ``git archive`` of it
     with this Python and these packages); this model played with numpy (the reference path);
     the same model played by the compiled day step; and the floor the logit choice's ``exp``
     evaluations set;
startup
  2. ``escsim run june-2025`` and a 10,000-replicate ``escsim batch`` with an empty compilation
     cache (a fresh install) and again once the cache is there;
batch
  3. june-2025, 10,000 replicates, one worker, results folder written (target: at most 3 s);
  4. the same model run replicate by replicate through ``mesa.batch_run`` (R = 1: escsim's own
     model at one replicate per model, not the idiomatic anchor of section 1);
  5. wall time against the number of replicates (1e3, 1e4, 1e5; close to linear);
  6. one against two workers, and 1,000,000 replicates with two workers through ``escsim batch``:
     speed-up and the peak memory of every process (target: at most 2 GB each);
  7. wall time against the number of militias (5, 10, 20), with a generated scenario that
     extends june-2025 and adds militias;
sobol
  8. a Sobol' sensitivity analysis of the four weights issue 10 names (N = 1,024 base points,
     second-order design: N(2D + 2) = 10,240 points, 200 replicates each, about 2 million
     replicates) on the local workers (target: under 5 minutes on 2 cores); ``--quick`` runs
     N = 64 and extrapolates, labelled as such;
dask
  9. the same batch on a Dask LocalCluster of two workers and on two local worker processes;
classroom
  10. the classroom after-action review (`escsim aar`) of the full June 2025 demonstration game
     (docs/examples/classroom/moves.yaml) with 1,000 and 10,000 simulated games per distribution
     (target: under 10 s for 1,000), and the size of the saved game.
web
  11. the browser classroom (`escsim serve`) under load: 40 team clients on loopback submit a
      move each, all at once, for 30 turns of one game (the facilitator plays each day): counts,
      and the median and 99th percentile of the response times (sim.web.rehearsal, as the load
      test).

CPU time is printed beside wall time where it is measured: this process plus the workers'
own (each chunk and block reports the CPU time of the process that ran it).

Timings are wall-clock on whatever else the machine is doing; run it on a quiet machine. Only
ratios taken within one run mean much on a shared machine (absolute times vary twofold and more).
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
    sobol_n: int  # section 8: base points of the Sobol' design
    dask_runs: int  # section 9
    militias: tuple[int, ...] = (5, 10, 20)
    sobol_runs: int = 200
    engine_runs: int = 10_000  # section 1: the compiled engine and the engine as issue 10 began
    numpy_runs: int = 4_000  # section 1: the numpy path
    idiomatic_runs: int = 200  # section 1: idiomatic Mesa


FULL = Sizes(headline=10_000, mesa_runs=200, scaling=(1_000, 10_000, 100_000),
             workers_runs=100_000, big_runs=1_000_000, militia_runs=10_000, sobol_n=1024,
             dask_runs=200_000)
QUICK = Sizes(headline=10_000, mesa_runs=50, scaling=(1_000, 10_000, 30_000),
              workers_runs=30_000, big_runs=100_000, militia_runs=2_000, sobol_n=64,
              dask_runs=30_000, engine_runs=4_000, numpy_runs=1_000, idiomatic_runs=50)
SOBOL_WEIGHTS = ("directive_weight", "decapitation_fear_weight", "stake_weight",
                 "retaliation_weight")
SOBOL_GOAL_SECONDS = 300
SECTIONS = ("engine", "startup", "batch", "sobol", "dask", "classroom", "web")
ISSUE_10_START = "b116191"  # the commit issue 10 was filed against (section 1)


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
    """Section 3; returns seconds per replicate of the in-process run (for section 4)."""
    print(f"\n3. {SCENARIO}, {sizes.headline:,} replicates, one worker, results written")
    seconds = batch_seconds(work / "headline", sizes.headline)
    print(f"   in-process run_batch: {seconds:6.2f} s   {per_replicate(seconds, sizes.headline)}"
          f"   target <= 3 s: {'met' if seconds <= 3 else 'NOT met'}")
    cli_seconds, _ = cli_batch(work / "headline-cli", sizes.headline, 1)
    print(f"   `escsim batch` (with Python start-up and imports): {cli_seconds:6.2f} s")
    return seconds / sizes.headline


def mesa_comparison(sizes: Sizes, ensemble_per_replicate: float) -> None:
    """Section 4: one replicate per model, through Mesa's own batch runner."""
    import mesa

    from sim.model.model import EscalationModel
    from sim.scenario.loader import load_scenario

    n = sizes.mesa_runs
    print(f"\n4. the same model through mesa.batch_run, R = 1, {n} replicates (number_processes=1)")
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
    print(f"   ensemble engine (section 3):                   "
          f"{1e6 * ensemble_per_replicate:8.1f} µs/replicate")
    ratio = mesa_per_replicate / ensemble_per_replicate
    print(f"   ratio, ensemble vs mesa.batch_run: {ratio:,.0f}x  (target >= 100x: "
          f"{'met' if ratio >= 100 else 'NOT met'}); against the pre-loaded scenario: "
          f"{loaded_seconds / n / ensemble_per_replicate:,.0f}x")


def scaling_with_replicates(sizes: Sizes, work: Path) -> dict[int, float]:
    """Section 5; returns seconds per run size."""
    print("\n5. wall time against replicates (one worker, results written)")
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
    """Section 6: speed-up from one to two workers; the large run's memory."""
    runs = sizes.workers_runs
    print(f"\n6. one against two workers, and {sizes.big_runs:,} replicates with two workers "
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
    """Section 7."""
    runs = sizes.militia_runs
    print(f"\n7. wall time against militias ({runs:,} replicates, one worker, results written)")
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
    """Section 10: `escsim aar` of the demonstration game, as a user runs it."""
    print("\n10. classroom after-action review of the full June 2025 demonstration game "
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
    """Section 11: `escsim serve` on loopback, many team clients moving at once."""
    import socket

    import httpx

    from sim.web.rehearsal import rehearse

    clients, turns = (40, 30) if sizes is FULL else (20, 10)
    print(f"\n11. the browser classroom under load: {clients} team clients, {turns} turns, one "
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
    """Section 8: a Sobol' analysis of four weights, on local worker processes."""
    from sim.experiments.sensitivity import sensitivity

    workers = available_cores()
    d, n, runs = len(SOBOL_WEIGHTS), sizes.sobol_n, sizes.sobol_runs
    points = n * (2 * d + 2)
    print(f"\n8. Sobol' analysis of {SCENARIO}: {d} weights, N = {n:,} (first, second-order and "
          f"total indices: N(2D + 2) = {points:,} points), {runs} replicates per point = "
          f"{points * runs:,} replicates, {workers} workers")
    began, cpu = time.perf_counter(), time.process_time()
    study = sensitivity(SCENARIO, params=",".join(SOBOL_WEIGHTS), n=n, runs=runs, seed=SEED,
                        outcomes=["class == 'restraint'", "militia_attacks_on_us"],
                        second_order=True, workers=workers, progress=False)
    wall = time.perf_counter() - began
    total_cpu = time.process_time() - cpu + study.seconds.get("cpu", 0.0)
    model = study.seconds["evaluate"]
    print(f"   whole analysis: {wall_and_cpu(wall, total_cpu)}; model runs {model:.1f} s "
          f"({points * runs / model:,.0f} replicates/s, "
          f"{1e6 * study.seconds.get('cpu', 0.0) / (points * runs):,.0f} µs CPU per replicate "
          f"in the workers), SALib and replicate noise {wall - model:.1f} s")
    # on a shared machine the workers get less than their cores: the wall time the same work
    # would take on idle cores is the workers' CPU time spread over them
    idle = study.seconds.get("cpu", 0.0) / workers + (wall - model)
    full = 1024
    if n < full:
        scale = full / n
        print(f"   EXTRAPOLATED to N = {full:,} ({full * (2 * d + 2) * runs:,} replicates; the "
              f"model runs scaled by {scale:.0f}x, the rest kept): about "
              f"{model * scale + (wall - model):.0f} s wall as busy as this machine was, about "
              f"{idle + (scale - 1) * (idle - (wall - model)):.0f} s on {workers} idle cores "
              f"(from the workers' CPU time); target < {SOBOL_GOAL_SECONDS} s")
    else:
        print(f"   target < {SOBOL_GOAL_SECONDS} s on 2 cores: "
              f"{'met' if wall < SOBOL_GOAL_SECONDS else 'NOT met'} ({workers} cores here); "
              f"on {workers} idle cores (from the workers' CPU time) about {idle:.0f} s")
    table = study.main_table()
    for name in study.shown_outcomes():
        rows = table[(table["outcome"] == name) & (table["index"] == "ST")]
        top = rows.sort_values("value", ascending=False).iloc[0]
        print(f"   {name}: largest ST {top['parameter']} {top['value']:.3f} "
              f"[{top['low']:.3f}, {top['high']:.3f}], replicate noise up to "
              f"{study.worst_noise(name)['noise_se']:.3f}")


def dask_section(sizes: Sizes, work: Path) -> None:
    """Section 9: one batch on a Dask LocalCluster and on local processes, two workers each."""
    import pandas as pd

    from sim.batch.dask import open_dask

    runs = sizes.dask_runs
    print(f"\n9. {runs:,} replicates on a Dask LocalCluster (2 worker processes, loopback) and "
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


# --- section 1: the engine per core ----------------------------------------------------------

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


# Runs in a fresh process: how many logit weights (``exp``) a replicate of june-2025 needs, and
# what one scalar ``exp`` costs in compiled code here (numba calls the C library's, as the
# kernel does); their product is the floor the choice alone sets.
_EXP_FLOOR_PROBE = """
import json, math, time
import numpy as np
from numba import njit
from sim.model.compiled import CompiledDays
from sim.model.model import EscalationModel
model = EscalationModel("june-2025", replicates=1, rng=1, collect_data=False, log_events=False,
                        engine="numpy")
options = CompiledDays(model).tables.options
flat = intents = 0
for day in range(model.spec.days):
    for k, agent in enumerate(model._deciders):
        if agent.decides_on(day):
            flat += int(options.start[k + 1] - options.start[k])
            intents += int(options.intent_start[k + 1] - options.intent_start[k])
@njit(cache=False)
def exps(values):
    total = 0.0
    for v in values:
        total += math.exp(v)
    return total
values = np.random.default_rng(1).uniform(-8.0, 2.0, 1_000_000)
exps(values[:10])
times = []
for _ in range(5):
    began = time.process_time()
    exps(values)
    times.append(time.process_time() - began)
per_exp = min(times) / values.size
print(json.dumps({"flat": flat, "intents": intents, "per_exp": per_exp}))
"""


def exp_floor() -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", _EXP_FLOOR_PROBE], capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise RuntimeError(f"exp floor probe failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def engine_per_core(sizes: Sizes, work: Path) -> None:
    """Section 1: the engines side by side; (a) and (c) twice, interleaved."""
    runs = sizes.engine_runs
    print(f"\n1. the engine per core, june-2025 (59 days), each engine in a fresh process, CPU "
          f"time beside wall time; load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    old = issue_start_checkout(work)
    rates: dict[str, list[Rate]] = {"a": [], "b": [], "c": [], "d": []}
    for round_ in range(2):
        if old is not None:
            rates["a"].append(probe(_ENGINE_PROBE, str(old), "{}", str(runs), "1"))
        rates["c"].append(probe(_ENGINE_PROBE, "", '{"engine": "compiled"}', str(runs), "2"))
        if round_ == 0:
            rates["d"].append(probe(_IDIOMATIC_PROBE, str(Path(__file__).parent),
                                    str(sizes.idiomatic_runs)))
            rates["b"].append(probe(_ENGINE_PROBE, "", '{"engine": "numpy"}',
                                    str(sizes.numpy_runs), "1"))
    best = {key: min(found, key=lambda rate: rate.cpu) for key, found in rates.items() if found}
    labels = {"d": "idiomatic Mesa (one model per replicate)",
              "a": f"the engine as issue 10 started ({ISSUE_10_START})",
              "b": "this model, numpy path (the reference)",
              "c": "this model, compiled day step"}
    counts = {"a": runs, "b": sizes.numpy_runs, "c": runs, "d": sizes.idiomatic_runs}
    for key in ("d", "a", "b", "c"):
        if key in best:
            print(best[key].line(labels[key], counts[key]))
    c, d = best["c"], best["d"]
    print(f"   HEADLINE: escsim (compiled) against idiomatic Mesa: {d.cpu / c.cpu:,.0f}x per "
          f"replicate (CPU), {d.wall / c.wall:,.0f}x (wall)")
    print(f"   compiled against this model's numpy path: {best['b'].cpu / c.cpu:.1f}x (CPU), "
          f"{best['b'].wall / c.wall:.1f}x (wall)")
    if "a" in best:
        ratio = best["a"].cpu / c.cpu
        print(f"   compiled against the engine as issue 10 started: {ratio:.2f}x (CPU), "
              f"{best['a'].wall / c.wall:.2f}x (wall); goal >= 4x: "
              f"{'met' if ratio >= 4 else 'NOT met'}  (that engine ran from "
              f"{Path(best['a'].code).parents[1]}; the model has been reworked since: more "
              f"actors' decisions, threats, fronts; its numpy path costs "
              f"{best['b'].cpu / best['a'].cpu:.1f}x that engine's CPU per replicate)")
    else:
        print(f"   (the engine as issue 10 started: skipped, {ISSUE_10_START} could not be "
              "extracted: not a git checkout)")
    floor = exp_floor()
    flat_floor = floor["flat"] * floor["per_exp"]
    print(f"   exp floor: {floor['flat']:,} logit weights per replicate for a flat softmax over "
          f"every option ({floor['intents']:,} for the first stage of the hierarchical choice "
          f"alone), {1e9 * floor['per_exp']:.1f} ns CPU per scalar exp here: "
          f"{1e6 * flat_floor:,.1f} µs per replicate (flat); compiled is "
          f"{c.cpu / flat_floor:.1f}x that floor")


# --- section 2: start-up and compilation ------------------------------------------------------

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
    """Section 2: first runs with an empty compilation cache (a fresh install), then cached."""
    print("\n2. start-up and compilation: a fresh install (empty compilation cache), then again")
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
          f"wall, {cpu:6.2f} s CPU of the command itself (its workers, started by a "
          f"forkserver, are not its children and not counted)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short version of every section")
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS),
                        help="which sections to run (see the module's description)")
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
            engine_per_core(sizes, work)
        if "startup" in arguments.sections:
            start_up_and_compilation(work)
        if "batch" in arguments.sections:
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
