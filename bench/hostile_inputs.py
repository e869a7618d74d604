"""Time and memory of escsim's answers to hostile input. Prints figures; asserts nothing.

    python bench/hostile_inputs.py            # every case of tests/hostile/, one at a time
    python bench/hostile_inputs.py --each     # and one line per case

Each case of the hostile corpus (tests/hostile/) runs through the CLI in a fresh process under
the corpus's limits, one at a time so that the figures are the command's own. For each command
it prints the number of cases, the worst wall time and CPU time, and the highest peak resident
memory (of the command's process, from ``os.wait4``); then any case that did not end as the
corpus expects. tests/test_hostile_corpus.py asserts the answers; this script measures them.

Timings are wall-clock on whatever else the machine is doing; CPU time is printed beside them.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from hostile.corpus import Case, Outcome, load_cases, problems, run_case  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/hostile_inputs.py", description=__doc__.split("\n")[0])
    parser.add_argument("--each", action="store_true", help="also print one line per case")
    args = parser.parse_args(argv)
    cases = load_cases()
    print(f"hostile corpus: {len(cases)} cases; Python {platform.python_version()}, "
          f"{platform.machine()}, {platform.system()}")
    results: list[tuple[Case, Outcome]] = []
    with tempfile.TemporaryDirectory(prefix="escsim-hostile-") as root:
        for case in cases:
            work = Path(tempfile.mkdtemp(prefix=case.path.stem + "-", dir=root))
            outcome = run_case(case, work)
            results.append((case, outcome))
            if args.each:
                print(f"  {case.name:<44} {case.command:<10} {outcome.seconds:6.2f} s wall "
                      f"{outcome.cpu_seconds:6.2f} s cpu {outcome.peak_mb:7.0f} MB  "
                      f"exit {outcome.code}")
    by_command: dict[str, list[Outcome]] = defaultdict(list)
    for case, outcome in results:
        by_command[case.command].append(outcome)
    print(f"\n{'command':<10} {'cases':>5} {'worst wall':>11} {'worst cpu':>10} {'peak memory':>12}")
    for command, outcomes in sorted(by_command.items()):
        print(f"{command:<10} {len(outcomes):>5} {max(o.seconds for o in outcomes):>9.2f} s "
              f"{max(o.cpu_seconds for o in outcomes):>8.2f} s "
              f"{max(o.peak_mb for o in outcomes):>9.0f} MB")
    everything = [o for _, o in results]
    print(f"{'all':<10} {len(everything):>5} {max(o.seconds for o in everything):>9.2f} s "
          f"{max(o.cpu_seconds for o in everything):>8.2f} s "
          f"{max(o.peak_mb for o in everything):>9.0f} MB")
    failed = [(c, problems(c, o)) for c, o in results if problems(c, o)]
    for case, found in failed:
        print(f"NOT AS EXPECTED {case.name}: {'; '.join(found)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
