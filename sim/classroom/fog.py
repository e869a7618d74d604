"""Fog of war: what each team's actor would know of the game's events.

Every action of the catalogue has a visibility, decided here (``VISIBILITY``) with the reason:

- ``public``: everyone learns of it (attacks and strikes, threats, postures one can see,
  ceasefires, removals, sanctions);
- ``parties``: the actor and those the act is done to (meetings, bargains, directives, appeals,
  pressure), where a move made to no one in particular (a directive to all allies, a meeting
  with every commander) reaches everyone it could have been made to;
- ``self``: the actor alone (leaders going to ground).

Attacks are public, but their author is known only when the act is owned openly (claimed or
forewarned). An unclaimed or front-claimed attack shows its author as unknown to everyone but
the author; the victim, its side (a patron and its allies; the US and Israel) and, for an attack
on Iraqi soil, the Iraqi government see whom *they* blame: the victim's attribution draw in the
model, which is the belief their side acts on, not the truth. A threat's making is public; what
becomes of it (triggered, honoured, lapsed) is known to its author's side, to those it is aimed
at and to the target of its promised response. Nobody sees the model's internals (grievance,
credibility, which events were scripted, which moves were a team's).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sim.model.actions import ACTION_INDEX, ACTIONS
from sim.model.kinds import ActorKind
from sim.model.places import PLACES
from sim.model.threats import ThreatBook
from sim.model.world import World


class Visibility(StrEnum):
    PUBLIC = "public"
    PARTIES = "parties"
    SELF = "self"


PUBLIC, PARTIES, SELF = Visibility.PUBLIC, Visibility.PARTIES, Visibility.SELF

# Every action's visibility, with the reason. A test checks every catalogue action is here.
VISIBILITY: dict[str, tuple[Visibility, str]] = {
    "hold": (SELF, "nothing happens that others could see"),
    "threaten": (PUBLIC, "a threat deters only if it is heard"),
    "appeal_for_restraint": (PARTIES, "appeals are made in private channels"),
    "consult": (PARTIES, "only those at the meeting know what was said"),
    "deploy_air_defence": (PUBLIC, "batteries are seen and announced"),
    "evacuate_staff": (PUBLIC, "drawdowns are announced and reported"),
    "go_to_ground": (SELF, "leaders hide in secret"),
    "discourage_allies": (PARTIES, "a patron instructs its allies in private"),
    "release_allies": (PARTIES, "a patron instructs its allies in private"),
    "encourage_allies": (PARTIES, "a patron instructs its allies in private"),
    "press_government": (PARTIES, "pressure on a government is applied in private"),
    "restraint_meeting": (PARTIES, "only those at the meeting know what was said"),
    "economic_bargain": (PARTIES, "bargains are struck in private"),
    "remove_commanders": (PUBLIC, "dismissals are decrees"),
    "sanction": (PUBLIC, "sanctions are published"),
    "demand_withdrawal": (PUBLIC, "a demand made by vote or order is public"),
    "announce_pause": (PUBLIC, "an announcement"),
    "ceasefire": (PUBLIC, "a ceasefire is announced"),
    "rocket_attack": (PUBLIC, "attacks are seen and reported; the author only if owned"),
    "drone_attack": (PUBLIC, "attacks are seen and reported; the author only if owned"),
    "infrastructure_attack": (PUBLIC, "attacks are seen and reported; the author only if owned"),
    "armed_assault": (PUBLIC, "attacks are seen and reported; the author only if owned"),
    "strike_militia_sites": (PUBLIC, "strikes are seen and reported"),
    "leadership_strike": (PUBLIC, "strikes are seen and reported"),
    "state_strike": (PUBLIC, "strikes are seen and reported"),
}

UNKNOWN = "unknown"
OPENLY_OWNED = ("own", "forewarned")


@dataclass(frozen=True)
class SeenEvent:
    """An event as one team knows it."""

    date: str
    day: int
    kind: str  # action, threat_made, threat_triggered, threat_honoured, threat_lapsed
    actor: str  # who did it as the team knows it: an actor id, or "unknown"
    action: str
    target: str | None
    place: str | None
    claim: str  # own, front, none, forewarned
    result: str
    killed: int
    injured: int
    blamed: str | None  # whom the team's side blames for a deniable attack, if it knows
    threat: str | None  # the threat's id, for threat events
    own: bool  # the team's own act (or its own threat)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Fog:
    """Who sees which event, and how, for one game's world and threats."""

    def __init__(self, world: World, threats: ThreatBook):
        self.world = world
        self.threats = {t.id: t for t in threats.threats}

    def _index(self, actor: str | None) -> int | None:
        return self.world.index.get(actor) if actor else None

    def parties(self, event: dict[str, Any]) -> set[str]:
        """Who an action is done by and to (an untargeted move reaches every possible target)."""
        w, actor = self.world, event["actor"]
        out = {actor}
        if event["target"] is not None:
            out.add(event["target"])
        elif actor in w.index and ACTIONS[event["action"]].optional_target:
            opts = w.options[w.index[actor]]
            mine = opts.action == ACTION_INDEX[event["action"]]
            out |= {w.ids[int(t)] for t in opts.target[mine] if t >= 0}
        return out

    def threat_parties(self, threat_id: str, response_target: str | None) -> set[str]:
        """Who follows a threat's fate: its author's side, those it is aimed at, and the target
        of its promised response."""
        w, threat = self.world, self.threats[threat_id]
        out = {w.ids[i] for i in range(w.n) if w.aligned[threat.by, i]}
        out |= {w.ids[i] for i in threat.against}
        if response_target is not None:
            out.add(response_target)
        return out

    def shares_blame(self, viewer: str, event: dict[str, Any]) -> bool:
        """Whether the viewer holds the victim's attribution of an attack: the victim, its
        side, and the Iraqi government for an attack on Iraqi soil."""
        w, victim = self.world, event["target"]
        if victim is None or viewer not in w.index or victim not in w.index:
            return False
        v, t = w.index[viewer], w.index[victim]
        if v == t or w.aligned[v, t]:
            return True
        place = event.get("place")
        return (w.kinds[v] is ActorKind.IRAQI_GOVERNMENT and place in PLACES
                and PLACES[place].in_iraq)

    def sees(self, viewer: str, event: dict[str, Any]) -> SeenEvent | None:
        """The event as ``viewer`` knows it, or None if it does not learn of it."""
        if event["kind"] != "action":
            return self._threat_event(viewer, event)
        visibility = VISIBILITY[event["action"]][0]
        own = event["actor"] == viewer
        if visibility is SELF and not own:
            return None
        if visibility is PARTIES and viewer not in self.parties(event):
            return None
        openly = event["claim"] in OPENLY_OWNED
        actor = event["actor"] if (openly or own) else UNKNOWN
        blamed = event["blamed"] if (not openly and not own
                                     and self.shares_blame(viewer, event)) else None
        if actor == UNKNOWN and blamed == UNKNOWN:
            blamed = None
        return SeenEvent(event["date"], event["day"], "action", actor, event["action"],
                         event["target"], event["place"], event["claim"], event["result"],
                         event["killed"], event["injured"], blamed, None, own)

    def _threat_event(self, viewer: str, event: dict[str, Any]) -> SeenEvent | None:
        threat_id = event["source"]
        if event["kind"] != "threat_made" and \
                viewer not in self.threat_parties(threat_id, event["target"]):
            return None
        target = event["target"] if event["kind"] != "threat_made" else None
        return SeenEvent(event["date"], event["day"], event["kind"], event["actor"],
                         event["action"], target, None, "own", event["result"], 0, 0, None,
                         threat_id, event["actor"] == viewer)

    def concerns(self, viewer: str, event: dict[str, Any]) -> bool:
        """Whether an event calls the viewer's team to the table: something done to it or
        that reaches it (not its own act), or a threat it made or that names it."""
        seen = self.sees(viewer, event)
        if seen is None:
            return False
        if event["kind"] != "action":
            threat = self.threats[event["source"]]
            w = self.world
            return (w.ids[threat.by] == viewer or viewer in {w.ids[i] for i in threat.against}
                    or event["target"] == viewer)
        return not seen.own and viewer in self.parties(event)

