"""A team's situation brief at a stop: what its actor knows, the threats in force, its options.

Everything here passes through the fog (sim.classroom.fog): events as the team knows them, the
threats it can know of, and its own situation (its leaders in hiding, its ceasefires, the
directives and meetings it received, what its own script makes it do today). The escalation
index is public: it sums the hostile acts of each day, and every hostile act is public.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sim.classroom.fog import Fog, SeenEvent
from sim.classroom.moves import OptionView, actor_name
from sim.classroom.text import describe_seen, names, threat_text
from sim.model.actions import ACTIONS
from sim.model.model import EscalationModel
from sim.model.state import ThreatStatus

_DIRECTIVES = {"discourage_allies": "stand down", "release_allies": "decide for yourselves",
               "encourage_allies": "act"}
_STATUS = {ThreatStatus.PENDING: "in force", ThreatStatus.OPEN: "triggered",
           ThreatStatus.HONOURED: "carried out", ThreatStatus.LAPSED: "lapsed"}


@dataclass(frozen=True)
class ThreatView:
    """A threat as a team knows it."""

    id: str
    by: str
    against: list[str]
    text: str
    status: str  # in force, triggered (answer due by ...), carried out, lapsed
    mine: bool
    aimed_at_me: bool


@dataclass(frozen=True)
class Briefing:
    """One team's brief for the day it must decide on."""

    team: str
    name: str
    date: dt.date
    turn: int
    decision_point: bool
    reasons: list[str]  # why the game stopped today
    situation: list[str]
    new: list[str]  # what the team learned since its last turn, one line each
    earlier: list[str]  # what it learned before that
    threats: list[ThreatView]
    index: list[tuple[dt.date, float]]  # the escalation index, day by day so far
    options: list[OptionView] = field(default_factory=list)
    model_note: str | None = None  # what the model's actor would do, with the setting on

    def text(self, with_earlier: bool = False, with_options: bool = True) -> str:
        """The brief as plain text (the transcript and the terminal show this)."""
        lines = [f"{self.name} — {self.date:%A %d %B %Y} (turn {self.turn + 1}"
                 + (", decision point" if self.decision_point else "") + ")"]
        if self.reasons:
            lines.append("Why the game stops today: " + "; ".join(self.reasons))
        lines += ["", "Your situation:"] + [f"  {s}" for s in self.situation or ["nothing new"]]
        if with_earlier and self.earlier:
            lines += ["", "Earlier:"] + [f"  {e}" for e in self.earlier]
        lines += ["", "Since your last turn:"]
        lines += [f"  {e}" for e in self.new or ["nothing you know of"]]
        lines += ["", "Threats you know of:"]
        lines += [f"  [{t.id}] {t.status}: {t.text}" for t in self.threats] or ["  none"]
        if self.index:
            total = sum(v for _, v in self.index)
            lines += ["", f"Escalation index: yesterday {self.index[-1][1]:.1f}, "
                          f"total so far {total:.1f}"]
        if self.model_note:
            lines += ["", self.model_note]
        if with_options and self.options:
            lines += ["", "Your options:"]
            for i, opt in enumerate(self.options, start=1):
                p = "" if opt.probability is None else f"  [model: {100 * opt.probability:.1f}%]"
                lines.append(f"  {i:>2}. {opt.label}{p}")
        return "\n".join(lines)


def seen_lines(model: EscalationModel, fog: Fog, seen: list[SeenEvent]) -> list[str]:
    threats = fog.threats
    return [f"{e.date}  {describe_seen(model.world, e, threats.get(e.threat or ''))}"
            for e in seen]


def threat_views(model: EscalationModel, fog: Fog, team: str) -> list[ThreatView]:
    """Threats made and not yet spent, and those spent in the last week, as ``team`` knows them:
    every made threat is public; whether it was triggered only its parties know."""
    w, s = model.world, model.state
    out = []
    for ti, threat in enumerate(model.threats.threats):
        status = int(s.threat_status[0, ti])
        if status == ThreatStatus.UNMADE:
            continue
        changed = max(int(s.threat_day[0, ti]), int(s.threat_made[0, ti]))
        if status in (ThreatStatus.HONOURED, ThreatStatus.LAPSED) and model.day - changed > 7:
            continue
        target = model.threats.response_target(ti, model.trigger_actor)[0]
        knows = team in fog.threat_parties(threat.id, w.ids[target] if target >= 0 else None)
        words = _STATUS[status] if (knows or status == ThreatStatus.PENDING) else "in force"
        if status == ThreatStatus.OPEN and knows:
            deadline = threat.deadline or int(w.param("threat_deadline_days")[0])
            due = w.scenario.start + dt.timedelta(days=int(s.threat_day[0, ti]) + deadline)
            words = f"triggered, answer due before {due:%d %B}"
        if not knows and status in (ThreatStatus.HONOURED, ThreatStatus.LAPSED):
            continue
        against = [w.ids[i] for i in sorted(threat.against)]
        out.append(ThreatView(threat.id, w.ids[threat.by], against, threat_text(w, threat),
                              words, w.ids[threat.by] == team, team in against))
    return out


def situation_lines(model: EscalationModel, fog: Fog, team: str,
                    seen: list[SeenEvent]) -> list[str]:
    """What the actor knows of itself: hiding, ceasefires, its patron's word, today's script."""
    w, s = model.world, model.state
    a = w.index[team]
    lines = []
    if s.hidden[0, a]:
        lines.append("Your leaders are in hiding (every operation costs more while they hide).")
    partners = [w.ids[j] for j in range(w.n) if s.ceasefire[0, a, j]]
    if partners:
        lines.append(f"Ceasefire in force with {names(w, partners)}.")
    told = [e for e in seen if e.action in _DIRECTIVES and not e.own]
    if told:
        last = told[-1]
        lines.append(f"{actor_name(w, last.actor)} last told you to {_DIRECTIVES[last.action]} "
                     f"({last.date}).")
    for inject in w.injects_by_day.get(model.day, []):
        if inject.actor == team:
            target = f" -> {inject.target}" if inject.target else ""
            lines.append(f"The scenario has you do this today, as history did: "
                         f"{ACTIONS[inject.action].label}{target}.")
    for threat in threat_views(model, fog, team):
        if threat.mine and threat.status.startswith("triggered"):
            lines.append(f"Your threat [{threat.id}] has been triggered: keep your word or "
                         f"let it lapse ({threat.status}).")
    return lines
