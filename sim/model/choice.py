"""The hierarchical logit choice: first what to do, then toward whom, then how.

An actor's options are grouped in three stages (sim/model/world.py ``Options``):

1. the *intent*: hold, strike, or one of its non-kinetic moves (threaten, a directive, ...);
2. the *target* within the intent (the group);
3. the *means* within the group: for a strike, the weapon, the site and the claim mode.

Each stage is a logit (quantal response) choice with the actor's rationality, over values that
are the *best* option's utility below it. Adding a look-alike means of attack (a second drone
type, an extra claim mode) therefore changes nothing about whether and whom an actor strikes:
the independence-of-irrelevant-alternatives trap of a flat logit over every option, where each
near-duplicate adds its own share of probability to attacking, is avoided.

Three uniforms per actor and day pick the three stages by inverting each cumulative
distribution. Most days most actors hold, so the later stages are worked out only for the
replicates whose first stage chose an intent with more than one option.
"""

from __future__ import annotations

import numpy as np

from sim.model.world import Options

_EXP_CAP = 600.0  # exp(600) * (number of options) stays far from float64 overflow
UNIFORMS_PER_CHOICE = 3


def _logit_weights(values: np.ndarray, rationality: np.ndarray) -> np.ndarray:
    """exp(rationality * value), with -inf giving 0 and the exponent capped below overflow."""
    with np.errstate(invalid="ignore"):  # 0 * -inf: a closed option stays closed
        z = np.where(np.isfinite(values), rationality[:, None] * values, -np.inf)
    np.minimum(z, _EXP_CAP, out=z)
    return np.exp(z, out=z)


def _pick(weights: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Invert each row's cumulative distribution at one uniform (rows need a positive sum)."""
    cumulative = np.cumsum(weights, axis=1)
    threshold = uniform * cumulative[:, -1]
    picked = (cumulative <= threshold[:, None]).sum(axis=1)
    return np.minimum(picked, weights.shape[1] - 1)


def _in_runs(opts: Options) -> np.ndarray | None:
    """None when the options are ordered by intent and group (as the model builds them);
    otherwise the column order that makes them so."""
    key = opts.intent * (int(opts.group.max()) + 1) + opts.group
    if np.all(np.diff(key) >= 0) and np.all(np.diff(opts.group) >= 0):
        return None
    return np.lexsort((np.arange(len(opts)), opts.group, opts.intent))


def _reordered(opts: Options, order: np.ndarray) -> Options:
    """The options in ``order``, groups renumbered in their new order of appearance."""
    _, first, inverse = np.unique(opts.group[order], return_index=True, return_inverse=True)
    group = np.argsort(np.argsort(first))[inverse]
    return Options(opts.action[order], opts.target[order], opts.site[order], opts.mode[order],
                   opts.free[order], opts.intent[order], group, opts.intents)


def stage_values(scores: np.ndarray, opts: Options) -> tuple[np.ndarray, np.ndarray]:
    """The value of each intent and of each group: the best option's utility below it
    (options ordered by intent and group, as the model builds them)."""
    group_value = np.maximum.reduceat(scores, opts.group_starts, axis=1)
    intent_value = np.maximum.reduceat(group_value, opts.intent_starts, axis=1)
    return intent_value, group_value


def choose(scores: np.ndarray, opts: Options, rationality: np.ndarray,
           uniforms: np.ndarray) -> np.ndarray:
    """One option index per replicate; ``scores`` (R, n) with -inf for closed options,
    ``uniforms`` (R, 3). Option 0 (hold) must be open: its intent always has a value."""
    order = _in_runs(opts)
    if order is not None:
        return order[choose(scores[:, order], _reordered(opts, order), rationality, uniforms)]
    intent_value, group_value = stage_values(scores, opts)
    intent = _pick(_logit_weights(intent_value, rationality), uniforms[:, 0])
    options_in_intent = np.bincount(opts.intent, minlength=len(opts.intents))
    first_option = np.searchsorted(opts.intent, np.arange(len(opts.intents)))
    option = first_option[intent]
    rows = np.flatnonzero(options_in_intent[intent] > 1)
    if rows.size:
        option[rows] = _means(scores[rows], group_value[rows], opts, intent[rows],
                              rationality[rows], uniforms[rows])
    return option


def _means(scores: np.ndarray, group_value: np.ndarray, opts: Options, intent: np.ndarray,
           rationality: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Stages 2 and 3 for replicates whose chosen intent has several options."""
    in_intent = opts.group_intent[None, :] == intent[:, None]
    group = _pick(_logit_weights(np.where(in_intent, group_value, -np.inf), rationality),
                  uniforms[:, 1])
    in_group = opts.group[None, :] == group[:, None]
    option = _pick(_logit_weights(np.where(in_group, scores, -np.inf), rationality),
                   uniforms[:, 2])
    assert np.all(in_group[np.arange(len(option)), option]), "a choice fell outside its group"
    return option


def choice_probabilities(scores: np.ndarray, opts: Options,
                         rationality: np.ndarray) -> np.ndarray:
    """The exact probabilities ``choose`` samples from, (R, n): P(intent) P(group | intent)
    P(option | group)."""
    order = _in_runs(opts)
    if order is not None:
        out = np.empty_like(scores, dtype=np.float64)
        out[:, order] = choice_probabilities(scores[:, order], _reordered(opts, order),
                                             rationality)
        return out
    intent_value, group_value = stage_values(scores, opts)
    p_intent = _normalised(_logit_weights(intent_value, rationality))
    p_group = np.zeros_like(group_value)
    for i in range(len(opts.intents)):
        cols = opts.group_intent == i
        p_group[:, cols] = _normalised(_logit_weights(group_value[:, cols], rationality))
    p_option = np.zeros_like(scores, dtype=np.float64)
    for g in range(group_value.shape[1]):
        cols = opts.group == g
        p_option[:, cols] = _normalised(_logit_weights(scores[:, cols], rationality))
    return p_intent[:, opts.intent] * p_group[:, opts.group] * p_option


def _normalised(weights: np.ndarray) -> np.ndarray:
    total = weights.sum(axis=1, keepdims=True)
    return np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)
