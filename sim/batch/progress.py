"""The progress bar: replicates done, rate and time left, on stderr when it is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Advance(Protocol):
    def __call__(self, replicates: int) -> None: ...


def wants_progress(progress: bool | None) -> bool:
    """An explicit choice wins; by default, show progress only when stderr is a terminal."""
    if progress is not None:
        return progress
    return sys.stderr.isatty()


@contextmanager
def progress_bar(description: str, total: int, done: int, show: bool) -> Iterator[Advance]:
    """Yield a function that records finished replicates; draws a bar only if ``show``."""
    if not show:
        yield lambda replicates: None
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn,
                               Task, TextColumn, TimeRemainingColumn)
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Replicates per second over the recent past."""

        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("" if speed is None else f"{speed:,.0f}/s", style="cyan")

    # narrow enough for an 80-column terminal: what, bar, done of total, rate, time left
    bar = Progress(TextColumn("{task.description}"), BarColumn(bar_width=24),
                   MofNCompleteColumn(), TextColumn("replicates"), RateColumn(),
                   TimeRemainingColumn(), TextColumn("left"),
                   console=Console(stderr=True), transient=False)
    with bar:
        task = bar.add_task(description, total=total, completed=done)
        yield lambda replicates: bar.advance(task, replicates)
