"""The parameter catalogue: every tunable number of the decision rules, in one place.

Two tables:
- ``GLOBAL``: weights of the decision rule, decay half-lives, learning rates and outcome
  thresholds, shared by all actors and all episodes;
- ``PER_ACTOR``: behavioural traits each actor has its own value of (resolve, rationality, ...);
  the values live in the shared actor catalogue ``sim/model/actors.yaml`` with their evidence.

Each entry says what the number means, its allowed range, its default, the evidence ids behind
it, and how far that evidence goes (``support``):
- ``magnitude``: the facts pin the size of the number (a count, a rate, a duration);
- ``direction``: the facts show the effect exists and which way it acts, not how strong it is;
- ``judgement``: no fact bears on it; it is the modellers' choice, stated as such.

A scenario may override any of them (``parameters:`` at the top level or per actor), and so may
a keyword argument of ``EscalationModel`` (``retaliation_weight=2.5`` or, per actor,
``resolve__kataib_hezbollah=0.9``). Parameters may differ along the replicate axis: pass an
array of length R to sweep them in one ensemble run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Support = Literal["magnitude", "direction", "judgement"]
SUPPORT_LEVELS: tuple[Support, ...] = ("magnitude", "direction", "judgement")


@dataclass(frozen=True)
class ParameterSpec:
    """Meaning, range, default, evidence and the strength of that evidence."""

    name: str
    meaning: str
    low: float
    high: float
    default: float
    evidence: tuple[str, ...] = ()
    rationale: str = ""
    support: Support = "judgement"
    integer: bool = False


def _p(name: str, meaning: str, low: float, high: float, default: float,
       evidence: tuple[str, ...] = (), rationale: str = "", support: Support = "judgement",
       integer: bool = False) -> ParameterSpec:
    if evidence == () and support != "judgement":
        raise ValueError(f"{name}: only a judgement may cite no evidence")
    return ParameterSpec(name, meaning, low, high, default, evidence, rationale, support, integer)


GLOBAL: dict[str, ParameterSpec] = {p.name: p for p in (
    # --- weights of the decision rule -----------------------------------------------------
    _p("commitment_weight", "pull of a triggered, unanswered public threat toward its promised "
       "response (multiplied by the actor's resolve)", 0.0, 8.0, 3.0,
       ("f-20250615-kh-conditional-threat", "f-20250621-factions-tell-baghdad"),
       "Factions told Baghdad they meant to act once the US joined the war: a commitment pulls.",
       "direction"),
    _p("grievance_weight", "weight of harm suffered from the target (decaying grievance, and "
       "standing disputes)", 0.0, 6.0, 1.5,
       ("f-20200311-taji-attack", "f-20200313-us-strikes-five-sites"),
       "The US struck five sites two days after the lethal Taji attack: harm drives "
       "retaliation. Grievance enters as log(1 + grievance): each further loss weighs less.",
       "direction"),
    _p("solidarity_weight", "weight of a war the actor's allies fight elsewhere against the "
       "target (multiplied by the actor's solidarity and the war's intensity)", 0.0, 6.0, 2.0,
       ("f-202310-militia-attacks-resume", "f-2024-iri-316-attacks"),
       "After 7 October 2023 the factions fired on Israel in support of Gaza, about 316 claimed "
       "attacks in 13 months, and stopped as the wars around them wound down.", "direction"),
    _p("directive_weight", "weight of the patron's directive (-1 hold back .. +1 act) on hostile "
       "acts against the patron's adversaries", 0.0, 8.0, 1.5,
       ("f-202506-iran-discourages-militias",),
       "Leaders were summoned to Iran and told not to intervene; the sources count it one of "
       "three reasons of comparable weight.", "direction"),
    _p("retaliation_weight", "weight of the retaliation an act can expect: the target's "
       "credibility times its severity, scaled by the harm the act is likely to do, plus the "
       "threats of others it would set off (multiplied by the actor's risk aversion)",
       0.0, 8.0, 2.0, ("f-2025-us-six-bases-warning", "f-202410-israel-38-targets"),
       "The US warned it would destroy six bases; Israel had 38 targets in Iraq ready.",
       "direction"),
    _p("decapitation_fear_weight", "weight of fear of leadership decapitation on a militia's "
       "hostile acts against actors able to strike its leaders (times their credibility)",
       0.0, 8.0, 1.5,
       ("f-202506-militia-leaders-hide", "f-202401-us-kills-nujaba-commander",
        "f-202402-us-kills-kh-commander", "f-202409-nasrallah-killed"),
       "Leaders went into hiding in June 2025; the sources name decapitation fear first.",
       "direction"),
    _p("stake_weight", "weight of what an act puts at risk in Iraq: a militia's offices and "
       "budgets when reprisals fall on Iraq, a state's position there when it strikes inside "
       "Iraq, Iran's network when its allies draw fire (multiplied by the actor's stake, and "
       "raised by restraint pressure)", 0.0, 8.0, 2.0,
       ("f-20250318-factions-pledge-sudani", "f-20250614-sudani-restraint-meeting",
        "f-202003-white-memo", "f-202506-basra-strike-fear"),
       "Factions pledged not to provoke retaliation against Iraq; US commanders warned strikes "
       "would endanger the agreements with Baghdad; Iran feared Israeli strikes on Basra.",
       "direction"),
    _p("host_state_stake_factor", "how many times the stake weighs when the target is an Iraqi "
       "government (federal or regional) itself", 1.0, 10.0, 3.0,
       ("f-20250727-kh-agriculture-assault", "f-20250809-sudani-removes-kh-commanders",
        "f-2021-kh-six-seats"),
       "Factions embedded in the state rarely attack it; when KH did, Sudani removed two of "
       "its commanders.", "direction"),
    _p("stake_baseline", "share of the stake that weighs even without restraint pressure",
       0.0, 1.0, 0.5, ("f-202511-elections",),
       "Elections were due in November 2025 whatever Baghdad said.", "direction"),
    _p("escalation_aversion", "extra reluctance for each rung a kinetic act climbs above the "
       "lowest kinetic rung (a strike on sites, on leaders, on a state each cost more than the "
       "last)", 0.0, 3.0, 0.5, ("f-202003-broad-target-list", "f-202003-white-memo"),
       "After Taji the US weighed strikes on IRGC sites in Iran and Syria and chose five sites "
       "in Iraq: higher rungs carry costs of their own.", "direction"),
    _p("effort_cost", "utility cost of any deliberate non-kinetic move (statement, posture, "
       "meeting, bargain, directive): doing nothing is the reference", 0.0, 8.0, 2.0, (),
       "Sets how readily actors act at all; the scale of the other terms."),
    # --- how acts play out -----------------------------------------------------------------
    _p("provocation_harm", "harm at which the retaliation an act can expect reaches half the "
       "target's full severity: acts that do little harm provoke little", 0.05, 5.0, 0.5,
       ("f-2019-kirkuk-contractor-killed", "f-20200311-taji-attack",
        "f-20200313-us-strikes-five-sites", "f-2024-iri-316-attacks"),
       "The US answered the attacks that killed Americans within days; the many attacks that "
       "did not kill went mostly unanswered.", "direction"),
    _p("affront_harm", "harm an attack does by being made at all, whether or not it gets "
       "through: a series of failed attacks adds up to a grievance", 0.0, 1.0, 0.1,
       ("f-20231026-us-answers-failed-attacks",),
       "The US struck in Syria on 26 October 2023 in answer to a series of attacks on its forces "
       "that had mostly failed; one tenth of a death per attempt is a judgement.", "direction"),
    _p("retaliation_satisfaction", "share of an actor's grievance toward a target that one act "
       "of its own against that target settles", 0.0, 1.0, 0.6,
       ("f-20200313-us-strikes-five-sites", "f-20200327-pentagon-escalation-plans",
        "f-20200108-ain-al-asad-missile-strike"),
       "The US struck once after Taji and then held its plans back; Iran answered Soleimani's "
       "killing once and called its deterrence restored.", "direction"),
    _p("forewarning_factor", "share of a state strike's lethality and damage that remains when "
       "it is announced in advance", 0.0, 1.0, 0.1,
       ("f-20200108-ain-al-asad-missile-strike", "f-20250623-iran-strikes-al-udeid"),
       "Both forewarned Iranian strikes on US bases killed no one.", "magnitude"),
    _p("attribution_accuracy", "chance that the victim of an unclaimed or front-claimed attack "
       "blames its true author; also the share of the attack's costs and gains that still fall "
       "on its author", 0.0, 1.0, 0.8,
       ("f-20200316-osbat-al-thaereen-claim", "f-202004-kh-most-active"),
       "A front group gave KH plausible deniability, yet KH was the faction most active against "
       "US forces and so the one suspected: deniability blurs blame without erasing it."),
    _p("harm_per_killed", "grievance caused by each person killed (the unit of harm)",
       0.0, 3.0, 1.0, (), "The unit in which every other harm is measured."),
    _p("harm_per_injured", "grievance caused by each person injured", 0.0, 1.0, 0.03, (),
       "A small fraction of a death."),
    _p("host_harm_share", "share of the harm of an attack inside Iraq, by an actor based there, "
       "that the federal government feels as its own (disorder on its soil)", 0.0, 1.0, 0.3,
       ("f-20250727-kh-agriculture-assault", "f-20250809-sudani-removes-kh-commanders",
        "f-20250318-us-restrains-israel"),
       "Sudani moved against KH after its men stormed a directorate in Baghdad; Baghdad told "
       "the factions that attacks from Iraqi soil put US support for Iraq at risk.",
       "direction"),
    _p("hiding_protection", "reduction of a leadership strike's success against leaders in "
       "hiding", 0.0, 1.0, 0.7, ("f-202506-militia-leaders-hide",),
       "Leaders hid to survive; how much it helps is not recorded."),
    # --- fear, beliefs and their decay ------------------------------------------------------
    _p("fear_from_own_leader_strike", "rise in a militia's decapitation fear when its own "
       "leaders are struck", 0.0, 3.0, 1.0,
       ("f-202402-us-kills-kh-commander", "f-202402-attack-pause"),
       "The pause in attacks followed the killing of a KH commander.", "direction"),
    _p("fear_from_ally_leader_strike", "rise in a militia's decapitation fear when leaders of "
       "an ally (another militia, or its patron) are struck", 0.0, 3.0, 0.6,
       ("f-202409-nasrallah-killed", "f-202506-militia-leaders-hide"),
       "Leaders went to ground after Israel struck Iran's commanders.", "direction"),
    _p("grievance_half_life", "days for grievance to fall to half", 2.0, 120.0, 14.0,
       ("f-20200311-taji-attack", "f-20200313-us-strikes-five-sites"),
       "Retaliation for Taji came within days; grievances fade over weeks.", "direction"),
    _p("fear_half_life", "days for decapitation fear to fall to half", 2.0, 365.0, 90.0,
       ("f-202402-us-kills-kh-commander", "f-202402-attack-pause"),
       "The pause that followed the February 2024 killing still held in mid-April, about ten "
       "weeks on: fear had not faded by half in that time.", "magnitude"),
    _p("pressure_half_life", "days for restraint pressure (and urging) to fall to half",
       2.0, 120.0, 21.0, ("f-20250614-sudani-restraint-meeting",),
       "Baghdad met the commanders once at the start of the war; pressure must outlast the "
       "meeting by weeks but not indefinitely."),
    _p("directive_half_life", "days for a patron's directive to fade halfway to neutral",
       2.0, 365.0, 60.0, ("f-202506-iran-discourages-militias",),
       "A directive is a standing instruction: Tehran repeated it before and during the war, "
       "and it fades only if the patron stops caring."),
    _p("tension_half_life", "days for the regional tension index to fall to half", 1.0, 60.0,
       7.0, (), "Tension is the decayed sum of recent hostile event intensity."),
    _p("credibility_gain", "share of the gap to full credibility closed when an actor carries "
       "out a threat", 0.0, 1.0, 0.3, (), "Belief update for honoured threats."),
    _p("credibility_loss", "share of credibility lost when an actor's triggered threat lapses",
       0.0, 1.0, 0.3, (), "Belief update for lapsed threats."),
    _p("threat_deadline_days", "days a triggered threat stays open before it lapses (when the "
       "threat gives no deadline, and for threats the model's actors make)", 1.0, 60.0, 7.0, (),
       "A week: long enough to prepare an answer, short enough that silence reads as "
       "restraint.", integer=True),
    # --- how outcomes are read ----------------------------------------------------------------
    _p("retaliation_window_days", "days after being attacked within which a strike on the "
       "(blamed) attacker counts as retaliation", 1.0, 60.0, 14.0,
       ("f-20200311-taji-attack", "f-20200313-us-strikes-five-sites"),
       "Taji's answer came in two days; two weeks leaves room for slower answers.",
       integer=True),
    _p("war_attack_threshold", "militia attacks on US or Israeli targets in the assessment "
       "window at or above which, with enough retaliation, the theatre outcome is regional war",
       1.0, 100.0, 10.0, (),
       "A judgement: ten attacks and three answers in a window of a few weeks is a campaign "
       "and a counter-campaign, not an exchange.", integer=True),
    _p("war_strike_threshold", "retaliatory strikes on militias in the assessment window at or "
       "above which, with enough attacks, the theatre outcome is regional war", 1.0, 50.0, 3.0,
       (), "A judgement, with war_attack_threshold.", integer=True),
    _p("state_war_days", "days with state-on-state strikes each way at or above which a "
       "pair of states is at war (the state-conflict dimension)", 1.0, 30.0, 3.0, (),
       "A judgement: one or two answered strikes are an exchange; a third round each way is a "
       "war.", integer=True),
)}


PER_ACTOR: dict[str, ParameterSpec] = {p.name: p for p in (
    _p("resolve", "how strongly the actor feels bound by its own public threats", 0.0, 1.0, 0.5),
    _p("rationality", "logit precision: 0 picks at random, high values pick the best-scored "
       "option", 0.0, 20.0, 2.0),
    _p("risk_aversion", "multiplier on expected retaliation", 0.0, 3.0, 1.0),
    _p("aggression", "baseline utility of hostile action against adversaries (negative: "
       "reluctance)", -8.0, 3.0, -3.0),
    _p("retaliation_severity", "how hard others expect this actor to hit back (0..1)", 0.0, 1.0,
       0.5),
    _p("solidarity", "share of harm to the actor's patron, and of its allies' wars elsewhere, "
       "that it feels as its own", 0.0, 1.0, 0.0),
    _p("hiding_cost", "utility cost of sending leaders to ground", 0.0, 5.0, 1.0),
    _p("vigilance", "drive to restrain others (a government its militias, a patron state its "
       "ally) as the danger they pose rises", 0.0, 5.0, 0.0),
    _p("assertiveness", "drive of a government to coerce militias that harm the state", 0.0,
       5.0, 0.0),
    _p("reserve_value", "share of an ally's expected losses a patron counts as its own: its "
       "allies as a deterrent held in reserve", 0.0, 2.0, 0.0),
)}


def spec(name: str) -> ParameterSpec:
    """The spec of a global or per-actor parameter (KeyError if unknown)."""
    if name in GLOBAL:
        return GLOBAL[name]
    return PER_ACTOR[name]
