"""The parameter catalogue: every tunable number of the decision rules, in one place.

Two tables:
- ``GLOBAL``: weights of the decision rule, decay half-lives, learning rates and outcome
  thresholds, shared by all actors and all episodes;
- ``PER_ACTOR``: behavioural traits each actor has its own value of (resolve, rationality, ...);
  the values live in the shared actor catalogue ``sim/model/actors.yaml`` with their evidence.

Each entry says what the number means, its allowed range, its default and the evidence ids behind
it. A scenario may override any of them (``parameters:`` at the top level or per actor), and so
may a keyword argument of ``EscalationModel`` (``retaliation_weight=2.5`` or, per actor,
``resolve__kataib_hezbollah=0.9``). Parameters may differ along the replicate axis: pass an array
of length R to sweep them in one ensemble run.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParameterSpec:
    """Meaning, range, default and evidence of one parameter."""

    name: str
    meaning: str
    low: float
    high: float
    default: float
    evidence: tuple[str, ...] = ()
    rationale: str = ""


def _p(name: str, meaning: str, low: float, high: float, default: float,
       evidence: tuple[str, ...] = (), rationale: str = "") -> ParameterSpec:
    return ParameterSpec(name, meaning, low, high, default, evidence, rationale)


GLOBAL: dict[str, ParameterSpec] = {p.name: p for p in (
    _p("commitment_weight", "pull of a triggered, unfulfilled public threat toward its promised "
       "response (multiplied by the actor's resolve)", 0.0, 8.0, 3.0,
       ("f-20250615-kh-conditional-threat", "f-20250621-factions-tell-baghdad"),
       "Factions told Baghdad they meant to act once the US joined the war: a commitment pulls."),
    _p("grievance_weight", "weight of harm suffered from the target (decaying grievance)",
       0.0, 6.0, 1.5, ("f-20200311-taji-attack", "f-20200313-us-strikes-five-sites"),
       "The US struck five sites two days after the lethal Taji attack: harm drives retaliation. "
       "Grievance enters as log(1 + grievance): each further loss weighs less."),
    _p("directive_weight", "weight of the patron's directive (Iran discouraging or urging its "
       "allies) on hostile acts against the patron's adversaries", 0.0, 8.0, 3.0,
       ("f-202506-iran-discourages-militias",),
       "Leaders were summoned to Iran and told not to intervene; sources count it a main reason."),
    _p("retaliation_weight", "weight of expected retaliation: responders' credibility times the "
       "severity of their likely response (multiplied by the actor's risk aversion)",
       0.0, 8.0, 2.0, ("f-2025-us-six-bases-warning", "f-202410-israel-38-targets"),
       "The US warned it would destroy six bases; Israel had 38 targets in Iraq ready."),
    _p("decapitation_fear_weight", "weight of fear of leadership decapitation on hostile acts "
       "against actors able to strike leaders", 0.0, 8.0, 2.5,
       ("f-202506-militia-leaders-hide", "f-202401-us-kills-nujaba-commander",
        "f-202402-us-kills-kh-commander", "f-202409-nasrallah-killed"),
       "Leaders went into hiding in June 2025; sources name decapitation fear first."),
    _p("stake_weight", "weight of a militia's stake in the Iraqi state, raised by the "
       "government's restraint pressure and bargains", 0.0, 8.0, 2.0,
       ("f-20250614-sudani-restraint-meeting", "f-202212-muhandis-company",
        "f-2024-hashd-budget", "f-2021-kh-six-seats"),
       "Offices, budgets and elections give factions something to lose."),
    _p("host_state_stake_factor", "how many times a militia's stake weighs when the target is "
       "the Iraqi state itself (a state office, the government)", 1.0, 10.0, 3.0,
       ("f-20250727-kh-agriculture-assault", "f-20250809-sudani-removes-kh-commanders",
        "f-2021-kh-six-seats"),
       "Factions embedded in the state rarely attack it; when KH did, Sudani removed two of "
       "its commanders."),
    _p("stake_baseline", "share of a militia's stake that weighs even without government "
       "pressure", 0.0, 1.0, 0.5, ("f-202511-elections",),
       "Elections were due in November 2025 whatever Baghdad said."),
    _p("grievance_half_life", "days for grievance to fall to half", 2.0, 120.0, 14.0,
       ("f-20200311-taji-attack", "f-20200313-us-strikes-five-sites"),
       "Retaliation for Taji came within days; grievances fade over weeks."),
    _p("fear_half_life", "days for decapitation fear to fall to half", 2.0, 180.0, 30.0,
       ("f-202506-militia-leaders-hide", "f-202402-attack-pause"),
       "The pause after the February 2024 killing held for months."),
    _p("pressure_half_life", "days for the government's restraint pressure to fall to half",
       2.0, 120.0, 21.0, ("f-20250614-sudani-restraint-meeting",), ""),
    _p("directive_half_life", "days for a patron's directive to fade halfway to neutral",
       2.0, 120.0, 21.0, ("f-202506-iran-discourages-militias",),
       "Directives were repeated before and during the war: they fade if not renewed."),
    _p("credibility_gain", "share of the gap to full credibility closed when an actor carries "
       "out a threat", 0.0, 1.0, 0.3, (), "Belief update for honoured threats."),
    _p("credibility_loss", "share of credibility lost when an actor's triggered threat lapses",
       0.0, 1.0, 0.3, (), "Belief update for lapsed threats."),
    _p("threat_deadline_days", "days a triggered threat stays open before it counts as lapsed "
       "(when the threat gives no deadline)", 1.0, 60.0, 7.0, (), ""),
    _p("attribution_accuracy", "share of suspicion a victim places on the true author of an "
       "unclaimed attack; also the share of retaliation and stake costs an unclaimed attack "
       "still carries", 0.0, 1.0, 0.8, ("f-20200311-taji-attack", "f-20200313-us-strikes-five-sites",
                                        "f-20200316-osbat-al-thaereen-claim"),
       "Taji went unclaimed, yet the US struck Kata'ib Hezbollah sites two days later; front "
       "groups blur responsibility but do not erase it."),
    _p("harm_per_killed", "grievance caused by each person killed", 0.0, 3.0, 1.0,
       ("f-20200311-taji-attack",), ""),
    _p("harm_per_injured", "grievance caused by each person injured", 0.0, 1.0, 0.03,
       ("f-20241004-golan-drone-casualties",), ""),
    _p("retaliation_window_days", "days after being attacked within which a strike on the "
       "(suspected) attacker counts as retaliation", 1.0, 60.0, 14.0,
       ("f-20200311-taji-attack", "f-20200313-us-strikes-five-sites"), ""),
    _p("fear_from_own_leader_strike", "rise in a militia's decapitation fear when its own "
       "leaders are struck", 0.0, 3.0, 1.0, ("f-202402-us-kills-kh-commander",
                                              "f-202402-attack-pause"), ""),
    _p("fear_from_ally_leader_strike", "rise in a militia's decapitation fear when leaders of "
       "an ally (another militia, or its patron) are struck", 0.0, 3.0, 0.4,
       ("f-202409-nasrallah-killed", "f-20250621-israel-kills-kss-official"), ""),
    _p("hiding_protection", "reduction of a leadership strike's success against leaders in "
       "hiding", 0.0, 1.0, 0.7, ("f-202506-militia-leaders-hide",), ""),
    _p("effort_cost", "utility cost of any deliberate non-kinetic move (statement, posture, "
       "meeting, bargain, directive): doing nothing is the reference", 0.0, 8.0, 2.5, (),
       "Sets how readily actors act at all; scale of the other terms."),
    _p("tension_half_life", "days for the regional tension index to fall to half", 1.0, 60.0,
       7.0, (), "Tension is the decayed sum of recent hostile event intensity."),
    _p("war_attack_threshold", "militia attacks on US or Israeli targets in the assessment "
       "window at or above which, with enough retaliation, the outcome is regional war",
       1.0, 100.0, 10.0, ("f-2024-iri-316-attacks",),
       "An intensive campaign; the 2023-24 campaign averaged several attacks a week."),
    _p("war_strike_threshold", "retaliatory strikes on militias in the assessment window at or "
       "above which, with enough attacks, the outcome is regional war", 1.0, 50.0, 3.0, (), ""),
)}


PER_ACTOR: dict[str, ParameterSpec] = {p.name: p for p in (
    _p("resolve", "how strongly the actor feels bound by its own public threats", 0.0, 1.0, 0.5),
    _p("rationality", "logit precision: 0 picks at random, high values pick the best-scored "
       "option", 0.0, 20.0, 2.0),
    _p("risk_aversion", "multiplier on expected retaliation", 0.0, 3.0, 1.0),
    _p("aggression", "baseline utility of hostile action against adversaries (negative: "
       "reluctance)", -6.0, 3.0, -2.0),
    _p("retaliation_severity", "how hard others expect this actor to hit back (0..1)", 0.0, 1.0,
       0.5),
    _p("solidarity", "share of harm to the actor's patron that it feels as its own grievance",
       0.0, 1.0, 0.0),
    _p("hiding_cost", "utility cost of sending leaders to ground", 0.0, 5.0, 1.0),
    _p("vigilance", "drive of a government to restrain militias as regional tension rises",
       0.0, 5.0, 0.0),
    _p("assertiveness", "drive of a government to coerce militias that attack at home", 0.0, 5.0,
       0.0),
)}


def spec(name: str) -> ParameterSpec:
    """The spec of a global or per-actor parameter (KeyError if unknown)."""
    if name in GLOBAL:
        return GLOBAL[name]
    return PER_ACTOR[name]
