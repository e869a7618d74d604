"""A load rehearsal of a running ``escsim serve``: many team browsers moving at once.

``rehearse(url, secret)`` signs in as the facilitator, creates a game with every actor of the
scenario as a team (stopping every day), joins each team from several clients (students on their
own laptops, each with the team's code), and then, turn after turn, has every client submit one
move at the same moment (threads, one HTTP client each) before the facilitator plays the day.
Each client of a team picks a different option of its menu, so that every move it made can be
found in the game's journal afterwards, once. It reports the counts and the response times
(median and 99th percentile) of the moves and of the facilitator's advances.

It talks to the server only over HTTP, as browsers do (forms with their CSRF tokens); it needs
httpx. ``bench/bench.py --sections web`` and the load test run it against a server of their own.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
CODE = re.compile(r'<td class="code" data-team="(\w+)">([A-Z0-9-]+)</td>')
OPTION = re.compile(r'<option value="([^"|]+\|[^"|]*\|[^"|]+)">')
GAME = re.compile(r"/facilitator/games/([A-Za-z0-9]+)$")
TIMEOUT = 120.0


class RehearsalError(RuntimeError):
    """The server did not behave as a browser expects (a refused sign-in, a lost page)."""


@dataclass
class Rehearsal:
    game_id: str
    clients: int
    turns: int
    moves: Counter = field(default_factory=Counter)  # (date, team, option key) -> accepted
    refused: int = 0
    move_seconds: list[float] = field(default_factory=list)
    advance_seconds: list[float] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0

    def summary(self) -> list[str]:
        moves = np.array(self.move_seconds) * 1000
        adv = np.array(self.advance_seconds) * 1000
        return [
            f"{self.clients} team clients, {self.turns} turns: {sum(self.moves.values())} moves "
            f"accepted, {self.refused} refused by the engine, in {self.wall:.1f} s "
            f"(this process's CPU {self.cpu:.1f} s)",
            f"move response: median {np.median(moves):.0f} ms, p99 "
            f"{np.percentile(moves, 99):.0f} ms, max {moves.max():.0f} ms",
            f"advance response: median {np.median(adv):.0f} ms, p99 "
            f"{np.percentile(adv, 99):.0f} ms",
        ]


def _page(client: Any, path: str) -> str:
    answer = client.get(path)
    if answer.status_code != 200:
        raise RehearsalError(f"GET {path}: {answer.status_code}")
    return answer.text


def _token(text: str, where: str) -> str:
    found = CSRF.search(text)
    if not found:
        raise RehearsalError(f"no form on {where}")
    return found.group(1)


def _facilitator(httpx: Any, url: str, secret: str) -> Any:
    client = httpx.Client(base_url=url, timeout=TIMEOUT)
    token = _token(_page(client, "/facilitator/login"), "the sign-in page")
    if client.post("/facilitator/login", data={"csrf": token, "secret": secret}
                   ).status_code != 303:
        raise RehearsalError("the facilitator's secret was refused")
    return client


def _create(client: Any, scenario: str, seed: int) -> tuple[str, dict[str, str]]:
    from sim.scenario.loader import load_scenario

    teams = list(load_scenario(scenario).actors)
    form = {"csrf": _token(_page(client, "/facilitator"), "the games page"),
            "scenario": scenario, "seed": str(seed), "teams": ",".join(teams),
            "every_day": "on"}
    answer = client.post("/facilitator/games", data=form)
    found = GAME.search(answer.headers.get("location", ""))
    if answer.status_code != 303 or not found:
        raise RehearsalError(f"the game was not created ({answer.status_code})")
    game_id = found.group(1)
    return game_id, dict(CODE.findall(_page(client, f"/facilitator/games/{game_id}")))


@dataclass
class _Student:
    client: Any
    team: str
    csrf: str
    option: str


def _join(httpx: Any, url: str, team: str, code: str, rank: int) -> _Student:
    client = httpx.Client(base_url=url, timeout=TIMEOUT)
    token = _token(_page(client, "/"), "the join page")
    if client.post("/join", data={"csrf": token, "code": code}).status_code != 303:
        raise RehearsalError(f"the code of {team} was refused")
    page = _page(client, "/team")
    calm = [o for o in OPTION.findall(page) if o.split("|")[0] in CALM] or ["hold||own"]
    return _Student(client, team, _token(page, "the team page"), calm[rank % len(calm)])


# Options that do not escalate, so that thirty turns stay a rehearsal of the server (and every
# one of them stays on the menu, turn after turn).
CALM = ("hold", "appeal_for_restraint", "consult", "go_to_ground", "deploy_air_defence")


def rehearse(url: str, secret: str, clients: int = 40, turns: int = 30,
             scenario: str = "june-2025", seed: int = 0) -> Rehearsal:
    """Drive a running server as ``clients`` team browsers for ``turns`` turns."""
    import httpx

    began, cpu = time.perf_counter(), time.process_time()
    boss = _facilitator(httpx, url, secret)
    game_id, codes = _create(boss, scenario, seed)
    teams = list(codes)
    with ThreadPoolExecutor(clients) as pool:
        students = list(pool.map(lambda i: _join(httpx, url, teams[i % len(teams)],
                                                 codes[teams[i % len(teams)]],
                                                 i // len(teams)), range(clients)))
        boss_token = _token(_page(boss, f"/facilitator/games/{game_id}"), "the game page")
        result = Rehearsal(game_id, clients, turns)
        lock = threading.Lock()
        for _ in range(turns):
            date = boss.get(f"/games/{game_id}/status.json").json()["date"]
            if date is None:
                break
            for answer in pool.map(_move, students):
                status, seconds, student = answer
                with lock:
                    result.move_seconds.append(seconds)
                    if status == 303:
                        result.moves[(date, student.team, student.option)] += 1
                    elif status == 400:
                        result.refused += 1
                    else:
                        raise RehearsalError(f"a move got {status}")
            start = time.perf_counter()
            answer = boss.post(f"/facilitator/games/{game_id}/advance",
                               data={"csrf": boss_token})
            result.advance_seconds.append(time.perf_counter() - start)
            if answer.status_code != 303:
                raise RehearsalError(f"the advance got {answer.status_code}")
    for student in students:
        student.client.close()
    boss.close()
    result.wall, result.cpu = time.perf_counter() - began, time.process_time() - cpu
    return result


def _move(student: _Student) -> tuple[int, float, _Student]:
    start = time.perf_counter()
    answer = student.client.post("/team/move", data={"csrf": student.csrf, "team": student.team,
                                                     "option": student.option})
    return answer.status_code, time.perf_counter() - start, student


def journal_moves(store: Any, game_id: str) -> Counter:
    """The moves a game's journal holds: (date, team, option key) -> how many times."""
    moves: Counter = Counter()
    for entry in store.entries(game_id):
        if entry["do"] == "move":
            key = f"{entry['action']}|{entry.get('target') or ''}|{entry.get('claim', 'own')}"
            moves[(entry["date"], entry["team"], key)] += 1
    return moves
