"""Start Solara's server on the ``escsim viz`` page (``sim.viz.app``) for one scenario.

The server runs in this process (uvicorn, as ``solara run`` would start it) and serves every
asset itself, from the ``solara-assets`` package: the page works with no internet. Solara's
usage statistics are switched off before Solara is imported.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import warnings
from collections.abc import Callable

from sim.errors import UserError
from sim.scenario.loader import load_scenario
from sim.scenario.schema import BASE_VARIANT

SCENARIO_ENV = "ESCSIM_VIZ_SCENARIO"  # the page's scenario: a shipped id or a file's absolute path
VARIANT_ENV = "ESCSIM_VIZ_VARIANT"  # the page's first variant; empty: the base scenario

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
INSTALL_HINT = 'escsim viz needs the viz extra: pip install "escsim[viz]"'

# Set before Solara is imported (its settings read the environment once): no usage statistics
# sent to Solara's makers, production mode (no reloader), the page module to serve.
SOLARA_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_MODE": "production",
    "SOLARA_APP": "sim.viz.app",
}


class VizError(UserError):
    """escsim viz cannot start: the extra is missing, or the address cannot be used."""


def check_installed() -> None:
    """Raise VizError naming the extra if Solara or Mesa's visualization cannot be imported."""
    try:
        import mesa.visualization  # noqa: F401
        import solara.server.starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise VizError(f"{INSTALL_HINT} ({exc})") from None


def check_address(host: str, port: int) -> None:
    """Raise VizError if nothing can listen on host:port (taken, or not this machine's)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise VizError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise VizError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def page_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(scenario: str, variant: str | None = None, host: str = DEFAULT_HOST,
          port: int = DEFAULT_PORT, say: Callable[[str], None] = print) -> None:
    """Serve the SolaraViz page of a scenario until interrupted; ``say`` gets the URL once the
    server listens.

    Raises ScenarioError for an unknown scenario, file or variant, VizError if the viz extra
    is missing or the address cannot be used.
    """
    from sim.viz.params import episode_ref

    episode = episode_ref(scenario)
    variant = None if variant == BASE_VARIANT else variant
    spec = load_scenario(episode, variant)  # a bad scenario or variant fails here, plainly
    check_address(host, port)
    os.environ.update({**SOLARA_ENV, SCENARIO_ENV: episode, VARIANT_ENV: variant or "",
                       "SERVER_NAME": host, "SERVER_PORT": str(port)})
    check_installed()  # imports Solara, which reads the environment just set
    import uvicorn

    # Solara warns at every page load that plain http cannot carry samesite=none cookies and
    # falls back to samesite=lax, which is what a page on this machine wants anyway.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    server = uvicorn.Server(uvicorn.Config("solara.server.starlette:app", host=host, port=port,
                                           log_level="warning", access_log=False))
    what = f"{spec.title} ({spec.id}, variant {spec.variant or BASE_VARIANT})"
    threading.Thread(target=_announce, args=(server, say, f"escsim viz: {what} at "
                     f"{page_url(host, port)} (Ctrl+C stops it)"), daemon=True).start()
    server.run()


def _announce(server: object, say: Callable[[str], None], line: str) -> None:
    """Say ``line`` once the server listens (so that whoever waits for it can connect)."""
    while not getattr(server, "started", False):
        if getattr(server, "should_exit", False):
            return
        time.sleep(0.05)
    say(line)
