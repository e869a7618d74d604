"""escsim viz in a real browser: the page of `escsim viz june-2025`, started as a user starts it,
loads with no request leaving this machine, plots data after Step, and resets.

The plots are Mesa's matplotlib components drawn as SVG images; the test reads each image's
SVG back from the page and counts the points of the lines by their colours. Set
ESCSIM_SCREENSHOTS=1 to write docs/images/viz-june-2025.png.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytest.importorskip("solara", reason="escsim viz needs the viz extra (pip install -e '.[dev]')")

REPO = Path(__file__).resolve().parents[1]
SCREENSHOT = REPO / "docs" / "images" / "viz-june-2025.png"
STARTUP_SECONDS = 120  # a loaded 2-core machine imports Solara slowly
WAIT_MS = 30_000
RED, ORANGE, BLUE = "#d62728", "#ff7f0e", "#1f77b4"  # matplotlib's tab:red, tab:orange, tab:blue
LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def viz_url() -> Iterator[str]:
    """`escsim viz june-2025` on a free loopback port, as a process of its own; its URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "viz", "june-2025", "--port", str(port)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, env={**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"})
    announced = threading.Event()
    lines: list[str] = []

    def read() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if "http://" in line:
                announced.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not announced.wait(STARTUP_SECONDS):
            process.kill()
            pytest.fail(f"escsim viz did not start: {lines} {process.stderr.read()}")  # type: ignore[union-attr]
        url = re.search(r"http://\S+/", lines[-1]).group(0)  # type: ignore[union-attr]
        assert url == f"http://127.0.0.1:{port}/"  # loopback unless --host says otherwise
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def svg_images(page) -> list[str]:
    """The SVG text of every image the page shows (the plots)."""
    return page.evaluate("""async () => {
        const texts = [];
        for (const img of document.querySelectorAll('img')) {
            const text = await (await fetch(img.src)).text();
            if (text.includes('<svg')) texts.push(text);
        }
        return texts;
    }""")


def lines(svgs: list[str], colour: str) -> list[list[float]]:
    """The y coordinates of each plotted line drawn in ``colour`` (the legend left out)."""
    found = []
    for svg in svgs:
        plot = svg.split('<g id="legend_1">')[0]
        for d, style in re.findall(r'<path d="([^"]*)"[^>]*style="([^"]*)"', plot):
            if f"stroke: {colour}" in style and "fill: none" in style:
                found.append([float(y) for y in re.findall(r"[ML] [\d.-]+ ([\d.-]+)", d)])
    return found


def plots_after(page, days: int) -> list[str]:
    """The plots' SVGs once the index line has a point per day played (they are redrawn just
    after the step counter); the last ones seen if that does not come."""
    for _ in range(WAIT_MS // 250):
        svgs = svg_images(page)
        if [len(line) for line in lines(svgs, RED)] == [days]:
            break
        page.wait_for_timeout(250)
    return svgs


def step(page, times: int, expected_time: int) -> None:
    """Click Step ``times`` times, each once the page shows the previous step (a click while
    the page redraws can be lost, as for a user clicking fast)."""
    from playwright.sync_api import expect

    for time in range(expected_time - times + 1, expected_time + 1):
        page.get_by_role("button", name="Step").click()
        expect(page.get_by_text(f"Time: {time:.1f}")).to_be_visible(timeout=WAIT_MS)


def test_the_page_renders_offline_plots_after_step_and_resets(browser, viz_url) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    left: list[str] = []

    def only_loopback(route) -> None:  # no internet here; and none may be asked for
        url = route.request.url
        if urlparse(url).scheme in ("http", "https", "ws", "wss") and \
                urlparse(url).hostname not in LOOPBACK:
            left.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", only_loopback)
    page = context.new_page()
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    missing: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: missing.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    try:
        page.goto(viz_url)
        try:
            expect(page.get_by_role("button", name="Step")).to_be_enabled(timeout=WAIT_MS)
        except AssertionError:
            pytest.fail(f"the page did not render; assets it could not get: {missing}")
        expect(page.get_by_text("Time: 0.0")).to_be_visible()
        expect(page.get_by_text("escsim: June 2025", exact=False).first).to_be_visible()
        expect(page.get_by_text("nothing played yet")).to_be_visible()
        page.wait_for_function("document.querySelectorAll('img').length >= 2", timeout=WAIT_MS)
        assert all(len(line) <= 1 for line in lines(svg_images(page), RED))  # no data yet

        step(page, 3, expected_time=3)
        expect(page.get_by_text("Day 3 of 59 played")).to_be_visible(timeout=WAIT_MS)
        svgs = plots_after(page, 3)
        assert len(svgs) == 2, "two plots"
        # three days played: one line of three points for the index, militia attacks, strikes
        (index,) = lines(svgs, RED)
        assert len(index) == 3 and index[0] > index[1]  # 0, then above 0 (SVG's y runs down)
        assert [len(line) for line in lines(svgs, ORANGE) + lines(svgs, BLUE)] == [3, 3]
        assert "2025-06-13" in page.inner_text(".escsim-event-log")
        if os.environ.get("ESCSIM_SCREENSHOTS") == "1":
            step(page, 22, expected_time=25)
            page.wait_for_timeout(1000)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))

        page.get_by_role("button", name="Reset").click()
        expect(page.get_by_text("Time: 0.0")).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_text("nothing played yet")).to_be_visible(timeout=WAIT_MS)
        assert "error" not in page.inner_text("body").lower()
        step(page, 1, expected_time=1)
        expect(page.get_by_text("Day 1 of 59 played")).to_be_visible(timeout=WAIT_MS)

        # Reset builds the model from the inputs: another variant and seed
        page.get_by_text("base", exact=True).click()
        page.get_by_role("option", name="no-restraint").click()
        seed = page.get_by_role("slider").nth(2)  # after the play and render intervals
        assert seed.get_attribute("aria-valuemax") == "999"
        seed.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        expect(seed).to_have_attribute("aria-valuenow", "2")
        page.get_by_role("button", name="Reset").click()
        expect(page.get_by_text("Time: 0.0")).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_text("Event log: june-2025, variant no-restraint, seed 2")
               ).to_be_visible(timeout=WAIT_MS)
        assert "error" not in page.inner_text("body").lower()
    finally:
        context.close()
    assert not left, f"requests left this machine: {left}"
    assert requested and all(urlparse(u).scheme in ("blob", "data") or
                             urlparse(u).hostname in LOOPBACK for u in requested)
    assert not errors, errors
    assert not missing, missing
