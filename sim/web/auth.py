"""Who may do what: the facilitator's secret, the teams' join codes, sessions and CSRF tokens.

- The facilitator's secret is printed by ``escsim serve`` (or given with ``--secret``); a
  browser that types it becomes the facilitator's for good (its session says so).
- A join code admits one team of one game. Codes are drawn with ``secrets`` from an alphabet
  without look-alike characters (8 characters: about 2^40 codes), so they cannot be guessed
  from one another, and a typed code is compared with every code in constant time
  (``hmac.compare_digest``), so timing says nothing about how much of it was right.
- Wrong codes and wrong secrets are counted per computer (its address): after
  ``Throttle.LIMIT`` in a minute it must wait, so codes cannot be guessed by trying them.
- Every browser gets a session: a random token in an HttpOnly, SameSite=Lax cookie (only its
  SHA-256 is stored) and a CSRF token that every form must send back; a form without it, or
  with another session's, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8
COOKIE = "escsim_session"
MIN_SECRET_LENGTH = 8


def new_secret() -> str:
    return secrets.token_urlsafe(12)


def new_code() -> str:
    """A team's join code, e.g. ``K7QM-3XRD`` (the dash is for reading it out)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normal_code(text: str) -> str:
    """A typed code as stored: capitals, the dash in the middle, spaces and dashes ignored."""
    raw = "".join(c for c in text.upper() if c.isalnum())
    return f"{raw[:4]}-{raw[4:]}"


def same(given: str, expected: str) -> bool:
    """Constant-time comparison of two strings (a wrong guess takes as long as a right one)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def find_code(given: str, codes: list[tuple[str, str, str]]) -> tuple[str, str] | None:
    """The (game, team) a typed code admits, comparing it with every code in constant time."""
    typed = normal_code(given)
    found = None
    for code, game_id, team in codes:  # no early exit: every code is compared
        if same(typed, code):
            found = (game_id, team)
    return found


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_game_id() -> str:
    """A game's id in URLs: random, so that one game's id says nothing of another's."""
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")


class Throttle:
    """Failed attempts (wrong codes, wrong secrets) per client address: at most ``limit`` in
    ``window`` seconds, after which that address is refused until its oldest failure ages out.
    Twenty a minute is plenty for a mistyped code and makes 2^40 codes unguessable."""

    LIMIT = 20

    def __init__(self, limit: int = LIMIT, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, who: str, now: float) -> deque[float]:
        failures = self._failures[who]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def blocked(self, who: str) -> bool:
        with self._lock:
            return len(self._recent(who, self.clock())) >= self.limit

    def failed(self, who: str) -> None:
        with self._lock:
            now = self.clock()
            self._recent(who, now).append(now)
