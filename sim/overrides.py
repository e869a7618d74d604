"""Parameter overrides as a user writes them: ``--set NAME=VALUE`` and ``overrides={...}``.

A name is a global parameter (``retaliation_weight``) or a per-actor trait, for every actor
(``resolve``) or one (``resolve__kataib_hezbollah``). The model checks that the name exists and
the value lies in its range; what is checked here is what the model cannot see: the shape of the
name, that the value is one finite number, and that a parameter counting whole days or events
gets a whole number.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping
from typing import Any

from sim.errors import UserError

_NAME = re.compile(r"^[a-z][a-z0-9_]*[a-z0-9](__[A-Za-z0-9][A-Za-z0-9_.\-]*)?$")
WHOLE_NUMBER_SUFFIXES = ("_days", "_threshold")  # parameters that count days or events


def whole_number_parameter(name: str) -> bool:
    """Whether a parameter (or ``trait__actor``) counts whole days or events: a fraction of
    one would mean nothing."""
    return name.partition("__")[0].endswith(WHOLE_NUMBER_SUFFIXES)


class OverrideError(UserError):
    """A parameter override that is malformed (``--set`` or ``overrides=``)."""


def check_override(name: str, value: Any) -> float:
    """The value of one override as a float; OverrideError if the pair makes no sense."""
    if not isinstance(name, str) or not _NAME.match(name) or "___" in name:
        raise OverrideError(f"--set {name!r}: expected NAME=VALUE or NAME__ACTOR=VALUE, where "
                            "NAME is a parameter (see `escsim parameters`) and ACTOR an actor id")
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not math.isfinite(float(value)):
        raise OverrideError(f"--set {name}: expected one finite number, got {value!r}")
    if whole_number_parameter(name) and not float(value).is_integer():
        raise OverrideError(f"--set {name}: {value!r} must be a whole number (it counts days or "
                            "events)")
    return float(value)


def checked_overrides(overrides: Mapping[str, Any] | None) -> dict[str, float]:
    """Every override checked (see ``check_override``), by name."""
    return {str(name): check_override(name, value) for name, value in (overrides or {}).items()}


def parse_overrides(pairs: Iterable[str] | None) -> dict[str, float]:
    """``["NAME=VALUE", ...]`` as checked overrides (a later pair for a name wins)."""
    out: dict[str, float] = {}
    for pair in pairs or []:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise OverrideError(f"--set expects NAME=VALUE, got '{pair}'")
        try:
            value = float(text)
        except ValueError:
            raise OverrideError(f"--set {name}: '{text}' is not a number") from None
        out[name] = check_override(name, value)
    return out
