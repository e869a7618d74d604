"""Direction of the decision rules: exact choice probabilities, and simulated frequencies.

Two kinds of test. The exact ones read the logit probabilities the model samples from, at a
state swept along the replicate axis (one replicate per value), and check the direction each
rule promises. The statistical ones run the real model over many replicates and compare
frequencies; their tolerances come from the replicate count (a difference must exceed
Z standard errors of a difference of two proportions).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.actions import ACTION_INDEX
from sim.model.model import EscalationModel
from sim.model.rng import ReplicateRNG
from sim.model.rules import choice_probabilities, choose
from sim.model.rules import blocked as blocked_options

Z = 4.0  # standard errors a simulated difference must clear (one-sided p < 4e-5)
KINETIC_ON_US = {ACTION_INDEX[a] for a in ("rocket_attack", "drone_attack")}


def model_at(date: str, replicates: int, variant: str | None = None, **overrides) -> EscalationModel:
    """A june-2025 model stepped to the morning of ``date``, every replicate then given the
    state of replicate 0, so that a test can vary one thing along the replicate axis."""
    model = EscalationModel("june-2025", variant, replicates=replicates, rng=11,
                            collect_data=False, log_events=False, **overrides)
    while str(model.date) < date:
        model.step()
    state = model.state
    for name, array in vars(state).items():
        axis = 1 if name in ("grievance", "credibility") else 0
        first = np.take(array, [0], axis=axis)
        array[...] = first
    model.trigger_actor[...] = model.trigger_actor[0]
    return model


def agent(model: EscalationModel, actor_id: str):
    return next(a for a in model.actors if a.actor_id == actor_id)


def probabilities(model: EscalationModel, actor_id: str) -> np.ndarray:
    a = agent(model, actor_id)
    return choice_probabilities(a.scores(), model.world.trait("rationality")[:, a.index],
                                blocked_options(model.world, model.state, a.index, a.options))


def p_attack_us(model: EscalationModel, actor_id: str) -> np.ndarray:
    """Per replicate: the chance the actor attacks US targets today (any kinetic option)."""
    a = agent(model, actor_id)
    us = model.world.index["united_states"]
    cols = [i for i, (act, tgt) in enumerate(zip(a.options.action, a.options.target))
            if act in KINETIC_ON_US and tgt == us]
    return probabilities(model, actor_id)[:, cols].sum(axis=1)


def strictly_decreasing(values: np.ndarray) -> bool:
    return bool(np.all(np.diff(values) < 0))


SWEEP = np.linspace(0.0, 1.0, 6)


@pytest.mark.parametrize("militia", ["kataib_hezbollah", "harakat_al_nujaba"])
def test_stronger_patron_discouragement_lowers_attack_chance(militia):
    model = model_at("2025-06-23", len(SWEEP), "no-restraint")
    i = model.world.index[militia]
    model.state.directive[:, i] = -SWEEP  # 0 (neutral) .. -1 (told firmly not to act)
    assert strictly_decreasing(p_attack_us(model, militia))


@pytest.mark.parametrize("militia", ["kataib_hezbollah", "asaib_ahl_al_haq"])
def test_stronger_restraint_pressure_lowers_attack_chance(militia):
    model = model_at("2025-06-23", len(SWEEP), "no-restraint")
    i = model.world.index[militia]
    model.state.pressure[:, i] = SWEEP
    assert strictly_decreasing(p_attack_us(model, militia))


def test_restraint_pressure_only_bites_through_a_stake():
    model = model_at("2025-06-23", len(SWEEP), "no-restraint")
    i = model.world.index["kataib_hezbollah"]
    model.state.stake[:, i] = 0.0
    model.state.pressure[:, i] = SWEEP
    p = p_attack_us(model, "kataib_hezbollah")
    np.testing.assert_allclose(p, p[0], rtol=1e-12)


def test_higher_decapitation_fear_lowers_attack_chance():
    model = model_at("2025-06-23", len(SWEEP), "no-restraint")
    i = model.world.index["kataib_hezbollah"]
    model.state.fear[:, i] = 2.0 * SWEEP
    assert strictly_decreasing(p_attack_us(model, "kataib_hezbollah"))


def test_open_threat_pulls_toward_its_promised_response():
    """On 23 June KH's threat (if the US intervenes, attack its bases) is open in every
    replicate; closing it by hand must lower the chance of the promised claimed drone attack."""
    model = model_at("2025-06-23", 2, "no-restraint")
    ti = next(i for i, t in enumerate(model.threats.threats) if t.spec.id == "kh-if-us-intervenes")
    assert (model.state.threat_status[:, ti] == 1).all(), "threat should be open after 22 June"
    model.state.threat_status[1, ti] = 3  # replicate 1: as if it had lapsed
    kh = agent(model, "kataib_hezbollah")
    promised = kh.options.index("drone_attack", model.world.index["united_states"], claimed=True)
    p = probabilities(model, "kataib_hezbollah")[:, promised]
    assert p[0] > 2 * p[1]


def test_grievance_from_casualties_raises_us_retaliation_chance():
    model = model_at("2025-06-20", 5)
    us, kh = model.world.index["united_states"], model.world.index["kataib_hezbollah"]
    harm_per_killed = model.world.param("harm_per_killed")[0]
    killed = np.arange(5)  # 0..4 Americans killed by KH
    model.state.grievance[us, :, kh] = killed * harm_per_killed
    us_agent = agent(model, "united_states")
    strike = [i for i, (act, tgt) in enumerate(zip(us_agent.options.action, us_agent.options.target))
              if act in (ACTION_INDEX["strike_militia_sites"], ACTION_INDEX["leadership_strike"])
              and tgt == kh]
    p = probabilities(model, "united_states")[:, strike].sum(axis=1)
    assert np.all(np.diff(p) > 0)


# --- the sampler matches the probabilities it claims ------------------------------------------

def test_choice_frequencies_match_logit_probabilities():
    """choose() over n replicates: each option's frequency within Z binomial SEs of its exact
    probability (the test's tolerance is derived from n)."""
    n = 40_000
    scores = np.tile(np.array([0.0, -0.5, -1.0, 0.3, -3.0]), (n, 1))
    rationality = np.full(n, 1.5)
    exact = choice_probabilities(scores, rationality)[0]
    picks = choose(scores.copy(), rationality, None, ReplicateRNG(5, 0, n).uniforms(1)[:, 0])
    freq = np.bincount(picks, minlength=5) / n
    se = np.sqrt(exact * (1 - exact) / n)
    assert np.all(np.abs(freq - exact) <= Z * se + 1e-12), (freq, exact)


def test_blocked_options_are_never_chosen():
    n = 5000
    scores = np.zeros((n, 4))
    blocked = np.zeros((n, 4), dtype=bool)
    blocked[:, 2] = True
    picks = choose(scores, np.ones(n), blocked, ReplicateRNG(1, 0, n).uniforms(1)[:, 0])
    assert not np.any(picks == 2)
    assert set(np.unique(picks)) == {0, 1, 3}


# --- simulated frequencies: whole-model direction checks --------------------------------------

def attack_share(outcomes: dict[str, np.ndarray], rows: slice) -> tuple[float, int]:
    hits = outcomes["window_militia_attacks_on_us"][rows] > 0
    return float(hits.mean()), int(hits.size)


def clearly_lower(p_low: float, n_low: int, p_high: float, n_high: int) -> bool:
    se = np.sqrt(p_low * (1 - p_low) / n_low + p_high * (1 - p_high) / n_high)
    return p_high - p_low > Z * max(se, 1e-9)


MILITIAS = ("kataib_hezbollah", "harakat_al_nujaba", "kataib_sayyid_al_shuhada",
            "asaib_ahl_al_haq", "badr")


@pytest.mark.slow
@pytest.mark.parametrize("parameter, low, high, variant", [
    ("directive_weight", 1.0, 6.0, None),  # Iran's discouragement present in the base
    ("stake_weight", 0.5, 4.0, "no-iran-restraint"),  # Baghdad's pressure present
    ("decapitation_fear_weight", 0.5, 5.0, "no-restraint"),
])
def test_restraint_levers_lower_simulated_attacks(parameter, low, high, variant):
    """Half the replicates with the lever weak, half strong, in one ensemble run (parameters
    vary along the replicate axis). Militias are made more aggressive than the catalogue so
    that attacks are common enough to measure in every arm."""
    n = 3000
    values = np.repeat([low, high], n // 2)
    bolder = {f"aggression__{m}": 0.5 for m in MILITIAS}
    model = EscalationModel("june-2025", variant, replicates=n, rng=3, collect_data=False,
                            log_events=False, **bolder, **{parameter: values})
    out = model.run().outcomes()
    p_weak, n_weak = attack_share(out, slice(0, n // 2))
    p_strong, n_strong = attack_share(out, slice(n // 2, n))
    assert clearly_lower(p_strong, n_strong, p_weak, n_weak), (p_weak, p_strong)


@pytest.mark.slow
def test_casualties_raise_simulated_retaliation(tmp_path):
    """A scripted KH rocket attack on US forces on 15 June, lethal or not: the US retaliates
    against KH clearly more often after the lethal one."""
    results = {}
    for label, killed in (("harmless", 0), ("lethal", 3)):
        path = tmp_path / f"{label}.yaml"
        path.write_text(
            "id: test-retaliation\ntitle: retaliation test\nextends: june-2025\n"
            "injects:\n"
            f"  kh-rockets: {{date: 2025-06-15, actor: kataib_hezbollah, action: rocket_attack,\n"
            f"               target: united_states, result: {{hit: true, killed: {killed}}},\n"
            "               evidence: [f-20200311-taji-attack]}\n", encoding="utf-8")
        model = EscalationModel(str(path), replicates=2000, rng=9, collect_data=False,
                                log_events=False).run()
        results[label] = model.outcomes()["retaliatory_strikes"] > 0
    p0, p1 = results["harmless"].mean(), results["lethal"].mean()
    assert clearly_lower(p0, results["harmless"].size, p1, results["lethal"].size), (p0, p1)
