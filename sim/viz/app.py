"""The Solara page of ``escsim viz``: Mesa's SolaraViz on one scenario.

Solara's server imports this module (``SOLARA_APP=sim.viz.app``) and renders ``Page`` once per
browser tab; the scenario and variant come from the environment ``sim.viz.server`` sets. Each
tab gets its own model. Beside SolaraViz's own controls (Reset, play, Step, the parameter
inputs, the step counter), the page shows two plots of the DataCollector's daily series, dated,
and the event log of the replicate being played.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

import solara
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator
from mesa.visualization import SolaraViz, make_plot_component

from sim.model.model import EscalationModel
from sim.runs import describe_event
from sim.viz.params import SLIDER_PARAMETERS, describe, initial_model, model_params
from sim.viz.server import SCENARIO_ENV, VARIANT_ENV

EVENT_LOG_DAYS = 14  # the event log shows the latest days played (a long run has hundreds)

PLOTS = (  # (series and their colours, title) of each plot
    ({"escalation_index": "tab:red"}, "Escalation index (hostile acts weighted by severity)"),
    ({"attacks_by_militias": "tab:orange", "strikes_by_states": "tab:blue"}, "Attacks per day"),
)
LEGEND = {"escalation_index": "escalation index", "attacks_by_militias": "by militias",
          "strikes_by_states": "by states"}


def dated_axis(start: Callable[[], dt.date], title: str) -> Callable[[Axes], None]:
    """A post-process for Mesa's plot: dates on the x axis (row i of the DataCollector is the
    i-th day played), a title, readable legend labels. ``start`` is read at each drawing, as
    Reset may bring a variant with other dates."""

    def post_process(ax: Axes) -> None:
        first = start()
        ax.xaxis.set_major_formatter(FuncFormatter(
            lambda x, _: (first + dt.timedelta(days=int(round(x)))).strftime("%d %b")))
        ax.xaxis.label.set_visible(False)  # Mesa labels the axis "Step" after this: dates say it
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=3))
        days = max((len(line.get_xdata()) for line in ax.get_lines()), default=0)
        ax.set_xlim(0, max(days - 1, 1))  # before the first step: the first two dates
        ax.set_ylim(0, None if days else 1)
        ax.set_title(title, fontsize=11)
        for line in ax.get_lines():
            line.set_label(LEGEND.get(str(line.get_label()), line.get_label()))
        ax.legend(loc="best", fontsize=9)
        ax.figure.set_size_inches(6.0, 3.2)

    return post_process


def plot_components(model: solara.Reactive[EscalationModel]) -> list[Any]:
    """Mesa's matplotlib plot components, drawn as SVG, for the DataCollector's daily series."""
    return [make_plot_component(series, post_process=dated_axis(lambda: model.value.spec.start,
                                                                title), save_format="svg")
            for series, title in PLOTS]


def event_lines(model: EscalationModel, days: int = EVENT_LOG_DAYS) -> list[str]:
    """The latest ``days`` days played of the event log, newest day first (a live log is read
    from the top), one line per event."""
    if model.day == 0:
        return [f"{model.date.isoformat()}: nothing played yet (press Step)"]
    by_day: dict[int, list[dict[str, Any]]] = {}
    for event in model.timeline():
        if event["day"] >= model.day - days:
            by_day.setdefault(event["day"], []).append(event)
    lines = []
    for day in sorted(by_day, reverse=True):
        for i, event in enumerate(by_day[day]):
            date = event["date"] if i == 0 else " " * len(event["date"])
            lines.append(f"{date}  {describe_event(event)}")
    return lines or [f"no events up to {(model.date - dt.timedelta(days=1)).isoformat()}"]


def event_log_component(model: EscalationModel) -> Any:
    """The played replicate's story so far, and its outcome once the run is over (a component
    function for SolaraViz, which draws it again after every step)."""
    spec = model.spec
    with solara.Card(f"Event log: {spec.id}, variant {spec.variant or 'base'}, "
                     f"seed {model.seed}", style={"overflow": "auto"}) as card:
        played = (f"Day {model.day} of {spec.days} played; next: {model.date.isoformat()}"
                  if model.running else f"All {spec.days} days played.")
        solara.Text(played, classes=["escsim-days-played"])
        solara.Text(" · ".join(f"{name.replace('_', ' ')} {model.world.param(name)[0]:g}"
                              for name in SLIDER_PARAMETERS), style={"display": "block"})
        if not model.running:
            outcome = model.outcomes()
            solara.Text(f" Outcome: {outcome['outcome_class'][0]} "
                        f"(between states: {outcome['state_conflict'][0]})")
        solara.Preformatted("\n".join(event_lines(model)), class_="escsim-event-log",
                            style_="white-space: pre-wrap; font-size: 12px; max-height: 240px; "
                                   "overflow-y: auto")
    return card


def page_setup() -> tuple[str, str | None]:
    """(episode, variant) the server was started with."""
    episode = os.environ.get(SCENARIO_ENV)
    if not episode:
        raise RuntimeError(f"{SCENARIO_ENV} is not set: start this page with `escsim viz`")
    return episode, os.environ.get(VARIANT_ENV) or None


@solara.component
def Page() -> None:
    episode, variant = page_setup()
    first = solara.use_memo(lambda: initial_model(episode, variant), [])
    model = solara.use_reactive(first)
    params = solara.use_memo(lambda: model_params(first), [])
    components = solara.use_memo(
        lambda: [*((plot, 0) for plot, _ in plot_components(model)),
                 (event_log_component, 0)], [])
    solara.Title(f"escsim viz: {describe(episode)}")
    SolaraViz(model, components=components, model_params=params,
              name=f"escsim: {model.value.spec.title}", play_interval=300)
