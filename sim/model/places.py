"""Places: where a target is, and whose territory that is.

Every kinetic act lands at a *site*: an actor's presence at a place (US forces in Iraq, US forces
in Jordan, Israel itself, a militia's depots in Syria). Where it lands matters to the decisions:
a US strike inside Iraq needs the host government's consent (f-20200329-abdul-mahdi-warning,
f-202003-white-memo), attacks launched from Iraq put Iraq itself at risk of reprisal
(f-20250318-us-restrains-israel, f-202506-basra-strike-fear), and air defences differ from base
to base. Sites are written ``actor@place`` in scenario files (``united_states@jordan``); a bare
actor id means all of the actor's sites.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.kinds import ActorKind


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    in_iraq: bool  # Iraqi territory (the federal state or the Kurdistan Region)


PLACES: dict[str, Place] = {p.id: p for p in (
    Place("iraq", "Iraq (federal territory)", True),
    Place("kurdistan", "the Kurdistan Region of Iraq", True),
    Place("syria", "Syria", False),
    Place("jordan", "Jordan", False),
    Place("gulf", "the Gulf states", False),
    Place("israel", "Israel and the territories it holds", False),
    Place("iran", "Iran", False),
    Place("lebanon", "Lebanon", False),
)}

# Where an actor of each kind can be struck when a scenario lists no sites for it.
HOME: dict[ActorKind, str] = {
    ActorKind.UNITED_STATES: "iraq",
    ActorKind.IRAN: "iran",
    ActorKind.ISRAEL: "israel",
    ActorKind.IRAQI_GOVERNMENT: "iraq",
    ActorKind.MILITIA: "iraq",
    ActorKind.REGIONAL_GOVERNMENT: "kurdistan",
}

SITE_SEPARATOR = "@"


def split_site(ref: str) -> tuple[str, str | None]:
    """``"united_states@jordan"`` -> ("united_states", "jordan"); ``"iran"`` -> ("iran", None)."""
    actor, sep, place = ref.partition(SITE_SEPARATOR)
    return actor, (place if sep else None)
