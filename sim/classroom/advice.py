"""The model's own view of a team's options: what the model's actor would do today, and why.

For a team's actor on the day of a turn, ``model_advice`` reads the model's decision rule on the
game's state at dawn (the same state the model's other actors decide on): the probability of
each option under the hierarchical logit choice, the probability of its (move, target) group, and
the named terms of the rule (``sim.model.rules.Terms``) for each option. Reading them draws no
random numbers and changes nothing, so showing them to a team never changes the game.

``judge`` turns a team's chosen move into the after-action review's line: the probability the
model gave it, whether it is in character, and the term of the rule that most favoured and most
opposed it. Holding scores 0 in the rule, so for a team that held, the terms are those of the
model's likeliest alternative, read the other way round: what held the actor back (its negative
terms) favoured holding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.actions import ACTION_INDEX, CATALOGUE
from sim.model.choice import choice_probabilities
from sim.model.kinds import ClaimMode
from sim.model.model import EscalationModel
from sim.model.places import split_site
from sim.model.world import Options, World

IN_CHARACTER = 0.10  # a move the model gives at least this chance is "in character"
_HOLD = ACTION_INDEX["hold"]
# The terms of the rule (sim.model.rules.TERM_NAMES) in words, for teams and reports.
TERM_WORDS = {
    "reluctance": "its reluctance to climb the ladder", "grievance": "grievance",
    "solidarity": "solidarity with allies' wars", "denial": "defences in the way",
    "directive": "its patron's directive", "commitment": "its own threats (commitment)",
    "retaliation": "the retaliation it expects", "decapitation": "fear for its leaders",
    "stake": "its stake in the Iraqi state", "hiding": "leaders in hiding",
    "effort": "the effort a move costs", "situation": "its situation (danger, pressure)",
}


@dataclass(frozen=True)
class ModelAdvice:
    """The model's probabilities and terms for one actor's options on one day (R = 1)."""

    actor: str
    options: Options  # the options the model chooses among (its free options)
    probability: np.ndarray  # (n,)
    group_probability: np.ndarray  # (n,): this move toward this target, by any means
    terms: dict[str, np.ndarray]  # name -> (n,)

    def column(self, world: World, action: str, target: str | None, claim: str) -> int | None:
        """The model's option for a move, or None if the model never chooses it."""
        target_index, site = -1, None
        if target is not None:
            who, place = split_site(target)
            target_index = world.index[who]
            site = world.site_index[target] if place is not None else None
        try:
            return self.options.find(action, target_index,
                                     site if CATALOGUE[ACTION_INDEX[action]].kinetic else None,
                                     ClaimMode[claim.upper()])
        except ValueError:
            return None

    def likeliest(self) -> int:
        return int(np.argmax(self.probability))


def model_advice(model: EscalationModel, actor: str) -> ModelAdvice | None:
    """What the model's rule says for ``actor`` today; None if the model does not decide for it
    today (a scripted actor)."""
    agent = next(a for a in model.actors if a.actor_id == actor)
    if not agent.decides_on(model.day):
        return None
    sit = model.situation()
    terms = agent.terms(sit)
    scores = agent.scores(sit, terms)
    rationality = model.world.trait("rationality")[:, agent.index]
    p = choice_probabilities(scores, agent.options, rationality)[0]
    groups = agent.options.group
    group_p = np.bincount(groups, weights=p, minlength=int(groups.max()) + 1)[groups]
    return ModelAdvice(actor, agent.options, p, group_p,
                       {name: values[0].copy() for name, values in terms.parts.items()})


@dataclass(frozen=True)
class Judgement:
    """A team's move against the model's rule."""

    probability: float | None  # of the exact option; None if the model never chooses it
    group_probability: float | None
    in_character: bool
    favoured: tuple[str, float] | None  # the term that most favoured the move, and its value
    opposed: tuple[str, float] | None  # the term that most opposed it
    likeliest: int  # the model's likeliest option (column)


def judge(advice: ModelAdvice, column: int | None) -> Judgement:
    """The probability, character and decisive terms of the option ``column`` (None: a move
    the model never makes)."""
    likeliest = advice.likeliest()
    if column is None:
        return Judgement(None, None, False, None, None, likeliest)
    p = float(advice.probability[column])
    group = float(advice.group_probability[column])
    in_character = group >= IN_CHARACTER or column == likeliest
    if advice.options.action[column] == _HOLD:
        alternative = _best_alternative(advice)
        if alternative is None:
            return Judgement(p, group, in_character, None, None, likeliest)
        values = {k: -float(v[alternative]) for k, v in advice.terms.items()}
    else:
        values = {k: float(v[column]) for k, v in advice.terms.items()}
    return Judgement(p, group, in_character, _extreme(values, max), _extreme(values, min),
                     likeliest)


def _best_alternative(advice: ModelAdvice) -> int | None:
    """The likeliest option other than holding."""
    p = advice.probability.copy()
    p[advice.options.action == _HOLD] = -1.0
    best = int(np.argmax(p))
    return best if p[best] >= 0 else None


def _extreme(values: dict[str, float], pick) -> tuple[str, float] | None:
    signed = {k: v for k, v in values.items() if (v > 1e-9 if pick is max else v < -1e-9)}
    if not signed:
        return None
    name = pick(signed, key=signed.__getitem__)
    return name, signed[name]
