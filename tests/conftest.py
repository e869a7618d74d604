"""Shared fixtures: the repository root, a small valid scenario, and the CLI as a subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from browser import browser  # noqa: F401  (the shared headless Chromium fixture)

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"

# Property tests must not depend on the machine's speed or on what an earlier run saved: no
# deadline (a busy 2-core machine is several times slower than a quiet one), no example database
# in the checkout, and the same examples every run. ESCSIM_HYPOTHESIS_RANDOM=1 explores afresh.
settings.register_profile(
    "escsim", deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow],
    derandomize=os.environ.get("ESCSIM_HYPOTHESIS_RANDOM") != "1")
settings.load_profile("escsim")

# Compile the fast engine once, before any test, in a fresh interpreter, if numba's cache does
# not hold it yet (a fresh checkout, as in CI): numba compiles it there in about 140 s of one
# core, against about 290 s inside this process once the suite's libraries are loaded (measured
# on these machines; the cause is not known). Tests that need it then load it from the cache.
_COMPILE_KERNEL = ("from sim.model.model import EscalationModel; "
                   "EscalationModel('june-2025', replicates=1, rng=0, collect_data=False, "
                   "log_events=False, engine='compiled').run()")


def pytest_sessionstart(session: pytest.Session) -> None:  # noqa: ARG001
    from sim.model.compiled import ENGINE_VARIABLE, kernel_cached

    if os.environ.get(ENGINE_VARIABLE) != "numpy" and not kernel_cached():
        subprocess.run([sys.executable, "-c", _COMPILE_KERNEL], check=False, timeout=1200)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def minimal_text() -> str:
    """A valid minimal scenario (tests/data/minimal.yaml) as text, to be mutated by tests."""
    return (DATA / "minimal.yaml").read_text(encoding="utf-8")


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """write(name, text) -> path of a new file under tmp_path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``python -m sim.cli ARGS`` in a fresh process (as a user's shell would)."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, encoding="utf-8")


def run_cli_many(calls: Sequence[Sequence[str]]) -> list[subprocess.CompletedProcess]:
    """Several ``run_cli`` calls side by side (each is mostly interpreter start-up)."""
    with ThreadPoolExecutor(max(2, os.cpu_count() or 2)) as pool:
        return list(pool.map(lambda args: run_cli(*args), calls))


@pytest.fixture(scope="session")
def cli() -> Callable[..., subprocess.CompletedProcess]:
    return run_cli


@pytest.fixture(scope="session")
def cli_many() -> Callable[[Sequence[Sequence[str]]], list[subprocess.CompletedProcess]]:
    return run_cli_many


@pytest.fixture
def main_in_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """Call the console script's ``main()`` in this process: (exit code, stdout, stderr).

    Cheaper than a subprocess for trying many inputs; anything but a clean exit (an exception
    that is not SystemExit) propagates and fails the test, as a traceback would for a user.
    """

    def _call(*args: str) -> tuple[int, str, str]:
        from sim.cli import main

        monkeypatch.setattr(sys, "argv", ["escsim", *args])
        capsys.readouterr()
        with pytest.raises(SystemExit) as info:
            main()
        out, err = capsys.readouterr()
        code = info.value.code
        return (code if isinstance(code, int) else (0 if code is None else 1)), out, err

    return _call


def _default_sigint() -> None:
    # A shell starts background jobs with SIGINT ignored, and Python keeps it ignored (no
    # KeyboardInterrupt) if it starts that way; give the child the terminal's default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_and_wait_for_a_chunk(command: list[str], out: Path) -> subprocess.Popen:
    """Start a batch command in its own session (so that a kill of its group reaches its worker
    processes) and return once it has written a first chunk into ``out``. It plays with numpy:
    a batch this large would otherwise first compile the fast engine wherever numba's cache
    does not hold it yet (minutes), and these tests are about processes, not speed."""
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint,
                               env={**os.environ, "ESCSIM_ENGINE": "numpy"})
    deadline = time.monotonic() + 120
    while not list((out / "chunks").glob("chunk-*.outcomes.parquet")):
        if process.poll() is not None or time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"no chunk was written: {process.communicate()}")
        time.sleep(0.005)
    return process


@pytest.fixture(scope="session")
def batch_until_a_chunk() -> Callable[[list[str], Path], subprocess.Popen]:
    return start_and_wait_for_a_chunk
