"""What a game is: its setup and the ordered list of everything the teams and the facilitator did.

A game is fully defined by (scenario content, variant, seed, teams, settings) and the ordered
``actions``; replaying the actions from scratch reproduces it event for event. Each action is a
small record with a ``do`` field saying what it is, and the date of the stop it was made at:

- ``move``: a team's action for the day (any option of its actor's catalogue);
- ``delegate``: a team lets the model choose for its actor that day;
- ``threat``: a team's structured conditional threat (trigger, promised response, deadline);
- ``inject``: the facilitator adds a scripted event (today or later);
- ``advance``: the facilitator plays the day and moves on to the next stop;
- ``undo``: the facilitator takes back the last turn;
- ``pause`` / ``resume``: the facilitator stops and restarts play;
- ``end``: the facilitator ends the game.

These are data only (pydantic models, JSON in the saved file); nothing in them is executed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from sim.scenario.schema import Id, Inject, Response, SiteRef, Trigger

CLAIMS = ("own", "front", "none", "forewarned")
Claim = Literal["own", "front", "none", "forewarned"]
IDLE_POLICIES = ("hold", "model")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GameSettings(_Record):
    """The facilitator's settings, fixed when the game is created."""

    fast_forward: bool = Field(
        True, description="Skip days on which nothing concerns any team (else stop every day).")
    probabilities: bool = Field(
        False, description="Show each team the model's own probabilities for its options.")
    idle: Literal["hold", "model"] = Field(
        "hold", description="What a team's actor does on a day the game does not stop for, or "
                            "when the facilitator advances without its move: hold, or let the "
                            "model decide for it.")
    stops: list[dt.date] = Field(
        default_factory=list, description="Extra days to stop on, besides the scenario's "
                                          "decision points.")


class ScenarioRef(_Record):
    """Which scenario a game plays, and a hash of its content to notice later changes."""

    ref: str = Field(description="A shipped scenario id, or the absolute path of a file.")
    variant: Id | None = None
    id: Id
    title: str
    digest: str = Field(description="SHA-256 of the validated scenario content.")


class GameSetup(_Record):
    scenario: ScenarioRef
    seed: Annotated[int, Field(ge=0)]
    teams: list[Id] = Field(min_length=1)
    settings: GameSettings = Field(default_factory=GameSettings)


class _Dated(_Record):
    date: dt.date = Field(description="The stop at which it was done.")


class MoveEntry(_Dated):
    do: Literal["move"] = "move"
    team: Id
    action: Id
    target: SiteRef | None = None
    claim: Claim = "own"
    front: Id | None = Field(None, description="The front group's name, for a front claim.")


class DelegateEntry(_Dated):
    do: Literal["delegate"] = "delegate"
    team: Id


class ThreatEntry(_Dated):
    do: Literal["threat"] = "threat"
    team: Id
    id: Id
    against: list[Id]
    trigger: Trigger
    response: Response
    deadline_days: Annotated[int, Field(ge=1, le=365)] = 7
    wording: str = ""


class InjectEntry(_Dated):
    do: Literal["inject"] = "inject"
    inject: Inject


class AdvanceEntry(_Dated):
    do: Literal["advance"] = "advance"


class UndoEntry(_Dated):
    do: Literal["undo"] = "undo"


class PauseEntry(_Dated):
    do: Literal["pause"] = "pause"
    note: str = ""


class ResumeEntry(_Dated):
    do: Literal["resume"] = "resume"


class EndEntry(_Dated):
    do: Literal["end"] = "end"
    note: str = ""


Entry = Annotated[MoveEntry | DelegateEntry | ThreatEntry | InjectEntry | AdvanceEntry
                  | UndoEntry | PauseEntry | ResumeEntry | EndEntry, Field(discriminator="do")]
Order = MoveEntry | DelegateEntry  # what a team's actor does on a day


class SavedState(_Record):
    """Where the game stood when saved: checked against a replay when the file is loaded."""

    turns: int
    date: dt.date | None = Field(description="The stop the game waits at (None once ended).")
    days_played: int
    ended: bool
    paused: bool
    events: int
    timeline_digest: str


class GameDocument(_Record):
    """The body of a saved game file."""

    setup: GameSetup
    actions: list[Entry]
    state: SavedState
