"""SHA-256 checksums of a results folder's files, as the manifest records them.

A chunk's files are hashed by the worker that wrote them, the merged tables after the merge.
Resuming redoes a chunk whose files no longer match; opening a finished folder (``escsim
plot``, ``open_results``) refuses one whose files do not match, naming the file, so that a file
truncated or altered by hand is never read as if it were the batch's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

_BLOCK = 1 << 20


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
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
