"""A real headless Chromium for browser tests, driven by Playwright.

Playwright cannot download its own browser on these machines, so the tests drive the system's
Chromium (Debian's `chromium` package, which `.ci/run` installs when it is missing). A machine
without it, or without Playwright, skips the browser tests with the reason in pytest's summary:
never silently.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Chromium's background services try to reach Google's hosts at every start; on a closed network
# those connections are refused, many at a time, and slow the browser down.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> Path | None:
    """The system Chromium: $ESCSIM_CHROMIUM, else /usr/bin/chromium, else `chromium` on PATH."""
    candidates = [os.environ.get("ESCSIM_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def skip_reason() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need Playwright (pip install -e '.[dev]')"
    if chromium_path() is None:
        return ("browser tests need Chromium: apt-get install chromium "
                "(or set ESCSIM_CHROMIUM to a Chromium binary)")
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the session; each test opens its own contexts and pages."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium_path()), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
