"""What each page shows, as plain data for its template, taken from the engine's own calls.

A team's page gets only ``Game.briefing(team)`` (the fog applied by the engine), its own moves
and threats, and its role card; the board gets only public things (``Game.public_lines``, the
escalation index, who has moved, not what); the facilitator's page gets the truth.
"""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from sim.classroom.game import Game
from sim.classroom.moves import actor_name
from sim.classroom.record import AdvanceEntry, DelegateEntry, MoveEntry, ThreatEntry, UndoEntry
from sim.model.actions import CATALOGUE
from sim.web.chart import index_svg
from sim.web.rooms import Room

# Counts shown on the board as the outcome so far: every one of them counts public acts.
BOARD_COUNTS = (("militia_attacks_on_us", "militia attacks on US forces"),
                ("militia_attacks_on_israel", "militia attacks on Israel"),
                ("militia_attacks_on_kurdistan", "militia attacks on the Kurdistan Region"),
                ("strikes_on_militias", "strikes on militias"),
                ("state_strikes", "strikes between states"),
                ("killed", "people killed"))


def name(game: Game, actor: str) -> str:
    return actor_name(game.model.world, actor)


def where(game: Game) -> str:
    if game.ended:
        return f"The game is over ({game.ended_by})"
    assert game.date is not None
    return f"{game.date:%A %d %B %Y}"


def status(room: Room) -> dict[str, Any]:
    """What every page polls: enough to know that something changed, and the countdown."""
    game, row = room.game, room.row
    remaining = None
    if row.turn_minutes and not game.ended and not game.paused:
        remaining = max(0, int(row.turn_started + 60 * row.turn_minutes - time.time()))
    return {"game": room.id, "version": row.version, "turn": game.turn + 1,
            "date": None if game.date is None else game.date.isoformat(),
            "ended": game.ended, "paused": game.paused, "remaining": remaining,
            "submitted": [t for t in game.teams if t not in game.waiting_for],
            "waiting_for": game.waiting_for}


def common(room: Room) -> dict[str, Any]:
    game = room.game
    return {"room": room, "game": game, "where": where(game), "status": status(room),
            "title": game.scenario.title, "names": {t: name(game, t) for t in game.teams}}


def outcome_so_far(game: Game) -> dict[str, Any]:
    outcomes = game.model.outcomes()
    counts = [(words, int(outcomes[key][0])) for key, words in BOARD_COUNTS if key in outcomes]
    return {"class": str(outcomes["outcome_class"][0]),
            "state_conflict": str(outcomes["state_conflict"][0]), "counts": counts}


def chart(game: Game) -> Markup:
    return Markup(index_svg(game.escalation_index(), game.scenario.days, game.scenario.start))


def board(room: Room) -> dict[str, Any]:
    game = room.game
    public = game.public_lines(list(range(game.days_played)))
    return {**common(room), "public": list(reversed(public)), "chart": chart(game),
            "outcome": outcome_so_far(game) if game.days_played else None}


def team(room: Room, team_id: str) -> dict[str, Any]:
    game = room.game
    brief = game.briefing(team_id)
    return {**common(room), "team": team_id, "team_name": name(game, team_id), "brief": brief,
            "chart": chart(game), "history": history(game, team_id),
            "submitted": _order_words(game, game.submitted(team_id)),
            "submitted_key": _order_key(game.submitted(team_id)),
            "threats_today": threats_today(game, team_id),
            "card": role_card(game.setup.scenario.ref, game.setup.scenario.variant, team_id),
            "advice": game.settings.probabilities,
            "actor_ids": list(game.scenario.actors), "action_ids": [a.id for a in CATALOGUE]}


def history(game: Game, team_id: str) -> list[dict[str, str]]:
    """The team's own moves, turn by turn (never another team's; its threats are in its
    brief, with what became of them)."""
    return [{"date": f"{d.date:%d %b}", "what": d.move} for d in game.decisions()
            if d.team == team_id]


def threats_today(game: Game, team_id: str) -> list[ThreatEntry]:
    """The team's threats made at this stop (they enter the game, and its brief, when the day
    is played): the actions since the last advance or undo."""
    today = []
    for entry in reversed(game.actions):
        if isinstance(entry, AdvanceEntry | UndoEntry):
            break
        if isinstance(entry, ThreatEntry) and entry.team == team_id:
            today.append(entry)
    return list(reversed(today))


def _order_key(order: MoveEntry | DelegateEntry | None) -> str | None:
    if not isinstance(order, MoveEntry):
        return None
    return f"{order.action}|{order.target or ''}|{order.claim}"


def _order_words(game: Game, order: MoveEntry | DelegateEntry | None) -> str | None:
    if order is None:
        return None
    if isinstance(order, DelegateEntry):
        return "let the model decide"
    for option in game.options(order.team):
        if (option.action, option.target, option.claim) == (order.action, order.target,
                                                            order.claim):
            return option.label
    return order.action


@lru_cache(maxsize=64)
def role_card(scenario: str, variant: str | None, actor: str) -> Any:
    """The actor's role card (as printed by ``escsim cards``), made once per server."""
    from sim.classroom.cards import make_cards

    return make_cards(scenario, variant, [actor])[0]


def facilitator(room: Room) -> dict[str, Any]:
    game = room.game
    truth = [f"{e['date']}  {game.describe(e)}" for e in game.timeline()]
    return {**common(room), "truth": list(reversed(truth)),
            "chart": chart(game), "outcome": outcome_so_far(game) if game.days_played else None,
            "reasons": game.stop_reasons()}
