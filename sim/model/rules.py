"""The decision rule shared by every free actor: score options, then choose by logit.

For an actor a and a hostile option o = (action k, target t, claimed or not), the score is

    U(o) = hostility(k) * [ aggression(a)
                            + w_grievance * log(1 + grievance(a <- t))
                            + w_directive * directive(a)          if a's patron can strike t
                            - w_retaliation * risk_aversion(a) * expected_retaliation(a, o) * x
                            - w_fear * fear(a)                    if t can strike a's leaders, * x
                            - w_stake * stake(a) * (stake_baseline + pressure(a)) * h(t) * x ]
           + w_commitment * resolve(a) * (open threats of a that o would honour)

where x = 1 for a claimed act and x = attribution_accuracy for an unclaimed one (the costs an
act brings fall on its author only as far as it is recognised), h(t) = host_state_stake_factor
when t is the Iraqi state itself (attacking it puts the stake directly at risk) and 1 otherwise,
and

    expected_retaliation(a, o) = credibility(a -> t) * retaliation_severity(t)
                                 + sum over pending threats by others that o would set off of
                                   credibility(a -> author) * rung(promised response) / top rung.

Every non-kinetic move other than ``hold`` pays ``effort_cost`` (doing nothing scores 0), and
the actor kind's own rule (sim/model/actors/) adds what drives its posture, meetings, bargains
and directives. The actor then picks
option o with probability proportional to exp(rationality(a) * U(o)) (quantal response),
sampled by inverting the cumulative distribution at one of the day's uniforms.
"""

from __future__ import annotations

import numpy as np

from sim.model.actions import CATALOGUE, ActorKind
from sim.model.state import State
from sim.model.threats import ThreatBook
from sim.model.world import Options, World

HOSTILITY = np.array([a.hostility for a in CATALOGUE])
_EXP_CAP = 600.0  # exp(600) * (number of options) stays far from float64 overflow
IS_STATE_STRIKE = np.array([a.id == "state_strike" for a in CATALOGUE])


def tension_factor(state: State) -> np.ndarray:
    """Regional tension squashed to 0..1, shape (R,)."""
    return state.tension / (1.0 + state.tension)


def hostile_scores(world: World, state: State, threats: ThreatBook, actor: int, opts: Options,
                   trigger_actor: np.ndarray) -> np.ndarray:
    """The hostile part of U and the commitment pull for every option, shape (R, n).

    The terms depend on the option only through its target and whether it is claimed, so they
    are computed once per target actor (R, N) and then gathered for the hostile options.
    """
    p, tr = world.param, world.trait
    host = HOSTILITY[opts.action]
    scores = np.zeros((world.replicates, len(opts)))
    hostile = np.flatnonzero(host > 0)
    if hostile.size:
        # the terms depend on the target only: compute them for the few targets, then gather
        targets, column = np.unique(opts.target[hostile], return_inverse=True)
        drive, cost = _per_target_terms(world, state, actor, targets)
        recognised = np.where(opts.claimed[hostile][None, :], 1.0,
                              p("attribution_accuracy")[:, None])
        risk = (p("retaliation_weight") * tr("risk_aversion")[:, actor])[:, None]
        deterred = threats.deterrence(state, actor, opts.action[hostile], opts.target[hostile])
        scores[:, hostile] = host[hostile][None, :] * (
            drive[:, column] - recognised * (cost[:, column] + risk * deterred))
    commitment = threats.commitment(state, actor, opts.action, opts.target, opts.claimed,
                                    trigger_actor)
    if commitment is not None:
        scores += (p("commitment_weight") * tr("resolve")[:, actor])[:, None] * commitment
    return scores


def _per_target_terms(world: World, state: State, actor: int,
                      targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per target actor: the drive toward hostility and the costs it carries, each (R, T).

    drive = aggression + w_grievance * log(1 + grievance) + w_directive * directive (vs those
    the patron can strike); cost = w_retaliation * risk_aversion * credibility * severity
    + w_fear * fear (vs actors able to strike leaders)
    + w_stake * stake * (baseline + pressure) * (host_state_stake_factor vs the Iraqi state).
    """
    p, tr = world.param, world.trait
    drive = tr("aggression")[:, actor, None] + \
        p("grievance_weight")[:, None] * np.log1p(state.grievance_of(actor)[:, targets])
    patron = world.patron[actor]
    if patron >= 0:
        drive += (p("directive_weight") * state.directive[:, actor])[:, None] \
            * world.enemies[patron, targets][None, :]
    risk = p("retaliation_weight") * tr("risk_aversion")[:, actor]
    cost = risk[:, None] * state.credibility_of(actor)[:, targets] \
        * tr("retaliation_severity")[:, targets]
    cost += (p("decapitation_fear_weight") * state.fear[:, actor])[:, None] \
        * world.decapitators[targets][None, :]
    stake = state.stake[:, actor] * (p("stake_baseline") + state.pressure[:, actor])
    at_stake = 1.0 + (p("host_state_stake_factor")[:, None] - 1.0) * world.host_state[targets][None, :]
    cost += (p("stake_weight") * stake)[:, None] * at_stake
    return drive, cost


def blocked(world: World, state: State, actor: int, opts: Options) -> np.ndarray | None:
    """(R, n) options that cannot be taken today (strikes across a ceasefire), or None."""
    strikes = np.flatnonzero(IS_STATE_STRIKE[opts.action] & (opts.target >= 0))
    if strikes.size == 0:
        return None
    out = np.zeros((world.replicates, len(opts)), dtype=bool)
    out[:, strikes] = state.ceasefire[:, actor, opts.target[strikes]]
    return out


def choose(scores: np.ndarray, rationality: np.ndarray, blocked_options: np.ndarray | None,
           uniform: np.ndarray) -> np.ndarray:
    """Logit (quantal response) choice, one option index per replicate.

    P(o) is proportional to exp(rationality * U(o)) over the options not blocked; the choice
    inverts the cumulative distribution at one uniform per replicate. Option 0 is ``hold``,
    usually by far the likeliest, so the cumulative sum is formed only where it is not chosen.
    """
    weights = choice_weights(scores, rationality, blocked_options)
    threshold = uniform * weights.sum(axis=1)
    choice = np.zeros(len(threshold), dtype=np.int64)
    beyond_first = np.flatnonzero(threshold >= weights[:, 0])
    if beyond_first.size:
        cumulative = np.cumsum(weights[beyond_first], axis=1)
        picked = (cumulative <= threshold[beyond_first, None]).sum(axis=1)
        choice[beyond_first] = np.minimum(picked, scores.shape[1] - 1)
    return choice


def choice_weights(scores: np.ndarray, rationality: np.ndarray,
                   blocked_options: np.ndarray | None) -> np.ndarray:
    """Unnormalised logit weights exp(rationality * U), zero where an option is blocked.

    ``hold`` scores 0, so its weight is 1 and the total never underflows; the exponent is
    capped well below overflow instead of shifting every row by its maximum.
    """
    impossible = np.isneginf(scores)  # stays impossible at rationality 0 (0 * -inf is NaN)
    with np.errstate(invalid="ignore"):
        z = rationality[:, None] * scores
    z[impossible] = -np.inf
    if blocked_options is not None:
        z[blocked_options] = -np.inf
    np.minimum(z, _EXP_CAP, out=z)
    return np.exp(z, out=z)


def choice_probabilities(scores: np.ndarray, rationality: np.ndarray,
                         blocked_options: np.ndarray | None = None) -> np.ndarray:
    """The exact logit probabilities that ``choose`` samples from, shape (R, n)."""
    weights = choice_weights(scores.copy(), rationality, blocked_options)
    return weights / weights.sum(axis=1, keepdims=True)
