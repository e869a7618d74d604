"""The games' SQLite store: the schema and its migrations, one transaction per change, a server
killed with SIGKILL and started again, and the mistakes a facilitator can make starting one."""

from __future__ import annotations

import html
import re
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytest.importorskip("starlette", reason="the browser face needs the web extra")

from sim.web.app import create_app  # noqa: E402
from sim.web.store import SCHEMA_VERSION, Store, StoreError  # noqa: E402
from web_support import (CSRF, SECRET, TEAMS, Server, TestClient, create_game,  # noqa: E402
                         csrf, facilitator, in_process, join)


# --- the schema --------------------------------------------------------------------------------

def test_a_new_database_gets_the_current_schema_once(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    store = Store(path)
    assert store.schema_version() == SCHEMA_VERSION
    store.set_meta("probe", "kept")
    store.close()
    assert path.stat().st_mode & 0o077 == 0  # the secret and the codes: the owner's alone
    again = Store(path)  # the migrations are not run twice; the data stays
    assert again.schema_version() == SCHEMA_VERSION and again.meta("probe") == "kept"
    again.close()


@pytest.mark.parametrize("make, words", [
    (lambda p: p.write_text("not a database at all " * 100), "not a usable escsim database"),
    (lambda p: _sqlite(p, "CREATE TABLE notes (x TEXT)"), "not an escsim database"),
    (lambda p: _sqlite(p, f"CREATE TABLE schema_version (version INTEGER); "
                          f"INSERT INTO schema_version VALUES ({SCHEMA_VERSION + 1})"),
     "written by a newer escsim"),
    (lambda p: p.mkdir(), "is a folder"),
])
def test_a_file_that_is_not_our_database_is_refused(tmp_path: Path, make, words: str) -> None:
    path = tmp_path / "x.sqlite"
    make(path)
    with pytest.raises(StoreError, match=words):
        Store(path)


def _sqlite(path: Path, script: str) -> None:
    db = sqlite3.connect(path)
    db.executescript(script)
    db.close()


# --- one transaction per change ----------------------------------------------------------------

@pytest.fixture
def local(tmp_path: Path) -> Iterator[dict]:
    store, app, boss = in_process(tmp_path / "t.sqlite")
    game_id, codes = create_game(boss)
    yield {"app": app, "store": store, "boss": boss, "game": game_id, "codes": codes}
    store.close()


def _team(local: dict, team: str) -> tuple[TestClient, str]:
    c = TestClient(local["app"], follow_redirects=False)
    c.post("/join", data={"csrf": csrf(c, "/"), "code": local["codes"][team]})
    return c, CSRF.search(c.get("/team").text).group(1)


def test_every_change_is_one_row_and_one_version(local: dict) -> None:
    store, game_id = local["store"], local["game"]
    iran, token = _team(local, "iran")
    version = store.game(game_id).version
    assert iran.post("/team/move", data={"csrf": token, "team": "iran",
                                         "option": "hold||own"}).status_code == 303
    assert [e["do"] for e in store.entries(game_id)] == ["move"]
    assert store.game(game_id).version == version + 1
    boss_token = csrf(local["boss"], f"/facilitator/games/{game_id}")
    local["boss"].post(f"/facilitator/games/{game_id}/advance", data={"csrf": boss_token})
    assert [e["do"] for e in store.entries(game_id)] == ["move", "advance"]
    row = store.game(game_id)
    assert row.version == version + 2 and row.state["turns"] == 1


def test_a_change_the_database_cannot_record_does_not_happen(local: dict) -> None:
    store, game_id = local["store"], local["game"]
    iran, token = _team(local, "iran")
    room = local["app"].state.server.rooms.get(game_id)
    # the journal row goes in first, then the game's row is updated: make the second step fail
    with store.transaction() as db:
        db.execute("CREATE TRIGGER refuse BEFORE UPDATE ON games BEGIN "
                   "SELECT RAISE(ABORT, 'disk full'); END")
    answer = iran.post("/team/move", data={"csrf": token, "team": "iran",
                                           "option": "hold||own"})
    assert answer.status_code == 400
    assert "could not be saved (disk full), so it did not happen" in answer.text
    assert store.entries(game_id) == []  # the row written before the failure was rolled back
    assert room.game.submitted("iran") is None and room.game.actions == []
    assert "You have not chosen a move yet" in iran.get("/team").text
    with store.transaction() as db:
        db.execute("DROP TRIGGER refuse")
    assert iran.post("/team/move", data={"csrf": token, "team": "iran",
                                         "option": "hold||own"}).status_code == 303
    assert [e["do"] for e in store.entries(game_id)] == ["move"]


def test_an_unknown_scenario_in_the_form_is_a_message_on_the_page(local: dict) -> None:
    boss = local["boss"]
    for fields, words in (({"scenario": "june-2099"}, "june-2099"),
                          ({"teams": "iran,nobody"}, "'nobody' is not an actor"),
                          ({"seed": "-3"}, "seed: from 0"),
                          ({"stops": "2025-13-40"}, "expected a date"),
                          ({"turn_minutes": "lots"}, "turn minutes: a whole number")):
        form = {"csrf": csrf(boss, "/facilitator"), "scenario": "june-2025", "seed": "1",
                "teams": "iran", **fields}
        answer = boss.post("/facilitator/games", data=form)
        assert answer.status_code == 400, fields
        assert words in html.unescape(answer.text), (fields, re.findall(r'class="error"[^<]*',
                                                                        answer.text))
        assert "Traceback" not in answer.text
    assert len(local["store"].games()) == 1


# --- a server killed mid-game ------------------------------------------------------------------

def _pages(clients: dict[str, httpx.Client], game_id: str) -> dict[str, str]:
    out = {}
    for who, c in clients.items():
        for path in ("/team", "/team/status.json") if who in TEAMS else \
                (f"/facilitator/games/{game_id}", f"/games/{game_id}/board",
                 f"/games/{game_id}/status.json"):
            answer = c.get(path)
            assert answer.status_code == 200, (who, path)
            out[f"{who} {path}"] = answer.text
    return out


def test_a_server_killed_mid_game_restarts_where_it_was(tmp_path: Path) -> None:
    db = tmp_path / "kill.sqlite"
    server = Server(db).start()
    try:
        boss = facilitator(server.url)
        game_id, codes = create_game(boss)
        teams = {t: join(server.url, codes[t]) for t in TEAMS}
        tokens = {t: CSRF.search(c.get("/team").text).group(1) for t, c in teams.items()}
        for t, c in teams.items():
            assert c.post("/team/move", data={"csrf": tokens[t], "team": t,
                                              "option": "hold||own"}).status_code == 303
        boss_token = csrf(boss, f"/facilitator/games/{game_id}")
        assert boss.post(f"/facilitator/games/{game_id}/advance",
                         data={"csrf": boss_token}).status_code == 303
        # mid-turn: one team has moved, one has made a threat, one has not chosen yet
        assert teams["iran"].post("/team/move", data={
            "csrf": tokens["iran"], "team": "iran", "option": "hold||own"}).status_code == 303
        assert teams["united_states"].post("/team/threat", data={
            "csrf": tokens["united_states"], "team": "united_states", "who": "kataib_hezbollah",
            "what": "drone_attack", "whom": "united_states", "response": "strike_militia_sites",
            "target": "attacker", "deadline": "5"}).status_code == 303
        clients = {**teams, "facilitator": boss}
        before = _pages(clients, game_id)
        server.kill()  # SIGKILL: no shutdown, nothing flushed on the way out
        server.start()
        after = _pages(clients, game_id)  # the same browsers: their cookies still admit them
        assert after == before
        status = boss.get(f"/games/{game_id}/status.json").json()
        assert status["turn"] == 2 and status["submitted"] == ["iran"]
        assert "united_states-threat-1" in after["united_states /team"]
        assert "united_states-threat-1" not in after["iran /team"]  # made today: not yet known
    finally:
        server.kill()


# --- starting a server -------------------------------------------------------------------------

def test_a_bad_database_path_is_one_line(main_in_process, tmp_path: Path) -> None:
    code, out, err = main_in_process("serve", "--db", str(tmp_path / "no" / "such" / "c.sqlite"),
                                     "--port", "1")
    assert code == 2 and "Traceback" not in err
    assert err.strip() == f"escsim: error: {tmp_path / 'no' / 'such' / 'c.sqlite'}: the folder " \
                          f"{tmp_path / 'no' / 'such'} does not exist"


def test_a_port_in_use_is_one_line(main_in_process, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code, out, err = main_in_process("serve", "--db", str(tmp_path / "c.sqlite"),
                                         "--port", str(port))
    assert code == 2 and "Traceback" not in err
    assert err.strip() == (f"escsim: error: port {port} on 127.0.0.1 is in use (another escsim "
                           "serve?): choose another with --port")


def test_a_short_secret_is_refused(main_in_process, tmp_path: Path) -> None:
    code, _, err = main_in_process("serve", "--db", str(tmp_path / "c.sqlite"), "--secret", "abc")
    assert code == 2 and err.strip() == "escsim: error: --secret: at least 8 characters"


def test_a_stored_game_that_does_not_replay_is_named_not_served(local: dict) -> None:
    store, game_id = local["store"], local["game"]
    iran, token = _team(local, "iran")
    iran.post("/team/move", data={"csrf": token, "team": "iran", "option": "hold||own"})
    with store.transaction() as db:  # as if the model had changed since the game was played
        db.execute("UPDATE games SET state = json_set(state, '$.events', 99) WHERE id = ?",
                   (game_id,))
    restarted = create_app(store, SECRET)  # a new server on the same database
    boss = TestClient(restarted, follow_redirects=False)
    boss.cookies = local["boss"].cookies  # the facilitator's browser, reconnecting
    listing = boss.get("/facilitator")
    assert listing.status_code == 200
    assert f"game {game_id}: the game replays differently" in html.unescape(listing.text)
    page = boss.get(f"/facilitator/games/{game_id}")
    assert page.status_code == 409 and "cannot be resumed" in page.text


def test_an_overlong_field_is_refused(local: dict) -> None:
    iran, token = _team(local, "iran")
    answer = iran.post("/team/threat", data={"csrf": token, "team": "iran", "response": "hold",
                                             "target": "iran", "wording": "x" * 5000})
    assert answer.status_code == 413
    assert local["store"].entries(local["game"]) == []
