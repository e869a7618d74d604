"""The teams' pages: join with a code, then the team's brief, its forms and its own history.

A team's page has no game or team in its URL: the browser's session says which seat it holds,
so no URL can be edited to reach another team. The forms carry the team's id only so that a
form edited to name another team is noticed and refused (403), not silently obeyed.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from sim.classroom.errors import GameError
from sim.classroom.game import Game
from sim.web import auth, views
from sim.web.app import (checked_form, client_address, in_thread, render, seat_room, server,
                         session_of, throttled)


async def home(request: Request) -> Response:
    session = session_of(request)
    seat = None
    if session is not None and session.game_id is not None:
        room = server(request).rooms.get(session.game_id)
        seat = None if room is None else views.name(room.game, session.team or "")
    return render(request, "home.html", {"seat": seat})


async def join(request: Request) -> Response:
    session, form = await checked_form(request)
    throttled(request)
    found = auth.find_code(form.get("code", ""), server(request).store.all_codes())
    if found is None:
        server(request).throttle.failed(client_address(request))
        return render(request, "home.html", {"seat": None, "error": "That code admits no team "
                      "on this server: check it with your facilitator."}, 403)
    server(request).store.set_seat(session.token_hash, *found)
    return RedirectResponse("/team", status_code=303)


def _team_of(request: Request) -> tuple[Any, str]:
    room = seat_room(request)
    session = session_of(request)
    assert session is not None and session.team is not None
    return room, session.team


async def team_page(request: Request) -> Response:
    room, team = _team_of(request)
    return render(request, "team.html", await in_thread(room.read, views.team, team))


async def team_status(request: Request) -> Response:
    room, _ = _team_of(request)
    return JSONResponse(await in_thread(room.read, views.status))


async def _team_action(request: Request, call: Any) -> Response:
    """Apply a team's form through the engine; a refusal shows the engine's reason."""
    session, form = await checked_form(request)
    room, team = _team_of(request)
    if not auth.same(form.get("team", ""), team):
        raise HTTPException(403, "This form is for another team: you can act only for your "
                                 "own.")
    rooms = server(request).rooms
    try:
        await in_thread(rooms.act, room, lambda game: call(game, team, form))
    except GameError as exc:
        context = await in_thread(room.read, views.team, team)
        return render(request, "team.html", {**context, "error": f"Refused: {exc}"}, 400)
    await in_thread(rooms.advance_if_all_moved, room)
    return RedirectResponse("/team", status_code=303)


def _move(game: Game, team: str, form: dict[str, str]) -> Any:
    key = form.get("option", "")
    for option in game.options(team):
        if option.key == key:
            return game.submit(team, option.action, option.target, option.claim)
    raise GameError("choose one of your options")


def _delegate(game: Game, team: str, form: dict[str, str]) -> Any:
    return game.delegate(team)


def _ids(text: str) -> list[str] | None:
    items = [x.strip() for x in text.replace(";", ",").split(",") if x.strip()]
    return items or None


def _threat(game: Game, team: str, form: dict[str, str]) -> Any:
    """A structured threat, as the terminal's form makes it: if WHO does WHAT to WHOM, the
    team promises RESPONSE against TARGET within DEADLINE days."""
    event = {"actor": _ids(form.get("who", "")), "action": _ids(form.get("what", "")),
             "target": _ids(form.get("whom", ""))}
    deadline = form.get("deadline", "").strip() or "7"
    if not deadline.isdigit():
        raise GameError("the deadline is a number of days")
    return game.threaten(team, {"event": {k: v for k, v in event.items() if v}},
                         {"action": form.get("response", "").strip(),
                          "target": form.get("target", "").strip()},
                         int(deadline), form.get("wording", "").strip())


async def move(request: Request) -> Response:
    return await _team_action(request, _move)


async def delegate(request: Request) -> Response:
    return await _team_action(request, _delegate)


async def threat(request: Request) -> Response:
    return await _team_action(request, _threat)


ROUTES = [
    Route("/", home),
    Route("/join", join, methods=["POST"]),
    Route("/team", team_page),
    Route("/team/status.json", team_status),
    Route("/team/move", move, methods=["POST"]),
    Route("/team/delegate", delegate, methods=["POST"]),
    Route("/team/threat", threat, methods=["POST"]),
]
