"""One writer per results folder.

The lock is an advisory lock (``flock``) on the folder itself, held for as long as a batch
works on it. The operating system releases it when the process ends, however it ends, so a
killed batch never leaves a stale lock behind; and locking the folder (not a file in it) leaves
nothing in a folder that turns out not to be a batch's. Where there are no advisory locks
(Windows), keeping batches apart is the user's care.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.batch.errors import ResultsFolderError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


def _in_use(folder: Path) -> ResultsFolderError:
    return ResultsFolderError(f"{folder} is in use by another escsim batch (folder in use); wait "
                              "for it to finish, or choose another --out")


def _open_folder(folder: Path) -> int:
    try:
        return os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise ResultsFolderError(f"cannot open results folder {folder}: "
                                 f"{exc.strerror or exc}") from None


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold ``folder`` for this batch alone; ResultsFolderError if another process holds it."""
    if fcntl is None:
        yield
        return
    fd = _open_folder(folder)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _in_use(folder) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def check_not_in_use(folder: Path) -> None:
    """ResultsFolderError if another process holds ``folder`` (checked without keeping it)."""
    if fcntl is None or not folder.is_dir():
        return
    with folder_lock(folder):
        pass
