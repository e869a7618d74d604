"""EscalationModel: the Mesa model that advances R replicates of a scenario, one day a step.

Each day, in order:
1. the scenario's threats dated today come into force;
2. every actor the model decides for today scores its options on the state at dawn and chooses
   by the hierarchical logit rule (all decide at once, knowing what happened up to yesterday;
   an actor played from outside takes the action it was given);
3. the day's scripted injects happen (and are adjudicated); threats whose triggers are now met
   open;
4. the chosen actions are adjudicated; harm, fear, credibility and standing effects update; a
   threat made today commits its author;
5. threats triggered by today's actions open, overdue ones lapse;
6. leaders in hiding resurface once the danger has passed; grievance, fear, pressure,
   directives and tension decay by their half-lives.

With R = 1 it is an ordinary Mesa model (DataCollector, ``mesa.batch_run``); with R = 10,000 it
is a batch: the same code, every state array carrying a leading replicate axis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa.experimental.scenarios import Scenario as MesaScenario

from sim.model.actions import ACTION_INDEX, ACTIONS
from sim.model.actors import AGENT_CLASSES, Actor
from sim.model.actors.militia import hiding_value
from sim.model.adjudication import (UNIFORMS_PER_BATCH, Batch, apply_effects, apply_harm,
                                    intensity, resolve)
from sim.model.choice import UNIFORMS_PER_CHOICE
from sim.model.compiled import CompiledDays, Engine, chosen_engine
from sim.model.events import EventLog
from sim.model.kinds import ClaimMode
from sim.model.outcomes import Tally, metric_names
from sim.model.places import split_site
from sim.model.rng import ReplicateRNG
from sim.model.rules import Situation, Terms
from sim.model.situation import apply_situation
from sim.model.state import State, decay_factor, initial_state
from sim.model.threats import ThreatBook
from sim.model.world import UNKNOWN, World
from sim.scenario.schema import BASE_VARIANT, Inject, Scenario

DEFAULT_EVENT_LOG_LIMIT = 1000  # replicates up to which the event log is on by default
# What the DataCollector records of each day played, beside the running outcome metrics (the
# daily series Mesa's plots draw: SolaraViz, ``escsim viz``); means over the replicates held.
DAILY_SERIES: dict[str, str] = {
    "escalation_index": "the day's escalation index: hostile acts weighted by severity",
    "attacks_by_militias": "kinetic attacks militias made that day",
    "strikes_by_states": "kinetic strikes states made that day",
}
_THREATEN = ACTION_INDEX["threaten"]

# Called for each deciding actor and day with its terms and choice, when set (escsim explain).
DecisionRecorder = Callable[[int, Actor, Situation, Terms, np.ndarray], None]


class EpisodeScenario(MesaScenario):
    """Mesa's scenario object for an escsim model: which episode, which variant, which seed.

    Mesa 3.5 gives every model a ``scenario`` (its experimental ``Scenario`` class), and tools
    such as SolaraViz rebuild a model by passing one back as ``scenario=``. EscalationModel
    accepts one wherever it accepts an episode id, so ``EscalationModel(scenario=
    EpisodeScenario(episode="june-2025", variant="no-restraint", rng=3))`` works, and
    ``model.scenario`` is always one of these, naming what the model runs.
    """

    episode: str = "june-2025"
    variant: str | None = None


def _seed_from(rng: Any, model_rng: np.random.Generator) -> int:
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError("the seed must be a non-negative integer")
        return int(rng)
    return int(model_rng.integers(2**63 - 1))


def _episode_of(scenario: Any, variant: str | None, rng: Any
                ) -> tuple[str | Path | Scenario, str | None, Any]:
    """(episode, variant, rng) from EscalationModel's arguments, unpacking a Mesa scenario."""
    if variant == BASE_VARIANT:  # a variant menu names the base scenario too
        variant = None
    if not isinstance(scenario, MesaScenario):
        return scenario, variant, rng
    episode = getattr(scenario, "episode", EpisodeScenario.episode)
    variant = getattr(scenario, "variant", None) or variant
    if rng is None:
        rng = scenario.rng
    return episode, variant, rng


def inject_mode(inject: Inject) -> ClaimMode:
    """How a scripted act is owned, from its ``claimed``, ``front`` and ``forewarned`` fields."""
    if inject.forewarned:
        return ClaimMode.FOREWARNED
    if inject.front:
        return ClaimMode.FRONT
    return ClaimMode.OWN if inject.claimed else ClaimMode.NONE


class EscalationModel(mesa.Model):
    """The escalation system of a scenario, R replicates at a time.

    Args:
        scenario: a shipped scenario id (``"june-2025"``), a path to a YAML file, a validated
            ``Scenario``, or Mesa's scenario object (an ``EpisodeScenario``, whose episode,
            variant and rng are used; any other Mesa ``Scenario`` means the default episode).
        variant: name of one of the scenario's variants, or None (or ``"base"``) for the base
            (an ``EpisodeScenario``'s own variant, when it names one, takes precedence).
        replicates: R, the number of replicates advanced together.
        rng: the seed (an int). Results depend only on (scenario, variant, seed, replicate
            index); see sim.model.rng.
        replicate_start: index of the first replicate held (to re-run replicate i alone, pass
            ``replicate_start=i, replicates=1``).
        log_events: keep the event log (default: on for up to 1,000 replicates).
        collect_data: run Mesa's DataCollector every step (default on).
        situation: per-replicate values of situation fields, ``{path: value or R values}``
            (``initial_state.fear.kataib_hezbollah``...; see sim.model.situation).
        engine: ``"numpy"`` plays every day with numpy; ``"compiled"`` with the compiled
            kernel where a day allows it (no event log, no recorder, no player's move that
            day); ``"auto"`` (default) is ``"compiled"`` from ``COMPILED_MIN_REPLICATES``
            replicates without an event log once the kernel is compiled (or when the model is
            large enough for compiling it to pay), else ``"numpy"`` (sim/model/compiled.py).
            Both give the same results.
        **parameter_overrides: any global parameter (``retaliation_weight=2.5``) or per-actor
            trait (``resolve=0.9`` for all, ``resolve__kataib_hezbollah=0.9`` for one), as a
            number or an array of R values.
    """

    def __init__(self, scenario: str | Path | Scenario = "june-2025", variant: str | None = None,
                 replicates: int = 1, rng: Any = None, *, replicate_start: int = 0,
                 log_events: bool | None = None, collect_data: bool = True,
                 situation: Mapping[str, Any] | None = None, engine: Engine = "auto",
                 **parameter_overrides: Any):
        episode, variant, rng = _episode_of(scenario, variant, rng)
        super().__init__(rng=rng, scenario=EpisodeScenario(
            rng=rng, episode=episode if isinstance(episode, str) else str(getattr(
                episode, "id", episode)), variant=variant))
        if int(replicates) < 1:
            raise ValueError("replicates must be at least 1")
        from sim.scenario.loader import load_scenario  # the loader imports model catalogues

        self.spec: Scenario = (episode if isinstance(episode, Scenario)
                               else load_scenario(episode, variant))
        if isinstance(episode, Scenario) and variant and episode.variant != variant:
            self.spec = load_scenario(episode, variant)
        self.seed = _seed_from(rng, self.rng)
        self.replicate_start = replicate_start
        self.world = World(self.spec, int(replicates), parameter_overrides)
        self.threats = ThreatBook(self.world)
        self.state: State = initial_state(self.world, len(self.threats), len(self.threats.leaves))
        self.threats.in_force_at_start(self.state)
        apply_situation(self, situation)
        self.trigger_actor = np.full((self.world.replicates, len(self.threats)), -1, dtype=np.int64)
        self.ensemble_rng = ReplicateRNG(self.seed, replicate_start, self.world.replicates)
        self.tally = Tally(self.world, self.threats.by,
                           np.array([t.own for t in self.threats.threats], dtype=bool))
        if log_events is None:
            log_events = self.world.replicates <= DEFAULT_EVENT_LOG_LIMIT
        self.log = EventLog(self.world, replicate_start) if log_events else None
        self.engine = chosen_engine(engine, self.world.replicates, bool(log_events),
                                     self.spec.days)
        self._compiled: CompiledDays | None = None  # built on the first compiled day
        self._days_ahead = 0  # days from today on that the compiled kernel has played already
        # stored day by day (the compiled step adds to one day of every replicate at a time)
        self.daily_index = np.zeros((self.spec.days, self.world.replicates)).T
        self.day = 0
        self._played: dict[int, tuple[int, int, int, int]] = {}
        self.actors: list[Actor] = [AGENT_CLASSES[kind](self, i)
                                    for i, kind in enumerate(self.world.kinds)]
        self._deciders = [a for a in self.actors if a.can_decide]
        self.recorder: DecisionRecorder | None = None
        self.collect_data = collect_data
        self._metrics_day, self._metrics_cache = -1, {}
        self.datacollector = mesa.DataCollector(model_reporters={
            **{name: partial(_report_metric, name) for name in metric_names()},
            **{name: partial(_report_day, name) for name in DAILY_SERIES}})
        self.running = True

    # --- stepping ---------------------------------------------------------------------------

    @property
    def date(self) -> dt.date:
        """The date of the day the next step plays."""
        return self.spec.start + dt.timedelta(days=self.day)

    def situation(self) -> Situation:
        """What the actors read when they decide today."""
        return Situation(self.world, self.state, self.threats, self.trigger_actor, self.day)

    def play(self, actor: str, action: str, target: str | None = None, claimed: bool = True,
             *, mode: ClaimMode | None = None) -> None:
        """Set an action from outside (a player) for ``actor`` on the next day, all replicates.

        ``target`` is an actor id or a site (``actor@place``); ``claimed=False`` leaves a
        deniable act unclaimed; ``mode`` sets any claim mode (front, forewarned) instead.
        """
        w = self.world
        if actor not in w.index:
            raise ValueError(f"actor '{actor}' is not in this scenario")
        if action not in ACTIONS:
            raise ValueError(f"unknown action '{action}'")
        a = w.index[actor]
        t, site = self._target_of(target)
        mode = mode if mode is not None else (ClaimMode.OWN if claimed else ClaimMode.NONE)
        opts = w.options[a]
        try:
            col = opts.find(action, t, site if ACTIONS[action].kinetic else None, mode)
        except ValueError:
            what = f"{action} -> {target}" if target else action
            raise ValueError(f"{actor} has no option {what}"
                             + ("" if mode is ClaimMode.OWN else f" ({mode.label})")) from None
        self._played[a] = (ACTION_INDEX[action], t, int(opts.site[col]), int(mode))

    def _target_of(self, target: str | None) -> tuple[int, int | None]:
        if target is None:
            return -1, None
        actor, place = split_site(target)
        if actor not in self.world.index:
            raise ValueError(f"target '{target}' is not in this scenario")
        if place is None:
            return self.world.index[actor], None
        if target not in self.world.site_index:
            raise ValueError(f"'{actor}' has no site at '{place}'")
        return self.world.index[actor], self.world.site_index[target]

    def step(self) -> None:
        """Play one day."""
        if not self.running:
            return
        day = self.day
        if self._days_ahead:  # played already, with the days before it (run)
            self._days_ahead -= 1
        elif self._compiled_today():
            self._compiled_days().play(day, day + 1)
        else:
            self._numpy_step(day)
        self.day += 1
        if self.day >= self.spec.days:
            self.running = False
        if self.collect_data:
            self.datacollector.collect(self)

    def run(self) -> EscalationModel:
        """Play every remaining day; returns the model.

        With the compiled engine and nothing to read between days (no data collection), the
        kernel plays every remaining day in one call, each block of replicates through all of
        them in turn (the same results, faster); ``step`` then only counts those days off.
        """
        while self.running:
            if not self._days_ahead and not self.collect_data and self._compiled_today():
                self._days_ahead = self._compiled_days().play(self.day, self.spec.days)
            self.step()
        return self

    def uniform_columns(self, day: int) -> int:
        """How many uniforms each replicate draws on ``day``: three per decider's choice and
        five per act (every actor's and the day's injects'), whether or not it acts."""
        injects = self.world.injects_by_day.get(day, [])
        return (UNIFORMS_PER_CHOICE * len(self._deciders)
                + UNIFORMS_PER_BATCH * (len(injects) + self.world.n))

    def _numpy_step(self, day: int) -> None:
        """Today with numpy: the scenario threats dated today, then the rest of the day."""
        u = self.ensemble_rng.uniforms(self.uniform_columns(day))
        cursor = 0

        def take(k: int) -> np.ndarray:
            nonlocal cursor
            cursor += k
            return u[:, cursor - k:cursor]

        made = self.threats.announce(self.state, day)
        if made.any():
            self._log_threats(day, "threat_made", made)
        self._numpy_day(day, self.world.injects_by_day.get(day, []), take)

    def _compiled_today(self) -> bool:
        """Whether today can be played by the compiled kernel (nothing it cannot do)."""
        return (self.engine == "compiled" and self.log is None and self.recorder is None
                and not self._played)

    def _compiled_days(self) -> CompiledDays:
        if self._compiled is None:
            self._compiled = CompiledDays(self)
        return self._compiled

    def _numpy_day(self, day: int, injects: list[Inject],
                   take: Callable[[int], np.ndarray]) -> None:
        """The day after the dated threats are announced, with numpy over all replicates."""
        batches = self._decisions(day, take)
        for inject in injects:
            self._execute(self._inject_batch(inject), take(UNIFORMS_PER_BATCH), day)
        self._open_threats(day)
        for batch in sorted(batches, key=lambda b: b.actor):
            self._execute(batch, take(UNIFORMS_PER_BATCH), day)
        self._open_threats(day)
        self._lapse_threats(day)
        self._end_of_day()

    def _decisions(self, day: int, take: Callable[[int], np.ndarray]) -> list[Batch]:
        """Today's choices of every deciding actor, then the players' moves in their place."""
        sit = self.situation()
        batches = []
        for agent in self._deciders:
            uniforms = take(UNIFORMS_PER_CHOICE)
            if agent.index in self._played or not agent.decides_on(day):
                continue
            terms = agent.terms(sit, keep_parts=self.recorder is not None)
            choice = agent.decide(sit, uniforms, terms)
            if self.recorder is not None:
                self.recorder(day, agent, sit, terms, choice)
            batches.append(self._decision_batch(agent, choice))
        r = self.world.replicates
        for a, (act, tgt, site, mode) in self._played.items():
            batches.append(Batch(a, np.full(r, act), np.full(r, tgt), np.full(r, site),
                                 np.full(r, mode), source="player"))
        self._played = {}
        return batches

    # --- pieces of a day --------------------------------------------------------------------

    def _inject_batch(self, inject: Inject) -> Batch:
        r, w = self.world.replicates, self.world
        actor = UNKNOWN if inject.actor == "unknown" else w.index[inject.actor]
        target, site = -1, -1
        if inject.target is not None:
            target = w.index[split_site(inject.target)[0]]
            site = w.site_of(inject.target) if ACTIONS[inject.action].kinetic else -1
        mode = inject_mode(inject)
        suspects = tuple(w.suspects_for(inject)) if mode.deniable or actor == UNKNOWN else None
        return Batch(actor, np.full(r, ACTION_INDEX[inject.action]), np.full(r, target),
                     np.full(r, site), np.full(r, int(mode)), scripted=True, suspects=suspects,
                     fixed=inject.result, source=inject.id, magnitude=inject.magnitude)

    def _decision_batch(self, agent: Actor, choice: np.ndarray) -> Batch:
        opts = agent.options
        return Batch(agent.index, opts.action[choice], opts.target[choice], opts.site[choice],
                     opts.mode[choice])

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
        self.threats.observe(s, day, out.author, batch.action, batch.target, batch.site,
                             batch.active, self.trigger_actor)
        if batch.actor == UNKNOWN:
            return
        done = self.threats.honour(s, batch.actor, batch.action, batch.target, batch.mode,
                                   batch.active, self.trigger_actor)
        if done.any():
            self._update_credibility(done, gain=True)
            self.tally.record_threats("honoured", done, day)
            self._log_threats(day, "threat_honoured", done)
        threatened = batch.active & (batch.action == _THREATEN)
        if threatened.any():
            made = self.threats.make_own(s, day, batch.actor, batch.target, threatened)
            if made.any():
                self.tally.record_threats("made", made, day)
                self._log_threats(day, "threat_made", made)

    def _open_threats(self, day: int) -> None:
        opened = self.threats.trigger(self.state, day)
        if opened.any():
            self.tally.record_threats("triggered", opened, day)
            self._log_threats(day, "threat_triggered", opened)

    def _lapse_threats(self, day: int) -> None:
        lapsed = self.threats.lapse(self.state, day)
        if lapsed.any():
            self._update_credibility(lapsed, gain=False)
            self.tally.record_threats("lapsed", lapsed, day)
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
                             tb.ids)

    def _end_of_day(self) -> None:
        """Leaders resurface where the danger has passed; everything that fades, fades."""
        s, p = self.state, self.world.param
        sit = self.situation()
        for a in np.flatnonzero(self.world.militias):
            if s.hidden[:, a].any():
                s.hidden[:, a] &= hiding_value(sit, int(a)) > 0
        s.grievance *= decay_factor(p("grievance_half_life"))[None, :, None]
        s.fear *= decay_factor(p("fear_half_life"))[:, None]
        pressure = decay_factor(p("pressure_half_life"))[:, None]
        s.pressure *= pressure
        s.urged *= pressure
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

    def last_day_figures(self) -> dict[str, float]:
        """The daily series (DAILY_SERIES) of the last day played, means over the replicates."""
        day = self.day - 1
        if day < 0:
            return dict.fromkeys(DAILY_SERIES, 0.0)
        by_actor = self.tally.daily_attacks[day].sum(axis=1) / self.world.replicates
        militias = self.world.militias
        return {"escalation_index": float(self.daily_index[:, day].mean()),
                "attacks_by_militias": float(by_actor[militias].sum()),
                "strikes_by_states": float(by_actor[~militias].sum())}

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


def _report_day(name: str, model: EscalationModel) -> float:
    """A DataCollector model reporter: one of the last day's DAILY_SERIES."""
    return model.last_day_figures()[name]


def run_replicates(scenario: str | Path | Scenario, variant: str | None, seed: int,
                   replicates: int, overrides: Mapping[str, Any] | None = None,
                   replicate_start: int = 0, log_events: bool | None = None) -> EscalationModel:
    """Build and run a model to the end of its scenario window."""
    model = EscalationModel(scenario, variant, replicates, seed, replicate_start=replicate_start,
                            log_events=log_events, collect_data=False, **(overrides or {}))
    return model.run()
