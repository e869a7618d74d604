"""Per-replicate outcome metrics and the outcome class.

Counts run over the whole scenario; the ``window_`` counts and the outcome class use only the
scenario's assessment window (e.g. 13-24 June 2025 for the June 2025 replay).

Outcome classes, from a fixed list, decided in this order over the assessment window:

- ``regional_war``: at least ``war_attack_threshold`` militia attacks on US or Israeli targets and
  at least ``war_strike_threshold`` retaliatory strikes on militias;
- ``escalation_spiral``: a retaliatory strike on militias followed by a further militia attack;
- ``limited_exchange``: a retaliatory strike, or a militia attack that killed someone;
- ``harassment``: militia attacks on US or Israeli targets, none lethal, none answered;
- ``restraint``: no militia attack on US or Israeli targets.

Only attacks by known militia actors count; an unattributed scripted attack (e.g. the drones at
Ain al-Asad on 14 June 2025, f-20250614-ain-al-asad-drones) is counted in
``unattributed_attacks``.
"""

from __future__ import annotations

import numpy as np

from sim.model.actions import ACTION_INDEX, ActorKind
from sim.model.adjudication import Batch, Outcome
from sim.model.threats import RUNGS
from sim.model.world import UNKNOWN, World

OUTCOME_CLASSES: tuple[str, ...] = (
    "restraint", "harassment", "limited_exchange", "escalation_spiral", "regional_war")

COUNTS: dict[str, str] = {
    "militia_attacks_on_us": "militia kinetic attacks on US targets",
    "militia_attacks_on_israel": "militia kinetic attacks on Israeli targets",
    "militia_attacks_on_kurdistan": "militia attacks on the Kurdistan Region",
    "militia_armed_assaults": "militia armed assaults on Iraqi state offices",
    "unclaimed_attacks": "militia attacks left unclaimed",
    "unattributed_attacks": "scripted attacks by an unknown author",
    "killed_by_militias": "people killed by militia attacks on US or Israeli targets",
    "killed": "people killed by all kinetic actions",
    "injured": "people injured by all kinetic actions",
    "strikes_on_militias": "US or Israeli strikes on militias (sites or leaders)",
    "retaliatory_strikes": "strikes on militias that answer an attack within the retaliation window",
    "leadership_strikes": "strikes on leaders (any actor)",
    "state_strikes": "state-on-state strikes",
    "government_restraint_moves": "restraint meetings and bargains by the Iraqi government",
    "commander_removals": "militia commanders removed by the government",
    "threats_triggered": "threats whose trigger was met",
    "threats_honoured": "triggered threats carried out",
    "threats_lapsed": "triggered threats left to lapse",
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
    "outcome_class": "one of " + ", ".join(OUTCOME_CLASSES),
}


def metric_descriptions() -> dict[str, str]:
    """Every metric's one-line meaning, in table order."""
    every = {**COUNTS, **WINDOW_DESCRIPTIONS, **OTHER_METRICS}
    return {name: every[name] for name in metric_names()}


def metric_names() -> list[str]:
    """Every metric column of the outcomes table, in order."""
    window = [f"window_{c}" for c in WINDOW_COUNTS]
    return [*COUNTS, *window, *OTHER_METRICS]


def _flags(*action_ids: str) -> np.ndarray:
    """A boolean lookup over catalogue indices: True for the named actions."""
    flags = np.zeros(len(ACTION_INDEX), dtype=bool)
    flags[[ACTION_INDEX[a] for a in action_ids]] = True
    return flags


_STRIKES_ON_MILITIAS = _flags("strike_militia_sites", "leadership_strike")
_RESTRAINT_MOVES = _flags("restraint_meeting", "economic_bargain")


class Tally:
    """Running counters from which the outcome metrics are read at any time."""

    def __init__(self, world: World):
        self.world = world
        r = world.replicates
        self.total = {name: np.zeros(r, dtype=np.int64) for name in COUNTS}
        self.window = {name: np.zeros(r, dtype=np.int64) for name in WINDOW_COUNTS}
        self.first_attack_day = np.full(r, -1, dtype=np.int64)
        self.first_retaliation_day = np.full(r, -1, dtype=np.int64)
        self.max_free_rung = np.zeros(r, dtype=np.int64)
        self.target_kinds = tuple(ActorKind)
        self._target_kind = np.array([self.target_kinds.index(k) for k in world.kinds])
        # attacks attempted, summed over the replicates held: (day, actor, kind of target)
        self.daily_attacks = np.zeros((world.scenario.days, world.n, len(self.target_kinds)),
                                      dtype=np.int64)
        kinds = world.kinds
        self._us_like = np.array([k in (ActorKind.UNITED_STATES, ActorKind.ISRAEL) for k in kinds])
        self._regional = np.array([k is ActorKind.REGIONAL_GOVERNMENT for k in kinds])

    def _add(self, name: str, values: np.ndarray, in_window: bool) -> None:
        self.total[name] += values
        if in_window and name in self.window:
            self.window[name] += values

    def record(self, batch: Batch, out: Outcome, day: int, state_last_attack: np.ndarray) -> None:
        """Count one resolved batch."""
        w, lo_hi = self.world, self.world.window
        in_window = lo_hi[0] <= day <= lo_hi[1]
        act, tgt = batch.action, np.maximum(batch.target, 0)
        att = out.attempted
        if batch.chosen_by_model:
            self.max_free_rung = np.maximum(self.max_free_rung, RUNGS[act] * batch.active)
        self._add("government_restraint_moves", batch.active & _RESTRAINT_MOVES[act], in_window)
        self._add("commander_removals", batch.active & (act == ACTION_INDEX["remove_commanders"]),
                  in_window)
        if att.any():
            self._record_attacks(batch, out, day, in_window, state_last_attack)

    def _record_attacks(self, batch: Batch, out: Outcome, day: int, in_window: bool,
                        state_last_attack: np.ndarray) -> None:
        w = self.world
        act, tgt = batch.action, np.maximum(batch.target, 0)
        att = out.attempted
        if batch.actor != UNKNOWN and att.any():
            kinds = self._target_kind[tgt[att]]
            np.add.at(self.daily_attacks[day, batch.actor], kinds, 1)
        if batch.actor == UNKNOWN:
            self._add("unattributed_attacks", att, in_window)
        elif w.militias[batch.actor]:
            on_us = att & (tgt == w.index.get("united_states", -9)) & (batch.target >= 0)
            on_il = att & (tgt == w.index.get("israel", -9)) & (batch.target >= 0)
            self._add("militia_attacks_on_us", on_us, in_window)
            self._add("militia_attacks_on_israel", on_il, in_window)
            on_krg = att & self._regional[tgt]
            self._add("militia_attacks_on_kurdistan", on_krg, in_window)
            self._add("militia_armed_assaults", att & (act == ACTION_INDEX["armed_assault"]),
                      in_window)
            self._add("unclaimed_attacks", att & ~batch.claimed, in_window)
            self._add("killed_by_militias", np.where(on_us | on_il, out.killed, 0), in_window)
            external = on_us | on_il
            if in_window:
                self.window["attacks_after_retaliation"] += external & (self.first_retaliation_day >= 0)
            first = external & (self.first_attack_day < 0)
            self.first_attack_day[first] = day
        self._add("killed", out.killed, in_window)
        self._add("injured", out.injured, in_window)
        if batch.actor != UNKNOWN and self._us_like[batch.actor]:
            strike = att & _STRIKES_ON_MILITIAS[act] & w.militias[tgt]
            self._add("strikes_on_militias", strike, in_window)
            rows = np.arange(w.replicates)
            recent = day - state_last_attack[rows, tgt, batch.actor] <= w.param("retaliation_window_days")
            retaliation = strike & recent
            self._add("retaliatory_strikes", retaliation, in_window)
            if in_window:
                first = retaliation & (self.first_retaliation_day < 0)
                self.first_retaliation_day[first] = day
        self._add("leadership_strikes", att & (act == ACTION_INDEX["leadership_strike"]), in_window)
        self._add("state_strikes", att & (act == ACTION_INDEX["state_strike"]), in_window)

    def record_threats(self, opened: np.ndarray, honoured: np.ndarray, lapsed: np.ndarray) -> None:
        self.total["threats_triggered"] += opened.sum(axis=1)
        self.total["threats_honoured"] += honoured.sum(axis=1)
        self.total["threats_lapsed"] += lapsed.sum(axis=1)

    def classes(self) -> np.ndarray:
        """Outcome class index per replicate (into OUTCOME_CLASSES)."""
        p = self.world.param
        attacks = self.window["militia_attacks_on_us"] + self.window["militia_attacks_on_israel"]
        strikes = self.window["retaliatory_strikes"]
        cls = np.zeros(len(attacks), dtype=np.int64)
        cls[attacks >= 1] = 1
        cls[(strikes >= 1) | (self.window["killed_by_militias"] >= 1)] = 2
        cls[(strikes >= 1) & (self.window["attacks_after_retaliation"] >= 1)] = 3
        cls[(attacks >= p("war_attack_threshold")) & (strikes >= p("war_strike_threshold"))] = 4
        return cls

    def metrics(self) -> dict[str, np.ndarray]:
        """Every outcome metric as an array over replicates (class as its name)."""
        out: dict[str, np.ndarray] = {name: v.copy() for name, v in self.total.items()}
        for name in WINDOW_COUNTS:
            out[f"window_{name}"] = self.window[name].copy()
        first = self.first_attack_day.astype(np.float64)
        first[first < 0] = np.nan
        out["days_to_first_militia_attack"] = first
        out["max_free_rung"] = self.max_free_rung.copy()
        out["outcome_class"] = np.array(OUTCOME_CLASSES, dtype=object)[self.classes()]
        return out
