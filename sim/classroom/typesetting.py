"""PDF (and PNG pages) through typst, offline, from a template and a JSON file of data.

Text from scenarios and games reaches typst only as JSON strings read by ``json(...)`` in the
template, never as markup, so nothing in a scenario or a game can be interpreted as typst code.
Only typst's bundled fonts are used (``ignore_system_fonts``), so output is the same on every
machine; those fonts cannot set Arabic script, which is why names stay transliterated.

typst is an optional dependency (the ``classroom`` extra).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.batch.atomic import write_atomic
from sim.classroom.errors import GameError

PAPERS = ("a4", "us-letter")
TEMPLATES = Path(__file__).resolve().parent / "templates"


def _typst() -> Any:
    try:
        import typst
    except ImportError:
        raise GameError("PDF output needs typst: pip install 'escsim[classroom]'") from None
    return typst


def paper_name(paper: str) -> str:
    """'a4' or 'letter' (or typst's 'us-letter') as typst names it."""
    name = {"letter": "us-letter"}.get(paper.lower(), paper.lower())
    if name not in PAPERS:
        raise GameError(f"paper must be a4 or letter, got '{paper}'")
    return name


def render(template: str, data: Mapping[str, Any], out: Path,
           images: Mapping[str, Path] | None = None, fmt: str = "pdf", ppi: int = 110) -> None:
    """Compile ``templates/<template>.typ`` with ``data`` (as data.json) to ``out``: a PDF,
    or with ``fmt="png"`` PNG pages (``out`` holding ``{p}`` for the page number)."""
    typst = _typst()
    with tempfile.TemporaryDirectory(prefix="escsim-typst-") as temp:
        root = Path(temp)
        shutil.copy(TEMPLATES / f"{template}.typ", root / "main.typ")
        (root / "data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        for name, path in (images or {}).items():
            shutil.copy(path, root / name)
        if fmt == "png":
            typst.compile(str(root / "main.typ"), output=str(out), root=str(root), format="png",
                          ppi=ppi, ignore_system_fonts=True)
            return
        pdf = typst.compile(str(root / "main.typ"), root=str(root), ignore_system_fonts=True)

    def write(temp_path: Path) -> None:
        temp_path.write_bytes(pdf)

    write_atomic(out, write)
