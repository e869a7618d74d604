"""Helpers for the browser face's tests: a real ``escsim serve`` on a free loopback port, and
httpx clients that act as the facilitator or a team (reading CSRF tokens off the pages)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import httpx

with warnings.catch_warnings():  # Starlette 1.x would rather its test client ran on httpx2
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    try:
        from starlette.testclient import TestClient
    except ImportError:  # without the web extra: the tests that need it skip
        TestClient = None  # type: ignore[assignment,misc]

SECRET = "facilitator-test-secret"
TEAMS = ("kataib_hezbollah", "united_states", "iran")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
GAME_URL = re.compile(r"/facilitator/games/([A-Za-z0-9]+)$")
CODE = re.compile(r'<td class="code" data-team="(\w+)">([A-Z0-9-]+)</td>')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``escsim serve`` in a subprocess of its own, on a free loopback port."""

    def __init__(self, db: Path, port: int | None = None):
        self.db = db
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 180) -> Server:
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sim.cli", "serve", "--port", str(self.port), "--db",
             str(self.db), "--secret", SECRET], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"escsim serve stopped: {self.process.communicate()}")
            try:
                httpx.get(self.url + "/static/style.css", timeout=2)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError("escsim serve did not answer in time")

    def kill(self) -> None:
        """SIGKILL: no chance to flush or close anything."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        if self.process is not None:
            for stream in (self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.kill()


def csrf(client: httpx.Client, path: str = "/") -> str:
    page = client.get(path)
    found = CSRF.search(page.text)
    assert found, f"no CSRF token on {path}: {page.status_code}"
    return found.group(1)


def facilitator(url: str, secret: str = SECRET) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    token = csrf(client, "/facilitator/login")
    answer = client.post("/facilitator/login", data={"csrf": token, "secret": secret})
    assert answer.status_code == 303, answer.text
    return client


def create_game(client: httpx.Client, teams: tuple[str, ...] = TEAMS, **fields: str
                ) -> tuple[str, dict[str, str]]:
    """A new game: its id and its teams' join codes (read off the facilitator's page)."""
    form = {"csrf": csrf(client, "/facilitator"), "scenario": "june-2025", "seed": "4",
            "teams": ",".join(teams), **fields}
    answer = client.post("/facilitator/games", data=form)
    assert answer.status_code == 303, answer.text[:2000]
    game_id = GAME_URL.search(answer.headers["location"]).group(1)
    page = client.get(f"/facilitator/games/{game_id}").text
    return game_id, dict(CODE.findall(page))


def join(url: str, code: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    token = csrf(client, "/")
    answer = client.post("/join", data={"csrf": token, "code": code})
    assert answer.status_code == 303, answer.text[:2000]
    return client


def in_process(db: Path) -> tuple[object, object, TestClient]:
    """The app on a new store, in this process (no socket), and the facilitator's client,
    signed in: (store, app, client)."""
    from sim.web.app import create_app
    from sim.web.store import Store

    store = Store(db)
    app = create_app(store, SECRET)
    boss = TestClient(app, follow_redirects=False)
    answer = boss.post("/facilitator/login", data={"csrf": csrf(boss, "/facilitator/login"),
                                                   "secret": SECRET})
    assert answer.status_code == 303
    return store, app, boss
