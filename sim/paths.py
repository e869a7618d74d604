"""Where the shipped data lives: the scenario library and the evidence register.

In a source checkout (and an editable install) they are the top-level ``scenarios/`` and
``seeds/`` folders; a wheel carries copies under ``sim/_shipped/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    bundled = _PACKAGE_DIR / "_shipped" / name
    if bundled.is_dir():
        return bundled
    return _PACKAGE_DIR.parent / name


def scenarios_dir() -> Path:
    """Folder of the shipped scenario files."""
    return _shipped("scenarios")


def seeds_dir() -> Path:
    """Folder of the evidence register (sources and facts)."""
    return _shipped("seeds")
