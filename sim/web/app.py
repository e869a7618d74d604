"""The ASGI application: ``create_app(store, secret)`` gives the Starlette app ``escsim serve``
runs (and tests can run too).

Shared request helpers live here: the browser's session (made on its first visit, kept in the
store so that it outlives a restart), rendering a page with its CSRF token, reading a form
(refused without the session's CSRF token), and the error page (a status and a message, never
a traceback, never a game's data).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from sim.classroom.errors import GameFileError
from sim.web import auth
from sim.web.rooms import Room, Rooms
from sim.web.store import SessionRow, Store

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))
MAX_FIELD = 2000  # characters in one form field (a threat's wording is the longest)
# Every page: nothing from another site may run, load or be framed (the facilitator's buttons
# cannot be put under another page's clicks), and pages are not cached (they change each turn).
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; base-uri 'none'; form-action 'self'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass
class Server:
    """What every request handler needs: the store, the games, the facilitator's secret."""

    store: Store
    rooms: Rooms
    secret: str
    reviews: Path  # where the after-action reviews are written, one folder per game
    throttle: auth.Throttle  # wrong codes and secrets, per client address


def server(request: Request) -> Server:
    return request.app.state.server


# --- sessions ------------------------------------------------------------------------------------

def session_of(request: Request) -> SessionRow | None:
    token = request.cookies.get(auth.COOKIE)
    if not token:
        return None
    return server(request).store.session(auth.token_hash(token))


def _new_session(request: Request) -> tuple[SessionRow, str]:
    token = auth.new_token()
    return server(request).store.add_session(auth.token_hash(token), auth.new_token()), token


def render(request: Request, template: str, context: dict[str, Any],
           status_code: int = 200) -> Response:
    """A page, with the browser's session (made now if it has none) and its CSRF token."""
    session, token = session_of(request), None
    if session is None:
        session, token = _new_session(request)
    response = TEMPLATES.TemplateResponse(
        request, template, {**context, "csrf": session.csrf, "session": session},
        status_code=status_code)
    if token is not None:
        response.set_cookie(auth.COOKIE, token, max_age=60 * 60 * 24 * 30, httponly=True,
                            samesite="lax", path="/")
    response.headers.update(PAGE_HEADERS)
    return response


async def checked_form(request: Request) -> tuple[SessionRow, dict[str, str]]:
    """The form a browser sent, if it carries its session's CSRF token (403 otherwise)."""
    session = session_of(request)
    form = await request.form()
    given = form.get("csrf")
    if session is None or not isinstance(given, str) or not auth.same(given, session.csrf):
        raise HTTPException(403, "This form has expired or did not come from this site: "
                                 "reload the page and try again.")
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if any(len(v) > MAX_FIELD for v in fields.values()):
        raise HTTPException(413, f"A field of this form is longer than {MAX_FIELD:,} "
                                 "characters.")
    return session, fields


def facilitator_session(request: Request) -> SessionRow:
    session = session_of(request)
    if session is None or not session.facilitator:
        raise HTTPException(403, "This page is the facilitator's: sign in with the "
                                 "facilitator's secret.")
    return session


def room_or_404(request: Request, game_id: str) -> Room:
    try:
        room = server(request).rooms.get(game_id)
    except GameFileError as exc:  # the scenario or the model changed since it was played
        raise HTTPException(409, f"This game cannot be resumed: {exc}") from None
    if room is None:
        raise HTTPException(404, "There is no such game on this server.")
    return room


def seat_room(request: Request, game_id: str | None = None) -> Room:
    """The game the browser may look at: a team's own game, or any game for the facilitator."""
    session = session_of(request)
    if session is not None and session.facilitator and game_id is not None:
        return room_or_404(request, game_id)
    if session is None or session.game_id is None or \
            (game_id is not None and session.game_id != game_id):
        raise HTTPException(403, "Join the game with your team's code first.")
    return room_or_404(request, session.game_id)


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def throttled(request: Request) -> None:
    """429 for a computer that has just tried too many wrong codes or secrets."""
    if server(request).throttle.blocked(client_address(request)):
        raise HTTPException(429, "Too many wrong tries from this computer: wait a minute, and "
                                 "check the code with the facilitator.")


async def in_thread(call: Any, *args: Any) -> Any:
    """Run a blocking call (the engine, the database) off the event loop."""
    return await run_in_threadpool(call, *args)


# --- errors --------------------------------------------------------------------------------------

async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.url.path.endswith(".json"):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
    return render(request, "error.html", {"message": exc.detail, "code": exc.status_code},
                  exc.status_code)


# --- the app -------------------------------------------------------------------------------------

def create_app(store: Store, secret: str) -> Starlette:
    from sim.web import board, facilitator, team

    routes = [*team.ROUTES, *board.ROUTES, *facilitator.ROUTES,
              Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    reviews = store.path.parent / f"{store.path.stem}-reviews"
    app.state.server = Server(store, Rooms(store), secret, reviews, auth.Throttle())
    return app

