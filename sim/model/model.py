"""EscalationModel: the Mesa model that advances R replicates of a scenario, one day a step.

Each day, in order:
1. the day's scripted injects happen (and are adjudicated);
2. threats whose triggers are now met open;
3. every actor that decides scores its options on that state and picks one by the logit rule
   (all decide at once; an actor played from outside takes the action it was given);
4. the chosen actions are adjudicated; harm, fear, credibility and standing effects update;
5. threats triggered by today's actions open, overdue ones lapse;
6. grievance, fear, pressure, directives and tension decay by their half-lives.

With R = 1 it is an ordinary Mesa model (DataCollector, ``mesa.batch_run``); with R = 10,000 it
is a batch: the same code, every state array carrying a leading replicate axis.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim.model.actions import ACTION_INDEX, ACTIONS
from sim.model.actors import AGENT_CLASSES, Actor
from sim.model.adjudication import (UNIFORMS_PER_BATCH, Batch, apply_effects, apply_harm,
                                    intensity, resolve)
from sim.model.events import EventLog
from sim.model.outcomes import Tally, metric_names
from sim.model.rng import ReplicateRNG
from sim.model.situation import apply_situation
from sim.model.state import State, decay_factor, initial_state
from sim.model.threats import ThreatBook
from sim.model.world import UNKNOWN, World
from sim.scenario.schema import Inject, Scenario

DEFAULT_EVENT_LOG_LIMIT = 1000  # replicates up to which the event log is on by default


def _seed_from(rng: Any, model_rng: np.random.Generator) -> int:
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError("the seed must be a non-negative integer")
        return int(rng)
    return int(model_rng.integers(2**63 - 1))


class EscalationModel(mesa.Model):
    """The escalation system of a scenario, R replicates at a time.

    Args:
        scenario: a shipped scenario id (``"june-2025"``), a path to a YAML file, or a
            validated ``Scenario``.
        variant: name of one of the scenario's variants, or None for the base.
        replicates: R, the number of replicates advanced together.
        rng: the seed (an int). Results depend only on (scenario, variant, seed, replicate
            index); see sim.model.rng.
        replicate_start: index of the first replicate held (to re-run replicate i alone, pass
            ``replicate_start=i, replicates=1``).
        log_events: keep the event log (default: on for up to 1,000 replicates).
        collect_data: run Mesa's DataCollector every step (default on).
        situation: per-replicate values of situation fields, ``{path: value or R values}``
            (``initial_state.fear.kataib_hezbollah``...; see sim.model.situation).
        **parameter_overrides: any global parameter (``retaliation_weight=2.5``) or per-actor
            trait (``resolve=0.9`` for all, ``resolve__kataib_hezbollah=0.9`` for one), as a
            number or an array of R values.
    """

    def __init__(self, scenario: str | Path | Scenario = "june-2025", variant: str | None = None,
                 replicates: int = 1, rng: Any = None, *, replicate_start: int = 0,
                 log_events: bool | None = None, collect_data: bool = True,
                 situation: Mapping[str, Any] | None = None, **parameter_overrides: Any):
        super().__init__(rng=rng)
        if int(replicates) < 1:
            raise ValueError("replicates must be at least 1")
        from sim.scenario.loader import load_scenario  # the loader imports model catalogues

        self.spec: Scenario = (scenario if isinstance(scenario, Scenario)
                               else load_scenario(scenario, variant))
        if isinstance(scenario, Scenario) and variant and scenario.variant != variant:
            self.spec = load_scenario(scenario, variant)
        self.seed = _seed_from(rng, self.rng)
        self.replicate_start = replicate_start
        self.world = World(self.spec, int(replicates), parameter_overrides)
        self.threats = ThreatBook(self.world)
        self.state: State = initial_state(self.world, len(self.threats), len(self.threats.leaves))
        self.state.threat_status[:] = self.threats.unmade_at_start()
        apply_situation(self, situation)
        self.trigger_actor = np.full((self.world.replicates, len(self.threats)), -1, dtype=np.int64)
        self.ensemble_rng = ReplicateRNG(self.seed, replicate_start, self.world.replicates)
        self.tally = Tally(self.world)
        if log_events is None:
            log_events = self.world.replicates <= DEFAULT_EVENT_LOG_LIMIT
        self.log = EventLog(self.world, replicate_start) if log_events else None
        self.daily_index = np.zeros((self.world.replicates, self.spec.days))
        self.day = 0
        self._played: dict[int, tuple[int, int, bool]] = {}
        self.actors: list[Actor] = [AGENT_CLASSES[kind](self, i)
                                    for i, kind in enumerate(self.world.kinds)]
        self._deciders = [a for a in self.actors if a.decides]
        self.collect_data = collect_data
        self._metrics_day, self._metrics_cache = -1, {}
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_report_metric, name) for name in metric_names()})
        self.running = True

    # --- stepping ---------------------------------------------------------------------------

    @property
    def date(self):
        """The date of the day the next step plays."""
        import datetime as dt
        return self.spec.start + dt.timedelta(days=self.day)

    def play(self, actor: str, action: str, target: str | None = None, claimed: bool = True) -> None:
        """Set an action from outside (a player) for ``actor`` on the next day, all replicates."""
        if actor not in self.world.index:
            raise ValueError(f"actor '{actor}' is not in this scenario")
        if action not in ACTIONS:
            raise ValueError(f"unknown action '{action}'")
        a = self.world.index[actor]
        t = -1 if target is None else self.world.index.get(target, -2)
        if t == -2:
            raise ValueError(f"target '{target}' is not in this scenario")
        try:
            self.world.options[a].index(action, t, claimed)
        except ValueError:
            what = f"{action} -> {target}" if target else action
            raise ValueError(f"{actor} has no option {what}"
                             + ("" if claimed else " (unclaimed)")) from None
        self._played[a] = (ACTION_INDEX[action], t, claimed)

    def step(self) -> None:
        """Play one day."""
        if not self.running:
            return
        w, day = self.world, self.day
        injects = w.injects_by_day.get(day, [])
        columns = len(self._deciders) + UNIFORMS_PER_BATCH * (len(injects) + w.n)
        u = self.ensemble_rng.uniforms(columns)
        cursor = 0

        def take(k: int) -> np.ndarray:
            nonlocal cursor
            cursor += k
            return u[:, cursor - k:cursor]

        made = self.threats.announce(self.state, day)
        if made.any():
            self._log_threats(day, "threat_made", made)
        for inject in injects:
            self._execute(self._inject_batch(inject), take(UNIFORMS_PER_BATCH), day)
        self._open_threats(day)
        batches = []
        for agent in self._deciders:
            choice = agent.decide(take(1)[:, 0])
            batches.append(self._decision_batch(agent, choice))
        for a, (act, tgt, claimed) in self._played.items():
            batches = [b for b in batches if b.actor != a]
            r = w.replicates
            batches.append(Batch(a, np.full(r, act), np.full(r, tgt), np.full(r, claimed),
                                 source="player"))
        self._played = {}
        for batch in sorted(batches, key=lambda b: b.actor):
            self._execute(batch, take(UNIFORMS_PER_BATCH), day)
        self._open_threats(day)
        self._lapse_threats(day)
        self._decay()
        self.day += 1
        if self.day >= self.spec.days:
            self.running = False
        if self.collect_data:
            self.datacollector.collect(self)

    def run(self) -> EscalationModel:
        """Play every remaining day; returns the model."""
        while self.running:
            self.step()
        return self

    # --- pieces of a day --------------------------------------------------------------------

    def _inject_batch(self, inject: Inject) -> Batch:
        r, w = self.world.replicates, self.world
        actor = UNKNOWN if inject.actor == "unknown" else w.index[inject.actor]
        target = -1 if inject.target is None else w.index[inject.target]
        suspects = tuple(w.suspects_for(inject)) if not inject.claimed or actor == UNKNOWN else ()
        return Batch(actor, np.full(r, ACTION_INDEX[inject.action]), np.full(r, target),
                     np.full(r, inject.claimed), scripted=True, suspects=suspects,
                     fixed=inject.result, source=inject.id, magnitude=inject.magnitude)

    def _decision_batch(self, agent: Actor, choice: np.ndarray) -> Batch:
        opts = agent.options
        return Batch(agent.index, opts.action[choice], opts.target[choice], opts.claimed[choice])

    def _execute(self, batch: Batch, u: np.ndarray, day: int) -> None:
        w, s = self.world, self.state
        out = resolve(w, s, batch, u)
        self.tally.record(batch, out, day, s.last_attack_day)
        apply_harm(w, s, batch, out, day)
        apply_effects(w, s, batch)
        added = intensity(batch)
        s.tension += added
        self.daily_index[:, day] += added
        if self.log is not None:
            self.log.add_action(day, batch, out)
        self.threats.observe(s, day, out.author, batch.action, batch.target, batch.active,
                             self.trigger_actor)
        if batch.actor != UNKNOWN:
            done = self.threats.honour(s, batch.actor, batch.action, batch.target, batch.claimed,
                                       batch.active, self.trigger_actor)
            if done.any():
                self._update_credibility(done, gain=True)
                self.tally.record_threats(np.zeros_like(done), done, np.zeros_like(done))
                self._log_threats(day, "threat_honoured", done)

    def _open_threats(self, day: int) -> None:
        opened = self.threats.trigger(self.state, day)
        if opened.any():
            self.tally.record_threats(opened, np.zeros_like(opened), np.zeros_like(opened))
            self._log_threats(day, "threat_triggered", opened)

    def _lapse_threats(self, day: int) -> None:
        lapsed = self.threats.lapse(self.state, day)
        if lapsed.any():
            self._update_credibility(lapsed, gain=False)
            self.tally.record_threats(np.zeros_like(lapsed), np.zeros_like(lapsed), lapsed)
            self._log_threats(day, "threat_lapsed", lapsed)

    def _update_credibility(self, mask: np.ndarray, gain: bool) -> None:
        """Everyone revises the author's credibility: up when honoured, down when lapsed."""
        cred = self.state.credibility
        for ti in np.flatnonzero(mask.any(axis=0)):
            author, rows = self.threats.threats[ti].by, mask[:, ti]
            if gain:
                rate = self.world.param("credibility_gain")[None, rows]
                cred[:, rows, author] += rate * (1.0 - cred[:, rows, author])
            else:
                rate = self.world.param("credibility_loss")[None, rows]
                cred[:, rows, author] -= rate * cred[:, rows, author]

    def _log_threats(self, day: int, kind: str, mask: np.ndarray) -> None:
        if self.log is None:
            return
        tb = self.threats
        targets = np.stack([tb.response_target(ti, self.trigger_actor)
                            for ti in range(len(tb))], axis=1)
        self.log.add_threats(day, kind, mask, tb.by,
                             np.array([t.response_action for t in tb.threats]), targets,
                             [t.spec.id for t in tb.threats])

    def _decay(self) -> None:
        s, p = self.state, self.world.param
        s.grievance *= decay_factor(p("grievance_half_life"))[None, :, None]
        s.fear *= decay_factor(p("fear_half_life"))[:, None]
        s.pressure *= decay_factor(p("pressure_half_life"))[:, None]
        s.directive *= decay_factor(p("directive_half_life"))[:, None]
        s.tension *= decay_factor(p("tension_half_life"))

    # --- results ----------------------------------------------------------------------------

    def outcomes(self) -> dict[str, np.ndarray]:
        """Every outcome metric, one value per replicate."""
        return self.tally.metrics()

    def current_outcomes(self) -> dict[str, np.ndarray]:
        """The outcome metrics as of now, computed once per day (for the DataCollector)."""
        if self._metrics_day != self.day:
            self._metrics_cache, self._metrics_day = self.tally.metrics(), self.day
        return self._metrics_cache

    def timeline(self, replicate: int | None = None) -> list[dict[str, Any]]:
        """The event log of one replicate (default: the first held) as readable records."""
        if self.log is None:
            raise RuntimeError("this model was built with log_events=False")
        return self.log.records(self.replicate_start if replicate is None else replicate)


def _report_metric(name: str, model: EscalationModel) -> Any:
    """A DataCollector model reporter: a metric's value (R = 1) or its ensemble summary."""
    values = model.current_outcomes()[name]
    if len(values) == 1:
        value = values[0]
        return value if isinstance(value, str) else float(value)
    if values.dtype == object:
        names, counts = np.unique(values, return_counts=True)
        return str(names[np.argmax(counts)])
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")


def run_replicates(scenario: str | Path | Scenario, variant: str | None, seed: int,
                   replicates: int, overrides: Mapping[str, Any] | None = None,
                   replicate_start: int = 0, log_events: bool | None = None) -> EscalationModel:
    """Build and run a model to the end of its scenario window."""
    model = EscalationModel(scenario, variant, replicates, seed, replicate_start=replicate_start,
                            log_events=log_events, collect_data=False, **(overrides or {}))
    return model.run()
