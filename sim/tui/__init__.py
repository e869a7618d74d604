"""The terminal face of the classroom game (textual): hot-seat play on the facilitator's laptop."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.classroom.game import Game


def run_tui(game: Game) -> None:
    """Open the game in the terminal until the facilitator quits (the game is saved as it goes)."""
    try:
        from sim.tui.app import GameApp
    except ImportError as exc:
        from sim.classroom.errors import GameError

        raise GameError(f"the terminal interface needs textual ({exc.name} is missing): "
                        "pip install 'escsim[classroom]', or play a file with --moves") from None
    GameApp(game).run()
