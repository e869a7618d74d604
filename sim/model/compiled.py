"""The compiled day step: when it runs, and the tables it reads.

``EscalationModel`` plays a day either with numpy over all replicates at once (the reference:
sim/model/rules.py and the modules it names) or with the compiled kernel of sim/model/kernels.py,
which plays a block of replicates at a time with its state in cache (through every remaining day
in one call when the model runs to its end). Both change the same ``State`` and ``Tally``
arrays, so a run can switch between them from one day to the next; they give the same outcomes
replicate by replicate (tests/test_model_engines.py).

The kernel cannot keep the event log, show the separate terms (``escsim explain``), or play a
player's move; a day that needs any of these is played with numpy. Small runs are played with
numpy too: they are fast enough, and they spare a one-off compilation (and the numba import)
to commands such as ``escsim run`` that run a handful of replicates.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from sim.model.actions import (ACTION_INDEX, ACTIONS, CATALOGUE, HARMFUL, INJURED_PER_KILLED,
                               INTERCEPTABLE, KILLED_IF_LETHAL, KINETIC, LEADERSHIP, LETHALITY,
                               MATERIAL_HARM)
from sim.model.choice import _in_runs
from sim.model.kinds import ActorKind, ClaimMode
from sim.model.rng import BLOCK as RNG_BLOCK
from sim.model.state import decay_factor
from sim.scenario.schema import Inject

if TYPE_CHECKING:
    from sim.model.model import EscalationModel

Engine = Literal["auto", "numpy", "compiled"]
ENGINES: tuple[str, ...] = ("auto", "numpy", "compiled")
# "auto" compiles from this many replicates a model on: below it numpy is about as fast per
# batch, and a first run would spend longer compiling than computing
COMPILED_MIN_REPLICATES = 500
# A first compilation costs two to five minutes of one core (bench/bench.py, section startup),
# while numpy plays about 45 µs of CPU per replicate-day of june-2025: "auto" compiles only for
# a run of at least this many replicate-days (50,000 replicates of june-2025's 59 days), unless
# the machine code is already in numba's cache.
COMPILE_PAYS_REPLICATE_DAYS = 3_000_000
ENGINE_VARIABLE = "ESCSIM_ENGINE"  # overrides "auto" (numpy or compiled), e.g. for benchmarks
KERNEL_SOURCE = Path(__file__).with_name("kernels.py")


def chosen_engine(engine: str, replicates: int, log_events: bool, days: int = 0) -> str:
    """``numpy`` or ``compiled`` for a model of ``replicates`` over ``days``; ValueError for an
    unknown name.

    ``auto`` is ``compiled`` for a model of COMPILED_MIN_REPLICATES or more without an event
    log, when the kernel is cached or the model is large enough for compiling it to pay.
    ``compiled`` only if the kernel loads (numba imported, the kernel compiled or read from
    the cache); else ``numpy``, the same model, after one warning line."""
    if engine == "auto":
        engine = _requested_engine()
    if engine not in ENGINES:
        raise ValueError(f"unknown engine '{engine}' (choose from {', '.join(ENGINES)})")
    if engine == "auto":
        large = replicates >= COMPILED_MIN_REPLICATES and not log_events
        pays = replicates * days >= COMPILE_PAYS_REPLICATE_DAYS
        engine = "compiled" if large and (pays or kernel_cached()) else "numpy"
    if engine == "compiled" and load_kernels() is None:
        return "numpy"
    return engine


def _requested_engine() -> str:
    """What ESCSIM_ENGINE asks for: auto (unset or empty), numpy or compiled."""
    return os.environ.get(ENGINE_VARIABLE, "auto") or "auto"


def _cache_folders() -> list[Path]:
    """Where numba may keep the kernel's machine code: beside the module, under
    NUMBA_CACHE_DIR, or in the user's cache directory (each with the module's folder path)."""
    folder = KERNEL_SOURCE.parent.resolve()
    relative = Path(*folder.parts[1:])  # numba files a module's cache by its folder's path
    user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "numba"
    roots = [Path(os.environ["NUMBA_CACHE_DIR"])] if os.environ.get("NUMBA_CACHE_DIR") \
        else [user_cache]
    return [folder / "__pycache__", *(root / relative for root in roots)]


def kernel_cached() -> bool:
    """Whether this process has compiled the kernel, or numba's cache holds it compiled from
    the current source (numba recompiles when the source is newer than its index)."""
    if _kernels is not None and _kernels.run_days.signatures:
        return True
    try:
        stamp = KERNEL_SOURCE.stat().st_mtime
    except OSError:
        return False
    for folder in _cache_folders():
        try:
            if any(index.stat().st_mtime >= stamp
                   for index in folder.glob("kernels.run_days-*.nbi")):
                return True
        except OSError:  # an unreadable cache folder: as if there were none
            continue
    return False


def prepare_compiled_engine(scenario: Any, replicate_days: int) -> None:
    """Before a large run starts its workers: compile the kernel here, once, if the run is
    large enough for that to pay and numba's cache does not hold it yet, so that every worker
    loads it from the cache instead of compiling it at the same time (or playing with numpy).

    A failure to compile leaves every model on numpy, after one warning line."""
    global _unavailable
    if _requested_engine() == "numpy" or replicate_days < COMPILE_PAYS_REPLICATE_DAYS or kernel_cached():
        return
    if load_kernels() is None:
        return
    log = logging.getLogger("escsim")
    log.warning("escsim: compiling the fast engine for this installation, once (two to five "
                "minutes of one core; later runs load it from the cache)")
    from sim.model.model import EscalationModel

    try:
        EscalationModel(scenario, None, 1, 0, collect_data=False, log_events=False,
                        engine="compiled").run()
    except Exception as error:  # numba failing to compile here: numpy gives the same results
        _unavailable = f"{type(error).__name__}: {error}".splitlines()[0]
        log.warning("escsim: the compiled engine could not be built (%s); playing with numpy "
                    "instead (the same results, several times slower)", _unavailable)


_kernels: ModuleType | None = None
_unavailable: str | None = None  # why the kernel could not be loaded, once it failed


def load_kernels() -> ModuleType | None:
    """sim.model.kernels, imported on first use (numba with it), or None if numba is missing
    or fails to load here; the first failure logs one warning line and later ones are silent.

    Compiled machine code is cached (``cache=True``) where numba puts it by default: beside
    the module in ``__pycache__`` if that is writable (an editable install), else in the
    user's cache directory (``~/.cache/numba`` on Linux; a site-wide install); the
    ``NUMBA_CACHE_DIR`` variable overrides both."""
    global _kernels, _unavailable
    if _kernels is None and _unavailable is None:
        try:
            from sim.model import kernels
        except Exception as error:  # ImportError, or numba unable to load on this platform
            _unavailable = f"{type(error).__name__}: {error}".splitlines()[0]
            logging.getLogger("escsim").warning(
                "escsim: the compiled engine is unavailable (%s); playing every day with numpy "
                "instead (the same results, several times slower)", _unavailable)
        else:
            _kernels = kernels
    return _kernels if _unavailable is None else None


# --- what each kind of actor adds for its own moves (sim/model/actors/) ------------------------

def _situation_code(kind: ActorKind, action: str, target_kind: ActorKind | None,
                    has_allies: bool) -> tuple[int, float]:
    """The kernel's code for the situational term of one option, and a directive's value."""
    from sim.model import kernels as k
    from sim.model.actors.iran import DIRECTIVES

    if action == "threaten":
        return k.SIT_THREATEN, 0.0
    posture = kind in (ActorKind.UNITED_STATES, ActorKind.IRAN, ActorKind.ISRAEL)
    if posture and action == "deploy_air_defence":
        return k.SIT_AIR_DEFENCE, 0.0
    if posture and action == "evacuate_staff":
        return k.SIT_EVACUATE, 0.0
    if kind is ActorKind.MILITIA and action == "go_to_ground":
        return k.SIT_GROUND, 0.0
    if kind is ActorKind.UNITED_STATES:
        if action == "appeal_for_restraint" and target_kind is ActorKind.ISRAEL:
            return k.SIT_APPEAL_ISRAEL, 0.0
        if action == "press_government":
            return k.SIT_PRESS, 0.0
    if kind is ActorKind.IRAN and action in DIRECTIVES and has_allies:
        return k.SIT_DIRECTIVE, DIRECTIVES[action]
    if kind is ActorKind.IRAQI_GOVERNMENT:
        codes = {"restraint_meeting": k.SIT_MEETING, "economic_bargain": k.SIT_BARGAIN,
                 "remove_commanders": k.SIT_REMOVE}
        if action in codes:
            return codes[action], 0.0
        if action == "appeal_for_restraint" and target_kind is ActorKind.UNITED_STATES:
            return k.SIT_APPEAL_US, 0.0
    return k.SIT_NONE, 0.0


def _csr(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and values of a list of lists (row i is values[start[i]:start[i + 1]])."""
    start = np.zeros(len(rows) + 1, dtype=np.int64)
    start[1:] = np.cumsum([len(row) for row in rows])
    values = np.array([v for row in rows for v in row], dtype=np.int64)
    return start, values


def _expression(expr: tuple, out: list[tuple[int, int]]) -> None:
    """A trigger expression as a postfix program of (op, arg)."""
    from sim.model import kernels as k

    kind, arg = expr
    if kind == "leaf":
        out.append((k.EXPR_LEAF, arg))
        return
    for part in arg:
        _expression(part, out)
    out.append((k.EXPR_ANY if kind == "any" else k.EXPR_ALL, len(arg)))


class CompiledDays:
    """Plays a model's days with the compiled kernel (sim/model/kernels.py)."""

    def __init__(self, model: EscalationModel):
        kernels = load_kernels()
        if kernels is None:
            raise RuntimeError(f"the compiled engine is unavailable ({_unavailable})")
        self.kernels = kernels
        self.model = model
        self._injects = self._distinct_injects()
        self._inject_index = {id(inject): i for i, inject in enumerate(self._injects)}
        self.tables = kernels.Tables(
            self._rule(), self._sides(), self._acts(), self._effects(), self._codes(),
            self._options(), self._pairs(), self._threats(), self._leaves(),
            self._injects_table(), self._counting())
        self.dawn, self.work = kernels.work_space(self.tables)
        self.block_status = np.zeros((max(model.state.threat_status.shape[1], 1), kernels.BLOCK),
                                     dtype=model.state.threat_status.dtype)

    # --- the tables ------------------------------------------------------------------------

    def _rule(self) -> Any:
        k = self.kernels
        w = self.model.world
        columns = [w.param(name) for name in k.PARAMS[:len(k.PARAMS) - len(k.DECAYS)]]
        columns += [decay_factor(w.param(f"{name}_half_life")) for name in k.DECAYS]
        params = np.ascontiguousarray(np.stack(columns, axis=1))
        return k.Rule(params, _by_block(columns), _by_block([w.trait(t) for t in k.TRAITS]))

    def _kinds(self) -> dict[ActorKind, np.ndarray]:
        return {kind: np.array([k is kind for k in self.model.world.kinds]) for kind in ActorKind}

    def _sides(self) -> Any:
        m = self.model
        w = m.world
        is_kind = self._kinds()
        us_like = is_kind[ActorKind.UNITED_STATES] | is_kind[ActorKind.ISRAEL]
        states = us_like | is_kind[ActorKind.IRAN]
        allies_start, allies = _csr([list(w.allies_of(a)) for a in range(w.n)])
        sites_start, sites = _csr(w.actor_sites)
        kinds = tuple(ActorKind)
        threatened = np.zeros((w.n, w.n), dtype=bool)  # [t, a]: a can threaten t
        for agent in m._deciders:
            opts = agent.options
            for t in opts.target[opts.action == ACTION_INDEX["threaten"]]:
                threatened[t, agent.index] = True
        return self.kernels.Sides(
            threat_pairs=np.argwhere(threatened).astype(np.int64).reshape(-1, 2), patron=w.patron.astype(np.int64), militia=w.militias,
            militias=np.flatnonzero(w.militias), decapitators=np.flatnonzero(w.decapitators),
            is_decapitator=w.decapitators,
            governments=np.flatnonzero(is_kind[ActorKind.IRAQI_GOVERNMENT]),
            # rules.stake_cost: the federal government, a host state
            is_government=w.host_state & is_kind[ActorKind.IRAQI_GOVERNMENT],
            based_in_iraq=w.based_in_iraq, us_like=us_like, is_state=states,
            states=np.flatnonzero(states), target_kind=m.tally._target_kind.astype(np.int64),
            actor_kind=np.array([kinds.index(k) for k in w.kinds], dtype=np.int64),
            enemies=w.enemies, allies_start=allies_start, allies=allies,
            sites_start=sites_start, sites=sites, site_in_iraq=w.site_in_iraq,
            front=w.front_drive, log_disputes=np.log1p(w.disputes))

    def _acts(self) -> Any:
        from sim.model.adjudication import GOLDSTEIN, HOSTILE, STREET_FIGHTING
        from sim.model.outcomes import _RESTRAINT_MOVES, _STRIKES_ON_MILITIAS
        from sim.model.rules import RUNGS

        lam = np.maximum(KILLED_IF_LETHAL - 1.0, 0.0)
        return self.kernels.Acts(
            rung=RUNGS, kinetic=KINETIC, harmful=HARMFUL, interceptable=INTERCEPTABLE,
            lethality=LETHALITY, killed_if_lethal=KILLED_IF_LETHAL,
            injured_per_killed=INJURED_PER_KILLED, material=MATERIAL_HARM,
            leadership=LEADERSHIP, street=STREET_FIGHTING,
            intensity=HOSTILE * np.maximum(-GOLDSTEIN, 0.0) / 10.0,  # adjudication.intensity
            poisson_lam=lam, poisson_p0=np.exp(-lam),
            restraint_move=_RESTRAINT_MOVES, strike_on_militias=_STRIKES_ON_MILITIAS,
            mode_open=np.array([m in (ClaimMode.OWN, ClaimMode.FOREWARNED) for m in ClaimMode]),
            mode_deniable=np.array([m.deniable for m in ClaimMode]))

    def _effects(self) -> Any:
        kinds = self.model.world.kinds
        directive = np.array([np.nan if a.effects.directive is None else a.effects.directive
                              for a in CATALOGUE])

        def effect(attribute: str, dtype: type = np.float64) -> np.ndarray:
            return np.array([getattr(a.effects, attribute) for a in CATALOGUE], dtype=dtype)

        return self.kernels.Effects(
            optional_target=np.array([a.optional_target for a in CATALOGUE], dtype=np.bool_),
            targets_kind=np.array([[k in a.target_kinds for k in kinds] for a in CATALOGUE],
                                  dtype=bool).reshape(len(CATALOGUE), len(kinds)),
            has_directive=~np.isnan(directive), directive_value=np.nan_to_num(directive),
            pressure=effect("restraint_pressure"), urged=effect("urged"), stake=effect("stake"),
            air_defence=effect("air_defence"), exposure=effect("exposure"),
            hide=effect("hide_leaders", np.bool_), ceasefire=effect("ceasefire", np.bool_))

    def _codes(self) -> Any:
        from sim.model.outcomes import COUNTS, WINDOW_COUNTS
        from sim.model.rules import LOWEST_KINETIC_RUNG

        kinds = tuple(ActorKind)
        lo, hi = self.model.world.window
        counts = list(COUNTS)
        return self.kernels.Codes(
            lowest_kinetic_rung=LOWEST_KINETIC_RUNG,
            removal_harm=float(ACTIONS["remove_commanders"].material_harm),
            **{f"act_{name}": ACTION_INDEX[action] for name, action in (
                ("threaten", "threaten"), ("remove", "remove_commanders"),
                ("discourage", "discourage_allies"), ("encourage", "encourage_allies"),
                ("appeal", "appeal_for_restraint"), ("leadership", "leadership_strike"),
                ("state_strike", "state_strike"), ("armed_assault", "armed_assault"))},
            kind_us=kinds.index(ActorKind.UNITED_STATES), kind_israel=kinds.index(ActorKind.ISRAEL),
            kind_regional=kinds.index(ActorKind.REGIONAL_GOVERNMENT),
            kind_government=kinds.index(ActorKind.IRAQI_GOVERNMENT),
            window_first=lo, window_last=hi,
            **{f"c_{name}": counts.index(count) for name, count in _COUNTERS.items()},
            w_after_retaliation=WINDOW_COUNTS.index("attacks_after_retaliation"))

    def _pair_keys(self) -> list[dict[tuple[int, int, bool], int]]:
        """Per actor, each kinetic (action, site, forewarned) of its options -> pair index."""
        w, count = self.model.world, 0
        keys: list[dict[tuple[int, int, bool], int]] = []
        for a in range(w.n):
            opts, mine = w.options[a], {}
            for act, site, mode in zip(opts.action, opts.site, opts.mode, strict=True):
                key = (int(act), int(site), int(mode) == ClaimMode.FOREWARNED)
                if CATALOGUE[act].kinetic and key not in mine:
                    mine[key] = count
                    count += 1
            keys.append(mine)
        return keys

    def _options(self) -> Any:
        from sim.model.rules import IS_STATE_STRIKE, NON_KINETIC

        w = self.model.world
        deciders = self.model._deciders
        keys = self._pair_keys()
        rows: dict[str, list] = {name: [] for name in (
            "action", "target", "site", "mode", "pair", "situation", "value")}
        stages: dict[str, list] = {name: [] for name in (
            "group_first", "intent_first_group", "intent_first_option", "intent_options")}
        starts: dict[str, list] = {"start": [0], "group_start": [0], "intent_start": [0]}
        for agent in deciders:
            opts = agent.options
            if _in_runs(opts) is not None:
                raise ValueError(f"{agent.actor_id}: options not ordered by intent and group")
            a, has_allies = agent.index, w.allies_of(agent.index).size > 0
            for act, tgt, site, mode in zip(opts.action.tolist(), opts.target.tolist(),
                                            opts.site.tolist(), opts.mode.tolist(), strict=True):
                key = (act, site, mode == ClaimMode.FOREWARNED)
                code, value = _situation_code(w.kinds[a], CATALOGUE[act].id,
                                              w.kinds[tgt] if tgt >= 0 else None, has_allies)
                for name, item in (("action", act), ("target", tgt), ("site", site),
                                   ("mode", mode), ("situation", code), ("value", value),
                                   ("pair", keys[a][key] if CATALOGUE[act].kinetic else -1)):
                    rows[name].append(item)
            n_intents = len(opts.intents)
            stages["group_first"] += opts.group_starts.tolist()
            stages["intent_first_group"] += opts.intent_starts.tolist()
            stages["intent_first_option"] += np.searchsorted(
                opts.intent, np.arange(n_intents)).tolist()
            stages["intent_options"] += np.bincount(opts.intent, minlength=n_intents).tolist()
            for name, size in (("start", len(opts)), ("group_start", len(opts.group_starts)),
                               ("intent_start", n_intents)):
                starts[name].append(starts[name][-1] + size)
        action = np.array(rows["action"], dtype=np.int64)
        target = np.array(rows["target"], dtype=np.int64)
        ints = {name: np.array(values, dtype=np.int64)
                for name, values in {**rows, **stages, **starts}.items() if name != "value"}
        k = self.kernels
        needs = []
        for d in range(len(deciders)):
            codes = set(ints["situation"][ints["start"][d]:ints["start"][d + 1]].tolist())
            needs.append((k.NEEDS_WORTH if k.SIT_DIRECTIVE in codes else 0)
                         | (k.NEEDS_GOVERNMENT if codes & {k.SIT_MEETING, k.SIT_BARGAIN,
                                                           k.SIT_REMOVE} else 0)
                         | (k.NEEDS_POSTURE if codes & {k.SIT_AIR_DEFENCE, k.SIT_EVACUATE}
                            else 0))
        return k.Options(
            decider=np.array([agent.index for agent in deciders], dtype=np.int64),
            needs=np.array(needs, dtype=np.int64), start=ints["start"], action=action,
            target=target, site=ints["site"],
            mode=ints["mode"], pair=ints["pair"], situation=ints["situation"],
            value=np.array(rows["value"], dtype=np.float64),
            closable=IS_STATE_STRIKE[action] & (target >= 0),
            effort=(NON_KINETIC[action] & (action != 0)).astype(np.float64),
            group_start=ints["group_start"], group_first=ints["group_first"],
            intent_start=ints["intent_start"], intent_first_group=ints["intent_first_group"],
            intent_first_option=ints["intent_first_option"],
            intent_options=ints["intent_options"])

    def _pairs(self) -> Any:
        """Every actor's kinetic acts, the threats by others each would set off, and the acts
        of each ally its patron weighs (against the patron's adversaries)."""
        m = self.model
        w, tb = m.world, m.threats
        keys = self._pair_keys()
        n_pairs = sum(len(k) for k in keys)
        action = np.zeros(n_pairs, dtype=np.int64)
        site, target = np.zeros_like(action), np.zeros_like(action)
        forewarned = np.zeros(n_pairs, dtype=bool)
        threats: list[list[int]] = [[] for _ in range(n_pairs)]
        owner = np.zeros(n_pairs, dtype=np.int64)
        for a in range(w.n):
            opts = w.options[a]
            matching = tb.matching_threats(a, opts)
            for o in np.flatnonzero([CATALOGUE[act].kinetic for act in opts.action]):
                key = (int(opts.action[o]), int(opts.site[o]),
                       int(opts.mode[o]) == ClaimMode.FOREWARNED)
                p = keys[a][key]
                action[p], site[p], forewarned[p] = key
                target[p] = opts.target[o]
                threats[p] = [ti for ti, would in matching if would[o]]
                owner[p] = a
        threat_start, threat_list = _csr(threats)
        entry_pair = np.repeat(np.arange(n_pairs), np.diff(threat_start))
        hit = np.array([tb.victim(int(ti), int(owner[p]))
                        for ti, p in zip(threat_list, entry_pair, strict=True)], dtype=np.int64)
        weight = np.array([_weight_code(w.patron, int(owner[p]), int(h))
                           for p, h in zip(entry_pair, hit, strict=True)], dtype=np.int64)
        start = np.cumsum([0] + [len(mine) for mine in keys]).astype(np.int64)
        ally_start, ally_pairs = _csr([
            [p for p in keys[ally].values() if w.enemies[patron, target[p]]]
            for patron in range(w.n) for ally in w.allies_of(patron)])
        target_start, targets = _csr([sorted({int(target[p]) for p in keys[a].values()})
                                      for a in range(w.n)])
        return self.kernels.Pairs(start, action, site, target, forewarned, threat_start,
                                  threat_list, weight, hit, ally_start, ally_pairs, target_start,
                                  targets)

    def _threats(self) -> Any:
        m = self.model
        w, tb = m.world, m.threats
        n_threats, modes = len(tb), len(ClaimMode)
        by = tb.by.astype(np.int64)
        by_start, by_list = _csr([np.flatnonzero(by == a).tolist() for a in range(w.n)])
        against_start, against_list = _csr([tb.threats_against(a, t)
                                            for a in range(w.n) for t in range(w.n)])
        own = np.full((w.n, w.n), -1, dtype=np.int64)
        for (author, target), ti in tb.own_threat.items():
            own[author, target] = ti
        grid_action = np.repeat(np.arange(len(CATALOGUE)), modes)
        grid_mode = np.tile(np.arange(modes), len(CATALOGUE))
        fulfils = np.zeros((n_threats, len(CATALOGUE), modes), dtype=bool)
        for ti in range(n_threats):
            fulfils[ti] = tb._fulfils(ti, grid_action, grid_mode).reshape(len(CATALOGUE), modes)
        against = np.zeros((n_threats, w.n), dtype=bool)
        for ti, threat in enumerate(tb.threats):
            against[ti, list(threat.against)] = True
        return self.kernels.Threats(
            by=by,
            response_target=np.array([t.response_target for t in tb.threats], np.int64),
            deadline=np.array([t.deadline or 0 for t in tb.threats], np.int64),
            severity=np.array([tb.severity(ti) for ti in range(n_threats)], np.float64),
            against=against, against_militia=(against & w.militias).any(axis=1),
            by_militia=w.militias[by], own=np.array([t.own for t in tb.threats], dtype=bool),
            by_start=by_start, by_list=by_list, against_start=against_start,
            against_list=against_list, own_threat=own, fulfils=fulfils)

    def _leaves(self) -> Any:
        tb = self.model.threats
        leaves = tb.leaves

        w = self.model.world

        def tables(name: str, width: int) -> np.ndarray:
            return np.array([getattr(leaf, name) for leaf in leaves],
                            dtype=bool).reshape(len(leaves), width)

        of_start, of_threat = _csr([tb._leaf_indices(ti) for ti in range(len(tb))])
        action = tables("action_table", len(CATALOGUE))
        by_action_start, by_action = _csr([np.flatnonzero(action[:, a]).tolist()
                                           for a in range(len(CATALOGUE))])
        program: list[tuple[int, int]] = []
        expr_start = [0]
        for threat in tb.threats:
            _expression(threat.expr, program)
            expr_start.append(len(program))
        return self.kernels.Leaves(
            threat=np.array([leaf.threat for leaf in leaves], np.int64),
            since=np.array([leaf.since_day for leaf in leaves], np.int64),
            actor=tables("actor_table", w.n + 1), target=tables("target_table", w.n + 1),
            site=tables("site_table", len(w.site_ids) + 1), action=action,
            by_action_start=by_action_start,
            by_action=by_action, of_threat_start=of_start, of_threat=of_threat,
            expr_start=np.array(expr_start, dtype=np.int64),
            expr_op=np.array([op for op, _ in program], dtype=np.int64),
            expr_arg=np.array([arg for _, arg in program], dtype=np.int64))

    def _distinct_injects(self) -> list[Inject]:
        """Every inject once (an inject with ``until`` is scheduled on several days)."""
        seen: dict[int, Inject] = {}
        by_day = self.model.world.injects_by_day
        for day in sorted(by_day):
            for inject in by_day[day]:
                seen.setdefault(id(inject), inject)
        return list(seen.values())

    def _injects_table(self) -> Any:
        no_fix, replicates = self.kernels.NO_FIX, self.model.world.replicates
        fields: dict[str, list] = {name: [] for name in self.kernels.Injects._fields}
        suspects: list[int] = []
        for inject in self._injects:
            batch = self.model._inject_batch(inject)  # the numpy path's own reading of it
            fixed = batch.fixed
            row = {name: int(getattr(batch, name)[0]) for name in ("action", "target", "site",
                                                                    "mode")}
            # one magnitude per replicate: an experiment may vary it (sim.model.situation)
            row.update(actor=batch.actor, magnitude=np.broadcast_to(
                           np.asarray(batch.magnitude, dtype=np.float64), (replicates,)),
                       hit=no_fix if fixed is None else int(fixed.hit),
                       killed=no_fix if fixed is None or fixed.killed is None else fixed.killed,
                       injured=no_fix if fixed is None or fixed.injured is None
                       else fixed.injured,
                       suspect_start=-1 if batch.suspects is None else len(suspects))
            suspects += list(batch.suspects or ())
            row["suspect_end"] = -1 if batch.suspects is None else len(suspects)
            for name, value in row.items():
                fields[name].append(value)
        arrays = {name: np.array(values, dtype=np.int64) for name, values in fields.items()
                  if name not in ("magnitude", "suspects")}
        magnitude = np.array(fields["magnitude"], dtype=np.float64).reshape(-1, replicates)
        return self.kernels.Injects(**arrays, magnitude=magnitude,
                                    suspects=np.array(suspects, dtype=np.int64))

    def _counting(self) -> Any:
        from sim.model.outcomes import COUNTS, WINDOW_COUNTS

        names = list(COUNTS)
        spans = list(self.model.tally.dated.values())
        dated_start, dated = _csr([[m for m, (metric, *_) in enumerate(spans) if metric == name]
                                   for name in names])
        return self.kernels.Counting(
            count_window=np.array([WINDOW_COUNTS.index(n) if n in WINDOW_COUNTS else -1
                                   for n in names], dtype=np.int64),
            dated_start=dated_start, dated=dated,
            dated_first=np.array([first for _, first, _, _ in spans], np.int64),
            dated_last=np.array([last for _, _, last, _ in spans], np.int64))

    # --- playing a day ---------------------------------------------------------------------

    def play(self, first: int, last: int) -> int:
        """Play days ``first`` .. ``last - 1`` and return how many were played. Each day is
        played as the numpy path plays it, from the scenario threats it makes on, with the
        uniforms the model would draw for it (the kernel computes them: sim/model/rng.py's
        numbers, from the streams' states)."""
        k = self.kernels
        m = self.model
        s, t = m.state, m.tally
        r = m.world.replicates
        columns = np.array([m.uniform_columns(day) for day in range(first, last)], np.int64)
        u_base = np.concatenate([[0], np.cumsum(columns)[:-1]]).astype(np.int64) * RNG_BLOCK
        source = m.ensemble_rng
        streams = k.Streams(source.stream_states(), *source.stream_rows())
        days = self._days(range(first, last), u_base, columns)
        minds = k.Minds(s.grievance, s.credibility, np.zeros(1, dtype=np.bool_), s.fear,
                        s.directive, s.pressure, s.urged, s.stake, s.tension, s.hidden)
        ground = k.Ground(s.air_defence, s.exposure, s.ceasefire, s.last_attack_day)
        book = k.Book(s.threat_status, s.threat_made, s.threat_day, s.trigger_seen,
                      m.trigger_actor, self.block_status, np.zeros(1, dtype=np.int64))
        tally = k.Tally(t.totals, t.windows, t.dated_counts, t.first_attack_day,
                        t.first_retaliation_day, t.max_free_rung, t.daily_attacks,
                        t.state_strike_days, t._struck_today, m.daily_index.T)
        dawn = self.dawn._replace(grievance_source=s.grievance, credibility_source=s.credibility)
        k.run_days(self.tables, minds, ground, book, tally, dawn, self.work, days, streams,
                   _uniform_buffer(r * int(columns.max())))
        source.skip(int(columns.sum()))
        return last - first

    def _days(self, days: range, u_base: np.ndarray, u_columns: np.ndarray) -> Any:
        """The kernel's table of ``days``: who decides, the injects, the tally's new days and
        the scenario threats made on each (as Tally and ThreatBook.announce would see them)."""
        m = self.model
        t = m.tally
        lo, hi = m.world.window
        decides = np.array([[agent.decides_on(day) for agent in m._deciders] for day in days],
                           dtype=bool).reshape(len(days), len(m._deciders))
        injects = [[self._inject_index[id(i)] for i in m.world.injects_by_day.get(day, [])]
                   for day in days]
        made = [m.threats.made_on(day) for day in days]
        recorded = decides.any(axis=1) | np.array([bool(i) for i in injects])
        add_struck = np.zeros(len(days), dtype=bool)
        for d, day in enumerate(days):  # Tally._new_day, day after day
            add_struck[d] = recorded[d] and lo <= t._today <= hi
            if recorded[d]:
                t._today = day
        inject_start, inject_list = _csr(injects)
        made_start, made_list = _csr(made)
        return self.kernels.Days(np.array(days, dtype=np.int64), decides, inject_start,
                                 inject_list, recorded, add_struck, made_start, made_list,
                                 u_base, u_columns)


_buffers = threading.local()


def _uniform_buffer(size: int) -> np.ndarray:
    """``size`` float64 of this thread's buffer for a day's uniforms, kept from one model to
    the next (a batch worker runs many): writing to fresh memory costs a page fault per page."""
    buffer = getattr(_buffers, "uniforms", None)
    if buffer is None or buffer.size < size:
        buffer = _buffers.uniforms = np.empty(size)
    return buffer[:size]


def _by_block(columns: list[np.ndarray]) -> np.ndarray:
    """Per-replicate values, C arrays of shape (R, ...), as one (blocks, C, ..., BLOCK) array,
    replicate index last (the last block padded with copies of the last replicate); each value
    copied once, straight into place."""
    from sim.model.kernels import BLOCK

    r, rest = len(columns[0]), columns[0].shape[1:]
    whole, blocks = r // BLOCK, -(-r // BLOCK)
    out = np.empty((blocks, len(columns), *rest, BLOCK))
    for j, values in enumerate(columns):
        out[:whole, j] = np.moveaxis(values[:whole * BLOCK].reshape(whole, BLOCK, *rest), 1, -1)
        if whole < blocks:
            tail = np.concatenate([values[whole * BLOCK:],
                                   np.repeat(values[-1:], blocks * BLOCK - r, 0)])
            out[whole, j] = np.moveaxis(tail, 0, -1)
    return out


def _weight_code(patron: np.ndarray, observer: int, hit: int) -> int:
    """rules._hit_weight as the kernel's code: how much a blow to ``hit`` costs ``observer``."""
    from sim.model import kernels as k

    if hit == observer:
        return k.WEIGHT_ONE
    if patron[observer] == hit:
        return k.WEIGHT_SOLIDARITY
    if patron[hit] == observer:
        return k.WEIGHT_RESERVE
    return k.WEIGHT_NONE


# the kernel's name for each count it adds to (sim/model/outcomes.py COUNTS)
_COUNTERS = {
    "restraint_moves": "government_restraint_moves", "removals": "commander_removals",
    "hold_back": "directives_to_hold_back", "act": "directives_to_act",
    "appeals": "restraint_appeals", "unattributed": "unattributed_attacks",
    "on_us": "militia_attacks_on_us", "on_israel": "militia_attacks_on_israel",
    "on_kurdistan": "militia_attacks_on_kurdistan",
    "on_government": "militia_attacks_on_government", "on_rivals": "militia_attacks_on_rivals",
    "assaults": "militia_armed_assaults", "unclaimed": "unclaimed_attacks",
    "front": "front_claimed_attacks", "killed_by_militias": "killed_by_militias",
    "killed": "killed", "injured": "injured", "strikes_on_militias": "strikes_on_militias",
    "strikes_in_iraq": "strikes_in_iraq", "retaliatory": "retaliatory_strikes",
    "leadership": "leadership_strikes", "state_strikes": "state_strikes",
    "forewarned": "forewarned_strikes", "made": "threats_made",
    "triggered": "threats_triggered", "honoured": "threats_honoured", "lapsed": "threats_lapsed",
    "militia_honoured": "militia_threats_honoured", "militia_lapsed": "militia_threats_lapsed"}
