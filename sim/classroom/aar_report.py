"""Writing the after-action review: aar.json, report.html, report.pdf and the figures.

``review_data`` gathers every number the review shows into plain data; the JSON file is that
data, the HTML page and the PDF (typst, sim.classroom.typesetting) render it. All three say the
same thing.
"""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis.files import (FIGURE_FORMATS, OutputError, json_report, output_folder,
                                save_figure, write_text)
from sim.classroom.aar import KEY_METRICS, Review
from sim.classroom.aar_figures import FIGURES
from sim.classroom.advice import IN_CHARACTER, TERM_WORDS
from sim.classroom.moves import actor_name
from sim.classroom.typesetting import render
from sim.model.outcomes import OUTCOME_CLASSES, STATE_CONFLICT_CLASSES
from sim.plots.style import percent



def _pct(value: float | None) -> str:
    return "—" if value is None or (isinstance(value, float) and np.isnan(value)) \
        else percent(value)


def _term(term: tuple[str, float] | None) -> str:
    if term is None:
        return "—"
    name, value = term
    return f"{TERM_WORDS.get(name, name)} ({value:+.2f})"


def review_data(review: Review) -> dict[str, Any]:
    """Every number of the review as plain data (the content of aar.json)."""
    game, w = review.game, review.game.model.world
    setup = game.setup
    team_names = {t: actor_name(w, t) for t in game.teams}
    data: dict[str, Any] = {
        "title": f"After-action review: {setup.scenario.title}",
        "scenario": setup.scenario.id, "variant": setup.scenario.variant or "base",
        "game_seed": setup.seed, "review_seed": review.seed, "runs": review.runs,
        "teams": [{"id": t, "name": n} for t, n in team_names.items()],
        "days_played": game.days_played, "days": game.scenario.days,
        "ended_by": game.ended_by or "not ended", "turns": game.turn,
        "seconds": round(review.seconds, 2), "notes": review.notes,
        "distributions": {"a": review.replay.label, "b": review.model.label},
    }
    history = review.history
    classes = []
    for column, names in (("outcome_class", OUTCOME_CLASSES),
                          ("state_conflict", STATE_CONFLICT_CLASSES)):
        for name in names:
            classes.append({"dimension": column, "class": name,
                            "yours": review.yours.get(column) == name,
                            "history": history is not None and
                            getattr(history, column, None) == name,
                            "a": review.replay.share(column, name),
                            "b": review.model.share(column, name)})
    data["classes"] = classes
    data["placement"] = {
        "outcome_class": review.yours.get("outcome_class"),
        "state_conflict": review.yours.get("state_conflict"),
        "history_class": history.outcome_class if history else None,
        "history_state_conflict": history.state_conflict if history else None,
        "share_a": review.replay.share("outcome_class", review.yours.get("outcome_class")),
        "share_b": review.model.share("outcome_class", review.yours.get("outcome_class")),
    }
    data["metrics"] = [_metric_row(review, column, words) for column, words in KEY_METRICS]
    data["record"] = [{
        "metric": line.column, "low": line.low, "high": line.high, "note": line.note,
        "yours": line.yours, "inside": line.inside, "a": line.share_a, "b": line.share_b,
        "complete": line.complete} for line in review.record]
    data["decisions"] = [_decision_row(d, team_names) for d in review.decisions]
    data["say_do"] = [{"team": sd.team, "name": team_names[sd.team], **sd.counts(),
                       "threats": [{"id": t.id, "made": t.made, "in_play": t.in_play,
                                    "text": t.text, "fate": t.fate} for t in sd.threats]}
                      for sd in review.say_do]
    data["timeline"] = [{"date": e["date"], "text": game.describe(e),
                         "team": e["source"] == "player"} for e in review.events]
    data["index"] = {"yours": [round(float(v), 2) for v in review.your_index],
                     "total": round(float(np.sum(review.your_index)), 2)}
    return data


def _metric_row(review: Review, column: str, words: str) -> dict[str, Any]:
    value = review.yours.get(column)
    row: dict[str, Any] = {"metric": column, "words": words, "yours": value}
    for key, dist in (("a", review.replay), ("b", review.model)):
        values = dist.outcomes[column].astype(float)
        row[f"{key}_mean"] = float(values.mean())
        row[f"{key}_place"] = dist.place(column, float(value)) if value is not None else None
    return row


def _decision_row(d: Any, names: dict[str, str]) -> dict[str, Any]:
    j = d.judgement
    return {"turn": d.turn + 1, "date": d.date.isoformat(), "team": d.team,
            "name": names[d.team], "move": d.move, "delegated": d.delegated,
            "decision_point": d.decision_point,
            "p": None if j is None else j.probability,
            "p_group": None if j is None else j.group_probability,
            "in_character": None if j is None else j.in_character,
            "favoured": _term(j.favoured) if j else "—",
            "opposed": _term(j.opposed) if j else "—",
            "likeliest": d.likeliest}


def review_game(path: str | Path, runs: int, out: str | Path, seed: int | None = None,
                workers: int | None = None, fmt: str = "png", force: bool = False) -> list[str]:
    """``escsim aar``: review a saved game and write the report; returns lines to print."""
    from sim.classroom.aar import review
    from sim.classroom.game import Game

    fmt = _checked_format(fmt)
    output_folder(out)  # a bad --out fails before the simulations
    result = review(Game.load(path, force=force), runs, seed, workers)
    lines = [str(p) for p in write_review(result, out, fmt)]
    return [*lines, f"reviewed {runs:,} + {runs:,} simulated games in {result.seconds:.1f} s "
                    f"(CPU {result.cpu_seconds:.1f} s); report written in "
                    f"{time.perf_counter() - result.finished:.1f} s more"]


def _checked_format(fmt: str) -> str:
    fmt = fmt.lower().lstrip(".")
    if fmt not in FIGURE_FORMATS:
        raise OutputError(f"--format must be one of {', '.join(FIGURE_FORMATS)}, got '{fmt}'")
    return fmt


def write_review(review: Review, out: str | Path, fmt: str = "png") -> list[Path]:
    """aar.json, the figures, report.html and report.pdf in ``out`` (made if missing)."""
    folder = output_folder(out)
    written = []
    figures = {}
    for name, draw in FIGURES.items():
        path = save_figure(draw(review), folder / f"{name}.{fmt}")
        figures[name] = path.name
        written.append(path)
    data = review_data(review)
    data["figures"] = figures
    json_report(data, folder / "aar.json")
    written.append(folder / "aar.json")
    written.append(write_text(folder / "report.html", review_html(data)))
    pdf = folder / "report.pdf"
    render("review", data, pdf, images={f: folder / f for f in figures.values()})
    written.append(pdf)
    return written


# --- HTML ----------------------------------------------------------------------------------------

def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _table(head: list[str], rows: list[list[Any]]) -> str:
    out = ["<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead>",
           "<tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _place_words(place: dict[str, float] | None) -> str:
    if not place:
        return "—"
    return (f"{percent(place['below'])} fewer, {percent(place['equal'])} as many, "
            f"{percent(place['above'])} more")


def review_html(data: dict[str, Any]) -> str:
    """A self-contained page (figures beside it in the folder), printable in black and white."""
    teams = ", ".join(t["name"] for t in data["teams"])
    p = data["placement"]
    parts = [f"<h1>{_e(data['title'])}</h1>",
             f"<p class=meta>Scenario <b>{_e(data['scenario'])}</b> (variant {_e(data['variant'])})"
             f", teams: {_e(teams)}; game seed {data['game_seed']}; {data['turns']} turns over "
             f"{data['days_played']} of {data['days']} days ({_e(data['ended_by'])}). Each "
             f"distribution: {data['runs']:,} simulated games, seed {data['review_seed']}.</p>"]
    parts += [f"<p class=note>Note: {_e(n)}.</p>" for n in data["notes"]]
    parts.append("<h2>Where your game sits</h2>")
    parts.append(
        f"<p>Your game ended in <b>{_e(p['outcome_class'])}</b> (between states: "
        f"{_e(p['state_conflict'])}). With your moves and new dice, "
        f"{percent(p['share_a'])} of simulated games end the same way (a); with the model "
        f"playing everyone, {percent(p['share_b'])} (b). History: "
        f"<b>{_e(p['history_class'] or 'no record')}</b>.</p>")
    parts.append(f"<img src='{_e(data['figures']['escalation-index'])}' "
                 "alt='escalation index of your game over simulated games'>")
    parts.append(f"<img src='{_e(data['figures']['outcome-classes'])}' alt='outcome classes'>")
    parts.append(_table(["class", "your game", "history", data["distributions"]["a"],
                         data["distributions"]["b"]],
                        [[f"{c['dimension'].replace('_', ' ')}: {c['class']}",
                          "yes" if c["yours"] else "", "yes" if c["history"] else "",
                          percent(c["a"]), percent(c["b"])] for c in data["classes"]]))
    parts.append("<h3>Counts</h3>")
    parts.append(_table(["", "your game", "(a) mean", "(a) games with ...", "(b) mean",
                         "(b) games with ..."],
                        [[m["words"], m["yours"], f"{m['a_mean']:.2f}", _place_words(m["a_place"]),
                          f"{m['b_mean']:.2f}", _place_words(m["b_place"])]
                         for m in data["metrics"]]))
    if data["record"]:
        parts.append("<h2>Against the historical record (c)</h2>")
        parts.append(_table(
            ["metric", "recorded range", "your game", "in range", "(a) in range",
             "(b) in range", "note"],
            [[r["metric"], _range(r["low"], r["high"]), r["yours"],
              _yes(r["inside"]) + ("" if r["complete"] else " (period not fully played)"),
              percent(r["a"]), percent(r["b"]), r["note"]] for r in data["record"]]))
    parts.append("<h2>Your decisions against the model's rule</h2>")
    parts.append(f"<p>The probability the model's own rule gave each move on that day (the "
                 f"exact option, and the move toward that target by any means), in character "
                 f"when the latter is at least {IN_CHARACTER:.0%} or it is the model's likeliest "
                 "move, and the terms of the rule that most favoured and most opposed it "
                 "(for a hold: what held the model's likeliest alternative back, and what "
                 "drew it on).</p>")
    parts.append(_table(
        ["turn", "date", "team", "move", "p (option)", "p (move, target)", "in character",
         "most favoured by", "most opposed by", "the model's likeliest move"],
        [[d["turn"], d["date"] + (" (decision point)" if d["decision_point"] else ""), d["name"],
          d["move"], _pct(d["p"]), _pct(d["p_group"]),
          "—" if d["in_character"] is None else _yes(d["in_character"]), d["favoured"],
          d["opposed"], d["likeliest"] or "—"] for d in data["decisions"]]))
    parts.append("<h2>Say and do</h2>")
    for sd in data["say_do"]:
        parts.append(f"<h3>{_e(sd['name'])}: {sd['made']} made, {sd['triggered']} triggered, "
                     f"{sd['honoured']} carried out, {sd['lapsed']} lapsed</h3>")
        parts.append(_table(["threat", "made", "", "what became of it"],
                            [[f"{t['id']}: {t['text']}", t["made"] or "not made",
                              "in play" if t["in_play"] else "on record", t["fate"]]
                             for t in sd["threats"]]) if sd["threats"] else "<p>No threats.</p>")
    parts.append("<h2>Your game, day by day (the whole truth)</h2>")
    parts.append(_table(["date", "event"], [[t["date"], ("▶ " if t["team"] else "") + t["text"]]
                                            for t in data["timeline"]]))
    return (f"<!doctype html>\n<html lang=en><head><meta charset=utf-8><title>"
            f"{_e(data['title'])}</title><style>{_CSS}</style></head><body>\n"
            + "\n".join(parts) + "\n</body></html>\n")


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:g}" if low == high else f"{low:g} to {high:g}"
    return f"at least {low:g}" if low is not None else f"at most {high:g}"


def _yes(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "no")


_CSS = """
body{font-family:Georgia,serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#000}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.85rem}
th,td{border:1px solid #555;padding:.2rem .4rem;text-align:left;vertical-align:top}
th{background:#e8e8e8}img{max-width:100%;margin:.5rem 0}
.meta{font-size:.9rem}.note{font-style:italic}
"""
