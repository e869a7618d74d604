"""What a batch reads from a finished model: the only module here that touches one.

It uses the model's result interface and as little of its inside as it can: ``outcomes()``,
the per-day escalation index ``daily_index``, the attack tally ``tally.daily_attacks`` (with
``tally.target_kinds`` and ``world.ids``), the event log's integer columns, and each threat's
final status (``state.threat_status``, read only by ``threat_fates``). Everything leaves as a
plain Arrow table or numpy array, ready to be written.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from sim.memory import check_fits
from sim.model.actions import CATALOGUE
from sim.model.events import KINDS, RESULTS, EventLog
from sim.model.kinds import ClaimMode
from sim.model.model import EscalationModel
from sim.model.outcomes import OUTCOME_CLASSES, STATE_CONFLICT_CLASSES, metric_names
from sim.model.state import ThreatStatus
from sim.scenario.schema import Scenario

REPLICATE = "replicate"
OUTCOME_CLASS = "outcome_class"


CLASS_COLUMNS: dict[str, tuple[str, ...]] = {OUTCOME_CLASS: OUTCOME_CLASSES,
                                             "state_conflict": STATE_CONFLICT_CLASSES}


def class_array(values: np.ndarray, classes: tuple[str, ...] = OUTCOME_CLASSES
                ) -> pa.DictionaryArray:
    """Classes as an ordered dictionary column with every class, least to most severe.

    The fixed dictionary keeps chunk schemas identical and makes pandas read an ordered
    categorical whose categories include classes no replicate reached.
    """
    position = {name: i for i, name in enumerate(classes)}
    codes = np.fromiter((position[v] for v in values), dtype=np.int8, count=len(values))
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int8()),
                                          pa.array(classes, pa.string()), ordered=True)


def _metric_array(values: np.ndarray) -> pa.Array:
    if values.dtype == object:
        return pa.array(values.astype(str), pa.string())
    if np.issubdtype(values.dtype, np.floating):
        return pa.array(values.astype(np.float64), pa.float64(), from_pandas=False)
    return pa.array(values.astype(np.int64), pa.int64())


def outcome_table(model: EscalationModel) -> pa.Table:
    """One row per replicate held: its index, then every outcome metric in the model's order."""
    metrics = model.outcomes()
    names = [n for n in metric_names() if n in metrics] + \
        [n for n in metrics if n not in metric_names()]
    held = len(next(iter(metrics.values())))
    columns: dict[str, pa.Array] = {
        REPLICATE: pa.array(np.arange(model.replicate_start, model.replicate_start + held,
                                      dtype=np.int64))}
    for name in names:
        columns[name] = class_array(metrics[name], CLASS_COLUMNS[name]) \
            if name in CLASS_COLUMNS else _metric_array(metrics[name])
    return pa.table(columns)


def daily_index(model: EscalationModel) -> np.ndarray:
    """The escalation index, (replicates held, days)."""
    return np.asarray(model.daily_index)


def daily_attacks(model: EscalationModel) -> np.ndarray:
    """Attacks attempted, summed over the replicates held: (days, actors, target kinds)."""
    return np.asarray(model.tally.daily_attacks, dtype=np.int64)


# What became of each threat, counted over replicates (columns of ``threat_fates``).
THREAT_FATES = ("made", "triggered", "honoured", "lapsed", "open")


def threat_fates(model: EscalationModel) -> np.ndarray:
    """(threats, 5) int64: the replicates held in which each of the scenario's threats was
    made, triggered, honoured, lapsed, and still open at the end (triggered = honoured +
    lapsed + open).

    A scenario threat is triggered at most once per replicate, so its final status tells its
    story. The threats actors make themselves (after the scenario's, in the model's threat
    book) are left out: one may be made again after it is honoured or lapses.
    """
    scenario_threats = [not t.own for t in model.threats.threats]
    status = np.asarray(model.state.threat_status)[:, scenario_threats]
    counts = [status != ThreatStatus.UNMADE,
              np.isin(status, (ThreatStatus.OPEN, ThreatStatus.HONOURED, ThreatStatus.LAPSED)),
              status == ThreatStatus.HONOURED, status == ThreatStatus.LAPSED,
              status == ThreatStatus.OPEN]
    return np.stack([c.sum(axis=0) for c in counts], axis=1).astype(np.int64)


def target_kinds(model: EscalationModel) -> list[str]:
    """The kinds of target the attack tally counts, in its order."""
    return [str(getattr(k, "value", k)) for k in model.tally.target_kinds]


def actors(model: EscalationModel) -> list[dict[str, str]]:
    """Each actor's id, display name and kind, in the model's order (for the manifest)."""
    return [{"id": s.id, "name": s.name, "kind": str(getattr(s.kind, "value", s.kind))}
            for s in model.world.specs]


def _dictionary(codes: np.ndarray, labels: list[str | None]) -> pa.DictionaryArray:
    """Integer codes into ``labels`` as a dictionary column; a label of None becomes a null."""
    kept = list(dict.fromkeys(label for label in labels if label is not None)) or [""]
    position = np.array([-1 if label is None else kept.index(label) for label in labels],
                        dtype=np.int64)
    mapped = position[np.asarray(codes, dtype=np.int64)] if len(codes) else np.zeros(0, np.int64)
    nulls = mapped < 0
    indices = pa.array(np.where(nulls, 0, mapped).astype(np.int32), pa.int32(), mask=nulls)
    return pa.DictionaryArray.from_arrays(indices, pa.array(kept, pa.string()))


def _source_labels(model: EscalationModel, log: EventLog) -> tuple[list[str | None], np.ndarray]:
    """A fixed list of event sources (the scenario's injects and threats, then players), and
    where each of the log's own source codes falls in it.

    The log numbers sources in the order it meets them, which differs between chunks; a fixed
    list makes the events table the same whatever the chunking.
    """
    spec = model.spec
    fixed: list[str] = [*(i.id for i in spec.injects), *(t.id for t in spec.threats), "player"]
    extra = sorted(set(log.sources) - set(fixed) - {""})
    labels: list[str | None] = [None, *fixed, *extra]
    where = np.array([0 if s == "" else labels.index(s) for s in log.sources], dtype=np.int64)
    return labels, where


def _action_codes() -> dict[str, list[Any]]:
    """Each catalogue action's event codes, indexed like the catalogue."""
    return {
        "cameo": [a.code.cameo for a in CATALOGUE],
        "goldstein": [a.code.goldstein for a in CATALOGUE],
        "plover_event": [a.code.plover_event for a in CATALOGUE],
        "plover_mode": [a.code.plover_mode for a in CATALOGUE],
    }


def events_table(model: EscalationModel) -> pa.Table:
    """The event log, decoded: names as dictionary columns, plus each action's event codes.

    Actor ``unknown`` is an unattributed scripted attack; ``target`` and ``place`` are null for
    actions without one; ``claim`` says how the act was owned (own, front, none, forewarned);
    the CAMEO/Goldstein/PLOVER columns are null for threat records.
    """
    log = model.log
    if log is None:
        raise ValueError("the model was run without its event log")
    cols = log.columns()
    source_labels, source_position = _source_labels(model, log)
    ids: list[str | None] = [*model.world.ids, "unknown"]  # code -1 (unknown) is the last label
    actor = np.where(cols["actor"] < 0, len(ids) - 1, cols["actor"])
    target_labels: list[str | None] = [*model.world.ids, None]
    target = np.where(cols["target"] < 0, len(target_labels) - 1, cols["target"])
    is_action = cols["kind"] == KINDS.index("action")
    place_labels: list[str | None] = [*model.world.places, None]
    start = model.spec.start
    dates = np.datetime64(start.isoformat(), "D") + cols["day"].astype("timedelta64[D]")
    table: dict[str, pa.Array] = {
        REPLICATE: pa.array(cols["replicate"].astype(np.int64)),
        "day": pa.array(cols["day"].astype(np.int32)),
        "date": pa.array(dates, pa.date32()),
        "kind": _dictionary(cols["kind"], list(KINDS)),
        "actor": _dictionary(actor, ids),
        "action": _dictionary(cols["action"], [a.id for a in CATALOGUE]),
        "target": _dictionary(target, target_labels),
        "place": _dictionary(np.where(cols["site"] < 0, len(place_labels) - 1,
                                      np.asarray(model.world.site_place_index)[cols["site"]]
                                      if cols["site"].size else cols["site"]), place_labels),
        "claim": _dictionary(cols["mode"], [m.label for m in ClaimMode]),
        "scripted": pa.array(cols["scripted"].astype(bool)),
        "result": _dictionary(cols["result"], list(RESULTS)),
        "killed": pa.array(cols["killed"].astype(np.int32)),
        "injured": pa.array(cols["injured"].astype(np.int32)),
        "source": _dictionary(source_position[cols["source"]], source_labels),
    }
    codes = _action_codes()
    action = cols["action"].astype(np.int64)
    for name in ("cameo", "plover_event", "plover_mode"):
        labels = list(dict.fromkeys(v for v in codes[name] if v is not None))
        per_action = np.array([labels.index(v) if v is not None else len(labels)
                               for v in codes[name]], dtype=np.int64)
        coded = np.where(is_action, per_action[action] if action.size else action, len(labels))
        table[name] = _dictionary(coded, [*labels, None])
    goldstein = np.array(codes["goldstein"], dtype=np.float64)[action] if action.size \
        else np.zeros(0)
    table["goldstein"] = pa.array(goldstein, pa.float64(), mask=~is_action)
    return pa.table(table)


def scenario_summary(model: EscalationModel) -> dict[str, Any]:
    """Dates, actors, injects and threats of the scenario run (for the manifest and figures)."""
    s = model.spec
    return {
        "id": s.id,
        "title": s.title,
        "variant": s.variant or "base",
        "start": s.start.isoformat(),
        "end": s.end.isoformat(),
        "days": s.days,
        "assessment_window": {"start": s.window.start.isoformat(),
                              "end": s.window.end.isoformat()},
        "actors": actors(model),
        "target_kinds": target_kinds(model),
        "injects": [{"id": i.id, "date": i.date.isoformat(), "actor": i.actor, "action": i.action,
                     "target": i.target} for i in s.injects],
        "threats": [{"id": t.id, "by": t.by, "made": t.made.isoformat(),
                     "response": t.response.action, "target": t.response.target}
                    for t in s.threats],
        "history": None if s.history is None else {
            "outcome_class": s.history.outcome_class,
            "metrics": [{"metric": m.metric, "min": m.min, "max": m.max}
                        for m in s.history.metrics]},
    }


def metric_descriptions() -> dict[str, str]:
    """What each outcome column means (recorded in the manifest, read by the figures)."""
    from sim.model.outcomes import metric_descriptions as model_descriptions

    return {REPLICATE: "replicate index (replay one with `escsim run --seed S --replicate i`)",
            **model_descriptions()}


def probe_scenario(scenario: Scenario, seed: int, overrides: dict[str, float]) -> dict[str, Any]:
    """Build (not run) a one-replicate model and describe its scenario.

    Building the model checks the parameter overrides, so a bad ``--set`` fails here, before a
    results folder is touched.
    """
    check_fits(scenario, 1, what="one replicate", advice="use a smaller scenario")
    parameters: dict[str, Any] = dict(overrides)
    model = EscalationModel(scenario, None, 1, seed, collect_data=False, log_events=False,
                            **parameters)
    return scenario_summary(model)
