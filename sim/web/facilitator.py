"""The facilitator's pages: sign in with the secret, create games (each team gets a join code),
run them (advance, pause, resume, undo, inject, end) and make and read the after-action review.

Every page and action here needs a session that signed in with the facilitator's secret; a
team's session gets 403 and nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from sim import limits
from sim.classroom.errors import GameError, GameFileError
from sim.classroom.game import Game
from sim.classroom.runner import game_settings, parse_stops, team_list
from sim.errors import UserError
from sim.web import auth, views
from sim.web.app import (checked_form, client_address, facilitator_session, in_thread, render,
                         room_or_404, server, session_of, throttled)
from sim.web.rooms import Room

MAX_TURN_MINUTES = 120
MAX_REVIEW_RUNS = 5000


async def login_page(request: Request) -> Response:
    session = session_of(request)
    if session is not None and session.facilitator:
        return RedirectResponse("/facilitator", status_code=303)
    return render(request, "login.html", {})


async def login(request: Request) -> Response:
    session, form = await checked_form(request)
    throttled(request)
    if not auth.same(form.get("secret", "").strip(), server(request).secret):
        server(request).throttle.failed(client_address(request))
        return render(request, "login.html", {"error": "That is not the facilitator's secret "
                                              "(escsim serve printed it)."}, 403)
    server(request).store.set_facilitator(session.token_hash)
    return RedirectResponse("/facilitator", status_code=303)


def _games(request: Request) -> tuple[list[dict[str, Any]], list[str]]:
    """The games of the server, and a line for each that cannot be resumed."""
    rooms = server(request).rooms
    out, broken = [], []
    for game_id in rooms.ids():
        try:
            room = rooms.get(game_id)
        except GameFileError as exc:
            broken.append(str(exc))
            continue
        if room is not None:
            out.append(room.read(views.common))
    return out, broken


def _scenarios() -> list[str]:
    from sim.scenario.loader import shipped_scenarios

    return list(shipped_scenarios())


async def games_page(request: Request, error: str | None = None,
                     form: dict[str, str] | None = None) -> Response:
    session = session_of(request)
    if session is None or not session.facilitator:
        return RedirectResponse("/facilitator/login", status_code=303)
    games, broken = await in_thread(_games, request)
    return render(request, "games.html", {"games": games, "broken": broken,
                                          "scenarios": _scenarios(),
                                          "error": error, "form": form or {}},
                  400 if error else 200)


def _number(form: dict[str, str], field: str, low: int, high: int, default: int) -> int:
    text = form.get(field, "").strip() or str(default)
    try:
        value = int(text)
    except ValueError:
        raise GameError(f"{field.replace('_', ' ')}: a whole number, got '{text}'") from None
    if not low <= value <= high:
        raise GameError(f"{field.replace('_', ' ')}: from {low} to {high}, got {value}")
    return value


def _create(request: Request, form: dict[str, str]) -> Room:
    scenario = form.get("scenario", "").strip()
    if not scenario:
        raise GameError("scenario: choose one")
    settings = game_settings("probabilities" in form, "every_day" in form,
                             form.get("idle", "hold"), None)
    stops = parse_stops(form.get("stops", "").replace(",", " ").split())
    settings = settings.model_copy(update={"stops": stops})
    return server(request).rooms.create(
        scenario, form.get("variant", "").strip() or None, team_list(form.get("teams", "")),
        _number(form, "seed", 0, limits.MAX_SEED, 0), settings,
        _number(form, "turn_minutes", 0, MAX_TURN_MINUTES, 0), "auto_advance" in form)


async def create(request: Request) -> Response:
    facilitator_session(request)
    _, form = await checked_form(request)
    try:
        room = await in_thread(_create, request, form)
    except UserError as exc:  # the engine's and the scenario loader's one-line reasons
        message = str(exc).strip().splitlines()
        return await games_page(request, "; ".join(message[:3]), form)
    return RedirectResponse(f"/facilitator/games/{room.id}", status_code=303)


def _game_context(request: Request, room: Room) -> dict[str, Any]:
    context = room.read(views.facilitator)
    folder = server(request).reviews / room.id
    context["codes"] = server(request).store.codes(room.id)
    context["review"] = (folder / "report.html").is_file()
    return context


async def game_page(request: Request, error: str | None = None) -> Response:
    facilitator_session(request)
    room = room_or_404(request, request.path_params["game_id"])
    context = await in_thread(_game_context, request, room)
    return render(request, "facilitator.html", {**context, "error": error},
                  400 if error else 200)


def _inject(game: Game, form: dict[str, str]) -> Any:
    fields: dict[str, Any] = {"actor": form.get("actor", "").strip(),
                              "action": form.get("action", "").strip()}
    for name in ("target", "date", "note"):
        if form.get(name, "").strip():
            fields[name] = form[name].strip()
    claimed = form.get("claimed", "yes")
    if claimed not in ("yes", "no"):
        raise GameError("claimed: yes or no")
    fields["claimed"] = claimed == "yes"
    return game.inject(**fields)


ACTIONS: dict[str, Any] = {
    "advance": lambda game, form: game.advance(),
    "pause": lambda game, form: game.pause(form.get("note", "")),
    "resume": lambda game, form: game.resume(),
    "undo": lambda game, form: game.undo(),
    "end": lambda game, form: game.end(form.get("note", "")),
    "inject": _inject,
}


async def act(request: Request) -> Response:
    facilitator_session(request)
    _, form = await checked_form(request)
    room = room_or_404(request, request.path_params["game_id"])
    call = ACTIONS.get(request.path_params["action"])
    if call is None:
        raise HTTPException(404, "No such action.")
    try:
        await in_thread(server(request).rooms.act, room, lambda game: call(game, form))
    except GameError as exc:
        return await game_page(request, f"Refused: {exc}")
    return RedirectResponse(f"/facilitator/games/{room.id}", status_code=303)


def _review(request: Request, room: Room, runs: int) -> None:
    from sim.classroom.aar import review
    from sim.classroom.aar_report import write_review

    folder = server(request).reviews / room.id
    folder.parent.mkdir(parents=True, exist_ok=True)
    with room.lock:  # the review reads the game: no action may change it meanwhile
        result = review(room.game, runs, workers=1)
    write_review(result, folder, "svg")


async def make_review(request: Request) -> Response:
    facilitator_session(request)
    _, form = await checked_form(request)
    room = room_or_404(request, request.path_params["game_id"])
    try:
        runs = _number(form, "runs", 1, MAX_REVIEW_RUNS, 200)
        await in_thread(_review, request, room, runs)
    except UserError as exc:
        return await game_page(request, f"No review: {exc}")
    return RedirectResponse(f"/facilitator/games/{room.id}/review/report.html", status_code=303)


async def review_file(request: Request) -> Response:
    """A file of the game's review (the page, its figures, the PDF): only names the review
    wrote, so no path can lead out of its folder."""
    facilitator_session(request)
    room = room_or_404(request, request.path_params["game_id"])
    folder: Path = server(request).reviews / room.id
    name = request.path_params["name"]
    files = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    if name not in files:
        raise HTTPException(404, "No such file in this game's review: make the review first.")
    if name == "report.pdf":
        return FileResponse(folder / name, filename=f"review-{room.id}.pdf")
    return FileResponse(folder / name)


ROUTES = [
    Route("/facilitator/login", login_page),
    Route("/facilitator/login", login, methods=["POST"]),
    Route("/facilitator", games_page),
    Route("/facilitator/games", create, methods=["POST"]),
    Route("/facilitator/games/{game_id}", game_page),
    Route("/facilitator/games/{game_id}/review", make_review, methods=["POST"]),
    Route("/facilitator/games/{game_id}/review/{name}", review_file),
    Route("/facilitator/games/{game_id}/{action}", act, methods=["POST"]),
]
