"""Text for a terminal: what comes from files is made printable, shares are written readably.

A scenario's title, an id in an error message or a file name can carry escape sequences (a
YAML string may spell ``"\\e[2J"``); printed as they are, they would act on the user's terminal.
``printable`` removes every control character but the line break and the tab before anything
reaches stdout or stderr, whether or not the output is a terminal (it may be piped into one).
"""

from __future__ import annotations

import re

# C0 controls except tab and line feed, DEL, and the C1 controls (0x80-0x9f: 0x9b is a CSI);
# also the Unicode line and paragraph separators and the bidirectional overrides, which can
# make a line read differently from what it holds.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` without control characters (line breaks and tabs kept)."""
    return _CONTROL.sub("", text)


def json_printable(text: str) -> str:
    """JSON text with the control characters ``json.dumps`` leaves raw written as ``\\uXXXX``.

    ``json.dumps(..., ensure_ascii=False)`` escapes C0 controls but keeps C1 and the others;
    escaping them keeps the document's meaning and the terminal safe.
    """
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def percent(share: float) -> str:
    """A share as a percentage with precision where it matters (0.03%, 12.5%, 99.97%).

    A share that is neither 0 nor 1 never prints as 0% or 100%.
    """
    value = 100 * share
    if value in (0, 100):
        return f"{value:.0f}%"
    if value < 1:
        return f"{value:.2g}%"
    if value > 99:
        decimals = 2
        while round(value, decimals) >= 100 and decimals < 8:
            decimals += 1
        return f"{value:.{decimals}f}%"
    return f"{value:.1f}%"


def count_share(count: int, total: int) -> str:
    """``3 (0.03%)``: a count of a total, and its share."""
    return f"{count:,} ({percent(count / total)})" if total else f"{count:,}"
