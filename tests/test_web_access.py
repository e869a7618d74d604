"""Who may do what in ``escsim serve``: every forbidden access is tried, and refused with its
status code and none of the game's data in the answer.

The app runs in this process (Starlette's test client speaks HTTP to it without a socket): the
same app, store and engine as ``escsim serve``.
"""

from __future__ import annotations

import inspect
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the browser face needs the web extra")

from sim.web import auth  # noqa: E402
from sim.web.app import create_app  # noqa: E402
from web_support import (CODE, CSRF, GAME_URL, SECRET, TEAMS, TestClient,  # noqa: E402
                         in_process)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A server with two games; the facilitator's client and each game's join codes."""
    store, app, boss = in_process(tmp_path_factory.mktemp("web") / "access.sqlite")
    games = {}
    for seed in (4, 5):
        answer = boss.post("/facilitator/games", data={
            "csrf": csrf(boss, "/facilitator"), "scenario": "june-2025", "seed": str(seed),
            "teams": ",".join(TEAMS)})
        assert answer.status_code == 303, answer.text
        game_id = GAME_URL.search(answer.headers["location"]).group(1)
        games[game_id] = dict(CODE.findall(boss.get(f"/facilitator/games/{game_id}").text))
    yield {"app": app, "boss": boss, "games": games, "store": store}
    store.close()


def csrf(client: TestClient, path: str) -> str:
    return CSRF.search(client.get(path).text).group(1)


def client(site: dict) -> TestClient:
    return TestClient(site["app"], follow_redirects=False)


def team_client(site: dict, game: int, team: str) -> TestClient:
    game_id = list(site["games"])[game]
    c = client(site)
    answer = c.post("/join", data={"csrf": csrf(c, "/"),
                                   "code": site["games"][game_id][team]})
    assert answer.status_code == 303 and answer.headers["location"] == "/team"
    return c


def game_ids(site: dict) -> list[str]:
    return list(site["games"])


def no_game_data(text: str, site: dict) -> None:
    """Nothing of any game in a refusal: no code, no brief, no timeline, no team's page."""
    for codes in site["games"].values():
        for code in codes.values():
            assert code not in text
    for marker in ("Your situation", "Since your last turn", "whole truth", "Your move",
                   "Escalation index", "What everyone knows", 'name="option"'):
        assert marker not in text


def test_a_wrong_code_admits_no_one(site: dict) -> None:
    c = client(site)
    for typed in ("AAAA-AAAA", "", "K7QM3XRD", list(site["games"].values())[0]["iran"][:-1]):
        answer = c.post("/join", data={"csrf": csrf(c, "/"), "code": typed})
        assert answer.status_code == 403
        assert "admits no team" in answer.text
        no_game_data(answer.text, site)
    team_page = c.get("/team")
    assert team_page.status_code == 403
    no_game_data(team_page.text, site)


def test_a_code_admits_its_team_to_its_game_only(site: dict) -> None:
    first, second = game_ids(site)
    iran = team_client(site, 0, "iran")
    page = iran.get("/team")
    assert page.status_code == 200 and "<h1 id=\"team-name\">Iran</h1>" in page.text
    assert iran.get(f"/games/{first}/board").status_code == 200
    for path in (f"/games/{second}/board", f"/games/{second}/status.json"):
        answer = iran.get(path)
        assert answer.status_code == 403, path
        no_game_data(answer.text, site)
        if path.endswith(".json"):
            assert set(answer.json()) == {"error"}
    # a URL naming another team or game is ignored: the session says who the browser is
    other = iran.get("/team", params={"team": "united_states", "game": second})
    assert "<h1 id=\"team-name\">Iran</h1>" in other.text
    assert "United States</h1>" not in other.text


def test_a_team_cannot_submit_for_another_by_editing_the_form(site: dict) -> None:
    game_id = game_ids(site)[0]
    iran = team_client(site, 0, "iran")
    token = CSRF.search(iran.get("/team").text).group(1)
    room = site["app"].state.server.rooms.get(game_id)
    before = len(room.game.actions)
    for field in ("united_states", "kataib_hezbollah", "", "iran "):
        answer = iran.post("/team/move", data={"csrf": token, "team": field,
                                               "option": "hold||own"})
        assert answer.status_code == 403, field
        assert "another team" in answer.text
        no_game_data(answer.text, site)
    answer = iran.post("/team/threat", data={"csrf": token, "team": "united_states",
                                             "response": "hold", "target": "iran"})
    assert answer.status_code == 403
    assert len(room.game.actions) == before
    assert room.game.submitted("united_states") is None
    assert len(site["store"].entries(game_id)) == before


def test_facilitator_pages_need_the_secret(site: dict) -> None:
    game_id = game_ids(site)[0]
    strangers = [client(site), team_client(site, 0, "united_states")]
    for c in strangers:
        listing = c.get("/facilitator")
        assert listing.status_code == 303
        assert listing.headers["location"] == "/facilitator/login"
        no_game_data(listing.text, site)
        page = c.get(f"/facilitator/games/{game_id}")
        assert page.status_code == 403
        no_game_data(page.text, site)
        assert c.get(f"/facilitator/games/{game_id}/review/report.html").status_code == 403
        token = csrf(c, "/")
        for action in ("advance", "pause", "undo", "end", "inject", "review"):
            answer = c.post(f"/facilitator/games/{game_id}/{action}", data={"csrf": token})
            assert answer.status_code == 403, action
            no_game_data(answer.text, site)
        answer = c.post("/facilitator/games", data={"csrf": token, "scenario": "june-2025",
                                                    "teams": "iran"})
        assert answer.status_code == 403
    wrong = client(site)
    answer = wrong.post("/facilitator/login", data={"csrf": csrf(wrong, "/facilitator/login"),
                                                    "secret": SECRET[:-1]})
    assert answer.status_code == 403
    assert wrong.get(f"/facilitator/games/{game_id}").status_code == 403
    room = site["app"].state.server.rooms.get(game_id)
    assert room.game.turn == 0 and not room.game.paused and not room.game.ended
    assert len(site["games"]) == len(site["store"].games())


def test_forms_without_the_sessions_csrf_token_are_refused(site: dict) -> None:
    game_id = game_ids(site)[0]
    iran = team_client(site, 0, "iran")
    other = client(site)
    csrf(other, "/")  # it has a session, and a token of its own
    foreign = csrf(client(site), "/")  # a real token, of a third browser's session
    room = site["app"].state.server.rooms.get(game_id)
    before = len(room.game.actions)
    for data in ({}, {"csrf": ""}, {"csrf": "x" * 43}, {"csrf": foreign}):
        answer = iran.post("/team/move", data={**data, "team": "iran", "option": "hold||own"})
        assert answer.status_code == 403
        assert "expired" in answer.text
        answer = site["boss"].post(f"/facilitator/games/{game_id}/advance", data=data)
        assert answer.status_code == 403
        answer = other.post("/join", data={**data, "code": site["games"][game_id]["iran"]})
        assert answer.status_code == 403
        answer = other.post("/facilitator/login", data={**data, "secret": SECRET})
        assert answer.status_code == 403
    assert len(room.game.actions) == before and room.game.turn == 0
    assert other.get("/team").status_code == 403  # the forged join did not seat it
    assert other.get(f"/facilitator/games/{game_id}").status_code == 403


def test_join_codes_are_random_and_unrelated() -> None:
    codes = [auth.new_code() for _ in range(3000)]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", c) for c in codes)
    values = [int("".join(str(auth.CODE_ALPHABET.index(ch)).zfill(2) for ch in c if ch != "-"))
              for c in codes]
    steps = {b - a for a, b in zip(values, values[1:])}
    assert len(steps) > len(codes) * 0.99  # no counter: consecutive codes are not a step apart
    for position in range(9):
        if position == 4:
            continue
        # every character of the alphabet turns up in every position (3000 draws of 32:
        # missing one has a probability of about 32 * (31/32)^3000, i.e. never)
        assert {c[position] for c in codes} == set(auth.CODE_ALPHABET)


def test_codes_of_the_servers_games_differ(site: dict) -> None:
    codes = [code for game in site["games"].values() for code in game.values()]
    assert len(set(codes)) == len(codes) == 2 * len(TEAMS)
    assert auth.find_code(codes[0].lower().replace("-", " "), site["store"].all_codes())


def test_the_server_listens_on_loopback_unless_told(tmp_path: Path) -> None:
    from sim.web.server import bind, lan_address

    sock = bind("127.0.0.1", 0)
    try:
        port = sock.getsockname()[1]
        assert sock.getsockname()[0] == "127.0.0.1"
        address = lan_address()
        if address and address != "127.0.0.1":
            with pytest.raises(OSError):
                socket.create_connection((address, port), timeout=2).close()
    finally:
        sock.close()
    from sim.cli import serve

    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"


def test_guessing_codes_or_the_secret_is_stopped(site: dict) -> None:
    app = create_app(site["store"], SECRET)  # a server of its own: its counts start at zero
    right = list(site["games"].values())[0]["iran"]
    guesser = TestClient(app, follow_redirects=False)
    token = csrf(guesser, "/")
    for attempt in range(auth.Throttle.LIMIT):
        answer = guesser.post("/join", data={"csrf": token, "code": f"AAAA-AA{attempt:02d}"})
        assert answer.status_code == 403
    answer = guesser.post("/join", data={"csrf": token, "code": right})
    assert answer.status_code == 429 and "Too many wrong tries" in answer.text
    assert guesser.get("/team").status_code == 403  # even the right code waits its turn
    answer = guesser.post("/facilitator/login", data={"csrf": token, "secret": SECRET})
    assert answer.status_code == 429
    assert guesser.get("/facilitator").status_code == 303  # not signed in


def test_the_throttle_forgets_old_failures() -> None:
    now = [1000.0]
    throttle = auth.Throttle(limit=2, window=60, clock=lambda: now[0])
    throttle.failed("a")
    now[0] += 30
    throttle.failed("a")
    assert throttle.blocked("a") and not throttle.blocked("b")
    now[0] += 31  # the first failure is more than a minute old
    assert not throttle.blocked("a")
    throttle.failed("a")
    assert throttle.blocked("a")
