"""The kinds of actor, and the ways an act can be owned: the model's most basic vocabulary."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class ActorKind(StrEnum):
    """Kinds of actor; actions and decision rules are defined per kind."""

    UNITED_STATES = "united_states"
    IRAN = "iran"
    ISRAEL = "israel"
    IRAQI_GOVERNMENT = "iraqi_government"
    MILITIA = "militia"
    REGIONAL_GOVERNMENT = "regional_government"


class ClaimMode(IntEnum):
    """How an act is owned, which decides who is blamed and whether it can honour a threat.

    - OWN: claimed or openly taken in the actor's own name;
    - FRONT: claimed by a front group (f-20200316-osbat-al-thaereen-claim): the victim's blame
      is as uncertain as for an unclaimed act, but the act still honours its author's threats,
      deniably;
    - NONE: left unclaimed;
    - FOREWARNED: a state strike announced in advance, so that its targets can shelter
      (f-20200108-ain-al-asad-missile-strike, f-20250623-iran-strikes-al-udeid): a calibrated
      answer that keeps harm, and so the provocation, low.
    """

    OWN = 0
    FRONT = 1
    NONE = 2
    FOREWARNED = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def deniable(self) -> bool:
        """The victim cannot be sure who did it."""
        return self in (ClaimMode.FRONT, ClaimMode.NONE)

    @property
    def honours(self) -> bool:
        """Can carry out its author's threat (the threat's audience knows who acted)."""
        return self is not ClaimMode.NONE
