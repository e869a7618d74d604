"""Role cards: one or two pages per actor that a student reads in five minutes.

Each card says, from the scenario and the evidence register only:
- who you are (kind, patron and allies, what the scenario scripts for you);
- what you want and fear (stake, fear for your leaders, your patron's directive, restraint
  pressure, grievances and standing disputes, the wars your allies fight);
- your commitments (threats on record) and the threats aimed at you;
- your options, with what the model's rule makes each cost you on the first day (the term that
  weighs most against it and the one that draws you to it) and how likely the model's version
  of you is to take it;
- the key dated facts behind your numbers, with their sources, and the record up to the start
  (never after it: the cards do not give away what happened).

``write_cards`` writes Markdown, HTML, PDF (typst, A4 or US Letter, black and white) or PNG
pages. Names are transliterated: typst's bundled fonts cannot set Arabic script.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sim.analysis.files import output_folder, write_text
from sim.classroom.advice import TERM_WORDS, model_advice
from sim.classroom.errors import GameError
from sim.classroom.moves import actor_name, menu
from sim.classroom.text import names, threat_text
from sim.classroom.typesetting import paper_name, render
from sim.evidence import Fact, shipped_register
from sim.model.actions import ACTIONS
from sim.model.kinds import ActorKind
from sim.model.model import EscalationModel
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from sim.trace import actor_evidence

FORMATS = (".pdf", ".html", ".md", ".png")
MAX_FACTS = 7  # key facts per card: enough to argue from, short enough for a page
MAX_TIMELINE = 7
KIND_WORDS = {
    ActorKind.UNITED_STATES: "a great power with forces in Iraq and the region",
    ActorKind.IRAN: "a regional power, patron of armed factions in Iraq",
    ActorKind.ISRAEL: "a state at war with Iran's network, able to strike in Iraq",
    ActorKind.IRAQI_GOVERNMENT: "the federal government in Baghdad",
    ActorKind.MILITIA: "an Iraqi armed faction with a stake in the Iraqi state",
    ActorKind.REGIONAL_GOVERNMENT: "the Kurdistan Regional Government in Erbil",
}
# How the register names groups an actor of a kind belongs to (for the record to the start).
GROUPS = {ActorKind.MILITIA: {"iraqi_militias", "islamic_resistance_in_iraq", "hashd"}}


@dataclass
class Card:
    """Everything on one actor's card, as plain data."""

    id: str
    name: str
    scenario: str
    title: str
    start: str
    who: list[str]
    wants: list[str]
    commitments: list[str]
    facing: list[str]
    options: list[dict[str, str]]
    facts: list[dict[str, str]]
    timeline: list[dict[str, str]]
    notes: list[str] = field(default_factory=list)


def _level(value: float) -> str:
    return "none" if value <= 0 else ("low" if value < 0.34 else
                                      "moderate" if value < 0.67 else "high")


def _who(scenario: Scenario, model: EscalationModel, actor: str) -> list[str]:
    w = model.world
    spec = w.specs[w.index[actor]]
    lines = [f"You are {spec.name}: {KIND_WORDS.get(spec.kind, spec.kind.value)}."]
    if spec.patron and spec.patron in w.index:
        lines.append(f"Your patron: {actor_name(w, spec.patron)}.")
    allies = [w.ids[i] for i in w.allies_of(w.index[actor])]
    if allies:
        lines.append(f"Your allies, who look to you: {names(w, allies)}.")
    scripted = [i for i in scenario.injects if i.actor == actor]
    if scripted:
        acts = sorted({ACTIONS[i.action].label for i in scripted})
        lines.append("History fixes some of your acts (they happen whatever you decide): "
                     + "; ".join(acts) + ".")
    return lines


def _wants(scenario: Scenario, model: EscalationModel, actor: str) -> list[str]:
    entry, init = scenario.actors[actor], scenario.initial_state

    def world_name(other: str) -> str:
        return actor_name(model.world, other)

    w = []
    if entry.stake:
        why = f" {entry.rationale.strip()}" if entry.rationale else ""
        w.append(f"What you stand to lose in Iraq: {_level(entry.stake)} ({entry.stake:g}).{why}")
    if init.fear.get(actor):
        w.append(f"Fear for your leaders' lives: {init.fear[actor]:g} at the start.")
    if actor in init.directive:
        value = init.directive[actor]
        word = "stand down" if value < 0 else ("act" if value > 0 else "decide for yourself")
        w.append(f"Your patron's standing word: {word}.")
    if init.restraint_pressure.get(actor):
        w.append(f"Pressure on you to hold back: {_level(init.restraint_pressure[actor])}.")
    for g in init.grievance:
        if g.holder == actor:
            w.append(f"A grievance against {world_name(g.toward)}"
                     + (f": {g.rationale}" if g.rationale else "."))
    for d in scenario.disputes:
        if d.holder == actor:  # the dates only: a rationale may tell what happened later
            when = f" from {d.start:%d %B} to {d.end:%d %B}" if d.start and d.end else ""
            w.append(f"A standing quarrel with {world_name(d.toward)}{when} "
                     f"({_level(min(d.value, 1.0))}).")
    world = model.world
    for front in scenario.fronts:
        ours = world.aligned[world.index[actor], world.index[front.against]]
        where = (f"A war against your side ({world_name(front.against)}) elsewhere" if ours
                 else f"A war your side fights elsewhere, against {world_name(front.against)}")
        w.append(f"{where}: {front.rationale.strip() or front.id}")
    return w


def _threats(scenario: Scenario, model: EscalationModel, actor: str) -> tuple[list[str], list[str]]:
    w = model.world
    mine, facing = [], []
    for threat in model.threats.threats:
        if threat.spec is None:
            continue
        spec = threat.spec
        when = "in force at the start" if spec.made <= scenario.start else f"made on {spec.made}"
        words = f" (“{spec.wording}”)" if spec.wording else ""
        line = f"[{spec.id}] {when}: {threat_text(w, threat)}{words}"
        if spec.by == actor:
            mine.append(line)
        elif actor in spec.against:
            facing.append(line)
    return mine, facing


def _options(model: EscalationModel, actor: str) -> list[dict[str, str]]:
    """Per action: the model's chance on the first day, and what weighs for and against it."""
    w = model.world
    advice = model_advice(model, actor)
    rows: dict[str, dict[str, Any]] = {}
    for view in menu(w, actor):
        row = rows.setdefault(view.action, {"action": ACTIONS[view.action].label,
                                            "rung": str(ACTIONS[view.action].rung),
                                            "p": 0.0, "best": None, "modelled": False})
        if advice is None or not view.model_chooses:
            continue
        col = advice.column(w, view.action, view.target, view.claim)
        if col is None:
            continue
        row["modelled"] = True
        row["p"] += float(advice.probability[col])
        total = sum(float(v[col]) for v in advice.terms.values())
        if row["best"] is None or total > row["best"][0]:
            row["best"] = (total, {k: float(v[col]) for k, v in advice.terms.items()})
    out = []
    for row in rows.values():
        against = drawn = "—"
        if row["best"] is not None:
            terms = row["best"][1]
            low = min(terms, key=terms.__getitem__)
            high = max(terms, key=terms.__getitem__)
            if terms[low] < -1e-9:
                against = f"{TERM_WORDS.get(low, low)} ({terms[low]:+.1f})"
            if terms[high] > 1e-9:
                drawn = f"{TERM_WORDS.get(high, high)} ({terms[high]:+.1f})"
        chance = f"{100 * row['p']:.1f}%" if row["modelled"] else "never (teams and scripts only)"
        out.append({"action": row["action"], "rung": row["rung"], "chance": chance,
                    "against": against, "drawn": drawn})
    return out


def _fact_row(fact: Fact) -> dict[str, str]:
    register = shipped_register()
    sources = ", ".join(s.id for s in register.source_of(fact))
    return {"date": fact.date_text, "id": fact.id, "text": fact.paraphrase, "source": sources}


def before(fact: Fact, start: dt.date) -> bool:
    """Whether a fact is known at the start: dated before it (a fact dated only by month is
    not, in the start's month or later; one dated by year, in a later year)."""
    if fact.date_precision == "month":
        return (fact.date.year, fact.date.month) < (start.year, start.month)
    if fact.date_precision == "year":
        return fact.date.year <= start.year
    return fact.date < start


def _facts(scenario: Scenario, actor: str) -> list[Fact]:
    """Facts behind the actor's numbers known at the start, the most recent ones."""
    seen: dict[str, Fact] = {}
    for item in actor_evidence(scenario, actor):
        for fact in item.facts:
            if before(fact, scenario.start):
                seen.setdefault(fact.id, fact)
    chosen = sorted(seen.values(), key=lambda f: f.date, reverse=True)[:MAX_FACTS]
    return sorted(chosen, key=lambda f: f.date)


def _timeline(scenario: Scenario, model: EscalationModel, actor: str,
              shown: list[Fact]) -> list[dict[str, str]]:
    """The register's record of the actor (and its group) up to the start, beyond ``shown``."""
    kind = model.world.kinds[model.world.index[actor]]
    mine = {actor} | GROUPS.get(kind, set())
    skip = {f.id for f in shown}
    facts = [f for f in shipped_register().facts.values()
             if before(f, scenario.start) and f.id not in skip
             and (f.actor in mine or f.target in mine)]
    recent = sorted(facts, key=lambda f: (f.date, f.id))[-MAX_TIMELINE:]
    return [_fact_row(f) for f in recent]


def make_cards(scenario: str | Path | Scenario, variant: str | None = None,
               actors: list[str] | None = None) -> list[Card]:
    """The role cards of a scenario (every actor, or those named)."""
    spec = load_scenario(scenario, variant)
    chosen = actors or list(spec.actors)
    unknown = [a for a in chosen if a not in spec.actors]
    if unknown:
        raise GameError(f"actor '{unknown[0]}' is not in scenario '{spec.id}' (actors: "
                        f"{', '.join(spec.actors)})")
    model = EscalationModel(spec, None, 1, 0, collect_data=False, log_events=False)
    cards = []
    for actor in chosen:
        mine, facing = _threats(spec, model, actor)
        facts = _facts(spec, actor)
        cards.append(Card(actor, actor_name(model.world, actor), spec.id, spec.title,
                          f"{spec.start:%d %B %Y}", _who(spec, model, actor),
                          _wants(spec, model, actor), mine, facing, _options(model, actor),
                          [_fact_row(f) for f in facts], _timeline(spec, model, actor, facts)))
    return cards


# --- writing ---------------------------------------------------------------------------------

def write_cards(scenario: str | Path, variant: str | None, actors: list[str] | None,
                out: str | Path, paper: str = "a4") -> str:
    """Write the cards as .pdf, .html, .md or .png pages; returns a line saying what was written."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise GameError(f"--out must end in {', '.join(FORMATS)}, got '{out.name}'")
    paper = paper_name(paper)
    output_folder(out.parent if str(out.parent) else ".")
    cards = make_cards(scenario, variant, actors)
    if suffix == ".md":
        write_text(out, cards_markdown(cards))
    elif suffix == ".html":
        write_text(out, cards_html(cards))
    else:
        data = {"paper": paper, "cards": [asdict(c) for c in cards]}
        if suffix == ".png":
            pattern = out.with_name(f"{out.stem}-{{p}}.png")
            render("cards", data, pattern, fmt="png")
            pages = sorted(out.parent.glob(f"{out.stem}-*.png"))
            return f"wrote {len(cards)} card(s) as {len(pages)} PNG pages: {pattern}"
        render("cards", data, out)
        return f"wrote {len(cards)} card(s), {page_count(out)} pages ({paper}): {out}"
    return f"wrote {len(cards)} card(s): {out}"


def page_count(pdf: Path) -> str:
    try:
        from pypdf import PdfReader
    except ImportError:
        return "?"
    return str(len(PdfReader(pdf).pages))


def cards_markdown(cards: list[Card]) -> str:
    parts = []
    for c in cards:
        lines = [f"# {c.name}", "", f"*Role card — {c.title}. The game starts on {c.start}.*", "",
                 "## Who you are", *[f"- {x}" for x in c.who], "",
                 "## What you want and fear", *[f"- {x}" for x in c.wants or ["(nothing given)"]],
                 "", "## Your commitments (threats on record)",
                 *[f"- {x}" for x in c.commitments or ["none"]], "",
                 "## Threats aimed at you", *[f"- {x}" for x in c.facing or ["none"]], "",
                 "## Your options and what they cost you in the model (first day)", "",
                 "| action | rung | model's chance | weighs against it | draws you to it |",
                 "|---|---|---|---|---|",
                 *["| " + " | ".join(o[k] for k in ("action", "rung", "chance", "against", "drawn"))
                   + " |" for o in c.options], "",
                 "## Key facts behind your numbers", *[_fact_md(f) for f in c.facts or []], "",
                 "## The record up to the start", *[_fact_md(f) for f in c.timeline or []], ""]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _fact_md(f: dict[str, str]) -> str:
    return f"- {f['date']}: {f['text']} [{f['id']}; source: {f['source']}]"


def cards_html(cards: list[Card]) -> str:
    e = html.escape
    body = []
    for c in cards:
        rows = "".join(f"<tr><td>{e(o['action'])}</td><td>{e(o['rung'])}</td><td>{e(o['chance'])}"
                       f"</td><td>{e(o['against'])}</td><td>{e(o['drawn'])}</td></tr>"
                       for o in c.options)
        lists = {k: "".join(f"<li>{e(x)}</li>" for x in v) or "<li>none</li>" for k, v in
                 (("who", c.who), ("wants", c.wants), ("mine", c.commitments),
                  ("facing", c.facing))}
        facts = "".join(f"<li>{e(f['date'])}: {e(f['text'])} <small>[{e(f['id'])}; source: "
                        f"{e(f['source'])}]</small></li>" for f in c.facts)
        record = "".join(f"<li>{e(f['date'])}: {e(f['text'])} <small>[{e(f['id'])}; source: "
                         f"{e(f['source'])}]</small></li>" for f in c.timeline)
        body.append(
            f"<section class=card><h1>{e(c.name)}</h1><p><i>Role card — {e(c.title)}. The game "
            f"starts on {e(c.start)}.</i></p><h2>Who you are</h2><ul>{lists['who']}</ul>"
            f"<h2>What you want and fear</h2><ul>{lists['wants']}</ul>"
            f"<h2>Your commitments</h2><ul>{lists['mine']}</ul>"
            f"<h2>Threats aimed at you</h2><ul>{lists['facing']}</ul>"
            "<h2>Your options and what they cost you in the model (first day)</h2><table>"
            "<tr><th>action</th><th>rung</th><th>model's chance</th><th>weighs against it</th>"
            f"<th>draws you to it</th></tr>{rows}</table>"
            f"<h2>Key facts behind your numbers</h2><ul>{facts}</ul>"
            f"<h2>The record up to the start</h2><ul>{record}</ul></section>")
    return ("<!doctype html><html lang=en><head><meta charset=utf-8><title>Role cards</title>"
            "<style>body{font-family:Georgia,serif;max-width:50rem;margin:auto;color:#000}"
            "table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #555;"
            "padding:.15rem .35rem;text-align:left}.card{page-break-after:always}"
            "small{color:#333}</style></head><body>" + "".join(body) + "</body></html>\n")

