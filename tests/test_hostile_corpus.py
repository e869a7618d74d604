"""Every case of the hostile corpus (tests/hostile/) gets a clear error in bounded time and memory.

Each case runs ``python -m sim.cli`` in a fresh process with its address space and CPU time
limited, and must end with its expected exit status (2 for a user's mistake), its expected
first line, no traceback and no control character in its output, within its time limit. The
cases run two at a time (most of each is interpreter start-up); the limits are generous
ceilings that only a hang or a runaway allocation reaches, not speed targets.
bench/hostile_inputs.py prints the time and memory each took.
"""

from __future__ import annotations

import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hostile.corpus import Case, Outcome, load_cases, problems, run_case  # noqa: E402

CASES = load_cases()
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX limits and FIFOs")


def test_the_corpus_covers_every_command_it_should() -> None:
    commands = {case.command for case in CASES}
    assert {"run", "validate", "batch", "plot", "compare", "calibrate"} <= commands
    assert len(CASES) >= 70


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Case, Outcome]]:
    root = tmp_path_factory.mktemp("hostile")

    def one(case: Case) -> tuple[Case, Outcome]:
        work = Path(tempfile.mkdtemp(prefix=case.path.stem + "-", dir=root))
        return case, run_case(case, work)

    with ThreadPoolExecutor(2) as pool:
        return {case.name: (case, outcome) for case, outcome in pool.map(one, CASES)}


@pytest.mark.parametrize("name", [case.name for case in CASES])
def test_case(name: str, outcomes: dict[str, tuple[Case, Outcome]]) -> None:
    case, outcome = outcomes[name]
    found = problems(case, outcome)
    assert not found, f"{name}: {'; '.join(found)}\nstdout: {outcome.stdout[-800:]}\n" \
                      f"stderr: {outcome.stderr[-1500:]}"
