"""What reaches a terminal: control characters removed, shares that never round to 0% or 100%."""

from __future__ import annotations

import json

import pytest

from sim.text import count_share, json_printable, percent, printable


@pytest.mark.parametrize("share, shown", [
    (0.0, "0%"), (1.0, "100%"), (3 / 10_000, "0.03%"), (0.0072, "0.72%"), (0.125, "12.5%"),
    (0.9997, "99.97%"), (0.99999, "99.999%"), (1 / 1_000_000, "0.0001%"),
])
def test_a_rare_share_never_reads_zero_or_everything(share: float, shown: str) -> None:
    assert percent(share) == shown


def test_count_share_gives_the_count_and_its_share() -> None:
    assert count_share(3, 10_000) == "3 (0.03%)"
    assert count_share(9_997, 10_000) == "9,997 (99.97%)"


def test_printable_removes_escapes_but_keeps_lines_and_tabs() -> None:
    hostile = "title\x1b[2J\x1b]0;owned\x07 \x9b31m end\u202e\n\tnext"
    assert printable(hostile) == "title[2J]0;owned 31m end\n\tnext"


def test_json_printable_keeps_the_document_and_escapes_controls() -> None:
    doc = {"title": "a\x9bb\u202ec", "n": 1}
    text = json_printable(json.dumps(doc, ensure_ascii=False))
    assert json.loads(text) == doc
    assert printable(text) == text
