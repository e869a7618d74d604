"""What the pages of ``escsim serve`` let the facilitator and the teams do, through the engine:
advice only when the facilitator allows it, refusals with the engine's reason, pause, undo,
inject, end, playing the day once every team has moved, several games on one server."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest

pytest.importorskip("starlette", reason="the browser face needs the web extra")

from web_support import CSRF, TEAMS, TestClient, create_game, csrf, in_process  # noqa: E402


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    store, app, boss = in_process(tmp_path_factory.mktemp("pages") / "p.sqlite")
    yield {"app": app, "boss": boss, "store": store}
    store.close()


def seat(site: dict, code: str) -> tuple[TestClient, str]:
    c = TestClient(site["app"], follow_redirects=False)
    c.post("/join", data={"csrf": csrf(c, "/"), "code": code})
    return c, CSRF.search(c.get("/team").text).group(1)


def move(client: TestClient, token: str, team: str, option: str = "hold||own"):
    return client.post("/team/move", data={"csrf": token, "team": team, "option": option})


def do(site: dict, game_id: str, what: str, **fields: str):
    page = f"/facilitator/games/{game_id}"
    return site["boss"].post(f"{page}/{what}", data={"csrf": csrf(site["boss"], page),
                                                       **fields})


def text(answer) -> str:
    return html.unescape(answer.text)


def test_the_models_advice_shows_only_when_the_facilitator_allows_it(site: dict) -> None:
    _, plain = create_game(site["boss"], seed="1")
    _, advised = create_game(site["boss"], seed="1", probabilities="on")
    without, _ = seat(site, plain["kataib_hezbollah"])
    page = text(without.get("/team"))
    assert "What the model's" not in page and "% " not in page and " — model " not in page
    with_advice, _ = seat(site, advised["kataib_hezbollah"])
    page = text(with_advice.get("/team"))
    assert "What the model's Kata'ib Hezbollah would do today" in page
    assert page.count(" — model ") > 5  # a probability beside the options


def test_a_refused_move_shows_the_engines_reason_and_changes_nothing(site: dict) -> None:
    game_id, codes = create_game(site["boss"])
    kh, token = seat(site, codes["kataib_hezbollah"])
    for option, words in (("strike_nuclear_sites|iran|own", "choose one of your options"),
                          ("", "choose one of your options")):
        answer = move(kh, token, "kataib_hezbollah", option)
        assert answer.status_code == 400 and words in text(answer)
    answer = kh.post("/team/threat", data={"csrf": token, "team": "kataib_hezbollah",
                                           "response": "no_such_action", "target": "iran"})
    assert answer.status_code == 400 and "Refused: " in answer.text
    answer = kh.post("/team/threat", data={"csrf": token, "team": "kataib_hezbollah",
                                           "response": "drone_attack", "target": "iran",
                                           "deadline": "soon"})
    assert "the deadline is a number of days" in text(answer)
    assert site["store"].entries(game_id) == []


def test_pause_undo_inject_and_end_through_the_engine(site: dict) -> None:
    game_id, codes = create_game(site["boss"])
    iran, token = seat(site, codes["iran"])
    assert do(site, game_id, "pause", note="a question from the class").status_code == 303
    answer = move(iran, token, "iran")
    assert answer.status_code == 400 and "the game is paused" in text(answer)
    assert "The game is paused" in iran.get("/team").text
    assert "already paused" in text(do(site, game_id, "pause"))
    assert do(site, game_id, "resume").status_code == 303
    assert move(iran, token, "iran").status_code == 303
    answer = do(site, game_id, "inject", actor="unknown", action="no_such_act",
                target="united_states@iraq", claimed="no")
    assert answer.status_code == 400 and "Refused: " in answer.text
    assert do(site, game_id, "inject", actor="unknown", action="drone_attack",
              target="united_states@iraq", claimed="no").status_code == 303
    assert do(site, game_id, "advance").status_code == 303
    status = iran.get("/team/status.json").json()
    assert status["turn"] == 2
    assert do(site, game_id, "undo").status_code == 303
    status = iran.get("/team/status.json").json()
    assert status["turn"] == 1 and status["submitted"] == []  # its moves and inject gone
    assert do(site, game_id, "end", note="out of time").status_code == 303
    assert "The game is over" in iran.get("/team").text
    assert "the game has ended" in text(move(iran, token, "iran"))
    kinds = [e["do"] for e in site["store"].entries(game_id)]
    assert kinds == ["pause", "resume", "move", "inject", "advance", "undo", "end"]
    assert "No such action" in do(site, game_id, "explode").text


def test_the_day_is_played_once_every_team_has_moved_when_the_facilitator_says_so(
        site: dict) -> None:
    game_id, codes = create_game(site["boss"], auto_advance="on")
    seats = {t: seat(site, codes[t]) for t in TEAMS}
    for team in TEAMS[:-1]:
        client, token = seats[team]
        assert move(client, token, team).status_code == 303
        assert client.get("/team/status.json").json()["turn"] == 1
    client, token = seats[TEAMS[-1]]
    client.post("/team/delegate", data={"csrf": token, "team": TEAMS[-1]})
    assert client.get("/team/status.json").json()["turn"] == 2
    assert [e["do"] for e in site["store"].entries(game_id)][-2:] == ["delegate", "advance"]


def test_several_games_run_side_by_side(site: dict) -> None:
    first, codes_a = create_game(site["boss"], seed="7")
    second, codes_b = create_game(site["boss"], ("iran", "israel"), seed="8")
    iran_a, token_a = seat(site, codes_a["iran"])
    iran_b, token_b = seat(site, codes_b["iran"])
    assert move(iran_a, token_a, "iran").status_code == 303
    assert do(site, second, "advance").status_code == 303
    assert iran_a.get("/team/status.json").json()["turn"] == 1
    assert iran_b.get("/team/status.json").json()["turn"] == 2
    listing = site["boss"].get("/facilitator").text
    assert first in listing and second in listing
