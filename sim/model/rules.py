"""The decision rule shared by every free actor: score options, then choose by logit.

For an actor a and a hostile option o = (action k, target t, claimed or not), the score is

    U(o) = hostility(k) * [ aggression(a)
                            + w_grievance * log(1 + grievance(a <- t))
                            + w_directive * directive(a)          if t is an adversary of a's patron
                            - w_retaliation * risk_aversion(a) * expected_retaliation(a, o) * x
                            - w_fear * fear(a)                    if t can strike a's leaders, * x
                            - w_stake * stake(a) * (stake_baseline + pressure(a)) * x ]
           + w_commitment * resolve(a) * (open threats of a that o would honour)

where x = 1 for a claimed act and x = attribution_accuracy for an unclaimed one (the costs an
act brings fall on its author only as far as it is recognised), and

    expected_retaliation(a, o) = credibility(a -> t) * retaliation_severity(t)
                                 + sum over pending threats by others that o would set off of
                                   credibility(a -> author) * rung(promised response) / top rung.

Every non-kinetic move other than ``hold`` pays ``effort_cost`` (doing nothing scores 0), and
the actor kind's own rule (sim/model/actors/) adds what drives its posture, meetings, bargains
and directives. The actor then picks
option o with probability proportional to exp(rationality(a) * U(o)) (quantal response),
sampled by the Gumbel-max trick from the day's uniforms.
"""

from __future__ import annotations

import numpy as np

from sim.model.actions import CATALOGUE, ActorKind
from sim.model.rng import gumbel
from sim.model.state import State
from sim.model.threats import ThreatBook
from sim.model.world import Options, World

HOSTILITY = np.array([a.hostility for a in CATALOGUE])
IS_STATE_STRIKE = np.array([a.id == "state_strike" for a in CATALOGUE])
LEADERSHIP_CAPABLE = {ActorKind.UNITED_STATES, ActorKind.ISRAEL}


def tension_factor(state: State) -> np.ndarray:
    """Regional tension squashed to 0..1, shape (R,)."""
    return state.tension / (1.0 + state.tension)


def hostile_scores(world: World, state: State, threats: ThreatBook, actor: int, opts: Options,
                   trigger_actor: np.ndarray) -> np.ndarray:
    """The hostile part of U and the commitment pull for every option, shape (R, n)."""
    p, tr = world.param, world.trait
    host = HOSTILITY[opts.action]
    target = np.where(opts.target >= 0, opts.target, actor)
    recognised = np.where(opts.claimed[None, :], 1.0, p("attribution_accuracy")[:, None])

    grievance = np.log1p(state.grievance[:, actor, target])
    patron = world.patron[actor]
    directive = np.zeros(len(opts))
    if patron >= 0:
        directive = (~world.aligned[patron, target]).astype(np.float64)
    retaliation = (state.credibility[:, actor, target] * tr("retaliation_severity")[:, target]
                   + threats.deterrence(state, actor, opts.action, opts.target))
    can_decapitate = np.array([world.kinds[t] in LEADERSHIP_CAPABLE for t in target])
    stake = state.stake[:, actor] * (p("stake_baseline") + state.pressure[:, actor])

    drive = (tr("aggression")[:, actor, None]
             + p("grievance_weight")[:, None] * grievance
             + p("directive_weight")[:, None] * state.directive[:, actor, None] * directive[None, :]
             - recognised * (p("retaliation_weight") * tr("risk_aversion")[:, actor])[:, None] * retaliation
             - recognised * (p("decapitation_fear_weight") * state.fear[:, actor])[:, None] * can_decapitate[None, :]
             - recognised * (p("stake_weight") * stake)[:, None])
    commitment = threats.commitment(state, actor, opts.action, opts.target, opts.claimed,
                                    trigger_actor)
    pull = (p("commitment_weight") * tr("resolve")[:, actor])[:, None] * commitment
    return host[None, :] * drive + pull


def blocked(world: World, state: State, actor: int, opts: Options) -> np.ndarray:
    """(R, n) options that cannot be taken today: not free, or a strike across a ceasefire."""
    out = np.repeat(~opts.free[None, :], world.replicates, axis=0)
    strikes = IS_STATE_STRIKE[opts.action] & (opts.target >= 0)
    if strikes.any():
        target = np.where(opts.target >= 0, opts.target, 0)
        out |= strikes[None, :] & state.ceasefire[:, actor, target]
    return out


def choose(scores: np.ndarray, rationality: np.ndarray, blocked_options: np.ndarray,
           uniforms: np.ndarray) -> np.ndarray:
    """Logit (quantal response) choice, one option index per replicate.

    P(o) is proportional to exp(rationality * U(o)) over the options not blocked.
    """
    noisy = rationality[:, None] * scores + gumbel(uniforms)
    noisy[blocked_options] = -np.inf
    return np.argmax(noisy, axis=1)


def choice_probabilities(scores: np.ndarray, rationality: np.ndarray,
                         blocked_options: np.ndarray) -> np.ndarray:
    """The exact logit probabilities that ``choose`` samples from, shape (R, n)."""
    z = rationality[:, None] * scores
    z = np.where(blocked_options, -np.inf, z)
    z = z - z.max(axis=1, keepdims=True)
    w = np.exp(z)
    return w / w.sum(axis=1, keepdims=True)
