"""Memory is estimated before it is spent: the estimate bounds what a model really takes, chunks
are cut to fit the allowance, and what cannot fit is refused with the estimate."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sim.batch import run_batch
from sim.batch.plan import chunk_size_for, make_spec
from sim.memory import MemoryLimitError, ModelSize, fitting_replicates, memory_budget

MEASURE = textwrap.dedent("""
    import sys, yaml
    from pathlib import Path
    from sim.scenario.loader import load_scenario
    from sim.model.model import EscalationModel
    from sim.memory import ModelSize
    from sim.model.compiled import chosen_engine

    def peak():  # VmHWM: this process's own peak resident memory, in bytes
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024

    path, replicates, events = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
    scenario = load_scenario(path)
    # the compiled engine's machine code (numba and LLVM, about 140 MB) is the process's, counted
    # in PROCESS_BYTES, not the model's: load it first when this model will play with it
    if chosen_engine("auto", replicates, events, scenario.days) == "compiled":
        EscalationModel(scenario, None, 1, 1, collect_data=False, log_events=False,
                        engine="compiled").run()
    before = peak()
    EscalationModel(scenario, None, replicates, 1, collect_data=False, log_events=events).run()
    print(peak() - before, ModelSize.of(scenario).model_bytes(replicates, events))
""")


def _many_actors(tmp_path: Path, militias: int) -> Path:
    extra = "".join(f"  m{i}: {{kind: militia, patron: iran, parameters: {{aggression: 1.0}}}}\n"
                    for i in range(militias))
    text = (Path(__file__).parent / "data" / "minimal.yaml").read_text(encoding="utf-8")
    path = tmp_path / "many.yaml"
    path.write_text(text.replace("actors:\n", "actors:\n" + extra, 1), encoding="utf-8")
    return path


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("militias, replicates, events", [(20, 512, False), (10, 128, True)])
def test_the_estimate_bounds_what_a_model_takes(militias: int, replicates: int, events: bool,
                                                tmp_path: Path) -> None:
    path = _many_actors(tmp_path, militias)
    done = subprocess.run([sys.executable, "-c", MEASURE, str(path), str(replicates),
                           "1" if events else "0"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    used, estimate = (int(x) for x in done.stdout.split())
    assert 0 < used <= estimate, (used, estimate)


def test_the_default_chunk_is_cut_to_what_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = make_spec("june-2025", None, 100_000, 1)
    size = ModelSize.of(spec.scenario)
    monkeypatch.setenv("ESCSIM_MEMORY_MB", "320")  # 20 MB for one worker's model
    fitting = fitting_replicates(size)
    chunk = chunk_size_for(spec, None, workers=1)
    assert 0 < chunk <= fitting < 8192
    assert size.model_bytes(chunk) <= memory_budget() - 300 * 2**20


def test_a_chunk_that_cannot_fit_is_refused_before_anything_is_written(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ESCSIM_MEMORY_MB", "400")
    out = tmp_path / "results"
    with pytest.raises(MemoryLimitError, match="each chunk needs about .* lower --chunk-size"):
        run_batch("june-2025", runs=100_000, chunk_size=100_000, workers=1, out=out,
                  progress=False)
    assert not out.exists()
    with pytest.raises(MemoryLimitError, match="worker processes need about"):
        run_batch("june-2025", runs=1000, workers=4, out=out, progress=False)


def test_the_allowance_can_be_set_and_must_be_a_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCSIM_MEMORY_MB", "1024")
    assert memory_budget() == 2**30
    monkeypatch.setenv("ESCSIM_MEMORY_MB", "lots")
    with pytest.raises(Exception, match="ESCSIM_MEMORY_MB must be a positive number"):
        memory_budget()
