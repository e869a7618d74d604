"""Writing every figure of a results folder to files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sim.analysis.files import DPI, output_folder
from sim.analysis.files import FIGURE_FORMATS as FORMATS
from sim.batch.atomic import write_atomic
from sim.batch.result import BatchResult
from sim.errors import UserError
from sim.plots.figures import FIGURES

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class PlotError(UserError):
    """Figures that cannot be written as asked (format, output folder)."""


def _saver(figure: Figure, fmt: str) -> Callable[[Path], None]:
    def save(temp: Path) -> None:
        figure.savefig(temp, format=fmt, dpi=DPI)

    return save


def write_figures(results: str | Path | BatchResult, out: str | Path,
                  fmt: str = "png") -> list[Path]:
    """Draw every figure of a finished batch into ``out`` (made if missing); returns the files.

    Files are named after the figures (``outcome-classes.png``, ...) and replaced atomically.
    """
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise PlotError(f"--format must be one of {', '.join(FORMATS)}, got '{fmt}'")
    result = results if isinstance(results, BatchResult) else BatchResult.open(results)
    folder = output_folder(out)
    written = []
    for name, draw in FIGURES.items():
        figure = draw(result)
        path = folder / f"{name}.{fmt}"
        try:
            write_atomic(path, _saver(figure, fmt))
        except PermissionError as exc:
            raise PlotError(f"cannot write {path}: {exc.strerror or exc}") from None
        written.append(path)
    return written
