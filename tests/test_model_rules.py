"""The decision rules: each documented mechanism, checked in the direction it promises.

Two kinds of test. The exact ones read the probabilities the model samples from, at a state
swept along the replicate axis (one replicate per value), and check the direction each rule
promises. The statistical ones run the real model over many replicates and compare
frequencies; their tolerances come from the replicate count (a difference must exceed Z
standard errors of a difference of two proportions).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.actions import ACTION_INDEX, CATALOGUE
from sim.model.choice import choice_probabilities, choose
from sim.model.kinds import ClaimMode
from sim.model.model import EscalationModel
from sim.model.rng import ReplicateRNG
from sim.model.rules import Situation
from sim.model.state import ThreatStatus
from sim.model.world import Options

Z = 4.0  # standard errors a simulated difference must clear (one-sided p < 4e-5)
KINETIC = {i for i, a in enumerate(CATALOGUE) if a.kinetic}
MILITIAS = ("kataib_hezbollah", "harakat_al_nujaba", "kataib_sayyid_al_shuhada",
            "asaib_ahl_al_haq", "badr")
SWEEP = np.linspace(0.0, 1.0, 6)


def model_at(date: str, replicates: int, scenario: str = "june-2025", variant: str | None = None,
             **overrides) -> EscalationModel:
    """A model stepped to the morning of ``date``, every replicate then given the state of
    replicate 0, so that a test can vary one thing along the replicate axis."""
    model = EscalationModel(scenario, variant, replicates=replicates, rng=11,
                            collect_data=False, log_events=False, **overrides)
    while str(model.date) < date:
        model.step()
    for name, array in vars(model.state).items():
        axis = 1 if name in ("grievance", "credibility") else 0
        array[...] = np.take(array, [0], axis=axis)
    model.trigger_actor[...] = model.trigger_actor[0]
    return model


def agent(model: EscalationModel, actor_id: str):
    return next(a for a in model.actors if a.actor_id == actor_id)


def probabilities(model: EscalationModel, actor_id: str) -> np.ndarray:
    a = agent(model, actor_id)
    sit = model.situation()
    return choice_probabilities(a.scores(sit), a.options,
                                model.world.trait("rationality")[:, a.index])


def strike_columns(model: EscalationModel, actor_id: str, target: str) -> list[int]:
    a = agent(model, actor_id)
    t = model.world.index[target]
    return [i for i, (act, tgt) in enumerate(zip(a.options.action, a.options.target))
            if act in KINETIC and tgt == t]


def p_strike(model: EscalationModel, actor_id: str, target: str) -> np.ndarray:
    """Per replicate: the chance the actor strikes the target today (by any means)."""
    return probabilities(model, actor_id)[:, strike_columns(model, actor_id, target)].sum(axis=1)


def term(model: EscalationModel, actor_id: str, name: str) -> np.ndarray:
    a = agent(model, actor_id)
    return a.terms(model.situation()).parts[name]


def strictly_decreasing(values: np.ndarray) -> bool:
    return bool(np.all(np.diff(values) < 0))


def threat_index(model: EscalationModel, threat_id: str) -> int:
    return next(i for i, t in enumerate(model.threats.threats) if t.id == threat_id)


# --- the three reasons for restraint, and retaliation -----------------------------------------

@pytest.mark.parametrize("militia", ["kataib_hezbollah", "harakat_al_nujaba"])
def test_stronger_patron_discouragement_lowers_attack_chance(militia):
    model = model_at("2025-06-23", len(SWEEP))
    model.state.directive[:, model.world.index[militia]] = -SWEEP
    assert strictly_decreasing(p_strike(model, militia, "united_states"))


@pytest.mark.parametrize("militia", ["kataib_hezbollah", "asaib_ahl_al_haq"])
def test_stronger_restraint_pressure_lowers_attack_chance(militia):
    model = model_at("2025-06-23", len(SWEEP))
    model.state.pressure[:, model.world.index[militia]] = SWEEP
    assert strictly_decreasing(p_strike(model, militia, "united_states"))


def test_restraint_pressure_only_bites_through_a_stake():
    model = model_at("2025-06-23", len(SWEEP))
    i = model.world.index["kataib_hezbollah"]
    model.state.stake[:, i] = 0.0
    model.state.pressure[:, i] = SWEEP
    p = p_strike(model, "kataib_hezbollah", "united_states")
    np.testing.assert_allclose(p, p[0], rtol=1e-12)


def test_higher_decapitation_fear_lowers_attack_chance():
    model = model_at("2025-06-23", len(SWEEP))
    model.state.fear[:, model.world.index["kataib_hezbollah"]] = 2.0 * SWEEP
    assert strictly_decreasing(p_strike(model, "kataib_hezbollah", "united_states"))


def test_grievance_from_casualties_raises_us_retaliation_chance():
    model = model_at("2025-06-20", 5)
    us, kh = model.world.index["united_states"], model.world.index["kataib_hezbollah"]
    model.state.grievance[us, :, kh] = np.arange(5) * model.world.param("harm_per_killed")
    assert np.all(np.diff(p_strike(model, "united_states", "kataib_hezbollah")) > 0)


# --- threats ---------------------------------------------------------------------------------

def test_open_threat_pulls_toward_its_promised_response():
    """On 23 June KH's threat (if the US intervenes, attack its bases) is open everywhere;
    marking it lapsed by hand must lower the chance of attacking US forces."""
    model = model_at("2025-06-23", 2)
    ti = threat_index(model, "kh-if-us-intervenes")
    assert (model.state.threat_status[:, ti] == ThreatStatus.OPEN).all()
    model.state.threat_status[1, ti] = ThreatStatus.LAPSED
    p = p_strike(model, "kataib_hezbollah", "united_states")
    assert p[0] > 2 * p[1]


@pytest.mark.parametrize("status, deters", [
    (ThreatStatus.UNMADE, False), (ThreatStatus.PENDING, True), (ThreatStatus.OPEN, True),
    (ThreatStatus.HONOURED, False), (ThreatStatus.LAPSED, False)])
def test_a_threat_deters_from_when_it_is_made_until_honoured_or_lapsed(status, deters):
    model = model_at("2025-06-16", 2)
    ti = threat_index(model, "us-six-bases")
    model.state.threat_status[1, ti] = status
    cost = -term(model, "kataib_hezbollah", "retaliation")
    cols = strike_columns(model, "kataib_hezbollah", "united_states")
    added = cost[0, cols] - cost[1, cols]  # replicate 0 keeps the threat pending
    if deters:
        np.testing.assert_allclose(added, 0.0, atol=1e-12)
    else:
        assert np.all(added > 0)


def test_a_threat_counts_once_however_many_of_its_patterns_an_act_matches(write):
    """An any_of threat whose two patterns both match an attack deters exactly as much as the
    same threat with one pattern."""
    costs = {}
    for label, trigger in (
            ("one", "event: {actor: kataib_hezbollah, target: united_states}"),
            ("two", "any_of: [{event: {actor: kataib_hezbollah, target: united_states}}, "
                    "{event: {action: [drone_attack, rocket_attack], target: united_states}}]")):
        path = write(f"{label}.yaml", f"""
id: test-threat-{label}
title: one threat, counted once
extends: june-2025
threats:
  - id: extra
    by: united_states
    against: kataib_hezbollah
    made: 2025-06-12
    trigger: {{{trigger}}}
    response: {{action: strike_militia_sites, target: attacker}}
    evidence: [f-2025-us-six-bases-warning]
""")
        model = EscalationModel(str(path), replicates=1, rng=1, collect_data=False)
        kh = agent(model, "kataib_hezbollah")
        cols = strike_columns(model, "kataib_hezbollah", "united_states")
        costs[label] = kh.terms(model.situation()).parts["retaliation"][0, cols]
    np.testing.assert_allclose(costs["one"], costs["two"])


def test_a_threat_an_actor_makes_commits_it():
    """The US threatens Nujaba (a move of its own); when Nujaba then attacks US forces the
    threat opens and pulls the US toward striking Nujaba."""
    model = EscalationModel("june-2025", replicates=4, rng=2, collect_data=False)
    ti = model.threats.own_threat[(model.world.index["united_states"],
                                   model.world.index["harakat_al_nujaba"])]
    assert (model.state.threat_status[:, ti] == ThreatStatus.UNMADE).all()
    model.play("united_states", "threaten", "harakat_al_nujaba")
    model.step()
    assert (model.state.threat_status[:, ti] == ThreatStatus.PENDING).all()
    model.play("harakat_al_nujaba", "rocket_attack", "united_states")
    model.step()
    assert (model.state.threat_status[:, ti] == ThreatStatus.OPEN).all()
    pull = term(model, "united_states", "commitment")
    cols = strike_columns(model, "united_states", "harakat_al_nujaba")
    assert np.all(pull[:, cols].max(axis=1) > 0)
    made = [e for e in model.timeline(0) if e["kind"] == "threat_made"
            and e["source"] == "united_states-threatens-harakat_al_nujaba"]
    assert len(made) == 1


def test_a_front_claim_honours_a_threat_and_an_unclaimed_act_does_not(write):
    path = write("front.yaml", """
id: test-front
title: a front group
extends: june-2025
actors:
  kataib_hezbollah: {front_groups: [saraya_awliya_al_dam]}
""")
    results = {}
    for mode in (ClaimMode.FRONT, ClaimMode.NONE, ClaimMode.OWN):
        model = EscalationModel(str(path), replicates=1, rng=1, collect_data=False)
        while str(model.date) < "2025-06-23":
            model.step()
        ti = threat_index(model, "kh-if-us-intervenes")
        assert model.state.threat_status[0, ti] == ThreatStatus.OPEN
        model.play("kataib_hezbollah", "drone_attack", "united_states", mode=mode)
        model.step()
        results[mode] = model.state.threat_status[0, ti]
    assert results[ClaimMode.FRONT] == ThreatStatus.HONOURED
    assert results[ClaimMode.OWN] == ThreatStatus.HONOURED
    assert results[ClaimMode.NONE] == ThreatStatus.OPEN


def test_an_attack_no_one_can_attribute_sets_off_no_threat_against_a_faction():
    """The drones downed at Ain al-Asad on 14 June were claimed by no one and blamed by no
    source: the US warning against the factions stays pending."""
    model = model_at("2025-06-16", 50)
    ti = threat_index(model, "us-six-bases")
    assert (model.state.threat_status[:, ti] == ThreatStatus.PENDING).all()
    drones = [e for e in EscalationModel("june-2025", rng=1).run().timeline()
              if e["source"] == "ain-al-asad-drones"]
    assert drones and drones[0]["blamed"] == "unknown"


# --- how a strike is chosen -------------------------------------------------------------------

def test_a_look_alike_means_of_attack_adds_no_attacks():
    """The hierarchical choice: copying every strike option (a second drone type, a second way
    to claim) leaves the chance of striking, and of striking each target, unchanged."""
    model = model_at("2025-06-23", 3, variant="no-restraint",
                     **{f"aggression__{m}": 0.0 for m in MILITIAS})
    kh = agent(model, "kataib_hezbollah")
    opts, sit = kh.options, model.situation()
    scores = kh.scores(sit)
    rationality = model.world.trait("rationality")[:, kh.index]
    strikes = np.flatnonzero([a in KINETIC for a in opts.action])
    keep = np.concatenate([np.arange(len(opts)), strikes])  # every strike option twice
    doubled = Options(opts.action[keep], opts.target[keep], opts.site[keep], opts.mode[keep],
                      opts.free[keep], opts.intent[keep], opts.group[keep], opts.intents)
    before = choice_probabilities(scores, opts, rationality)
    after = choice_probabilities(scores[:, keep], doubled, rationality)
    assert before[:, strikes].sum(axis=1).min() > 0.05  # striking is a live option here
    np.testing.assert_allclose(after[:, len(opts):].sum(axis=1) + after[:, strikes].sum(axis=1),
                               before[:, strikes].sum(axis=1), rtol=1e-12)
    for g in np.unique(opts.group[strikes]):
        cols = np.flatnonzero(doubled.group == g)
        np.testing.assert_allclose(after[:, cols].sum(axis=1),
                                   before[:, np.flatnonzero(opts.group == g)].sum(axis=1))


def test_stronger_air_defence_at_a_site_lowers_the_chance_of_striking_it():
    """Deterrence by denial: the better a base is defended, the less an attack on it is worth."""
    model = model_at("2025-06-23", len(SWEEP), variant="no-restraint",
                     **{f"aggression__{m}": 0.0 for m in MILITIAS})
    site = model.world.site_index["united_states@iraq"]
    model.state.air_defence[:, site] = SWEEP
    kh = agent(model, "kataib_hezbollah")
    at_site = [c for c in strike_columns(model, "kataib_hezbollah", "united_states")
               if kh.options.site[c] == site]
    assert strictly_decreasing(probabilities(model, "kataib_hezbollah")[:, at_site].sum(axis=1))


def test_a_forewarned_strike_provokes_less_than_an_unannounced_one():
    model = model_at("2025-06-23", 1)
    iran = agent(model, "iran")
    opts = iran.options
    retaliation = term(model, "iran", "retaliation")[0]
    us = model.world.index["united_states"]
    gulf = model.world.site_index["united_states@gulf"]
    own = opts.find("state_strike", us, gulf, ClaimMode.OWN)
    forewarned = opts.find("state_strike", us, gulf, ClaimMode.FOREWARNED)
    assert retaliation[forewarned] > retaliation[own]  # less negative: a smaller expected answer


def test_a_us_strike_inside_iraq_costs_consent_and_one_in_syria_does_not(write):
    path = write("syria.yaml", """
id: test-syria
title: militia sites in Syria
extends: march-2020
actors:
  kataib_hezbollah: {sites: [iraq, syria]}
""")
    model = EscalationModel(str(path), replicates=1, rng=1, collect_data=False)
    us = agent(model, "united_states")
    kh = model.world.index["kataib_hezbollah"]
    stake = us.terms(model.situation()).parts["stake"][0]
    in_iraq = us.options.find("strike_militia_sites", kh, model.world.site_index["kataib_hezbollah@iraq"])
    in_syria = us.options.find("strike_militia_sites", kh,
                               model.world.site_index["kataib_hezbollah@syria"])
    assert stake[in_iraq] < 0 and stake[in_syria] == 0


def test_an_appeal_from_washington_holds_israel_back_from_striking_iraq():
    model = model_at("2025-06-23", len(SWEEP), variant="no-restraint")
    israel, kh = model.world.index["israel"], model.world.index["kataib_hezbollah"]
    model.state.grievance[israel, :, kh] = 5.0  # as if KH had hit Israel
    model.state.pressure[:, israel] = SWEEP  # Washington's appeals
    assert strictly_decreasing(p_strike(model, "israel", "kataib_hezbollah"))


def test_rivals_of_the_same_side_can_fight_only_where_a_scenario_says_so():
    def can_hit(scenario: str) -> bool:
        model = EscalationModel(scenario, rng=1)
        return bool(strike_columns(model, "kataib_hezbollah", "asaib_ahl_al_haq"))

    assert can_hit("june-2025")  # a documented rivalry ahead of the elections
    assert not can_hit("march-2020")


# --- state effects ------------------------------------------------------------------------------

def test_a_removal_of_commanders_harms_the_militia_and_may_provoke_it():
    model = EscalationModel("june-2025", replicates=2, rng=1, collect_data=False)
    gov, kh = model.world.index["iraqi_government"], model.world.index["kataib_hezbollah"]
    model.play("iraqi_government", "remove_commanders", "kataib_hezbollah")
    model.step()
    assert np.all(model.state.grievance[kh, :, gov] > 0)
    assert np.all(model.state.pressure[:, kh] > 0.3)


def test_striking_back_settles_part_of_a_grievance():
    model = EscalationModel("march-2020", replicates=1, rng=1, collect_data=False)
    us, kh = model.world.index["united_states"], model.world.index["kataib_hezbollah"]
    model.state.grievance[us, :, kh] = 4.0
    model.play("united_states", "strike_militia_sites", "kataib_hezbollah")
    model.step()
    kept = 1 - model.world.param("retaliation_satisfaction")[0]
    decay = 0.5 ** (1 / model.world.param("grievance_half_life")[0])
    assert model.state.grievance[us, 0, kh] == pytest.approx(4.0 * kept * decay)


def test_an_attack_shot_down_still_aggrieves_and_a_series_adds_up(write):
    """Being attacked at all is an affront: three KH drones shot down over Ain al-Asad leave the
    US with three times ``affront_harm`` of grievance toward KH (less its decay), and nothing
    more, since none got through."""
    path = write("affront.yaml",
                 "id: test-affront\ntitle: affront test\nextends: june-2025\ninjects:\n" + "".join(
                     f"  drone-{i}: {{date: 2025-06-13, actor: kataib_hezbollah, "
                     "action: drone_attack, target: united_states, result: {hit: false},\n"
                     "             evidence: [f-20250614-ain-al-asad-drones]}\n"
                     for i in range(3)))
    model = EscalationModel(str(path), replicates=1, rng=1, collect_data=False)
    us, kh = model.world.index["united_states"], model.world.index["kataib_hezbollah"]
    while str(model.date) < "2025-06-13":
        model.step()
    before = model.state.grievance[us, 0, kh]
    model.step()
    decay = 0.5 ** (1 / model.world.param("grievance_half_life")[0])
    affront = model.world.param("affront_harm")[0]
    assert affront > 0
    assert model.state.grievance[us, 0, kh] == pytest.approx((before + 3 * affront) * decay)


def test_control_can_change_on_a_date(write):
    path = write("later.yaml", """
id: test-free-later
title: Iran scripted, then free
extends: june-2025
actors:
  iran: {control: scripted, free_from: 2025-06-20, free_against: null}
""")
    model = EscalationModel(str(path), rng=1)
    iran = agent(model, "iran")
    day = model.spec.day_index
    import datetime as dt
    assert not iran.decides_on(day(dt.date(2025, 6, 19)))
    assert iran.decides_on(day(dt.date(2025, 6, 20)))


# --- the sampler matches the probabilities it claims ------------------------------------------

def _toy_options() -> Options:
    # hold | threaten t1 | strike t1 by two means | strike t2
    drone, rocket = ACTION_INDEX["drone_attack"], ACTION_INDEX["rocket_attack"]
    return Options(action=np.array([0, ACTION_INDEX["threaten"], drone, rocket, drone]),
                   target=np.array([-1, 1, 1, 1, 2]),
                   site=np.array([-1, -1, 1, 1, 2]), mode=np.zeros(5, dtype=np.int64),
                   free=np.ones(5, dtype=bool), intent=np.array([0, 1, 2, 2, 2]),
                   group=np.array([0, 1, 2, 2, 3]), intents=("hold", "threaten", "strike"))


def test_choice_frequencies_match_the_hierarchical_probabilities():
    """choose() over n replicates: each option's frequency within Z binomial SEs of its exact
    probability (the tolerance is derived from n)."""
    n = 40_000
    scores = np.tile(np.array([0.0, -0.5, -1.0, 0.3, -3.0]), (n, 1))
    rationality = np.full(n, 1.5)
    opts = _toy_options()
    exact = choice_probabilities(scores, opts, rationality)[0]
    assert exact.sum() == pytest.approx(1.0)
    picks = choose(scores.copy(), opts, rationality, ReplicateRNG(5, 0, n).uniforms(3))
    freq = np.bincount(picks, minlength=5) / n
    se = np.sqrt(exact * (1 - exact) / n)
    assert np.all(np.abs(freq - exact) <= Z * se + 1e-12), (freq, exact)


def test_closed_options_are_never_chosen():
    n = 5000
    scores = np.zeros((n, 5))
    scores[:, 3] = -np.inf  # e.g. a strike across a ceasefire
    picks = choose(scores, _toy_options(), np.ones(n), ReplicateRNG(1, 0, n).uniforms(3))
    assert not np.any(picks == 3)
    assert set(np.unique(picks)) == {0, 1, 2, 4}


# --- simulated frequencies: whole-model direction checks --------------------------------------

def share(values: np.ndarray) -> tuple[float, int]:
    return float(np.mean(values)), int(values.size)


def clearly_lower(p_low: float, n_low: int, p_high: float, n_high: int) -> bool:
    se = np.sqrt(p_low * (1 - p_low) / n_low + p_high * (1 - p_high) / n_high)
    return p_high - p_low > Z * max(se, 1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("parameter, low, high", [
    ("directive_weight", 0.0, 3.0),
    ("stake_weight", 0.0, 4.0),
    ("decapitation_fear_weight", 0.0, 3.0),
])
def test_each_reason_for_restraint_lowers_simulated_attacks(parameter, low, high):
    """Half the replicates without the reason, half with it strong, in one ensemble run
    (parameters vary along the replicate axis), in June 2025 with the militias bolder than the
    catalogue so that attacks are common enough to measure in both arms."""
    n = 3000
    values = np.repeat([low, high], n // 2)
    bolder = {f"aggression__{m}": -0.5 for m in MILITIAS}
    out = EscalationModel("june-2025", replicates=n, rng=3, collect_data=False, log_events=False,
                          **bolder, **{parameter: values}).run().outcomes()
    attacked = out["window_militia_attacks_on_us"] + out["window_militia_attacks_on_israel"] > 0
    p_without, n_without = share(attacked[: n // 2])
    p_with, n_with = share(attacked[n // 2:])
    assert clearly_lower(p_with, n_with, p_without, n_without), (p_without, p_with)


@pytest.mark.slow
def test_casualties_raise_simulated_retaliation(write):
    """A scripted KH rocket attack on US forces on 15 June 2025, lethal or not: the US strikes
    back at KH clearly more often after the lethal one."""
    results = {}
    for label, killed in (("harmless", 0), ("lethal", 3)):
        path = write(f"{label}.yaml",
                     "id: test-retaliation\ntitle: retaliation test\nextends: june-2025\n"
                     "injects:\n"
                     f"  kh-rockets: {{date: 2025-06-15, actor: kataib_hezbollah, action: rocket_attack,\n"
                     f"               target: united_states, result: {{hit: true, killed: {killed}}},\n"
                     "               evidence: [f-20200311-taji-attack]}\n")
        out = EscalationModel(str(path), replicates=2000, rng=9, collect_data=False,
                              log_events=False).run().outcomes()
        results[label] = out["retaliatory_strikes"] > 0
    p0, p1 = results["harmless"].mean(), results["lethal"].mean()
    assert clearly_lower(p0, results["harmless"].size, p1, results["lethal"].size), (p0, p1)


@pytest.mark.slow
def test_a_leadership_strike_deters_the_faction_it_hits(write):
    """Decapitation deters as well as aggrieves: after the US kills a KH commander (a scripted
    strike on 1 March 2024), KH attacks US forces less over the following six weeks than after
    a strike of the same harm on its depots."""
    out = {}
    for label, action in (("leaders", "leadership_strike"), ("depots", "strike_militia_sites")):
        path = write(f"{label}.yaml", f"""
id: test-decapitation-{label}
title: a strike on KH
extends: april-2024
initial_state:
  fear: {{kataib_hezbollah: 0.1, harakat_al_nujaba: 0.1, kataib_sayyid_al_shuhada: 0.1,
         asaib_ahl_al_haq: 0.1, badr: 0.1}}
  grievance: []
injects:
  strike: {{date: 2024-03-01, actor: united_states, action: {action},
            target: kataib_hezbollah, result: {{hit: true, killed: 2}},
            evidence: [f-202402-us-kills-kh-commander]}}
""")
        res = EscalationModel(str(path), replicates=3000, rng=5, collect_data=False,
                              log_events=False, aggression__kataib_hezbollah=-0.5).run()
        out[label] = res.tally.daily_attacks[:, res.world.index["kataib_hezbollah"]].sum()
    # attack counts over all replicates and days: a Poisson-like count's SE is its square root
    leaders, depots = out["leaders"], out["depots"]
    assert depots - leaders > Z * np.sqrt(leaders + depots), (leaders, depots)


@pytest.mark.slow
def test_solidarity_sustains_attacks_while_the_war_elsewhere_lasts(write):
    """A war the militias' allies fight against Israel drives attacks on Israel while it lasts;
    when it ends (a dated front) attacks fall away."""
    path = write("front.yaml", """
id: test-front-war
title: a war elsewhere
extends: june-2025
fronts:
  - id: lebanon
    against: israel
    intensity: 1.0
    end: 2025-07-10
    evidence: [f-202310-militia-attacks-resume]
""")
    model = EscalationModel(str(path), "no-restraint", replicates=2000, rng=7,
                            collect_data=False, log_events=False,
                            **{f"aggression__{m}": -1.0 for m in MILITIAS}).run()
    israel = list(model.tally.target_kinds).index(model.world.kinds[model.world.index["israel"]])
    daily = model.tally.daily_attacks[:, :, israel].sum(axis=1)
    end = model.spec.day_index(__import__("datetime").date(2025, 7, 10))
    during, after = daily[end - 14:end + 1].sum(), daily[end + 1:end + 16].sum()
    assert during - after > Z * np.sqrt(during + after), (during, after)


def test_iran_left_free_holds_its_allies_back_in_june_2025():
    out = EscalationModel("june-2025", replicates=1000, rng=4, collect_data=False,
                          log_events=False).run().outcomes()
    p, n = share(out["directives_to_hold_back@2025-06-12..2025-06-24"] > 0)
    assert p - Z * np.sqrt(p * (1 - p) / n) > 0.5, p
    assert share(out["directives_to_act"] > 0)[0] < 0.05


def test_iran_answers_the_us_strike_it_vowed_to_answer_with_a_forewarned_strike():
    """Khamenei warned the US on 18 June; after the US strikes Iran on 22 June, Iran strikes
    back in a large share of runs, at the US, and when it does it announces the strike in
    advance (its answer to a decapitation or a strike is not crowded out by its directives)."""
    model = EscalationModel("june-2025", replicates=1000, rng=4, collect_data=False).run()
    p, n = share(model.outcomes()["forewarned_strikes"] > 0)
    assert p - Z * np.sqrt(p * (1 - p) / n) > 1 / 3, p
    chosen = [e for e in model.log.records() if e["actor"] == "iran" and e["kind"] == "action"
              and e["action"] == "state_strike" and not e["scripted"]]
    assert chosen and all(e["target"] == "united_states" for e in chosen)
    # answers, not first strikes: almost all come once the US has struck
    assert sum(e["date"] >= "2025-06-22" for e in chosen) > 0.99 * len(chosen)
    assert sum(e["claim"] == "forewarned" for e in chosen) > 0.8 * len(chosen)
