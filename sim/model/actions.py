"""The action catalogue: every move an actor can make, on one escalation ladder.

Each action has a rung (0 = do nothing, 8 = state-on-state strike), the kinds of actor that can
take it and the kinds of target it can aim at, its codes as political event data (CAMEO code and
Goldstein score, PLOVER event and mode; see docs/event-codes.md), and its effects: how hostile
it is (what the decision rule weighs), whether it is kinetic and can be intercepted, how lethal a
hit is, whether it can be left unclaimed, and what it does to the standing state (directives,
restraint pressure, air defence, leaders in hiding).

Numbers for the kinetic actions trace to the evidence register:
- drone and rocket attacks reach their target about 30 % of the time against a defended state
  (Islamic Resistance in Iraq: ~316 claimed attacks on Israel, 94 reaching; f-2024-iri-316-attacks);
- a reaching attack is rarely lethal (one lethal attack in those 94, 2 killed and 24 injured;
  f-20241004-golan-drone-casualties); a rocket salvo on a base can be (Taji, 3 killed;
  f-20200311-taji-attack).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ActorKind(StrEnum):
    """Kinds of actor; actions and decision rules are defined per kind."""

    UNITED_STATES = "united_states"
    IRAN = "iran"
    ISRAEL = "israel"
    IRAQI_GOVERNMENT = "iraqi_government"
    MILITIA = "militia"
    REGIONAL_GOVERNMENT = "regional_government"


class Family(StrEnum):
    """Broad families of action, in ladder order."""

    NONE = "none"
    VERBAL = "verbal"
    POSTURE = "posture"
    POLITICAL = "political"
    KINETIC = "kinetic"


K = ActorKind
STATES = (K.UNITED_STATES, K.IRAN, K.ISRAEL)
US_AND_ISRAEL = (K.UNITED_STATES, K.ISRAEL)
EVERYONE = tuple(ActorKind)


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

    Each is a change to a state variable of the *target* (or, with ``to_allies``, of every actor
    whose patron is the one acting), clipped to the variable's range.
    """

    directive: float = 0.0  # patron's directive to its allies (-1 discourage .. +1 encourage)
    restraint_pressure: float = 0.0  # government's pressure on a militia
    stake: float = 0.0  # a militia's stake in the Iraqi state (bargains raise it)
    air_defence: float = 0.0  # the actor's own air-defence posture
    exposure: float = 0.0  # the actor's own exposure of personnel (evacuation lowers it)
    hide_leaders: bool = False  # the actor's leaders go to ground
    ceasefire: bool = False  # the actor stops state-on-state strikes with the target
    to_allies: bool = False


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
    hostility: float = 0.0  # 0..1, how strongly the decision rule's hostile terms apply
    kinetic: bool = False
    interceptable: float = 0.0  # share of the target's air defence that applies to it
    lethality: float = 0.0  # chance a hit kills at least one person
    killed_if_lethal: float = 0.0  # mean number killed when lethal (at least one)
    injured_per_killed: float = 0.0  # injured per person killed
    material_harm: float = 0.0  # grievance a hit causes even without casualties
    deniable: bool = False  # can be left unclaimed or claimed by a front group
    leadership: bool = False  # aims at the target's leaders
    free_choice: bool = True  # False: only scripted injects or players take it
    effects: Effects = field(default_factory=Effects)

    @property
    def has_target(self) -> bool:
        return bool(self.target_kinds)


_NO_CODE = EventCode(None, "no action", 0.0, None, None)

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
        "discourage_allies", "tell allies not to act", 3, Family.POLITICAL, (K.IRAN,), (),
        EventCode("1056", "Demand de-escalation of military engagement", -5.0, "REQUEST", "yield"),
        effects=Effects(directive=-1.0, to_allies=True),
    ),
    Action(
        "encourage_allies", "urge allies to act", 3, Family.POLITICAL, (K.IRAN,), (),
        EventCode("0212", "Appeal for military cooperation", 3.4, "REQUEST", "assist"),
        effects=Effects(directive=1.0, to_allies=True),
    ),
    Action(
        "restraint_meeting", "meet militia commanders to dissuade them", 3, Family.POLITICAL,
        (K.IRAQI_GOVERNMENT,), (K.MILITIA,),
        EventCode("040", "Consult, not specified below", 1.0, "CONSULT", None),
        effects=Effects(restraint_pressure=0.5),
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
        material_harm=0.5, effects=Effects(restraint_pressure=0.5),
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
        hostility=1.0, kinetic=True, interceptable=0.7, lethality=0.08, killed_if_lethal=2.0,
        injured_per_killed=3.0, material_harm=0.2, deniable=True,
    ),
    Action(
        "drone_attack", "drone attack", 4, Family.KINETIC, (K.MILITIA,), (K.UNITED_STATES, K.ISRAEL),
        EventCode("195", "Employ aerial weapons", -10.0, "ASSAULT", "heavy-weapons"),
        hostility=1.0, kinetic=True, interceptable=1.0, lethality=0.04, killed_if_lethal=2.0,
        injured_per_killed=12.0, material_harm=0.2, deniable=True,
    ),
    Action(
        "infrastructure_attack", "drone attack on oil or energy infrastructure", 4, Family.KINETIC,
        (K.MILITIA,), (K.REGIONAL_GOVERNMENT,),
        EventCode("195", "Employ aerial weapons", -10.0, "ASSAULT", "destroy"),
        hostility=1.0, kinetic=True, interceptable=0.5, lethality=0.05, killed_if_lethal=1.0,
        injured_per_killed=2.0, material_harm=0.5, deniable=True,
    ),
    Action(
        "armed_assault", "armed assault on a state office", 4, Family.KINETIC,
        (K.MILITIA,), (K.IRAQI_GOVERNMENT,),
        EventCode("193", "Fight with small arms and light weapons", -10.0, "ASSAULT", "firearms"),
        hostility=1.0, kinetic=True, lethality=0.5, killed_if_lethal=1.5, injured_per_killed=3.0,
        material_harm=0.3,
    ),
    Action(
        "strike_militia_sites", "air strikes on militia depots and bases", 6, Family.KINETIC,
        US_AND_ISRAEL, (K.MILITIA,),
        EventCode("195", "Employ aerial weapons", -10.0, "ASSAULT", "heavy-weapons"),
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
        EventCode("195", "Employ aerial weapons", -10.0, "ASSAULT", "heavy-weapons"),
        hostility=1.0, kinetic=True, interceptable=0.8, lethality=0.6, killed_if_lethal=10.0,
        injured_per_killed=5.0, material_harm=2.0,
    ),
)

ACTIONS: dict[str, Action] = {action.id: action for action in CATALOGUE}
ACTION_INDEX: dict[str, int] = {action.id: i for i, action in enumerate(CATALOGUE)}
MAX_RUNG = max(action.rung for action in CATALOGUE)

