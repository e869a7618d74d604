"""Load: 40 team clients moving at once, for 30 turns, against one game of a real server.

Every move a client was told was accepted (303) is in the game's journal exactly once, and
nothing else is: no move lost, none recorded twice. The response times are printed (run with
-s to see them); ``bench/bench.py --sections web`` reports the same figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from web_support import SECRET, Server

pytestmark = pytest.mark.slow  # about half a minute on two busy cores

CLIENTS, TURNS = 40, 30


def test_forty_clients_thirty_turns_lose_and_duplicate_no_move(tmp_path: Path) -> None:
    from sim.web.rehearsal import journal_moves, rehearse
    from sim.web.store import Store

    with Server(tmp_path / "load.sqlite") as server:
        result = rehearse(server.url, SECRET, clients=CLIENTS, turns=TURNS)
    print("\n" + "\n".join(result.summary()))
    assert len(result.move_seconds) == CLIENTS * TURNS
    assert len(result.advance_seconds) == TURNS
    assert sum(result.moves.values()) + result.refused == CLIENTS * TURNS
    assert result.refused == 0  # every client plays an option that stays on its menu
    store = Store(tmp_path / "load.sqlite")  # after the server is gone: what is on disk
    try:
        assert journal_moves(store, result.game_id) == result.moves
        advances = [e for e in store.entries(result.game_id) if e["do"] == "advance"]
        assert len(advances) == TURNS
    finally:
        store.close()
