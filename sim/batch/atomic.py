"""Files that appear whole or not at all.

A file is written under a temporary name in its own folder, flushed to disk, and renamed over
its final name (``os.replace`` is atomic within one file system). A batch killed at any moment
therefore leaves either the complete file or a temporary one, and temporary names are never
mistaken for results: they start with a dot and carry ``TEMP_MARK``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

TEMP_MARK = ".tmp-"


def temp_path_for(path: Path) -> Path:
    """A unique temporary name next to ``path`` (same folder, so the rename stays atomic)."""
    return path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}")


def fsync_folder(folder: Path) -> None:
    """Make a rename inside ``folder`` durable (POSIX); a no-op where folders cannot be opened."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on a folder; the rename is still atomic
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(temp)`` to produce the file, then move it into place atomically."""
    temp = temp_path_for(path)
    try:
        write(temp)
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


def write_text_atomic(path: Path, text: str) -> None:
    """Write a text file (UTF-8) atomically."""
    def write(temp: Path) -> None:
        temp.write_text(text, encoding="utf-8")

    write_atomic(path, write)


def remove_temp_files(folder: Path) -> int:
    """Delete temporary files left by a killed writer; returns how many were removed."""
    removed = 0
    if folder.is_dir():
        for stale in folder.glob(f".*{TEMP_MARK}*"):
            stale.unlink(missing_ok=True)
            removed += 1
    return removed
