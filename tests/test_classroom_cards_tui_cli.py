"""Role cards (PDF pages read back with pypdf), the terminal interface played headless, and the
classroom commands' one-line errors."""

from __future__ import annotations

import asyncio
import json

import pytest
from pypdf import PdfReader

from sim.classroom import Game
from sim.classroom.cards import make_cards
from sim.evidence import shipped_register
from sim.scenario.loader import load_scenario

A4 = (595, 842)  # points, rounded
LETTER = (612, 792)


@pytest.fixture(scope="module")
def cards_pdf(tmp_path_factory):
    out = tmp_path_factory.mktemp("cards") / "cards.pdf"
    from sim.classroom.cards import write_cards

    line = write_cards("june-2025", None, None, out)
    return out, line


def test_cards_pdf_has_a_card_of_one_or_two_pages_per_actor(cards_pdf):
    out, line = cards_pdf
    reader = PdfReader(out)
    actors = load_scenario("june-2025").actors
    pages = [page.extract_text() for page in reader.pages]
    assert len(actors) <= len(pages) <= 2 * len(actors)
    assert f"{len(pages)} pages" in line
    sources = set(shipped_register().sources)
    names = [c.name for c in make_cards("june-2025")]
    starts = [i for i, text in enumerate(pages) for name in names
              if text.lstrip().startswith(name)]
    assert len(starts) == len(actors)  # each card starts a page with the actor's name
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(pages)
        assert end - start <= 2
        card = "".join(pages[start:end])
        assert any(f"source: {s}" in card for s in sources), names[i]
        assert "Your options" in card
    assert tuple(round(float(x)) for x in reader.pages[0].mediabox[2:]) == A4


def test_cards_print_on_letter_and_as_markdown_and_html(tmp_path, main_in_process):
    code, out, err = main_in_process("cards", "june-2025", "--actor", "kataib_hezbollah",
                                     "--paper", "letter", "--out", str(tmp_path / "kh.pdf"))
    assert code == 0, err
    page = PdfReader(tmp_path / "kh.pdf").pages[0]
    assert tuple(round(float(x)) for x in page.mediabox[2:]) == LETTER
    for suffix in ("md", "html"):
        code, _, err = main_in_process("cards", "june-2025", "--actor", "iran", "--out",
                                       str(tmp_path / f"iran.{suffix}"))
        assert code == 0, err
        text = (tmp_path / f"iran.{suffix}").read_text()
        assert "Iran" in text and "f-20250618-khamenei-warns-us" not in text  # after the start


def test_cards_never_show_what_happened_after_the_start():
    start = load_scenario("june-2025").start.isoformat()
    for card in make_cards("june-2025"):
        for fact in card.facts + card.timeline:
            assert fact["date"] < start[:7] or fact["date"] < start, (card.id, fact)


@pytest.mark.parametrize("args, message", [
    (["cards", "june-2025", "--actor", "kh", "--out", "x.pdf"], "actor 'kh' is not in"),
    (["cards", "june-2025", "--out", "cards.docx"], "--out must end in"),
    (["cards", "june-2025", "--paper", "a3", "--out", "c.pdf"], "paper must be a4 or letter"),
    (["play", "june-2025", "--teams", "kh", "--save", "{tmp}/g.escsim", "--moves", "m.yaml"],
     "'kh' is not an actor of june-2025"),
    (["play", "june-2025", "--save", "{tmp}/g.escsim"], "--teams"),
    (["play", "june-2025", "--teams", "iran"], "--save FILE"),
    (["play", "june-2025", "--teams", "iran", "--idle", "sleep", "--save", "{tmp}/g.escsim"],
     "--idle must be"),
    (["play", "--resume", "{tmp}/none.escsim"], "no such game file"),
    (["play", "june-2025", "--teams", "iran", "--save", "{tmp}/g.escsim", "--moves",
      "{tmp}/none.yaml"], "no such moves file"),
    (["aar", "{tmp}/none.escsim", "--runs", "10"], "no such game file"),
    (["aar", "{tmp}/none.escsim", "--format", "gif"], "--format must be one of"),
])
def test_classroom_commands_fail_with_one_line(tmp_path, main_in_process, args, message):
    code, out, err = main_in_process(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_play_and_aar_commands_end_to_end(tmp_path, cli, main_in_process):
    from classroom_support import MOVES, SEED, TEAMS

    save, transcript = tmp_path / "g.escsim", tmp_path / "t.txt"
    code, out, err = main_in_process("play", "june-2025", "--teams", ",".join(TEAMS), "--seed",
                                     str(SEED), "--moves", str(MOVES), "--save", str(save),
                                     "--transcript", str(transcript))
    assert code == 0, err
    assert "ended (facilitator)" in out
    text = transcript.read_text()
    assert "STOP 2025-06-12" in text and "What everyone learned" in text
    # in a fresh process, with (a) on a worker process beside (b)
    review = cli("aar", str(save), "--runs", "20", "--out", str(tmp_path / "aar"),
                 "--workers", "2", "--format", "svg")
    assert review.returncode == 0, review.stderr
    assert (tmp_path / "aar" / "escalation-index.svg").is_file()
    assert json.loads((tmp_path / "aar" / "aar.json").read_text())["runs"] == 20


def test_the_terminal_interface_plays_a_short_game_headless(tmp_path):
    from sim.tui.app import GameApp, HandoverScreen, ResultsScreen, TeamScreen

    game = Game.create("june-2025", teams=["kataib_hezbollah", "united_states"], seed=4,
                       path=tmp_path / "tui.escsim")

    async def play() -> list[str]:
        app = GameApp(game)
        screens = []
        async with app.run_test(size=(80, 24)) as pilot:
            screens.append(type(app.screen).__name__)
            await pilot.press("enter")  # the KH team takes the laptop
            screens.append(type(app.screen).__name__)
            await pilot.press("down", "enter")  # its second option: threaten the US
            await pilot.press("enter", "m")  # the US team lets the model decide
            await pilot.pause()
            screens.append(type(app.screen).__name__)
            await pilot.press("enter", "enter")  # next turn: KH ...
            await pilot.press("down", "down", "down", "down", "enter")  # ... hides its leaders?
            await pilot.pause()
            await pilot.press("enter", "t")  # the US team opens the threat form
            for field, text in (("who", "kataib_hezbollah"), ("what", "drone_attack"),
                                ("whom", "united_states"), ("response", "strike_militia_sites"),
                                ("target", "kataib_hezbollah"), ("deadline", "3")):
                app.screen.query_one(f"#{field}").value = text
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("enter")  # the US holds (its first option)
            await pilot.pause()
            screens.append(type(app.screen).__name__)
            await pilot.press("u")  # the facilitator takes the turn back
            await pilot.pause()
            screens.append(type(app.screen).__name__)
            await pilot.press("p")  # pauses: the results screen says so
            await pilot.pause()
            assert "PAUSED" in str(app.screen.query_one("#status").render())
            await pilot.press("p", "i")  # resumes, and adds an inject
            for field, text in (("actor", "unknown"), ("action", "drone_attack"),
                                ("target", "united_states@iraq"), ("note", "Erbil airport")):
                app.screen.query_one(f"#{field}").value = text
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("e")  # and ends the game
            await pilot.pause()
            screens.append(type(app.screen).__name__)
            await pilot.press("q")
        return screens

    screens = asyncio.run(play())
    assert screens == [HandoverScreen.__name__, TeamScreen.__name__, ResultsScreen.__name__,
                       ResultsScreen.__name__, HandoverScreen.__name__, ResultsScreen.__name__]
    saved = Game.load(tmp_path / "tui.escsim")
    kinds = [a.do for a in saved.actions]
    assert kinds[:4] == ["move", "delegate", "advance", "move"]
    assert "threat" in kinds and kinds[-5:] == ["undo", "pause", "resume", "inject", "end"]
    inject = saved.actions[-2].inject
    assert (inject.actor, inject.target, inject.claimed) == ("unknown", "united_states@iraq",
                                                             False)
    first = saved.actions[0]
    assert (first.team, first.action, first.target) == ("kataib_hezbollah", "threaten",
                                                        "united_states")
    assert saved.turn == 1 and saved.ended
