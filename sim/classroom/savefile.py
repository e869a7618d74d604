"""The saved game file: one JSON document, written whole after every action, checked when read.

Layout (``FORMAT_VERSION`` 1)::

    {
      "format": "escsim-game",
      "format_version": 1,
      "escsim": "0.1.0",                  # the version that wrote it
      "checksum": "sha256:<hex>",         # of the canonical JSON of "game"
      "game": {
        "setup":   {scenario: {ref, variant, id, title, digest}, seed, teams, settings},
        "actions": [{"do": "move", "date": ..., ...}, ...],   # sim.classroom.record
        "state":   {turns, date, days_played, ended, paused, events, timeline_digest}
      }
    }

Why JSON and not SQLite: a game is small (a few kilobytes: the setup and a list of actions; the
events are re-derived by replaying them), it is read and written whole, and a teacher may want to
read it, mail it or keep it next to the class's notes. One JSON file written to a temporary name
and renamed into place (``sim.batch.atomic``) is whole or absent at every moment, needs no
locking, and diffs cleanly; a browser server can keep the same document in one SQLite row.

Reading refuses, with one line and no traceback: a missing file, a file that is not JSON or is
truncated, a JSON file that is not an escsim game, a format version this escsim does not read,
and a file whose checksum does not match (edited by hand, or damaged). What the file says is
then checked again by replaying it (sim.classroom.game): nothing in it is ever executed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sim import __version__
from sim.batch.atomic import write_text_atomic
from sim.classroom.errors import GameFileError
from sim.reading import FileRefused, read_bytes

FORMAT = "escsim-game"
FORMAT_VERSION = 1
SUFFIX = ".escsim"


def checksum(body: Any) -> str:
    """SHA-256 of the canonical JSON of a game body (sorted keys, no spaces)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def game_file_text(body: dict[str, Any]) -> str:
    """The file's text for a game body: the same bytes for the same game."""
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, "escsim": __version__,
                "checksum": checksum(body), "game": body}
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_game_file(path: Path, body: dict[str, Any]) -> None:
    """Write the game whole or not at all (a temporary file renamed over the old one)."""
    try:
        write_text_atomic(path, game_file_text(body))
    except OSError as exc:
        raise GameFileError(f"cannot save the game to {path}: {exc.strerror or exc}") from None


def read_game_file(path: Path) -> tuple[dict[str, Any], str]:
    """The game body of a saved file and the escsim version that wrote it; GameFileError with
    the reason for anything that is not a whole, unmodified game file this escsim can read."""
    try:
        raw = read_bytes(path)  # bounded: a device, a pipe or a huge file is refused unread
    except FileNotFoundError:
        raise GameFileError(f"{path}: no such game file") from None
    except FileRefused as exc:
        raise GameFileError(f"{path}: {exc}") from None
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise GameFileError(f"{path}: not a complete escsim game file: it is truncated or "
                            f"damaged{where}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise GameFileError(f"{path}: not an escsim game file")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        newer = isinstance(version, int) and version > FORMAT_VERSION
        raise GameFileError(
            f"{path}: game file format {version!r} was written by "
            f"{'a newer' if newer else 'another'} escsim ({document.get('escsim', '?')}); this "
            f"escsim ({__version__}) reads format {FORMAT_VERSION}")
    body = document.get("game")
    if not isinstance(body, dict) or document.get("checksum") != checksum(body):
        raise GameFileError(f"{path}: the file has been changed since escsim saved it (its "
                            "checksum does not match): an edited or damaged game cannot be "
                            "trusted; use a backup copy or start a new game")
    return body, str(document.get("escsim", "?"))
