"""Reading a user's file: regular files only, and never more than a known number of bytes.

Every file escsim reads because a user named it (scenario files and what they extend,
calibration start files, results folders' manifests) goes through ``read_bytes`` or
``read_text``. A device (``/dev/zero``), a named pipe with no writer, a directory or a file
larger than the limit is refused with a one-line reason before anything is read from it, so
that no input can make escsim hang or fill its memory.

The limit is ``DEFAULT_MAX_FILE_MB`` megabytes (far above any real scenario: the shipped ones
are under 25 kB). Raise it with ``escsim --max-file-mb N`` or the environment variable
``ESCSIM_MAX_FILE_MB``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sim.errors import UserError

DEFAULT_MAX_FILE_MB = 4.0
MAX_FILE_MB_ENV = "ESCSIM_MAX_FILE_MB"
_MB = 2**20


class FileRefused(UserError):
    """A file that is not read: not a regular file, too large, unreadable or not UTF-8.

    The message says why, without the file's name (callers put it where their errors do).
    """


def max_file_bytes() -> int:
    """The size limit for input files, in bytes (from ``ESCSIM_MAX_FILE_MB`` if set)."""
    text = os.environ.get(MAX_FILE_MB_ENV, "").strip()
    if not text:
        return int(DEFAULT_MAX_FILE_MB * _MB)
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = float("nan")
    if not 0 < megabytes <= 4096:  # also false for NaN
        raise UserError(f"{MAX_FILE_MB_ENV} must be a number of megabytes between 0 and 4096, "
                        f"got {text!r}")
    return int(megabytes * _MB)


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in words (None if nothing more specific)."""
    for test, words in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"),
                        (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
                        (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return words
    return None


def _size(size: int) -> str:
    return f"{size / _MB:.1f} MB" if size >= _MB / 10 else f"{size:,} bytes"


def _too_large(size: int, limit: int) -> FileRefused:
    return FileRefused(f"is larger than the {_size(limit)} limit for input files "
                       f"({_size(size)}); raise the limit with --max-file-mb or "
                       f"{MAX_FILE_MB_ENV} if the file is meant to be this large")


def _check_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = _kind(mode)
        raise FileRefused(f"is {kind}, not a regular file" if kind else "is not a regular file")


def read_bytes(path: str | Path, limit: int | None = None) -> bytes:
    """The content of a regular file of at most ``limit`` bytes (default ``max_file_bytes``).

    Raises FileNotFoundError for a missing file and FileRefused for anything else amiss.
    """
    limit = max_file_bytes() if limit is None else limit
    try:
        _check_regular(os.stat(path).st_mode)  # look before opening: opening a device can act
        # O_NONBLOCK: should the file be swapped for a pipe meanwhile, opening it cannot hang
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) \
            | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as exc:  # permissions, a NUL in the name, a loop of links
        raise FileRefused(f"cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        _check_regular(info.st_mode)
        if info.st_size > limit:
            raise _too_large(info.st_size, limit)
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise FileRefused(f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:  # it grew while being read
        raise _too_large(len(data), limit)
    return data


def read_text(path: str | Path, limit: int | None = None) -> str:
    """``read_bytes`` decoded as UTF-8 (a byte-order mark is dropped)."""
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileRefused(f"is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
                          "save it as UTF-8") from None
