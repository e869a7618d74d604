"""The action catalogue: every move an actor can make, on one escalation ladder.

Each action has a rung (0 = do nothing, 8 = state-on-state strike), the kinds of actor that can
take it and the kinds of target it can aim at, its codes as political event data (CAMEO code and
Goldstein score, PLOVER event and mode; see docs/event-codes.md), and its effects: how hostile
it is, whether it is kinetic and can be intercepted, how lethal a hit is, the ways it can be
owned (claimed, under a front name, unclaimed, forewarned), and what it does to the standing
state (directives, restraint pressure, stakes, air defence, leaders in hiding).

Every kinetic action has the *intent* ``strike``: the decision rule first chooses whether and
whom to strike, then how (sim/model/choice.py), so that adding a look-alike means of attack does
not add attacks. Every other action is its own intent.

Numbers for the kinetic actions trace to the evidence register:
- drone and rocket attacks reach a defended state's territory about 30% of the time (Islamic
  Resistance in Iraq: ~316 claimed attacks on Israel, 94 reaching; f-2024-iri-316-attacks), so
  interceptability x air defence is about 0.7 there;
- a drone that reaches is rarely lethal: one lethal attack in those 94 (2 killed, 24 injured;
  f-20241004-golan-drone-casualties), so lethality (1 + 1/2) / (94 + 1) = 0.016 by Jeffreys' rule;
- a rocket salvo on a base can kill several (Taji, 3 killed; f-20200311-taji-attack; Kirkuk, one
  contractor, f-2019-kirkuk-contractor-killed);
- forewarned state strikes killed no one in both documented cases
  (f-20200108-ain-al-asad-missile-strike, f-20250623-iran-strikes-al-udeid).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from sim.model.kinds import ActorKind, ClaimMode

__all__ = ["ACTIONS", "ACTION_INDEX", "CATALOGUE", "MAX_RUNG", "Action", "ActorKind",
           "ClaimMode", "EventCode", "Effects", "Family", "STRIKE"]

STRIKE = "strike"  # the intent shared by every kinetic action


class Family(StrEnum):
    """Broad families of action, in ladder order."""

    NONE = "none"
    VERBAL = "verbal"
    POSTURE = "posture"
    POLITICAL = "political"
    KINETIC = "kinetic"


K = ActorKind
OWN, FRONT, NONE, FOREWARNED = ClaimMode.OWN, ClaimMode.FRONT, ClaimMode.NONE, ClaimMode.FOREWARNED
STATES = (K.UNITED_STATES, K.IRAN, K.ISRAEL)
US_AND_ISRAEL = (K.UNITED_STATES, K.ISRAEL)
EVERYONE = tuple(ActorKind)
DENIABLE = (OWN, FRONT, NONE)


@dataclass(frozen=True)
class EventCode:
    """How an action reads as political event data."""

    cameo: str | None
    cameo_name: str
    goldstein: float
    plover_event: str | None
    plover_mode: str | None


@dataclass(frozen=True)
class Effects:
    """Standing changes an action makes to the state, applied when it is taken.

    Changes apply to the *target* (``directive``: the ally told; ``restraint_pressure``,
    ``urged`` and ``stake``: the actor pressed or paid), or to the actor itself (``air_defence``
    and ``exposure`` of all its sites, ``hide_leaders``). An action that may be taken without a
    target speaks to all its possible targets at once (a patron's allies, every militia).
    Values are clipped to each variable's range.
    """

    directive: float | None = None  # the directive an ally is moved to: -1 hold back .. +1 act
    restraint_pressure: float = 0.0  # pressure on the target to hold back
    urged: float = 0.0  # pressure on the target to rein others in
    stake: float = 0.0  # the target's stake in Iraq (bargains raise it, sanctions cut it)
    air_defence: float = 0.0
    exposure: float = 0.0
    hide_leaders: bool = False
    ceasefire: bool = False


@dataclass(frozen=True)
class Action:
    """One rung-placed move of the catalogue."""

    id: str
    label: str
    rung: int
    family: Family
    actor_kinds: tuple[ActorKind, ...]
    target_kinds: tuple[ActorKind, ...]  # empty: the action has no target
    code: EventCode
    hostility: float = 0.0  # 0..1: counts toward regional tension and the escalation index
    kinetic: bool = False
    interceptable: float = 0.0  # share of the target site's air defence that applies to it
    lethality: float = 0.0  # chance a hit kills at least one person (at full exposure)
    killed_if_lethal: float = 0.0  # mean number killed when lethal (at least one)
    injured_per_killed: float = 0.0
    material_harm: float = 0.0  # harm a hit (or a coercive measure) causes besides casualties
    modes: tuple[ClaimMode, ...] = (OWN,)  # how it can be owned
    leadership: bool = False  # aims at the target's leaders
    street_fighting: bool = False  # fought in the open: the host state feels all its harm
    optional_target: bool = False  # may also be taken with no target (directives: all allies)
    free_choice: bool = True  # False: only scripted injects or players take it
    effects: Effects = field(default_factory=Effects)

    @property
    def has_target(self) -> bool:
        return bool(self.target_kinds)

    @property
    def intent(self) -> str:
        """What the first stage of a decision chooses: ``strike`` for any kinetic act."""
        return STRIKE if self.kinetic else self.id

    @property
    def harmful(self) -> bool:
        """Whether taking it harms its target (a kinetic act, or a coercive measure)."""
        return self.kinetic or self.material_harm > 0


_NO_CODE = EventCode(None, "no action", 0.0, None, None)
_AERIAL = EventCode("195", "Employ aerial weapons", -10.0, "ASSAULT", "heavy-weapons")

CATALOGUE: tuple[Action, ...] = (
    Action("hold", "hold: take no action", 0, Family.NONE, EVERYONE, (), _NO_CODE),
    # --- verbal -------------------------------------------------------------------------------
    Action(
        "threaten", "threaten military force", 1, Family.VERBAL,
        (K.UNITED_STATES, K.IRAN, K.ISRAEL, K.MILITIA), (K.UNITED_STATES, K.IRAN, K.ISRAEL, K.MILITIA),
        EventCode("138", "Threaten to use military force, not specified below", -7.0, "THREATEN", "violence"),
        hostility=0.2,
    ),
    Action(
        "appeal_for_restraint", "appeal for restraint", 1, Family.VERBAL,
        (K.UNITED_STATES, K.IRAN, K.IRAQI_GOVERNMENT), (K.UNITED_STATES, K.IRAN, K.ISRAEL, K.MILITIA),
        EventCode("0256", "Appeal for de-escalation of military engagement", -0.3, "REQUEST", "yield"),
        effects=Effects(restraint_pressure=0.4),
    ),
    Action(
        "consult", "meet or negotiate (a visit, talks)", 1, Family.VERBAL,
        (K.UNITED_STATES, K.IRAN, K.ISRAEL, K.IRAQI_GOVERNMENT),
        (K.UNITED_STATES, K.IRAN, K.ISRAEL, K.IRAQI_GOVERNMENT),
        EventCode("040", "Consult, not specified below", 1.0, "CONSULT", None),
        free_choice=False,
    ),
    # --- posture ------------------------------------------------------------------------------
    Action(
        "deploy_air_defence", "deploy air defence", 2, Family.POSTURE, STATES, (),
        EventCode("154", "Mobilize or increase armed forces", -7.2, "MOBILIZE", "weapons"),
        effects=Effects(air_defence=0.15),
    ),
    Action(
        "evacuate_staff", "evacuate or draw down staff", 2, Family.POSTURE, (K.UNITED_STATES,), (),
        EventCode("166", "Expel or withdraw, not specified below", -7.0, "SANCTION", "withdraw"),
        effects=Effects(exposure=-0.3),
    ),
    Action(
        "go_to_ground", "leaders go to ground", 2, Family.POSTURE, (K.MILITIA,), (),
        EventCode(None, "no standard code (covert posture)", 0.0, None, None),
        effects=Effects(hide_leaders=True),
    ),
    # --- political and economic ---------------------------------------------------------------
    Action(
        "discourage_allies", "tell allies not to act", 3, Family.POLITICAL, (K.IRAN,), (K.MILITIA,),
        EventCode("1056", "Demand de-escalation of military engagement", -5.0, "REQUEST", "yield"),
        optional_target=True, effects=Effects(directive=-1.0),
    ),
    Action(
        "release_allies", "leave allies to decide for themselves", 3, Family.POLITICAL, (K.IRAN,),
        (K.MILITIA,), EventCode(None, "no standard code (a directive withdrawn)", 0.0, None, None),
        optional_target=True, effects=Effects(directive=0.0),
    ),
    Action(
        "encourage_allies", "urge allies to act", 3, Family.POLITICAL, (K.IRAN,), (K.MILITIA,),
        EventCode("0212", "Appeal for military cooperation", 3.4, "REQUEST", "assist"),
        optional_target=True, effects=Effects(directive=1.0),
    ),
    Action(
        "press_government", "press the Iraqi government to rein in the factions", 3,
        Family.POLITICAL, (K.UNITED_STATES,), (K.IRAQI_GOVERNMENT,),
        EventCode("1042", "Demand policy change", -5.0, "REQUEST", "change"),
        effects=Effects(urged=0.5),
    ),
    Action(
        "restraint_meeting", "meet militia commanders to dissuade them", 3, Family.POLITICAL,
        (K.IRAQI_GOVERNMENT,), (K.MILITIA,),
        EventCode("040", "Consult, not specified below", 1.0, "CONSULT", None),
        optional_target=True, effects=Effects(restraint_pressure=0.5),
    ),
    Action(
        "economic_bargain", "extend economic benefits for restraint", 3, Family.POLITICAL,
        (K.IRAQI_GOVERNMENT,), (K.MILITIA,),
        EventCode("071", "Provide economic aid", 7.4, "AID", "economic"),
        effects=Effects(restraint_pressure=0.3, stake=0.1),
    ),
    Action(
        "remove_commanders", "remove militia commanders", 3, Family.POLITICAL,
        (K.IRAQI_GOVERNMENT,), (K.MILITIA,),
        EventCode("172", "Impose administrative sanctions, not specified below", -5.0, "COERCE", "restrict"),
        hostility=0.5, material_harm=0.5, effects=Effects(restraint_pressure=0.5),
    ),
    Action(
        "sanction", "financial sanctions", 3, Family.POLITICAL, (K.UNITED_STATES,),
        (K.MILITIA, K.IRAN, K.IRAQI_GOVERNMENT),
        EventCode("163", "Impose embargo, boycott, or sanctions", -8.0, "COERCE", "restrict"),
        hostility=0.3, material_harm=0.3, free_choice=False, effects=Effects(stake=-0.1),
    ),
    Action(
        "demand_withdrawal", "demand that foreign forces leave (a vote, an order)", 3,
        Family.POLITICAL, (K.IRAQI_GOVERNMENT,), (K.UNITED_STATES,),
        EventCode("1042", "Demand policy change", -5.0, "REQUEST", "change"),
        free_choice=False, effects=Effects(restraint_pressure=0.6, stake=-0.2),
    ),
    Action(
        "announce_pause", "announce a pause in attacks", 3, Family.POLITICAL, (K.MILITIA,),
        (K.UNITED_STATES, K.ISRAEL),
        EventCode("0871", "Declare truce, ceasefire", 9.0, "CONCEDE", None),
        free_choice=False,
    ),
    Action(
        "ceasefire", "agree a ceasefire", 3, Family.POLITICAL, STATES, STATES,
        EventCode("0871", "Declare truce, ceasefire", 9.0, "RETREAT", "ceasefire"),
        free_choice=False, effects=Effects(ceasefire=True),
    ),
    # --- kinetic ------------------------------------------------------------------------------
    Action(
        "rocket_attack", "rocket attack on a base", 4, Family.KINETIC, (K.MILITIA,),
        (K.UNITED_STATES,),
        EventCode("194", "Fight with artillery and tanks", -10.0, "ASSAULT", "heavy-weapons"),
        hostility=1.0, kinetic=True, interceptable=0.7, lethality=0.06, killed_if_lethal=2.0,
        injured_per_killed=3.0, material_harm=0.2, modes=DENIABLE,
    ),
    Action(
        "drone_attack", "drone attack", 4, Family.KINETIC, (K.MILITIA,),
        (K.UNITED_STATES, K.ISRAEL, K.IRAQI_GOVERNMENT, K.REGIONAL_GOVERNMENT),
        EventCode("195", "Employ aerial weapons", -10.0, "ASSAULT", "heavy-weapons"),
        hostility=1.0, kinetic=True, interceptable=1.0, lethality=0.016, killed_if_lethal=2.0,
        injured_per_killed=12.0, material_harm=0.2, modes=DENIABLE,
    ),
    Action(
        "infrastructure_attack", "drone attack on oil or energy infrastructure", 4, Family.KINETIC,
        (K.MILITIA,), (K.REGIONAL_GOVERNMENT, K.IRAQI_GOVERNMENT),
        EventCode("195", "Employ aerial weapons", -10.0, "ASSAULT", "destroy"),
        hostility=1.0, kinetic=True, interceptable=0.5, lethality=0.05, killed_if_lethal=1.0,
        injured_per_killed=2.0, material_harm=0.5, modes=DENIABLE,
    ),
    Action(
        "armed_assault", "armed assault on a state office or a rival", 4, Family.KINETIC,
        (K.MILITIA,), (K.IRAQI_GOVERNMENT, K.MILITIA),
        EventCode("193", "Fight with small arms and light weapons", -10.0, "ASSAULT", "firearms"),
        hostility=1.0, kinetic=True, lethality=0.5, killed_if_lethal=1.5, injured_per_killed=3.0,
        material_harm=0.3, modes=(OWN, NONE), street_fighting=True,
    ),
    Action(
        "strike_militia_sites", "air strikes on militia depots and bases", 6, Family.KINETIC,
        US_AND_ISRAEL, (K.MILITIA,), _AERIAL,
        hostility=1.0, kinetic=True, lethality=0.5, killed_if_lethal=3.0, injured_per_killed=1.0,
        material_harm=1.0,
    ),
    Action(
        "leadership_strike", "strike on leaders", 7, Family.KINETIC, US_AND_ISRAEL,
        (K.MILITIA, K.IRAN),
        EventCode("186", "Assassinate", -10.0, "ASSAULT", "assassinate"),
        hostility=1.0, kinetic=True, lethality=0.8, killed_if_lethal=2.0, injured_per_killed=0.5,
        material_harm=1.5, leadership=True,
    ),
    Action(
        "state_strike", "state-on-state missile or air strike", 8, Family.KINETIC, STATES, STATES,
        _AERIAL, hostility=1.0, kinetic=True, interceptable=0.8, lethality=0.6,
        killed_if_lethal=10.0, injured_per_killed=5.0, material_harm=2.0, modes=(OWN, FOREWARNED),
    ),
)

ACTIONS: dict[str, Action] = {action.id: action for action in CATALOGUE}
ACTION_INDEX: dict[str, int] = {action.id: i for i, action in enumerate(CATALOGUE)}
MAX_RUNG = max(action.rung for action in CATALOGUE)

# Per-action properties as arrays indexed by action, for the vectorised rule and adjudication.
KINETIC = np.array([a.kinetic for a in CATALOGUE])
HARMFUL = np.array([a.harmful for a in CATALOGUE])
INTERCEPTABLE = np.array([a.interceptable for a in CATALOGUE])
LETHALITY = np.array([a.lethality for a in CATALOGUE])
KILLED_IF_LETHAL = np.array([a.killed_if_lethal for a in CATALOGUE])
INJURED_PER_KILLED = np.array([a.injured_per_killed for a in CATALOGUE])
MATERIAL_HARM = np.array([a.material_harm for a in CATALOGUE])
LEADERSHIP = np.array([a.leadership for a in CATALOGUE])


def standard_response(actor_kind: ActorKind, target_kind: ActorKind) -> Action | None:
    """The act an actor's own threat against a target promises: its lowest kinetic rung that
    reaches the target's kind (a militia's rockets or drones, a state's site or state strike)."""
    fitting = [a for a in CATALOGUE if a.kinetic and actor_kind in a.actor_kinds
               and target_kind in a.target_kinds and not a.leadership]
    return min(fitting, key=lambda a: a.rung) if fitting else None
