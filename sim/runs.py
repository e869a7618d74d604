"""One run of one replicate, read as a story: the dated timeline and the outcome.

``run_one`` re-runs replicate i of (scenario, variant, seed) alone and returns its full event
log; because random numbers depend only on (seed, replicate index), it is the same replicate a
batch of any size produced. ``format_timeline`` and ``to_json`` render it for the terminal and
for programs (byte-for-byte stable for the same inputs).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.limits import MAX_REPLICATE, MAX_SEED, whole_number
from sim.memory import check_fits
from sim.model.model import run_replicates
from sim.model.outcomes import metric_descriptions
from sim.overrides import checked_overrides
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class RunResult:
    """A single replicate's timeline and outcome metrics."""

    scenario: Scenario
    seed: int
    replicate: int
    overrides: dict[str, float]
    events: list[dict[str, Any]]
    outcome: dict[str, Any]

    @property
    def variant(self) -> str:
        return self.scenario.variant or "base"


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def run_one(scenario: str | Path | Scenario, variant: str | None = None, seed: int = 0,
            replicate: int = 0, overrides: dict[str, float] | None = None) -> RunResult:
    """Run replicate ``replicate`` of a scenario alone, with its full event log.

    Raises UserError for a seed or replicate index outside its range (sim.limits) or a bad
    override, ScenarioError for a bad scenario, MemoryLimitError if even one replicate of the
    scenario would not fit in the memory escsim may use.
    """
    seed = whole_number(seed, "--seed", 0, MAX_SEED)
    replicate = whole_number(replicate, "--replicate", 0, MAX_REPLICATE)
    checked = checked_overrides(overrides)
    spec = load_scenario(scenario, variant)
    check_fits(spec, replicates=1, events=True, what="one replicate")
    model = run_replicates(spec, None, seed, 1, checked, replicate_start=replicate,
                           log_events=True)
    outcome = {name: _plain(values[0]) for name, values in model.outcomes().items()}
    return RunResult(spec, seed, replicate, checked, model.timeline(), outcome)


def to_json(result: RunResult) -> str:
    """The run as JSON: identical bytes for identical (scenario, variant, seed, replicate)."""
    doc = {
        "scenario": result.scenario.id,
        "title": result.scenario.title,
        "variant": result.variant,
        "seed": result.seed,
        "replicate": result.replicate,
        "parameters": result.overrides,
        "window": {"start": result.scenario.window.start.isoformat(),
                   "end": result.scenario.window.end.isoformat()},
        "timeline": result.events,
        "outcome": result.outcome,
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False)


_CLAIM_TAGS = {"front": "claimed by a front", "none": "unclaimed", "forewarned": "forewarned"}


def _describe_event(event: dict[str, Any]) -> str:
    kind = event["kind"]
    target = f" -> {event['target']}" if event["target"] else ""
    if event.get("place"):
        target += f" in {event['place']}"
    if kind != "action":
        label = {"threat_made": "THREAT MADE", "threat_triggered": "THREAT TRIGGERED",
                 "threat_honoured": "THREAT HONOURED", "threat_lapsed": "THREAT LAPSED"}[kind]
        return f"{label} {event['source']}: {event['actor']} promised {event['action']}{target}"
    text = f"{event['actor']} {event['action']}{target}"
    if event["result"] in ("hit", "intercepted", "missed"):
        text += f" ({event['result']}"
        text += f", {event['killed']} killed" if event["killed"] else ", none killed"
        if event["injured"]:
            text += f", {event['injured']} injured"
        if event["result"] == "hit" and not event["killed"] and not event["injured"]:
            text += ", no casualties"
        text += ")"
    tags = []
    if event["claim"] in _CLAIM_TAGS:
        tags.append(_CLAIM_TAGS[event["claim"]])
    blamed = event.get("blamed")
    if blamed and blamed != event["actor"]:
        tags.append(f"blamed on {blamed}")
    elif event["actor"] == "unknown" and event["result"] != "taken":
        tags.append("blamed on no one")
    tags.append("scripted" if event["scripted"] else "model")
    return f"{text}  [{', '.join(tags)}]"


def format_timeline(result: RunResult) -> str:
    """A dated, readable timeline followed by the outcome."""
    s = result.scenario
    lines = [s.title,
             f"scenario {s.id}, variant {result.variant}, seed {result.seed}, "
             f"replicate {result.replicate}", ""]
    last_date = None
    for event in result.events:
        date = event["date"] if event["date"] != last_date else " " * len(event["date"])
        last_date = event["date"]
        lines.append(f"{date}  {_describe_event(event)}")
    if not result.events:
        lines.append("(no events)")
    lines += ["", f"Outcome over the assessment window {s.window.start} .. {s.window.end}: "
                  f"{result.outcome['outcome_class']} (between states: "
                  f"{result.outcome['state_conflict']})", ""]
    descriptions = metric_descriptions()
    for name, value in result.outcome.items():
        if name in ("outcome_class", "state_conflict"):
            continue
        label = descriptions.get(name, name.replace("_", " "))
        shown = "none" if value is None else (int(value) if float(value).is_integer() else value)
        lines.append(f"  {name:<34} {shown!s:>6}   {label}")
    return "\n".join(lines)
