"""Writing analysis outputs (tables, reports, figures) into a folder the user names."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.batch.atomic import write_atomic, write_text_atomic
from sim.errors import UserError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FIGURE_FORMATS = ("png", "svg")
DPI = 150


class OutputError(UserError):
    """An output folder or file that cannot be written."""


def output_folder(out: str | Path) -> Path:
    """The folder ``out``, made if missing (OutputError if it is a file or cannot be made)."""
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is a file, not a folder; choose another --out")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create folder {folder}: {exc.strerror or exc}") from None
    return folder


def write_text(path: str | Path, text: str) -> Path:
    """Write a UTF-8 text file whole or not at all; returns its path."""
    target = Path(path)
    try:
        write_text_atomic(target, text)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


def plain(value: Any) -> Any:
    """A value made JSON-ready: numpy scalars as Python numbers, NaN and infinities as null."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_text(data: Any) -> str:
    """Indented JSON of ``data`` (see ``plain``), ending in a newline."""
    return json.dumps(plain(data), indent=2, ensure_ascii=False) + "\n"


def json_report(data: Any, path: str | Path | None = None) -> str:
    """``data`` as indented JSON; also written (whole or not at all) to ``path`` when given."""
    text = json_text(data)
    if path is not None:
        write_text(path, text)
    return text


def save_figure(figure: Figure, path: str | Path) -> Path:
    """Save a figure; the format comes from the file's suffix (png or svg)."""
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in FIGURE_FORMATS:
        raise OutputError(f"figure format must be one of {', '.join(FIGURE_FORMATS)}, "
                          f"got '{fmt or target.name}'")

    def save(temp: Path) -> None:
        figure.savefig(temp, format=fmt, dpi=DPI)

    try:
        write_atomic(target, save)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target
