"""``escsim serve``: open the database, bind the port, say where to go, serve until stopped.

The port is bound here, before uvicorn starts, so that a port in use is one clear line (and
not uvicorn's log), and uvicorn serves on that very socket (no window for another program to
take it in between).
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from pathlib import Path

from sim.errors import UserError
from sim.web import auth
from sim.web.store import Store

SECRET_KEY = "facilitator_secret"


class ServeError(UserError):
    """The server cannot start (a port in use, a bad secret)."""


def bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise ServeError(f"--host {host}: not an address of this machine") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} on {host} is in use (another escsim serve?): "
                             "choose another with --port") from None
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def facilitator_secret(store: Store, given: str | None) -> str:
    """The secret given, else the one this database was first served with, else a new one
    (kept in the database, so that a restarted server keeps the secret it printed)."""
    if given is not None:
        if len(given) < auth.MIN_SECRET_LENGTH:
            raise ServeError(f"--secret: at least {auth.MIN_SECRET_LENGTH} characters")
        return given
    kept = store.meta(SECRET_KEY)
    if kept is None:
        kept = auth.new_secret()
        store.set_meta(SECRET_KEY, kept)
    return kept


def lan_address() -> str | None:
    """This machine's address on the room's network (no packet is sent), for the URL to give
    the teams when serving on every interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return str(probe.getsockname()[0])
        except OSError:
            return None


def serve(host: str = "127.0.0.1", port: int = 8000, db: str | Path = "classroom.sqlite",
          secret: str | None = None, echo: Callable[[str], None] = print) -> None:
    """Serve the classroom games in ``db`` on ``host:port`` until interrupted."""
    import uvicorn

    from sim.web.app import create_app

    store = Store(db)
    secret = facilitator_secret(store, secret)
    sock = bind(host, port)
    shown = (lan_address() or host) if host in ("0.0.0.0", "::") else host
    base = f"http://{shown}:{sock.getsockname()[1]}"
    echo(f"escsim serve: {len(store.games())} game(s) in {store.path}")
    echo(f"facilitator: {base}/facilitator")
    echo(f"facilitator secret: {secret}")
    echo(f"teams: {base}/ (each with its join code)")
    if host in ("127.0.0.1", "localhost", "::1"):
        echo("only this computer can connect; for the room's network use --host 0.0.0.0")
    app = create_app(store, secret)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        store.close()
