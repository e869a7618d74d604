"""The model ``escsim viz`` starts with, and the parameters its page lets a user change.

SolaraViz takes ``model_params``: a fixed value or an input (``{"type": "SliderFloat", ...}``)
per keyword, and its Reset builds ``type(model)(**kwargs)`` from the current values. Mesa 3.5
routes a name that is a field of the model's scenario object (``EpisodeScenario.episode``) but
not a keyword of ``EscalationModel`` into a new scenario object, ``scenario=EpisodeScenario(
episode=...)``; the others (``variant``, ``rng``, the parameter overrides) go as keywords. So
``episode`` is here as a fixed value: without it, Reset would rebuild the default episode.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.model.model import EpisodeScenario, EscalationModel
from sim.model.parameters import GLOBAL
from sim.scenario.loader import load_scenario, resolve_path, shipped_scenarios
from sim.scenario.schema import BASE_VARIANT

# Shared weights of the decision rule a user is most likely to question: how much actors fear
# retaliation, feel bound by their threats, heed their patron, and answer harm.
SLIDER_PARAMETERS = ("retaliation_weight", "commitment_weight", "directive_weight",
                     "grievance_weight")
SEED_SLIDER_MAX = 999  # a slider cannot span every seed; 1,000 are plenty to explore
WEIGHT_STEP = 0.1


def episode_ref(scenario: str) -> str:
    """The scenario as the page names it: a shipped id, or a file's absolute path (the server's
    working directory is not the user's business). Raises ScenarioError if there is none."""
    if scenario in shipped_scenarios():
        return scenario
    return str(resolve_path(scenario).resolve())


def variant_names(episode: str) -> list[str]:
    """The variant menu: ``base``, then the scenario's own variants."""
    return [BASE_VARIANT, *load_scenario(episode).variants]


def initial_model(episode: str, variant: str | None = None, seed: int = 0) -> EscalationModel:
    """One replicate of the scenario with its event log, as the page first shows it."""
    return EscalationModel(scenario=EpisodeScenario(episode=episode, variant=variant, rng=seed))


def model_params(model: EscalationModel) -> dict[str, Any]:
    """SolaraViz's ``model_params`` for a model made by ``initial_model``.

    The sliders start at the values the model runs with (the scenario's own, where it sets
    them); a slider's value then applies to every variant chosen with it.
    """
    episode = model.scenario.episode
    params: dict[str, Any] = {
        "episode": episode,
        "variant": {"type": "Select", "label": "variant", "values": variant_names(episode),
                    "value": model.spec.variant or BASE_VARIANT},
        "rng": {"type": "SliderInt", "label": "seed", "value": min(model.seed, SEED_SLIDER_MAX),
                "min": 0, "max": SEED_SLIDER_MAX, "step": 1},
    }
    for name in SLIDER_PARAMETERS:
        spec = GLOBAL[name]
        params[name] = {"type": "SliderFloat", "label": name.replace("_", " "),
                        "value": round(float(model.world.param(name)[0]), 6),
                        "min": spec.low, "max": spec.high, "step": WEIGHT_STEP}
    return params


def current_values(params: dict[str, Any]) -> dict[str, Any]:
    """The values SolaraViz holds for ``params`` before anyone moves an input: fixed values as
    they are, inputs at their ``value`` (as Mesa's ModelCreator starts them)."""
    return {name: spec["value"] if isinstance(spec, dict) and "type" in spec else spec
            for name, spec in params.items()}


def describe(episode: str) -> str:
    """How the page titles a scenario: its id, or a file's name."""
    return Path(episode).stem if "/" in episode or "\\" in episode else episode
