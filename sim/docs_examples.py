"""The docs' example outputs are made by running the examples, never pasted by hand.

In docs/user-guide.md and docs/scenario-format.md an HTML comment before a fenced block says
what the block is:

- ``<!-- output -->`` (or ``<!-- output: first N lines -->``) before a ``text`` block: the block
  is the output of the code block above it: each ``escsim ...`` line of a ``sh`` block, or the
  whole of a ``python`` block;
- ``<!-- session -->`` before a ``text`` block: a transcript; each ``$ escsim ...`` line is run
  and followed by what it prints (stdout and stderr, as a terminal shows them);
- ``<!-- file: NAME -->`` before a block: its content is saved as NAME, for the commands below
  it to read.

Everything runs in one empty temporary folder per page, in this process, in page order; paths
in the output are shown relative to that folder and shipped files as ``scenarios/NAME``. The
model's numbers change as it is revised; regenerate after such a change:

    python -m sim.docs_examples            # rewrites the generated blocks
    python -m sim.docs_examples --check    # exit 1 if a page is out of date

tests/test_docs.py fails when a page differs from what this module generates.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = ("user-guide.md", "scenario-format.md")
_MARKER = re.compile(r"^<!-- (output|session|file)(?::\s*(.*?))?\s*-->$")
_FENCE = re.compile(r"^(\s*)```(\w*)\s*$")
_FIRST = re.compile(r"first (\d+) lines")


@dataclass
class Block:
    """A fenced code block: where it starts and ends (the fence lines) and its language."""

    start: int
    end: int
    language: str
    indent: str

    def body(self, lines: list[str]) -> str:
        return "".join(line[len(self.indent):] if line.startswith(self.indent) else line
                       for line in lines[self.start + 1:self.end])


def _blocks(lines: list[str]) -> list[Block]:
    found, open_block = [], None
    for i, line in enumerate(lines):
        match = _FENCE.match(line.rstrip("\n"))
        if not match:
            continue
        if open_block is None:
            open_block = Block(i, -1, match.group(2), match.group(1))
        elif match.group(1) == open_block.indent or not match.group(2):
            open_block.end = i
            found.append(open_block)
            open_block = None
    return found


class _Runner:
    """Runs examples in one folder and shows their output as a reader would see it."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _shown(self, text: str) -> str:
        from sim.paths import scenarios_dir

        text = text.replace(str(self.folder.resolve()) + os.sep, "")
        return text.replace(str(scenarios_dir().resolve()) + os.sep, "scenarios/")

    @contextlib.contextmanager
    def _here(self):  # noqa: ANN202
        before = Path.cwd()
        os.chdir(self.folder)
        try:
            yield
        finally:
            os.chdir(before)

    def escsim(self, command: str) -> tuple[str, str]:
        """Run one ``escsim ...`` line (as the console script would); its stdout and stderr."""
        from sim.cli import main

        out, err = io.StringIO(), io.StringIO()
        argv = sys.argv
        sys.argv = shlex.split(command)
        try:
            with self._here(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    main()
                except SystemExit:
                    pass
        finally:
            sys.argv = argv
        return self._shown(out.getvalue()), self._shown(err.getvalue())

    def python(self, code: str) -> str:
        """Run a Python example in a fresh namespace; what it prints."""
        out = io.StringIO()
        with self._here(), contextlib.redirect_stdout(out):
            exec(compile(code, "<docs example>", "exec"), {"__name__": "__docs__"})  # noqa: S102
        return self._shown(out.getvalue())

    def output_of(self, language: str, code: str) -> str:
        if language == "python":
            return self.python(code)
        if language in ("sh", "bash", "console", ""):
            return "".join(self.escsim(line.strip())[0] for line in code.splitlines()
                           if line.strip().startswith("escsim "))
        raise ValueError(f"cannot run a {language!r} block")

    def session(self, transcript: str) -> str:
        lines = []
        for line in transcript.splitlines():
            if line.startswith("$ escsim "):
                out, err = self.escsim(line[2:])
                lines.append(line)
                lines.extend((out + err).rstrip("\n").splitlines())
        return "\n".join(lines) + "\n"


def _first(text: str, options: str | None) -> str:
    match = _FIRST.search(options or "")
    if not match:
        return text
    lines = text.rstrip("\n").splitlines()
    keep = int(match.group(1))
    return "\n".join(lines[:keep] + (["..."] if len(lines) > keep else [])) + "\n"


def generate(text: str) -> str:
    """The page with every generated block made afresh."""
    lines = text.splitlines(keepends=True)
    blocks = _blocks(lines)
    replacements: dict[int, str] = {}
    with tempfile.TemporaryDirectory(prefix="escsim-docs-") as temp:
        runner = _Runner(Path(temp))
        previous: Block | None = None
        for block in blocks:
            marker = _MARKER.match(lines[block.start - 1].strip()) if block.start else None
            if marker:
                kind, options = marker.group(1), marker.group(2)
                if kind == "file":
                    (Path(temp) / options).write_text(block.body(lines), encoding="utf-8")
                elif kind == "session":
                    replacements[block.start] = runner.session(block.body(lines))
                elif previous is not None:
                    output = runner.output_of(previous.language, previous.body(lines))
                    replacements[block.start] = _first(output, options)
            if not marker:
                previous = block
    out: list[str] = []
    skip_to = -1
    for i, line in enumerate(lines):
        if i <= skip_to:
            continue
        out.append(line)
        if i in replacements:
            block = next(b for b in blocks if b.start == i)
            body = replacements[i]
            out.extend(block.indent + row if row.strip() else row
                       for row in body.splitlines(keepends=True))
            out.append(lines[block.end])
            skip_to = block.end
    return "".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.docs_examples",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a page differs from the generated text")
    args = parser.parse_args(argv)
    stale = 0
    for name in PAGES:
        path = DOCS / name
        current = path.read_text(encoding="utf-8")
        fresh = generate(current)
        if fresh == current:
            print(f"{path} is up to date")
        elif args.check:
            print(f"{path} is out of date: run `python -m sim.docs_examples`", file=sys.stderr)
            stale += 1
        else:
            path.write_text(fresh, encoding="utf-8")
            print(f"wrote {path}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
