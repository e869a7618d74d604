"""SHA-256 checksums of a results folder's files, as the manifest records them.

A chunk's files are hashed by the worker that wrote them, the merged tables after the merge.
Resuming redoes a chunk whose files no longer match; opening a finished folder (``escsim
plot``, ``open_results``) refuses one whose files do not match, naming the file, so that a file
truncated or altered by hand is never read as if it were the batch's.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping
from pathlib import Path

_BLOCK = 1 << 20


def sha256_file(path: Path) -> str:
    """The SHA-256 of a regular file's bytes, read in blocks (OSError for anything else: a
    named pipe put in a file's place must not make the check wait forever)."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(f"{path} is not a regular file")
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def mismatched(files: Mapping[str, Path], recorded: Mapping[str, str]) -> str | None:
    """The name of the first file (by role) that is missing or differs from its recorded
    checksum, or None if all match. Roles without a recorded checksum are not checked."""
    for role, expected in recorded.items():
        path = files.get(role)
        if path is None:
            return role
        try:
            if sha256_file(path) != expected:
                return role
        except OSError:
            return role
    return None
