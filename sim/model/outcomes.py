"""Per-replicate outcome metrics, the theatre outcome class and the state-conflict class.

Counts run over the whole scenario; the ``window_`` counts and both classes use only the
scenario's assessment window. A historical record may also ask for a count over dates of its
own (``start``/``end`` on a record metric): such counts appear as extra columns named
``metric@START..END``.

Counting rules, the same in every episode:
- a *militia attack* is a kinetic act by a militia actor, claimed, front-claimed or unclaimed:
  the model knows its true author. Scripted attacks by an ``unknown`` author are the exogenous
  shocks the sources leave unattributed; they are counted only in ``unattributed_attacks``.
  (A historical record therefore counts the attacks its sources attribute to the militias,
  whether claimed or not, and leaves out those the sources do not attribute.)
- attacks on US or Israeli targets count at every site (Iraq, Syria, Jordan, the Gulf...).

Theatre outcome classes (militias against US and Israeli forces), from a fixed list, decided in
this order over the assessment window:

- ``regional_war``: at least ``war_attack_threshold`` militia attacks on US or Israeli targets and
  at least ``war_strike_threshold`` retaliatory strikes on militias (thresholds are judgements);
- ``escalation_spiral``: a retaliatory strike on militias followed by a further militia attack;
- ``limited_exchange``: a retaliatory strike, or a militia attack that killed someone;
- ``harassment``: militia attacks on US or Israeli targets, none lethal, none answered;
- ``restraint``: no militia attack on US or Israeli targets.

State-conflict classes (between the United States, Iran and Israel), a separate dimension:
``war`` when some pair struck each other on at least ``state_war_days`` days each way,
``strikes`` when any state struck another, ``none`` otherwise.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.model.actions import ACTION_INDEX, CATALOGUE
from sim.model.adjudication import Batch, Outcome
from sim.model.kinds import ActorKind, ClaimMode
from sim.model.threats import RUNGS
from sim.model.world import UNKNOWN, World

OUTCOME_CLASSES: tuple[str, ...] = (
    "restraint", "harassment", "limited_exchange", "escalation_spiral", "regional_war")
STATE_CONFLICT_CLASSES: tuple[str, ...] = ("none", "strikes", "war")

COUNTS: dict[str, str] = {
    "militia_attacks_on_us": "militia kinetic attacks on US targets (any place)",
    "militia_attacks_on_israel": "militia kinetic attacks on Israeli targets",
    "militia_attacks_on_kurdistan": "militia attacks on the Kurdistan Region",
    "militia_attacks_on_government": "militia attacks on the federal Iraqi government",
    "militia_armed_assaults": "militia armed assaults (on a state office or a rival)",
    "militia_attacks_on_rivals": "militia attacks on rival militias",
    "unclaimed_attacks": "militia attacks left unclaimed",
    "front_claimed_attacks": "militia attacks claimed under a front group's name",
    "unattributed_attacks": "scripted attacks by an unknown author",
    "killed_by_militias": "people killed by militia attacks on US or Israeli targets",
    "killed": "people killed by all kinetic actions",
    "injured": "people injured by all kinetic actions",
    "strikes_on_militias": "US or Israeli strikes on militias (sites or leaders)",
    "strikes_in_iraq": "US or Israeli strikes on militias inside Iraq",
    "retaliatory_strikes": "strikes on militias that answer an attack within the retaliation window",
    "leadership_strikes": "strikes on leaders (any actor)",
    "state_strikes": "state-on-state strikes",
    "forewarned_strikes": "state strikes announced in advance",
    "directives_to_hold_back": "patron directives telling allies to hold back",
    "directives_to_act": "patron directives urging allies to act",
    "government_restraint_moves": "restraint meetings and bargains by the Iraqi government",
    "commander_removals": "militia commanders removed by the government",
    "restraint_appeals": "appeals for restraint (the US to Israel, Baghdad to the US)",
    "threats_made": "threats the actors made themselves (not the scenario's dated threats)",
    "threats_triggered": "threats whose trigger was met",
    "threats_honoured": "triggered threats carried out",
    "threats_lapsed": "triggered threats left to lapse",
    "militia_threats_honoured": "militias' triggered threats carried out",
    "militia_threats_lapsed": "militias' triggered threats left to lapse",
}
WINDOW_COUNTS = ("militia_attacks_on_us", "militia_attacks_on_israel", "killed_by_militias",
                 "retaliatory_strikes", "attacks_after_retaliation")
WINDOW_DESCRIPTIONS: dict[str, str] = {
    f"window_{name}": text + " (assessment window)" for name, text in (
        ("militia_attacks_on_us", COUNTS["militia_attacks_on_us"]),
        ("militia_attacks_on_israel", COUNTS["militia_attacks_on_israel"]),
        ("killed_by_militias", COUNTS["killed_by_militias"]),
        ("retaliatory_strikes", COUNTS["retaliatory_strikes"]),
        ("attacks_after_retaliation",
         "militia attacks on US or Israeli targets after the first retaliatory strike"),
    )}
OTHER_METRICS: dict[str, str] = {
    "days_to_first_militia_attack": "days from the start to the first militia attack on US or "
                                     "Israeli targets (missing if none)",
    "max_free_rung": "highest ladder rung of any action the model chose (not scripted)",
    "outcome_class": "theatre outcome: one of " + ", ".join(OUTCOME_CLASSES),
    "state_conflict": "state-on-state outcome: one of " + ", ".join(STATE_CONFLICT_CLASSES),
}
CLASS_COLUMNS = ("outcome_class", "state_conflict")
WINDOWED = frozenset(COUNTS)  # every count can be asked for over a record's own dates


def metric_descriptions() -> dict[str, str]:
    """Every standard metric's one-line meaning, in table order."""
    every = {**COUNTS, **WINDOW_DESCRIPTIONS, **OTHER_METRICS}
    return {name: every[name] for name in metric_names()}


def metric_names() -> list[str]:
    """Every standard metric column of the outcomes table, in order."""
    window = [f"window_{c}" for c in WINDOW_COUNTS]
    return [*COUNTS, *window, *OTHER_METRICS]


def dated_column(metric: str, start: dt.date | None, end: dt.date | None) -> str:
    """The column of a count over a record's own dates (``metric@START..END``)."""
    return f"{metric}@{start.isoformat() if start else ''}..{end.isoformat() if end else ''}"


def _flags(*action_ids: str) -> np.ndarray:
    """A boolean lookup over catalogue indices: True for the named actions."""
    flags = np.zeros(len(CATALOGUE), dtype=bool)
    flags[[ACTION_INDEX[a] for a in action_ids]] = True
    return flags


_STRIKES_ON_MILITIAS = _flags("strike_militia_sites", "leadership_strike")
_RESTRAINT_MOVES = _flags("restraint_meeting", "economic_bargain")
_KINETIC = np.array([a.kinetic for a in CATALOGUE])


class Tally:
    """Running counters from which the outcome metrics are read at any time."""

    def __init__(self, world: World, threat_by: np.ndarray | None = None,
                 own_threat: np.ndarray | None = None):
        self.world = world
        threat_by = np.zeros(0, dtype=np.int64) if threat_by is None else threat_by
        self._militia_threat = world.militias[threat_by] if threat_by.size else \
            np.zeros(0, dtype=bool)
        self._own_threat = np.zeros(threat_by.size, dtype=bool) if own_threat is None \
            else own_threat
        r = world.replicates
        # counters are rows of one array each, so the compiled day step can write them too
        self.totals = np.zeros((len(COUNTS), r), dtype=np.int64)
        self.total = {name: self.totals[i] for i, name in enumerate(COUNTS)}
        self.windows = np.zeros((len(WINDOW_COUNTS), r), dtype=np.int64)
        self.window = {name: self.windows[i] for i, name in enumerate(WINDOW_COUNTS)}
        self.dated = self._record_windows()
        self.first_attack_day = np.full(r, -1, dtype=np.int64)
        self.first_retaliation_day = np.full(r, -1, dtype=np.int64)
        self.max_free_rung = np.zeros(r, dtype=np.int64)
        self.target_kinds = tuple(ActorKind)
        kinds = world.kinds
        self._target_kind = np.array([self.target_kinds.index(k) for k in kinds])
        # attacks attempted, summed over the replicates held: (day, actor, kind of target)
        self.daily_attacks = np.zeros((world.days, world.n, len(self.target_kinds)),
                                      dtype=np.int64)
        self._is = {kind: np.array([k is kind for k in kinds]) for kind in ActorKind}
        self._us_like = self._is[ActorKind.UNITED_STATES] | self._is[ActorKind.ISRAEL]
        states = self._us_like | self._is[ActorKind.IRAN]
        self._states = np.flatnonzero(states)
        self.state_strike_days = np.zeros((r, world.n, world.n), dtype=np.int32)
        self._struck_today = np.zeros((r, world.n, world.n), dtype=bool)
        self._today = -1

    def _record_windows(self) -> dict[str, tuple[str, int, int, np.ndarray]]:
        """Counters for the record's own dated metrics: column -> (metric, lo, hi, counts),
        the counts being the rows of ``self.dated_counts``."""
        history = self.world.scenario.history
        spans: dict[str, tuple[str, int, int]] = {}
        s = self.world.scenario
        for m in history.metrics if history is not None else ():
            if m.start is None and m.end is None:
                continue
            lo = s.day_index(m.start) if m.start else 0
            hi = s.day_index(m.end) if m.end else s.days - 1
            spans[dated_column(m.metric, m.start, m.end)] = (m.metric, lo, hi)
        self.dated_counts = np.zeros((len(spans), self.world.replicates), dtype=np.int64)
        return {column: (*span, self.dated_counts[i])
                for i, (column, span) in enumerate(spans.items())}

    def _add(self, name: str, values: np.ndarray, day: int) -> None:
        self.total[name] += values
        lo, hi = self.world.window
        if lo <= day <= hi and name in self.window:
            self.window[name] += values
        for metric, first, last, counts in self.dated.values():
            if metric == name and first <= day <= last:
                counts += values

    def record(self, batch: Batch, out: Outcome, day: int, state_last_attack: np.ndarray) -> None:
        """Count one resolved batch."""
        self._new_day(day)
        act = batch.action
        if batch.chosen_by_model:
            self.max_free_rung = np.maximum(self.max_free_rung, RUNGS[act] * batch.active)
        if batch.actor != UNKNOWN:
            self._record_moves(batch, day)
        if out.attempted.any():
            self._record_attacks(batch, out, day, state_last_attack)

    def _new_day(self, day: int) -> None:
        if day != self._today:
            lo, hi = self.world.window
            if lo <= self._today <= hi:
                self.state_strike_days += self._struck_today
            self._struck_today[:] = False
            self._today = day

    def _record_moves(self, batch: Batch, day: int) -> None:
        act, taken = batch.action, batch.active
        self._add("government_restraint_moves", taken & _RESTRAINT_MOVES[act], day)
        self._add("commander_removals", taken & (act == ACTION_INDEX["remove_commanders"]), day)
        self._add("directives_to_hold_back", taken & (act == ACTION_INDEX["discourage_allies"]),
                  day)
        self._add("directives_to_act", taken & (act == ACTION_INDEX["encourage_allies"]), day)
        self._add("restraint_appeals", taken & (act == ACTION_INDEX["appeal_for_restraint"])
                  & (batch.target >= 0)
                  & ~self.world.militias[np.maximum(batch.target, 0)], day)

    def _record_attacks(self, batch: Batch, out: Outcome, day: int,
                        state_last_attack: np.ndarray) -> None:
        w = self.world
        act, tgt, att = batch.action, np.maximum(batch.target, 0), out.attempted
        if batch.actor == UNKNOWN:
            self._add("unattributed_attacks", att, day)
        else:
            np.add.at(self.daily_attacks[day, batch.actor], self._target_kind[tgt[att]], 1)
            if w.militias[batch.actor]:
                self._record_militia_attack(batch, out, day)
            if self._us_like[batch.actor]:
                self._record_strike(batch, att, day, state_last_attack)
            if batch.actor in self._states:
                on_state = att & np.isin(tgt, self._states) & (act == ACTION_INDEX["state_strike"])
                rows = np.flatnonzero(on_state)
                self._struck_today[rows, batch.actor, tgt[rows]] = True
        self._add("killed", out.killed, day)
        self._add("injured", out.injured, day)
        self._add("leadership_strikes", att & (act == ACTION_INDEX["leadership_strike"]), day)
        self._add("state_strikes", att & (act == ACTION_INDEX["state_strike"]), day)
        self._add("forewarned_strikes", att & (batch.mode == ClaimMode.FOREWARNED), day)

    def _record_militia_attack(self, batch: Batch, out: Outcome, day: int) -> None:
        w, att, tgt = self.world, out.attempted, np.maximum(batch.target, 0)
        on_us = att & self._is[ActorKind.UNITED_STATES][tgt]
        on_il = att & self._is[ActorKind.ISRAEL][tgt]
        self._add("militia_attacks_on_us", on_us, day)
        self._add("militia_attacks_on_israel", on_il, day)
        self._add("militia_attacks_on_kurdistan", att & self._is[ActorKind.REGIONAL_GOVERNMENT][tgt],
                  day)
        self._add("militia_attacks_on_government", att & self._is[ActorKind.IRAQI_GOVERNMENT][tgt],
                  day)
        self._add("militia_attacks_on_rivals", att & w.militias[tgt], day)
        self._add("militia_armed_assaults", att & (batch.action == ACTION_INDEX["armed_assault"]),
                  day)
        self._add("unclaimed_attacks", att & (batch.mode == ClaimMode.NONE), day)
        self._add("front_claimed_attacks", att & (batch.mode == ClaimMode.FRONT), day)
        external = on_us | on_il
        self._add("killed_by_militias", np.where(external, out.killed, 0), day)
        lo, hi = w.window
        if lo <= day <= hi:
            self.window["attacks_after_retaliation"] += external & (self.first_retaliation_day >= 0)
        first = external & (self.first_attack_day < 0)
        self.first_attack_day[first] = day

    def _record_strike(self, batch: Batch, att: np.ndarray, day: int,
                       state_last_attack: np.ndarray) -> None:
        w = self.world
        tgt = np.maximum(batch.target, 0)
        strike = att & _STRIKES_ON_MILITIAS[batch.action] & w.militias[tgt]
        self._add("strikes_on_militias", strike, day)
        inside = strike & w.site_in_iraq[np.maximum(batch.site, 0)]
        self._add("strikes_in_iraq", inside, day)
        rows = np.arange(w.replicates)
        recent = day - state_last_attack[rows, tgt, batch.actor] <= w.param("retaliation_window_days")
        retaliation = strike & recent
        self._add("retaliatory_strikes", retaliation, day)
        lo, hi = w.window
        if lo <= day <= hi:
            first = retaliation & (self.first_retaliation_day < 0)
            self.first_retaliation_day[first] = day

    def record_threats(self, event: str, mask: np.ndarray, day: int) -> None:
        """Count threats (R, T) made by the actors themselves, triggered, honoured or lapsed."""
        if event == "made":
            self._add("threats_made", (mask & self._own_threat[None, :]).sum(axis=1), day)
            return
        self._add(f"threats_{event}", mask.sum(axis=1), day)
        if event in ("honoured", "lapsed"):
            self._add(f"militia_threats_{event}",
                      (mask & self._militia_threat[None, :]).sum(axis=1), day)

    def classes(self) -> np.ndarray:
        """Theatre outcome class index per replicate (into OUTCOME_CLASSES)."""
        p = self.world.param
        attacks = self.window["militia_attacks_on_us"] + self.window["militia_attacks_on_israel"]
        strikes = self.window["retaliatory_strikes"]
        cls = np.zeros(len(attacks), dtype=np.int64)
        cls[attacks >= 1] = 1
        cls[(strikes >= 1) | (self.window["killed_by_militias"] >= 1)] = 2
        cls[(strikes >= 1) & (self.window["attacks_after_retaliation"] >= 1)] = 3
        cls[(attacks >= p("war_attack_threshold")) & (strikes >= p("war_strike_threshold"))] = 4
        return cls

    def state_classes(self) -> np.ndarray:
        """State-conflict class index per replicate (into STATE_CONFLICT_CLASSES)."""
        days = self.state_strike_days.copy()
        lo, hi = self.world.window
        if lo <= self._today <= hi:
            days += self._struck_today
        both = np.minimum(days, days.transpose(0, 2, 1)).max(axis=(1, 2))
        cls = np.where(days.max(axis=(1, 2)) > 0, 1, 0)
        cls[both >= self.world.param("state_war_days")] = 2
        return cls

    def metrics(self) -> dict[str, np.ndarray]:
        """Every outcome metric as an array over replicates (classes as their names)."""
        out: dict[str, np.ndarray] = {name: v.copy() for name, v in self.total.items()}
        for name in WINDOW_COUNTS:
            out[f"window_{name}"] = self.window[name].copy()
        first = self.first_attack_day.astype(np.float64)
        first[first < 0] = np.nan
        out["days_to_first_militia_attack"] = first
        out["max_free_rung"] = self.max_free_rung.copy()
        out["outcome_class"] = np.array(OUTCOME_CLASSES, dtype=object)[self.classes()]
        out["state_conflict"] = np.array(STATE_CONFLICT_CLASSES, dtype=object)[self.state_classes()]
        for column, (_, _, _, counts) in self.dated.items():
            out[column] = counts.copy()
        return out
