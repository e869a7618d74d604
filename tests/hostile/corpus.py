"""The hostile-input corpus: one file per case, each run through the CLI in a fresh process.

A case is a file in this folder whose first lines are ``#`` directives (the rest is the input
itself, when the case is an input file; it may be any bytes):

    # args: run {case}             the command line after ``escsim`` (words split like a shell's)
    # expect: {case}:1: refused:   what the first line of stderr starts with (stdout if exit 0)
    # exit: 2                      the exit status (default 2: a user's mistake)
    # absent: root:                text that must appear nowhere in the output (repeatable)
    # env: ESCSIM_MEMORY_MB=2000   an environment variable for the command (repeatable)
    # setup: fifo pipe.yaml        prepare the work folder first (repeatable; see SETUPS)
    # seconds: 60                  the time limit (default DEFAULT_SECONDS)

Placeholders: ``{case}`` is the case file, copied into a fresh work folder; ``{dir}`` is that
folder; ``{shipped}`` the folder of the shipped scenarios. Each command runs with its address
space limited (``resource.setrlimit``), so a case that tried to allocate its way out would fail
here rather than slow the machine down; ``run_case`` reports its exit status, output, wall and
CPU time and peak resident memory (from ``os.wait4``; on Linux a child's figure starts from its
parent's size at the fork, so it is exact only when the calling process is small, as in
bench/hostile_inputs.py).

tests/test_hostile_corpus.py asserts every case; bench/hostile_inputs.py prints the worst time
and memory per command.
"""

from __future__ import annotations

import atexit
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
REPO = FOLDER.parents[1]
DEFAULT_SECONDS = 60.0
ADDRESS_SPACE = 1536 * 2**20  # 1.5 GB: a plain run needs under 0.3 GB of it
CPU_SECONDS = 120
CASE_SUFFIXES = (".yaml", ".case", ".bin")
GLOBAL_OPTIONS = ("--max-file-mb",)  # options before the command, with a value
_DIRECTIVE = re.compile(rb"^# ?([a-z]+): ?(.*)$")


@dataclass(frozen=True)
class Case:
    """One hostile input and what escsim must answer to it."""

    path: Path
    args: str
    expect: str
    exit: int = 2
    absent: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    setup: tuple[str, ...] = ()
    seconds: float = DEFAULT_SECONDS

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def command(self) -> str:
        """The escsim command the case exercises (``run``, ``batch``, ...)."""
        words = iter(shlex.split(self.args))
        for word in words:
            if word in GLOBAL_OPTIONS:
                next(words, None)  # its value
            elif not word.startswith("-"):
                return word
        return "escsim"


@dataclass
class Outcome:
    """What one command did."""

    code: int
    stdout: str
    stderr: str
    seconds: float
    cpu_seconds: float
    peak_mb: float
    timed_out: bool = False
    substitutions: dict[str, str] = field(default_factory=dict)

    def fill(self, text: str) -> str:
        for key, value in self.substitutions.items():
            text = text.replace("{" + key + "}", value)
        return text


def parse_case(path: Path) -> Case:
    """The directives at the head of a case file."""
    found: dict[str, list[str]] = {}
    for raw in path.read_bytes().splitlines():
        match = _DIRECTIVE.match(raw)
        if not match:
            if raw.startswith(b"#"):
                continue  # a plain comment
            break
        found.setdefault(match.group(1).decode(), []).append(match.group(2).decode().strip())
    missing = [k for k in ("args", "expect") if k not in found]
    if missing:
        raise ValueError(f"{path.name}: no '# {missing[0]}:' line")
    env = tuple(tuple(item.split("=", 1)) for item in found.get("env", []))
    return Case(path, found["args"][0], found["expect"][0], int(found.get("exit", ["2"])[0]),
                tuple(found.get("absent", [])), env,  # type: ignore[arg-type]
                tuple(found.get("setup", [])), float(found.get("seconds", [DEFAULT_SECONDS])[0]))


def load_cases(folder: Path = FOLDER) -> list[Case]:
    """Every case of the corpus, by file name."""
    return [parse_case(p) for p in sorted(folder.iterdir()) if p.suffix in CASE_SUFFIXES]


# --- preparing a work folder -------------------------------------------------------------------

def _minimal() -> str:
    return (REPO / "tests" / "data" / "minimal.yaml").read_text(encoding="utf-8")


def _many_injects(folder: Path, name: str, count: str) -> None:
    """The minimal test scenario with ``count`` more injects (Iran discouraging its allies)."""
    extra = "".join(f"  - {{id: extra-{i}, date: 2025-06-13, actor: iran, "
                    f"action: discourage_allies}}\n" for i in range(int(count)))
    (folder / name).write_text(_minimal().replace("injects:\n", "injects:\n" + extra, 1),
                               encoding="utf-8")


def _bytes(folder: Path, name: str, megabytes: str) -> None:
    """A file of ``megabytes`` MB of YAML comment lines."""
    line = b"# " + b"x" * 97 + b"\n"
    with open(folder / name, "wb") as handle:
        for _ in range(int(float(megabytes) * 2**20) // len(line) + 1):
            handle.write(line)


def _fifo(folder: Path, name: str) -> None:
    """A named pipe with no writer, in place of the file ``name`` if there is one."""
    (folder / name).unlink(missing_ok=True)
    os.mkfifo(folder / name)


def _copy(folder: Path, case_name: str, name: str) -> None:
    shutil.copy(FOLDER / case_name, folder / name)


_BATCHES: dict[str, Path] = {}
_BATCHES_LOCK = threading.Lock()


def _batch(folder: Path, name: str, runs: str) -> None:
    """A finished results folder of the minimal test scenario, made once per process by
    ``escsim batch`` in a process of its own (so that the process running the corpus stays
    small: a child's peak memory, as Linux reports it, starts from its parent's size when it
    was forked), and copied for each case that damages it."""
    with _BATCHES_LOCK:
        if runs not in _BATCHES:
            made = Path(tempfile.mkdtemp(prefix="escsim-corpus-batch-")) / "results"
            atexit.register(shutil.rmtree, made.parent, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "sim.cli", "batch",
                            str(REPO / "tests" / "data" / "minimal.yaml"), "--runs", runs,
                            "--seed", "1", "--out", str(made), "--workers", "1", "--quiet"],
                           check=True, capture_output=True, timeout=300)
            _BATCHES[runs] = made
    shutil.copytree(_BATCHES[runs], folder / name)


def _truncate(folder: Path, name: str) -> None:
    path = folder / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


SETUPS: dict[str, Callable[..., None]] = {
    "injects": _many_injects, "bytes": _bytes, "fifo": _fifo, "copy": _copy,
    "batch": _batch, "truncate": _truncate,
}


def prepare(case: Case, work: Path) -> dict[str, str]:
    """Copy the case into ``work``, run its setup steps; returns the placeholders."""
    from sim.paths import scenarios_dir

    shutil.copy(case.path, work / case.name)
    for step in case.setup:
        kind, *arguments = shlex.split(step)
        SETUPS[kind](work, *arguments)
    return {"case": str(work / case.name), "dir": str(work), "shipped": str(scenarios_dir())}


# --- running a command under limits -------------------------------------------------------------

def _limits() -> None:  # in the child, before exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def run_case(case: Case, work: Path) -> Outcome:
    """Run the case's command in a fresh process under the limits, in its own session."""
    substitutions = prepare(case, work)
    args = [a.format(**substitutions) for a in shlex.split(case.args)]
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8",
           "OPENBLAS_NUM_THREADS": "1", **dict(case.env)}
    out_path, err_path = work / ".stdout", work / ".stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        began = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "sim.cli", *args], cwd=work, env=env,
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                   preexec_fn=_limits, start_new_session=True)
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(case.seconds, stop)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    _end_session(process.pid)
    scale = 1024 if sys.platform != "darwin" else 2**20  # ru_maxrss: KB on Linux, bytes on macOS
    return Outcome(process.returncode, out_path.read_text("utf-8", "replace"),
                   err_path.read_text("utf-8", "replace"), seconds,
                   usage.ru_utime + usage.ru_stime, usage.ru_maxrss / scale,
                   timed_out.is_set(), substitutions)


def _end_session(session: int) -> None:
    """Whatever the command left behind in its session (worker processes) is ended."""
    try:
        os.killpg(session, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def problems(case: Case, outcome: Outcome) -> list[str]:
    """Everything wrong with what the command did, in words (empty: the case passes)."""
    found = []
    if outcome.timed_out:
        found.append(f"still running after {case.seconds:g} s (killed)")
    if outcome.code != case.exit:
        found.append(f"exit status {outcome.code}, expected {case.exit}")
    text = outcome.stdout + outcome.stderr
    if "Traceback" in text:
        found.append("a traceback")
    if CONTROL.search(text):
        found.append("control characters in the output")
    shown = outcome.stderr if case.exit != 0 else outcome.stdout
    first = shown.splitlines()[0] if shown.strip() else ""
    expected = outcome.fill(case.expect)
    if not first.startswith(expected):
        found.append(f"first line {first!r} does not start with {expected!r}")
    for word in case.absent:
        if outcome.fill(word) in text:
            found.append(f"the output shows {word!r}")
    return found
