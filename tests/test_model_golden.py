"""Golden runs: fixed (scenario, variant, seed, replicate) runs whose full JSON is on file.

Any change to the model's behaviour changes these files. That is the point: a change to the
rules must be deliberate. After such a change, look at the difference, then regenerate with
``ESCSIM_UPDATE_GOLDEN=1 python -m pytest tests/test_model_golden.py`` and commit the new files
with the change that explains them.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from sim.runs import run_one, to_json

GOLDEN = Path(__file__).parent / "data" / "golden"
CASES = [("june-2025", None, 1, 0), ("june-2025", "no-restraint", 7, 4711),
         ("march-2020", None, 3, 12), ("april-2024", None, 5, 0)]


@pytest.mark.parametrize("scenario, variant, seed, replicate", CASES)
def test_golden_run(scenario: str, variant: str | None, seed: int, replicate: int) -> None:
    path = GOLDEN / f"{scenario}-{variant or 'base'}-seed{seed}-rep{replicate}.json"
    text = to_json(run_one(scenario, variant, seed, replicate)) + "\n"
    if os.environ.get("ESCSIM_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                                 "golden", "now"))[:60])
        pytest.fail(f"{path.name} differs from the golden run (see the module docstring):\n{diff}")
