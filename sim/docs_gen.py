"""Generate docs/parameters.md: the parameter, actor-trait and action reference, from the code.

The reference is generated, never written by hand, so that it cannot drift from the values the
model really uses. It renders, as Markdown tables:

- every global parameter of ``sim.model.parameters.GLOBAL`` (meaning, range, default, evidence,
  rationale);
- every per-actor trait of ``PER_ACTOR`` (meaning, range, fallback default), then each actor of
  the shared catalogue (``sim/model/actors.yaml``) with its trait values, evidence and rationale;
- the action catalogue ``sim.model.actions.CATALOGUE`` (rung, family, who, targets, event codes,
  adjudication numbers and standing effects);
- the outcome metrics and outcome classes of ``sim.model.outcomes``.

Regenerate after changing any of those::

    python -m sim.docs_gen            # writes docs/parameters.md
    python -m sim.docs_gen --check    # exit 1 if docs/parameters.md is out of date

tests/test_docs.py fails when the file differs from what this module generates.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import fields
from pathlib import Path

from sim.model.actions import CATALOGUE, Action, Effects
from sim.model.catalogue import actor_catalogue
from sim.model.outcomes import (COUNTS, OTHER_METRICS, OUTCOME_CLASSES, STATE_CONFLICT_CLASSES,
                                WINDOW_COUNTS)
from sim.model.parameters import GLOBAL, PER_ACTOR, SUPPORT_LEVELS
from sim.model.places import HOME, PLACES

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "parameters.md"
DASH = "—"


# --- small helpers ------------------------------------------------------------------------------

def _cell(text: object) -> str:
    """Text made safe for one Markdown table cell."""
    out = " ".join(str(text).split())
    return out.replace("|", "\\|") if out else DASH


def _num(value: float) -> str:
    return f"{value:g}"


def _ids(ids: Iterable[str]) -> str:
    ids = list(ids)
    return ", ".join(f"`{i}`" for i in ids) if ids else DASH


def _code(text: str | None) -> str:
    return f"`{text}`" if text else DASH


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


# --- sections -----------------------------------------------------------------------------------

def evidence_strength() -> dict[str, dict[str, int]]:
    """How many global parameters and catalogue trait values each level of support has."""
    out = {"global parameters": {level: 0 for level in SUPPORT_LEVELS},
           "actor traits": {level: 0 for level in SUPPORT_LEVELS}}
    for p in GLOBAL.values():
        out["global parameters"][p.support] += 1
    for actor in actor_catalogue().values():
        for name in actor.traits:
            out["actor traits"][actor.support.get(name, "judgement")] += 1
    return out


def _strength_section() -> list[str]:
    counts = evidence_strength()
    total = {level: sum(c[level] for c in counts.values()) for level in SUPPORT_LEVELS}
    rows = []
    for label, c in (*counts.items(), ("all numbers", total)):
        n = sum(c.values())
        rows.append((label, str(n), *(f"{c[level]} ({100 * c[level] / max(n, 1):.0f}%)"
                                      for level in SUPPORT_LEVELS)))
    return [
        "## How far the evidence goes",
        "",
        "Every number says how far its evidence goes. *Magnitude*: the facts pin its size (a",
        "count, a rate, a duration). *Direction*: the facts show the effect exists and which way it",
        "acts, not how strong it is. *Judgement*: no fact bears on it; it is the modellers' choice,",
        "stated as such. Most numbers are directions: the sources say what mattered, rarely how",
        "much.",
        "",
        *_table(("Numbers", "Count", *(level.capitalize() for level in SUPPORT_LEVELS)), rows),
        "",
    ]


def _global_section() -> list[str]:
    rows = [(f"`{p.name}`", _cell(p.meaning), f"{_num(p.low)} .. {_num(p.high)}", _num(p.default),
             p.support, _ids(p.evidence), _cell(p.rationale)) for p in GLOBAL.values()]
    return [
        "## Global parameters",
        "",
        "Shared by all actors and all episodes. Override one with `escsim run ... --set NAME=VALUE`,",
        "with a scenario's top-level `parameters:`, or with a keyword argument of `EscalationModel`.",
        "",
        *_table(("Name", "Meaning", "Range", "Default", "Support", "Evidence", "Rationale"), rows),
        "",
    ]


def _trait_section() -> list[str]:
    rows = [(f"`{p.name}`", _cell(p.meaning), f"{_num(p.low)} .. {_num(p.high)}", _num(p.default))
            for p in PER_ACTOR.values()]
    return [
        "## Per-actor traits",
        "",
        "Each actor has its own value of these. The values live in the shared actor catalogue",
        "(`sim/model/actors.yaml`), listed below; an actor that does not set a trait uses the",
        "fallback default in this table. Override one with `--set NAME__ACTOR=VALUE` (one actor) or",
        "`--set NAME=VALUE` (every actor), or with `parameters:` under the actor in a scenario.",
        "",
        *_table(("Name", "Meaning", "Range", "Fallback default"), rows),
        "",
    ]


def _trait_value(spec_traits: dict[str, float], name: str) -> str:
    if name in spec_traits:
        return _num(spec_traits[name])
    return f"({_num(PER_ACTOR[name].default)})"


def _actor_section() -> list[str]:
    catalogue = actor_catalogue()
    names = list(PER_ACTOR)
    summary = [(f"`{a.id}`", *(_trait_value(a.traits, n) for n in names))
               for a in catalogue.values()]
    lines = [
        "## Actors of the shared catalogue",
        "",
        "Trait values of every actor in `sim/model/actors.yaml`. A value in brackets is the",
        "fallback default: the catalogue does not set it for that actor. Situation values (stake,",
        "fear, directive, restraint pressure, credibility, grievance) belong to each scenario, not",
        "here; `escsim evidence SCENARIO ACTOR` lists them with their facts.",
        "",
        *_table(("Actor", *(f"`{n}`" for n in names)), summary),
        "",
    ]
    for a in catalogue.values():
        patron = f", patron `{a.patron}`" if a.patron else ""
        lines += [f"### `{a.id}`: {a.name}", "", f"Kind `{a.kind.value}`{patron}.", ""]
        rows = [(f"`{n}`", _num(v), a.support.get(n, "judgement"), _ids(a.evidence.get(n, ())),
                 _cell(a.rationale.get(n, ""))) for n, v in a.traits.items()]
        if rows:
            lines += [*_table(("Trait", "Value", "Support", "Evidence", "Rationale"), rows), ""]
        unset = [n for n in names if n not in a.traits]
        if unset:
            lines += ["Fallback defaults: " + ", ".join(f"`{n}`" for n in unset) + ".", ""]
    return lines


def _kinds(kinds: Sequence[object]) -> str:
    return ", ".join(str(getattr(k, "value", k)) for k in kinds) if kinds else DASH


def _plover(action: Action) -> str:
    code = action.code
    if not code.plover_event:
        return DASH
    return f"{code.plover_event} / {code.plover_mode}" if code.plover_mode else code.plover_event


def _effects(effects: Effects) -> str:
    parts = []
    for f in fields(Effects):
        value = getattr(effects, f.name)
        if f.name == "directive":
            if value is not None:
                parts.append(f"`directive` set to {_num(value)}")
            continue
        if not value:
            continue
        if isinstance(value, bool):
            parts.append(f"`{f.name}`")
        else:
            sign = "+" if value > 0 else ""
            parts.append(f"`{f.name}` {sign}{_num(value)}")
    return " ".join(parts) if parts else DASH


def _modes(action: Action) -> str:
    return ", ".join(m.label for m in action.modes)


def _action_section() -> list[str]:
    codes = [(f"`{a.id}`", _cell(a.label), str(a.rung), a.family.value, _kinds(a.actor_kinds),
              _kinds(a.target_kinds) + (" (or none)" if a.optional_target else ""),
              _code(a.code.cameo), _num(a.code.goldstein), _plover(a),
              _yes(a.kinetic), _num(a.interceptable), _num(a.lethality), _modes(a))
             for a in CATALOGUE]
    effects = [(f"`{a.id}`", _num(a.hostility), _num(a.killed_if_lethal),
                _num(a.injured_per_killed), _num(a.material_harm), _yes(a.leadership),
                _yes(a.free_choice), _effects(a.effects)) for a in CATALOGUE]
    return [
        "## Action catalogue",
        "",
        "Every move an actor can make, on one escalation ladder (rung 0 = do nothing, the top rung",
        "= state-on-state strike). *Who* and *targets* are kinds of actor. The event codes are",
        "explained in [event-codes.md](event-codes.md). *Interceptable* is the share of the",
        "target site's air defence that applies; *lethality* the chance that a hit kills someone",
        "(times the site's exposure); *claim* lists how the act can be owned: `own` (openly),",
        "`front` (under a front group's name), `none` (unclaimed), `forewarned` (a strike",
        "announced in advance). An action whose targets say *(or none)* can be taken without a",
        "target: it then speaks to every actor it could target (a patron's allies, every militia).",
        "",
        *_table(("Id", "What", "Rung", "Family", "Who", "Targets", "CAMEO", "Goldstein", "PLOVER",
                 "Kinetic", "Interceptable", "Lethality", "Claim"), codes),
        "",
        "Adjudication numbers and standing effects. *Hostility* (0..1) is what an act adds to",
        "regional tension and the escalation index; *killed if lethal* is the mean number killed",
        "when a hit is lethal (one",
        "plus a Poisson draw); *material harm* is the grievance a hit causes without casualties;",
        "actions with *free choice* `no` happen only as scripted injects or when a player takes",
        "them. Standing effects are added to the state of the target (or of the actor itself for",
        "its own posture) and clipped to the variable's range.",
        "",
        *_table(("Id", "Hostility", "Killed if lethal", "Injured per killed", "Material harm",
                 "Leadership", "Free choice", "Standing effects"), effects),
        "",
    ]


# Window-only counts that have no whole-run twin in COUNTS (and so no description there).
_WINDOW_ONLY = {
    "attacks_after_retaliation": "militia attacks on US or Israeli targets made on or after the "
                                 "day of the first retaliatory strike in the window",
}


def _place_section() -> list[str]:
    rows = [(f"`{p.id}`", _cell(p.name), _yes(p.in_iraq),
             ", ".join(f"`{k.value}`" for k, home in HOME.items() if home == p.id) or DASH)
            for p in PLACES.values()]
    return [
        "## Places",
        "",
        "Every kinetic act lands at a site: an actor's presence at a place. A scenario lists an",
        "actor's places under `sites:`; otherwise it has one site, at its kind's home. Whether a",
        "place is in Iraq decides what an act there puts at risk (the rule's stake term).",
        "",
        *_table(("Place", "What", "In Iraq", "Home of"), rows),
        "",
    ]


def _outcome_section() -> list[str]:
    rows = [(f"`{name}`", _cell(text)) for name, text in COUNTS.items()]
    for name in WINDOW_COUNTS:
        text = COUNTS.get(name) or _WINDOW_ONLY.get(name) or name.replace("_", " ")
        rows.append((f"`window_{name}`", _cell(text) + " (assessment window only)"))
    rows += [(f"`{name}`", _cell(text)) for name, text in OTHER_METRICS.items()]
    return [
        "## Outcome metrics",
        "",
        "One value per replicate. Counts run over the whole scenario; `window_` counts and the",
        "two classes use only the assessment window. The theatre outcome class is one of",
        ", ".join(f"`{c}`" for c in OUTCOME_CLASSES) + "; the state-conflict class one of",
        ", ".join(f"`{c}`" for c in STATE_CONFLICT_CLASSES) + ".",
        "[model.md](model.md#observation) gives the rules that decide them. A scenario's record",
        "may also ask for any count over dates of its own: such a column is named",
        "`metric@START..END`.",
        "",
        *_table(("Metric", "Meaning"), rows),
        "",
    ]


def parameter_reference_markdown() -> str:
    """The whole of docs/parameters.md, generated from the parameter and action catalogues."""
    lines = [
        "# Parameter and action reference",
        "",
        "> Generated by `python -m sim.docs_gen` from `sim/model/parameters.py`,",
        "> `sim/model/actors.yaml`, `sim/model/actions.py` and `sim/model/outcomes.py`.",
        "> Do not edit this file by hand: change the code and regenerate it.",
        "",
        "Every number here is a judgement anchored in the facts it cites (ids from",
        "`seeds/facts.yaml`; `escsim facts ID` prints one), not a statistical estimate. How the",
        "numbers enter the rules is described in [model.md](model.md); `escsim parameters` prints",
        "the parameter tables at the terminal.",
        "",
        "Contents: [how far the evidence goes](#how-far-the-evidence-goes),",
        "[global parameters](#global-parameters), [per-actor traits](#per-actor-traits),",
        "[actors](#actors-of-the-shared-catalogue), [actions](#action-catalogue),",
        "[places](#places), [outcome metrics](#outcome-metrics).",
        "",
        *_strength_section(),
        *_global_section(),
        *_trait_section(),
        *_actor_section(),
        *_action_section(),
        *_place_section(),
        *_outcome_section(),
    ]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write the reference (or, with --check, report whether it is up to date)."""
    parser = argparse.ArgumentParser(prog="python -m sim.docs_gen", description=__doc__.split("\n")[0])
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT,
                        help=f"file to write (default: {DEFAULT_OUTPUT})")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the file differs from the generated text")
    args = parser.parse_args(argv)
    text = parameter_reference_markdown()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
        if current != text:
            print(f"{args.output} is out of date: run `python -m sim.docs_gen`", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
