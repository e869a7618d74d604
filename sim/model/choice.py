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
distribution.
"""

from __future__ import annotations

import numpy as np

from sim.model.world import Options

_EXP_CAP = 600.0  # exp(600) * (number of options) stays far from float64 overflow
UNIFORMS_PER_CHOICE = 3


def _group_max(values: np.ndarray, index: np.ndarray, count: int) -> np.ndarray:
    """(R, count): the maximum of ``values`` (R, n) over the options of each index."""
    out = np.full((values.shape[0], count), -np.inf)
    for g in range(count):
        cols = index == g
        out[:, g] = values[:, cols].max(axis=1)
    return out


def _logit_weights(values: np.ndarray, rationality: np.ndarray) -> np.ndarray:
    """exp(rationality * value), with -inf giving 0 and the exponent capped below overflow."""
    with np.errstate(invalid="ignore"):  # 0 * -inf: a closed option stays closed
        z = np.where(np.isfinite(values), rationality[:, None] * values, -np.inf)
    np.minimum(z, _EXP_CAP, out=z)
    return np.exp(z)


def _pick(weights: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Invert each row's cumulative distribution at one uniform (rows need a positive sum)."""
    cumulative = np.cumsum(weights, axis=1)
    threshold = uniform * cumulative[:, -1]
    picked = (cumulative <= threshold[:, None]).sum(axis=1)
    return np.minimum(picked, weights.shape[1] - 1)


def stage_values(scores: np.ndarray, opts: Options) -> tuple[np.ndarray, np.ndarray]:
    """The value of each intent and of each group: the best option's utility below it."""
    group_value = _group_max(scores, opts.group, int(opts.group.max()) + 1)
    group_intent = np.zeros(group_value.shape[1], dtype=np.int64)
    group_intent[opts.group] = opts.intent
    intent_value = _group_max(group_value, group_intent, len(opts.intents))
    return intent_value, group_value


def choose(scores: np.ndarray, opts: Options, rationality: np.ndarray,
           uniforms: np.ndarray) -> np.ndarray:
    """One option index per replicate; ``scores`` (R, n) with -inf for closed options,
    ``uniforms`` (R, 3). Option 0 (hold) must be open: its intent always has a value."""
    intent_value, group_value = stage_values(scores, opts)
    group_intent = np.zeros(group_value.shape[1], dtype=np.int64)
    group_intent[opts.group] = opts.intent
    rows = np.arange(scores.shape[0])
    intent = _pick(_logit_weights(intent_value, rationality), uniforms[:, 0])
    in_intent = group_intent[None, :] == intent[:, None]
    group = _pick(_logit_weights(np.where(in_intent, group_value, -np.inf), rationality),
                  uniforms[:, 1])
    in_group = opts.group[None, :] == group[:, None]
    option = _pick(_logit_weights(np.where(in_group, scores, -np.inf), rationality),
                   uniforms[:, 2])
    assert np.all(in_group[rows, option]), "a choice fell outside its group"
    return option


def choice_probabilities(scores: np.ndarray, opts: Options,
                         rationality: np.ndarray) -> np.ndarray:
    """The exact probabilities ``choose`` samples from, (R, n): P(intent) P(group | intent)
    P(option | group)."""
    intent_value, group_value = stage_values(scores, opts)
    group_intent = np.zeros(group_value.shape[1], dtype=np.int64)
    group_intent[opts.group] = opts.intent
    p_intent = _normalised(_logit_weights(intent_value, rationality))
    p_group = np.zeros_like(group_value)
    for i in range(len(opts.intents)):
        cols = group_intent == i
        p_group[:, cols] = _normalised(_logit_weights(group_value[:, cols], rationality))
    p_option = np.zeros_like(scores)
    for g in range(group_value.shape[1]):
        cols = opts.group == g
        p_option[:, cols] = _normalised(_logit_weights(scores[:, cols], rationality))
    return p_intent[:, opts.intent] * p_group[:, opts.group] * p_option


def _normalised(weights: np.ndarray) -> np.ndarray:
    total = weights.sum(axis=1, keepdims=True)
    return np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)
