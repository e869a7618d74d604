"""The classroom in a real browser (headless Chromium, Playwright): a facilitator and three teams,
each in a browser context of its own, against ``escsim serve`` on a free loopback port.

The facilitator creates a game, the teams join with their codes, each submits a move (one also a
threat), the board shows who has moved, the facilitator plays the day, and each team sees only
its own fog. The server is then killed with SIGKILL and started again: every page shows what it
showed before. The after-action review opens, with its PDF. Page load times of the board and a
team page are printed (run with -s). With ESCSIM_SCREENSHOTS=1 the facilitator's, a team's and
the board's pages are saved to docs/images/web-*.png for the facilitator's guide.
"""

from __future__ import annotations

import os
import re
from pathlib import Path


from web_support import SECRET, Server

TEAMS = ("kataib_hezbollah", "united_states", "iran")
NAMES = {"kataib_hezbollah": "Kata'ib Hezbollah", "united_states": "United States", "iran": "Iran"}
IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
SHOTS = os.environ.get("ESCSIM_SCREENSHOTS") == "1"
# How long to wait for a page before failing: generous, since the machine may be busy (the
# test measures nothing by it).
WAIT_MS = 120_000


def load_ms(page) -> float:
    """The page's load time as the browser measured it (navigation start to load event)."""
    return float(page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return n.loadEventEnd - n.startTime; }"))


def main_text(page) -> str:
    """What a page says, without the countdown (which ticks while we look)."""
    text = page.inner_text("main")
    return re.sub(r"\d+:\d\d left", "", text)


def caught_up(page, version: int) -> None:
    """Wait until the page shows the game's current version (it reloads itself when the game
    changes: reloading it from the test as well would race with it)."""
    # selectors, not script: the pages' Content-Security-Policy forbids evaluating strings
    page.wait_for_selector(f"body[data-version='{version}']", state="attached")
    page.wait_for_load_state()


def shot(page, name: str) -> None:
    if SHOTS:
        IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(IMAGES / f"web-{name}.png"), full_page=False)


def test_a_class_plays_in_the_browser_through_a_crash(browser, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    server = Server(tmp_path / "class.sqlite").start()
    contexts = []
    try:
        def context(width: int = 1280, height: int = 900):
            made = browser.new_context(viewport={"width": width, "height": height})
            made.set_default_timeout(WAIT_MS)
            contexts.append(made)
            return made.new_page()

        # the facilitator signs in and creates the game
        boss = context()
        boss.goto(f"{server.url}/facilitator")
        boss.fill("input[name=secret]", SECRET)
        boss.click("button[type=submit]")
        boss.fill("input[name=teams]", ",".join(TEAMS))
        boss.fill("input[name=seed]", "4")
        boss.fill("input[name=turn_minutes]", "10")
        boss.click("text=Create the game")
        boss.wait_for_url(re.compile(r"/facilitator/games/\w+$"))
        game_id = boss.url.rsplit("/", 1)[-1]
        codes = {t: boss.inner_text(f"td.code[data-team={t}]") for t in TEAMS}
        assert len(set(codes.values())) == 3

        # the board, on the projector: a second window of the facilitator's browser
        board = boss.context.new_page()
        board.set_viewport_size({"width": 1600, "height": 900})
        board.goto(f"{server.url}/games/{game_id}/board")
        board_ms = load_ms(board)
        assert board.locator("#moved li.waiting").count() == 3

        # the teams join, each on its own laptop
        teams = {}
        for team in TEAMS:
            page = context(1000, 1200)
            page.goto(server.url)
            page.fill("input[name=code]", codes[team].lower().replace("-", " "))
            page.click("button[type=submit]")
            page.wait_for_url(f"{server.url}/team")
            assert page.inner_text("#team-name") == NAMES[team]
            teams[team] = page
        team_ms = load_ms(teams["iran"])
        teams["iran"].reload()
        team_ms = min(team_ms, load_ms(teams["iran"]))

        def version() -> int:
            return boss.request.get(f"{server.url}/games/{game_id}/status.json").json()["version"]

        # each team chooses a move; the United States also makes a threat
        teams["kataib_hezbollah"].select_option("#option", label="leaders go to ground")
        teams["kataib_hezbollah"].click("#submit-move")
        teams["iran"].select_option("#option", label="hold: take no action")
        teams["iran"].click("#submit-move")
        us = teams["united_states"]
        caught_up(us, version())
        us.click("#threat summary")
        us.fill("#threat-form input[name=who]", "kataib_hezbollah")
        us.fill("#threat-form input[name=what]", "drone_attack,rocket_attack")
        us.fill("#threat-form input[name=whom]", "united_states")
        us.fill("#threat-form input[name=response]", "strike_militia_sites")
        us.fill("#threat-form input[name=target]", "attacker")
        us.fill("#threat-form input[name=wording]", "Any attack on our forces will be answered")
        us.click("#submit-threat")
        assert "united_states-threat-1" in us.inner_text("#threats-today")
        us.select_option("#option", label="deploy air defence")
        us.click("#submit-move")
        # the page reloads itself as the game changes: expect() retries until it shows this
        chosen = us.locator("#option option:checked")  # the move chosen, ready to change
        expect(chosen).to_have_text("deploy air defence", timeout=WAIT_MS)
        for page in teams.values():
            expect(page.locator("#submitted")).to_contain_text("Your move today",
                                                                timeout=WAIT_MS)

        # the board sees the submissions by itself (it polls), never what they are
        expect(board.locator("#moved li.done")).to_have_count(3, timeout=WAIT_MS)
        assert "go to ground" not in board.inner_text("main")
        caught_up(boss, version())
        shot(teams["united_states"], "team")

        # the facilitator plays the day
        boss.click("#do-advance")
        boss.wait_for_load_state()
        assert "Friday 13 June 2025" in boss.inner_text("#date")
        for page in teams.values():
            caught_up(page, version())
            assert "13 June 2025" in page.inner_text("#date")
        # fog: going to ground is known to Kata'ib Hezbollah alone
        assert "You: leaders go to ground" in teams["kataib_hezbollah"].inner_text("#new")
        for team in ("united_states", "iran"):
            assert "go to ground" not in teams[team].inner_text("main"), team
            assert "leaders go to ground" not in teams[team].inner_text("#history")
        assert "leaders go to ground" in teams["kataib_hezbollah"].inner_text("#history")
        assert "hold" in teams["iran"].inner_text("#history")
        assert "deploy air defence" not in teams["iran"].inner_text("#history")
        expect(board.locator("#date")).to_contain_text("13 June", timeout=WAIT_MS)
        assert "deploy air defence" in board.inner_text("#public")
        assert "go to ground" not in board.inner_text("main")
        teams["iran"].select_option("#option", label="hold: take no action")
        teams["iran"].click("#submit-move")
        caught_up(boss, version())
        shot(boss, "facilitator")
        shot(board, "board")

        # a crash: SIGKILL, then the same server started again on the same port
        pages = {"facilitator": boss, "board": board, **teams}
        before = {}
        for name, page in pages.items():
            caught_up(page, version())
            before[name] = main_text(page)
        assert re.search(r"\nIran\s+\S+\s+moved\n", before["facilitator"]), before["facilitator"]
        server.kill()
        server.start()
        for name, page in pages.items():
            page.reload()
            assert main_text(page) == before[name], name

        # the after-action review, in the browser and as a PDF
        boss.fill("form.review input[name=runs]", "10")
        boss.click("#make-review")
        boss.wait_for_url(re.compile(r"/review/report\.html$"))
        assert "Where your game sits" in boss.inner_text("body")
        assert boss.evaluate("() => [...document.images].every(i => i.naturalWidth > 0)")
        pdf = boss.request.get(boss.url.replace("report.html", "report.pdf"))
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
        print(f"\npage load (Playwright, navigation start to load event): board {board_ms:.0f} "
              f"ms, team page {team_ms:.0f} ms")
    finally:
        for made in contexts:
            made.close()
        server.kill()
