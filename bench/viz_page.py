"""How fast the `escsim viz` page comes up and steps, in the system's headless Chromium.
Prints figures; asserts nothing.

    python bench/viz_page.py            # june-2025, 3 page loads
    python bench/viz_page.py --loads 5 --scenario march-2020

Figures: the server's start (command to URL printed), each page load (navigation to an enabled
Step button: the page is drawn and its websocket connected), and one Step (click to the step
counter and the plots redrawn). The server's CPU time is printed beside the wall times (read
from /proc); the machine is shared, so run it on a quiet one.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser import CHROMIUM_ARGS, chromium_path  # noqa: E402  (the tests' Chromium settings)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(scenario: str) -> tuple[subprocess.Popen, str, float]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    began = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "sim.cli", "viz", scenario, "--port",
                               str(port)], cwd=REPO, stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    line = server.stdout.readline()  # type: ignore[union-attr]
    if "http://" not in line:
        server.kill()
        raise SystemExit(f"escsim viz did not start: {line!r}")
    return server, f"http://127.0.0.1:{port}/", time.perf_counter() - began


def measure(url: str, pid: int, loads: int) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path()),
                                             args=CHROMIUM_ARGS, headless=True)
        for load in range(1, loads + 1):
            context = browser.new_context()
            page = context.new_page()
            cpu, began = cpu_seconds(pid), time.perf_counter()
            page.goto(url)
            expect(page.get_by_role("button", name="Step")).to_be_enabled(timeout=120_000)
            print(f"page load {load}: {time.perf_counter() - began:5.2f} s wall, "
                  f"server CPU {cpu_seconds(pid) - cpu:5.2f} s")
            if load == 1:
                cpu, began = cpu_seconds(pid), time.perf_counter()
                page.get_by_role("button", name="Step").click()
                expect(page.get_by_text("Time: 1.0")).to_be_visible(timeout=120_000)
                print(f"one Step:    {time.perf_counter() - began:5.2f} s wall, "
                      f"server CPU {cpu_seconds(pid) - cpu:5.2f} s")
            context.close()
        browser.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="june-2025")
    parser.add_argument("--loads", type=int, default=3)
    args = parser.parse_args(argv)
    if chromium_path() is None:
        raise SystemExit("needs Chromium (apt-get install chromium)")
    server, url, started = start_server(args.scenario)
    try:
        print(f"escsim viz {args.scenario}: server up in {started:5.2f} s wall, "
              f"CPU {cpu_seconds(server.pid):5.2f} s")
        measure(url, server.pid, args.loads)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
