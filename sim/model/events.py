"""The event log: every action taken, and every threat triggered, honoured or lapsed.

Records are kept column-wise (numpy chunks per day) so logging thousands of replicates stays
cheap; ``EventLog.records()`` turns them into dicts carrying the CAMEO and PLOVER codes of each
action, so the simulated record reads like real political event data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.model.actions import CATALOGUE
from sim.model.adjudication import Batch, Outcome
from sim.model.kinds import ClaimMode
from sim.model.world import UNKNOWN, World

KINDS = ("action", "threat_made", "threat_triggered", "threat_honoured", "threat_lapsed")
RESULTS = ("taken", "hit", "intercepted", "missed", "made", "triggered", "honoured", "lapsed")
COLUMNS = ("day", "replicate", "kind", "actor", "action", "target", "site", "mode", "scripted",
           "result", "killed", "injured", "blamed", "source")


@dataclass
class EventLog:
    """Column chunks of events for the replicates being logged."""

    world: World
    replicate_offset: int = 0
    chunks: list[dict[str, np.ndarray]] = field(default_factory=list)
    sources: list[str] = field(default_factory=lambda: [""])

    def _source_code(self, source: str) -> int:
        if source not in self.sources:
            self.sources.append(source)
        return self.sources.index(source)

    def add_action(self, day: int, batch: Batch, out: Outcome) -> None:
        rows = np.flatnonzero(batch.active)
        if rows.size == 0:
            return
        result = np.full(rows.size, RESULTS.index("taken"))
        result[out.attempted[rows]] = RESULTS.index("missed")
        result[out.hit[rows]] = RESULTS.index("hit")
        result[out.intercepted[rows]] = RESULTS.index("intercepted")
        self.chunks.append({
            "day": np.full(rows.size, day), "replicate": rows + self.replicate_offset,
            "kind": np.zeros(rows.size, dtype=np.int64), "actor": np.full(rows.size, batch.actor),
            "action": batch.action[rows], "target": batch.target[rows],
            "site": batch.site[rows], "mode": batch.mode[rows],
            "scripted": np.full(rows.size, batch.scripted),
            "result": result, "killed": out.killed[rows], "injured": out.injured[rows],
            "blamed": np.where(out.attempted[rows], out.author[rows], -2),
            "source": np.full(rows.size, self._source_code(batch.source)),
        })

    def add_threats(self, day: int, kind: str, mask: np.ndarray, threat_by: np.ndarray,
                    response_action: np.ndarray, response_target: np.ndarray,
                    threat_ids: list[str]) -> None:
        rows, cols = np.nonzero(mask)
        if rows.size == 0:
            return
        result = {"threat_made": "made", "threat_triggered": "triggered",
                  "threat_honoured": "honoured", "threat_lapsed": "lapsed"}[kind]
        self.chunks.append({
            "day": np.full(rows.size, day), "replicate": rows + self.replicate_offset,
            "kind": np.full(rows.size, KINDS.index(kind)), "actor": threat_by[cols],
            "action": response_action[cols], "target": response_target[rows, cols],
            "site": np.full(rows.size, -1), "mode": np.zeros(rows.size, dtype=np.int64),
            "scripted": np.zeros(rows.size, dtype=bool),
            "result": np.full(rows.size, RESULTS.index(result)),
            "killed": np.zeros(rows.size, dtype=np.int64), "injured": np.zeros(rows.size, dtype=np.int64),
            "blamed": np.full(rows.size, -2),
            "source": np.array([self._source_code(threat_ids[c]) for c in cols]),
        })

    def columns(self) -> dict[str, np.ndarray]:
        """All events as integer-coded columns, ordered by replicate, then day, then logging order."""
        if not self.chunks:
            return {c: np.zeros(0, dtype=np.int64) for c in COLUMNS}
        cols = {c: np.concatenate([ch[c] for ch in self.chunks]) for c in COLUMNS}
        order = np.lexsort((cols["day"], cols["replicate"]))  # stable: keeps logging order
        return {c: v[order] for c, v in cols.items()}

    def records(self, replicate: int | None = None) -> list[dict[str, Any]]:
        """Events as readable dicts (optionally of one replicate), with dates and event codes."""
        cols = self.columns()
        keep = np.ones(cols["day"].size, dtype=bool) if replicate is None \
            else cols["replicate"] == replicate
        start = self.world.scenario.start
        ids = self.world.ids
        out = []
        for i in np.flatnonzero(keep):
            act = CATALOGUE[int(cols["action"][i])]
            actor, target, blamed = (int(cols["actor"][i]), int(cols["target"][i]),
                                     int(cols["blamed"][i]))
            kind = KINDS[int(cols["kind"][i])]
            out.append({
                "date": (start + dt.timedelta(days=int(cols["day"][i]))).isoformat(),
                "day": int(cols["day"][i]),
                "replicate": int(cols["replicate"][i]),
                "kind": kind,
                "actor": "unknown" if actor == UNKNOWN else ids[actor],
                "action": act.id,
                "target": ids[target] if target >= 0 else None,
                "place": (self.world.site_place[int(cols["site"][i])]
                          if int(cols["site"][i]) >= 0 else None),
                "claim": ClaimMode(int(cols["mode"][i])).label,
                "scripted": bool(cols["scripted"][i]),
                "result": RESULTS[int(cols["result"][i])],
                "killed": int(cols["killed"][i]),
                "injured": int(cols["injured"][i]),
                "blamed": None if blamed == -2 else ("unknown" if blamed == UNKNOWN else ids[blamed]),
                "source": self.sources[int(cols["source"][i])] or None,
                "cameo": act.code.cameo if kind == "action" else None,
                "goldstein": act.code.goldstein if kind == "action" else None,
                "plover": (f"{act.code.plover_event}/{act.code.plover_mode}"
                           if kind == "action" and act.code.plover_event else None),
            })
        return out
