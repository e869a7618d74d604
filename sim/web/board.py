"""The board, for the projector: the date, the public timeline, the escalation index, the
outcome so far, who has moved (not what) and the countdown. Open to the facilitator and to the
teams of that game; it shows only what everyone in the game knows.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sim.web import views
from sim.web.app import in_thread, render, seat_room


async def board_page(request: Request) -> Response:
    room = seat_room(request, request.path_params["game_id"])
    return render(request, "board.html", await in_thread(room.read, views.board))


async def board_status(request: Request) -> Response:
    room = seat_room(request, request.path_params["game_id"])
    return JSONResponse(await in_thread(room.read, views.status))


ROUTES = [
    Route("/games/{game_id}/board", board_page),
    Route("/games/{game_id}/status.json", board_status),
]
