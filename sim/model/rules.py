"""The decision rule shared by every free actor: score each option as a sum of named terms.

For actor a and a kinetic option o = (action k, target actor t, site s, claim mode c):

    U(o) = aggression(a) - escalation_aversion * (rung(k) - lowest kinetic rung)  reluctance
           + x(c) * w_grievance * [log(1 + grievance(a <- t))
                                   + log(1 + dispute(a, t))]                   grievance
           + x(c) * w_solidarity * solidarity(a) * front(t, today)              solidarity
           - x(c) * (1 - effect(o)) * (grievance + solidarity terms)           denial
           + w_directive * directive(a)              if a's patron opposes t    directive
           + w_commitment * resolve(a) * (open threats of a that o carries out) commitment
           - x(c) * w_retaliation * risk_aversion(a) * E_ret(a, o)              retaliation
           - x(c) * w_fear * fear(a) * credibility(a -> t)  if t can strike leaders  decapitation
           - x(c) * w_stake * stake(a) * (stake_baseline + pressure(a)) * D(a, o)    stake
           - hiding_cost(a)                          while a's leaders hide     hiding

where
- x(c) is 1 for an act owned openly (or forewarned) and ``attribution_accuracy`` for one left
  unclaimed or claimed by a front: what an act brings, good and bad, falls on its author only
  as far as it is recognised; a patron's directive and the actor's own reluctance are not
  deceived by a missing claim;
- effect(o) = 1 - interceptability(k) * air_defence(s): deterrence by denial, defences make an
  attack worth less (f-2020-ain-al-asad-cram, f-20200313-patriot-announcement);
- E_ret(a, o) = provocation(o) * credibility(a -> t) * retaliation_severity(t)
  + sum over threats by others in force that o would set off of
  credibility(a -> author) * rung(promised response) / top rung * weight(who it would hit),
  with provocation(o) = h / (h + provocation_harm) for the harm h the act is expected to do,
  counting ``affront_harm`` for the attempt itself (acts that do little harm provoke little,
  but a series of them adds up);
- D(a, o), what the act puts at risk in Iraq: for an actor based in Iraq (a militia) the
  reprisals it invites, E_ret, plus ``host_state_stake_factor`` when t is the federal
  government itself; for anyone else, 1 when the act lands inside Iraq.

Each kind of actor adds the terms of its own non-kinetic moves (sim/model/actors/), and every
non-kinetic move other than ``hold`` pays ``effort_cost``. ``hold`` scores 0. The terms are
kept apart (``Terms``) so that ``escsim explain`` can show how much each one weighs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.actions import (CATALOGUE, INJURED_PER_KILLED, INTERCEPTABLE, KILLED_IF_LETHAL,
                              KINETIC, LETHALITY, MATERIAL_HARM)
from sim.model.kinds import ActorKind, ClaimMode
from sim.model.state import State
from sim.model.threats import ThreatBook
from sim.model.world import Options, World

HOSTILITY = np.array([a.hostility for a in CATALOGUE])
IS_STATE_STRIKE = np.array([a.id == "state_strike" for a in CATALOGUE])
RUNGS = np.array([a.rung for a in CATALOGUE])
LOWEST_KINETIC_RUNG = int(RUNGS[KINETIC].min())
NON_KINETIC = ~KINETIC
HOLD = 0
OPENLY_OWNED = np.array([m in (ClaimMode.OWN, ClaimMode.FOREWARNED) for m in ClaimMode])
FOREWARNED = int(ClaimMode.FOREWARNED)

# The terms of the rule, in the order ``escsim explain`` shows them.
TERM_NAMES = ("reluctance", "grievance", "solidarity", "denial", "directive", "commitment",
              "retaliation", "decapitation", "stake", "hiding", "effort", "situation")


class Terms:
    """U for every option, (R, n), built term by term; with ``keep_parts`` each named term is
    also kept on its own (what ``escsim explain`` reads), otherwise only their sum is."""

    def __init__(self, shape: tuple[int, int], keep_parts: bool = True):
        self.shape = shape
        self._sum = np.zeros(shape)
        self.parts: dict[str, np.ndarray] = {}
        self.keep_parts = keep_parts

    def add(self, name: str, values: np.ndarray, columns: np.ndarray | slice = slice(None)) -> None:
        self._sum[:, columns] += values
        if self.keep_parts:
            if name not in self.parts:
                self.parts[name] = np.zeros(self.shape)
            self.parts[name][:, columns] += values

    def add_block(self, columns: np.ndarray, parts: dict[str, np.ndarray]) -> None:
        """Add several terms for the same columns at once: one write into the sum."""
        values = iter(parts.values())
        block = np.array(next(values), dtype=np.float64, copy=True)
        for more in values:
            block += more
        self._sum[:, columns] += block
        if self.keep_parts:
            for name, part in parts.items():
                if name not in self.parts:
                    self.parts[name] = np.zeros(self.shape)
                self.parts[name][:, columns] += part

    def total(self) -> np.ndarray:
        """The sum of the terms (the array itself: copy it before changing it)."""
        return self._sum


@dataclass
class Situation:
    """What a decision reads: the world, today's state, the threats and today's date."""

    world: World
    state: State
    threats: ThreatBook
    trigger_actor: np.ndarray
    day: int


def tension_factor(state: State) -> np.ndarray:
    """Regional tension squashed to 0..1, shape (R,)."""
    return state.tension / (1.0 + state.tension)


def recognition(world: World, mode: np.ndarray) -> np.ndarray:
    """(R, n) share of an act's consequences that falls on its author (x in the rule)."""
    return np.where(OPENLY_OWNED[mode][None, :], 1.0, world.param("attribution_accuracy")[:, None])


def effect(state: State, action: np.ndarray, site: np.ndarray) -> np.ndarray:
    """(R, n) chance an act gets through the target site's air defence."""
    through = state.air_defence[:, site] * -INTERCEPTABLE[action]
    through += 1.0
    return through


def expected_harm(world: World, state: State, action: np.ndarray, site: np.ndarray,
                  mode: np.ndarray, through: np.ndarray | None = None) -> np.ndarray:
    """(R, n) harm an act is expected to do: the chance it gets through (``through``, if
    already known) times the damage and casualties of a hit at the site's exposure (a
    forewarned strike keeps only ``forewarning_factor`` of both)."""
    p = world.param
    casualties = KILLED_IF_LETHAL[action] * (p("harm_per_killed")[:, None]
                                             + INJURED_PER_KILLED[action] * p("harm_per_injured")[:, None])
    per_hit = MATERIAL_HARM[action] + LETHALITY[action] * state.exposure[:, site] * casualties
    if (mode == FOREWARNED).any():
        per_hit *= np.where(mode == FOREWARNED, p("forewarning_factor")[:, None], 1.0)
    per_hit *= effect(state, action, site) if through is None else through
    per_hit += p("affront_harm")[:, None]  # the attempt itself, whether or not it gets through
    return per_hit


def provocation(world: World, harm: np.ndarray) -> np.ndarray:
    """Share of a target's full severity an act of expected harm ``harm`` provokes."""
    return harm / (harm + world.param("provocation_harm")[:, None])


def threat_costs(sit: Situation, observer: int, actor: int, opts: Options,
                 columns: np.ndarray, only_observer: bool = False) -> np.ndarray:
    """(R, len(columns)) expected cost, in the eyes of ``observer``, of the threats by others
    in force that ``actor``'s options would set off, each counted once: the author's
    credibility times the promised response's rung share, weighted by who it would hit (the
    observer itself 1, its patron its solidarity, its ally its reserve value)."""
    w, s, tb = sit.world, sit.state, sit.threats
    out = np.zeros((w.replicates, columns.size))
    sub = Options(opts.action[columns], opts.target[columns], opts.site[columns],
                  opts.mode[columns], opts.free[columns], opts.intent[columns],
                  opts.group[columns], opts.intents)
    cred = s.credibility_of(observer)
    for ti, would in tb.matching_threats(actor, sub):
        live = tb.live(s, ti)
        if not live.any():
            continue
        hit = tb.victim(ti, actor)
        if only_observer and hit != observer:
            continue
        weight = _hit_weight(w, observer, hit)
        if not np.any(weight):
            continue
        author = tb.threats[ti].by
        out += (live * cred[:, author] * weight * tb.severity(ti))[:, None] * would[None, :]
    return out


def _hit_weight(world: World, observer: int, hit: int) -> np.ndarray:
    """(R,) how much a blow to ``hit`` costs ``observer``."""
    if hit == observer:
        return np.ones(world.replicates)
    if world.patron[observer] == hit:
        return world.trait("solidarity")[:, observer]
    if world.patron[hit] == observer:
        return world.trait("reserve_value")[:, observer]
    return np.zeros(world.replicates)


def expected_retaliation(sit: Situation, observer: int, actor: int, opts: Options,
                         columns: np.ndarray, harm: np.ndarray | None = None) -> np.ndarray:
    """(R, k) E_ret of ``actor``'s options ``columns`` as ``observer`` sees it: the target's own
    answer, scaled by the act's provocation, plus the threats it would set off."""
    w, s = sit.world, sit.state
    act, tgt, site, mode = (opts.action[columns], opts.target[columns], opts.site[columns],
                            opts.mode[columns])
    if harm is None:
        harm = expected_harm(w, s, act, site, mode)
    answer = provocation(w, harm) * s.credibility_of(observer)[:, tgt] \
        * w.trait("retaliation_severity")[:, tgt]
    return answer + threat_costs(sit, observer, actor, opts, columns)


def strike_terms(sit: Situation, actor: int, opts: Options, terms: Terms) -> None:
    """Add the shared rule's terms for every kinetic option of ``actor``."""
    cols = np.flatnonzero(KINETIC[opts.action])
    if cols.size == 0:
        return
    w, s, a = sit.world, sit.state, actor
    p, tr = w.param, w.trait
    act, tgt, site, mode = opts.action[cols], opts.target[cols], opts.site[cols], opts.mode[cols]
    x = recognition(w, mode)
    climb = np.maximum(RUNGS[act] - LOWEST_KINETIC_RUNG, 0)
    parts: dict[str, np.ndarray] = {
        "reluctance": tr("aggression")[:, a, None] - p("escalation_aversion")[:, None] * climb}
    grievance = p("grievance_weight")[:, None] * (
        np.log1p(s.grievance_of(a)[:, tgt]) + np.log1p(w.disputes[sit.day, a, tgt]))
    solidarity = (p("solidarity_weight") * tr("solidarity")[:, a])[:, None] \
        * w.front_drive[sit.day, tgt]
    through = effect(s, act, site)
    parts["grievance"] = x * grievance
    parts["solidarity"] = x * solidarity
    parts["denial"] = (through - 1.0) * (parts["grievance"] + parts["solidarity"])
    patron = w.patron[a]
    if patron >= 0:
        parts["directive"] = (p("directive_weight") * s.directive[:, a])[:, None] \
            * w.enemies[patron, tgt]
    harm = expected_harm(w, s, act, site, mode, through)
    e_ret = expected_retaliation(sit, a, a, opts, cols, harm)
    parts["retaliation"] = -(p("retaliation_weight") * tr("risk_aversion")[:, a])[:, None] \
        * x * e_ret
    if w.kinds[a] is ActorKind.MILITIA:
        parts["decapitation"] = -(p("decapitation_fear_weight") * s.fear[:, a])[:, None] \
            * x * (w.decapitators[tgt] * s.credibility_of(a)[:, tgt])
        parts["hiding"] = np.broadcast_to(
            -(tr("hiding_cost")[:, a] * s.hidden[:, a])[:, None], x.shape)
    parts["stake"] = -x * stake_cost(sit, a, tgt, site, e_ret)
    commitment = sit.threats.commitment(s, a, opts, sit.trigger_actor)
    if commitment is not None:
        parts["commitment"] = (p("commitment_weight") * tr("resolve")[:, a])[:, None] \
            * commitment[:, cols]
    terms.add_block(cols, parts)


def stake_cost(sit: Situation, actor: int, target: np.ndarray, site: np.ndarray,
               e_ret: np.ndarray) -> np.ndarray:
    """(R, k) w_stake * stake * (baseline + pressure) * D: what the acts put at risk in Iraq."""
    w, s, p = sit.world, sit.state, sit.world.param
    weight = p("stake_weight") * s.stake[:, actor] * (p("stake_baseline") + s.pressure[:, actor])
    if w.based_in_iraq[actor]:
        federal = w.host_state[target] & (np.asarray(w.kinds, dtype=object)[target]
                                          == ActorKind.IRAQI_GOVERNMENT)
        danger = e_ret + p("host_state_stake_factor")[:, None] * federal[None, :]
    else:
        danger = np.broadcast_to(w.site_in_iraq[site][None, :].astype(float), e_ret.shape)
    return weight[:, None] * danger


def threaten_terms(sit: Situation, actor: int, opts: Options, terms: Terms) -> None:
    """A public threat against t deters t: it is worth the actor's resolve times t's reasons to
    attack it (t's grievance toward it, and t's allies' wars against it). It is worth nothing
    while a threat of the actor's against t is in force (its own or a dated one), or once t is
    already attacking it (the time for deterrence has passed; the answer is what counts)."""
    cols = np.flatnonzero(opts.action == _THREATEN)
    if cols.size == 0:
        return
    w, s, a = sit.world, sit.state, actor
    p, tr = w.param, w.trait
    tgt = opts.target[cols]
    their_reasons = p("grievance_weight")[:, None] * (
        np.log1p(s.grievance[tgt, :, a].T) + np.log1p(w.disputes[sit.day, tgt, a])[None, :]) \
        + (p("solidarity_weight")[:, None] * tr("solidarity")[:, tgt]) \
        * w.front_drive[sit.day, a][None, None]
    moot = (sit.day - s.last_attack_day[:, tgt, a]) <= p("retaliation_window_days")[:, None]
    for j, t in enumerate(tgt):
        for ti in sit.threats.threats_against(a, int(t)):
            moot[:, j] |= sit.threats.live(s, ti)
    terms.add("situation", np.where(moot, 0.0, tr("resolve")[:, a, None] * their_reasons), cols)


_THREATEN = next(i for i, act in enumerate(CATALOGUE) if act.id == "threaten")


def effort_terms(world: World, opts: Options, terms: Terms) -> None:
    """Every deliberate non-kinetic move but ``hold`` costs ``effort_cost``."""
    cost = (NON_KINETIC[opts.action] & (opts.action != HOLD)).astype(float)
    terms.add("effort", -world.param("effort_cost")[:, None] * cost[None, :])


def closed_options(world: World, state: State, actor: int, opts: Options) -> np.ndarray | None:
    """(R, n) options that cannot be taken today (strikes across a ceasefire), or None."""
    strikes = np.flatnonzero(IS_STATE_STRIKE[opts.action] & (opts.target >= 0))
    if strikes.size == 0 or not state.ceasefire[:, actor].any():
        return None
    out = np.zeros((world.replicates, len(opts)), dtype=bool)
    out[:, strikes] = state.ceasefire[:, actor, opts.target[strikes]]
    return out
