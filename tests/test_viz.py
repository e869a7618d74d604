"""escsim viz without a browser: the model the page builds, Reset's rebuild, the command's errors.

Reset is Mesa's own code path (``_build_model_init_kwargs`` then ``type(model)(**kwargs)``, as
ModelController.do_reset runs it in the pinned Mesa), fed the values SolaraViz holds.
"""

from __future__ import annotations

import datetime as dt
import socket
import sys

import numpy as np
import pytest

pytest.importorskip("solara", reason="escsim viz needs the viz extra (pip install -e '.[dev]')")

from mesa.visualization.solara_viz import _build_model_init_kwargs, _check_model_params  # noqa: E402

from sim.model.model import EpisodeScenario, EscalationModel  # noqa: E402
from sim.model.parameters import GLOBAL  # noqa: E402
from sim.scenario.errors import ScenarioError  # noqa: E402
from sim.viz.params import (SEED_SLIDER_MAX, SLIDER_PARAMETERS, current_values,  # noqa: E402
                            initial_model, model_params, variant_names)
from sim.viz.server import (INSTALL_HINT, SCENARIO_ENV, SOLARA_ENV, VARIANT_ENV,  # noqa: E402
                            VizError, check_address, check_installed)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reset(model: EscalationModel, values: dict) -> EscalationModel:
    """What SolaraViz's Reset button does with the values its inputs hold."""
    kwargs = _build_model_init_kwargs(model, values, add_scenario_when_empty=True,
                                      require_model_accepts_scenario=True)
    return type(model)(**kwargs)


def same_outcomes(a: EscalationModel, b: EscalationModel) -> None:
    first, second = a.outcomes(), b.outcomes()
    assert first.keys() == second.keys()
    for name in first:
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)


def test_the_page_s_model_steps_and_its_reset_rebuilds_the_same_run() -> None:
    model = initial_model("june-2025")
    params = model_params(model)
    _check_model_params(model, params)  # what SolaraViz's ModelCreator checks on the page
    model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 1 and frame["escalation_index"].iloc[0] == model.daily_index[0, 0]

    again = reset(model, current_values(params))
    assert isinstance(again.scenario, EpisodeScenario)
    assert (again.scenario.episode, again.scenario.variant, again.seed) == (
        model.scenario.episode, model.scenario.variant, model.seed) == ("june-2025", None, 0)
    assert again.steps == 0 and again.datacollector.get_model_vars_dataframe().empty
    # the sliders start at the scenario's own values: a reset run is the run the page began with
    same_outcomes(model.run(), again.run())
    assert again.timeline() == model.timeline()


def test_reset_keeps_another_episode_and_takes_the_variant_seed_and_weights_set() -> None:
    model = initial_model("march-2020", "taji-no-deaths", seed=5)
    values = current_values(model_params(model))
    assert values["variant"] == "taji-no-deaths" and values["rng"] == 5
    values.update(rng=7, variant="iran-restrains", retaliation_weight=4.0)
    again = reset(model, values)
    assert (again.spec.id, again.spec.variant, again.seed) == ("march-2020", "iran-restrains", 7)
    assert float(again.world.param("retaliation_weight")[0]) == 4.0
    same_outcomes(again.run(), EscalationModel("march-2020", "iran-restrains", rng=7,
                                               retaliation_weight=4.0).run())


def test_the_variant_menu_s_base_is_the_base_scenario() -> None:
    model = initial_model("june-2025", "no-restraint")
    values = {**current_values(model_params(model)), "variant": "base"}
    again = reset(model, values)
    assert again.spec.variant is None and again.scenario.variant is None


def test_the_plots_draw_the_daily_series_the_datacollector_collects() -> None:
    from sim.model.model import DAILY_SERIES
    from sim.viz.app import LEGEND, PLOTS

    plotted = [name for series, _ in PLOTS for name in series]
    assert sorted(plotted) == sorted(DAILY_SERIES) == sorted(LEGEND)


def test_the_inputs_offer_the_variants_and_the_documented_ranges() -> None:
    model = initial_model("june-2025")
    params = model_params(model)
    assert params["variant"]["values"] == variant_names("june-2025")
    assert params["variant"]["values"][0] == "base" and "no-restraint" in params["variant"]["values"]
    assert (params["rng"]["min"], params["rng"]["max"]) == (0, SEED_SLIDER_MAX)
    for name in SLIDER_PARAMETERS:
        spec, slider = GLOBAL[name], params[name]
        assert (slider["min"], slider["max"]) == (spec.low, spec.high)
        assert slider["min"] <= slider["value"] <= slider["max"]
        assert slider["value"] == pytest.approx(float(model.world.param(name)[0]))


# --- the command ------------------------------------------------------------------------------

def test_unknown_scenario_or_variant_is_one_line_and_starts_nothing(main_in_process) -> None:
    for args, expected in ((["nope"], "no shipped scenario 'nope'"),
                           (["june-2025", "--variant", "nope"], "no variant 'nope'"),
                           (["no/such/file.yaml"], "no/such/file.yaml")):
        code, out, err = main_in_process("viz", *args, "--port", str(free_port()))
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, err
        assert expected in err and "Traceback" not in err


def test_a_taken_port_is_refused_in_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(VizError, match=f"cannot listen on 127.0.0.1:{port}"):
            check_address("127.0.0.1", port)


def test_without_the_extra_the_error_names_it(monkeypatch, main_in_process) -> None:
    monkeypatch.setitem(sys.modules, "solara.server.starlette", None)  # as if not installed
    for name in (*SOLARA_ENV, SCENARIO_ENV, VARIANT_ENV, "SERVER_NAME", "SERVER_PORT"):
        monkeypatch.setenv(name, "")  # serve sets them: put them back afterwards
    with pytest.raises(VizError, match="pip install"):
        check_installed()
    code, out, err = main_in_process("viz", "june-2025", "--port", str(free_port()))
    assert code == 2 and out == "" and err.strip().startswith(f"escsim: error: {INSTALL_HINT}")
    assert len(err.strip().splitlines()) == 1


def test_scenario_errors_come_before_the_extra_is_needed() -> None:
    from sim.viz.server import serve

    with pytest.raises(ScenarioError, match="no shipped scenario"):
        serve("nope", port=1)


def test_the_event_log_shows_the_latest_days_newest_first() -> None:
    from sim.viz.app import EVENT_LOG_DAYS, event_lines

    model = initial_model("june-2025")
    assert "nothing played yet" in event_lines(model)[0]
    for _ in range(EVENT_LOG_DAYS + 6):
        model.step()
    dates = [line[:10] for line in event_lines(model) if line[:1].isdigit()]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) == len(dates)
    played = {e["date"] for e in model.timeline()}
    recent = sorted(played)[-1]
    assert dates[0] == recent
    oldest_shown = (model.date - dt.timedelta(days=EVENT_LOG_DAYS)).isoformat()
    assert min(dates) >= oldest_shown
    assert {d for d in played if d >= oldest_shown} == set(dates)


def test_the_page_plays_the_run_escsim_run_prints() -> None:
    from sim.runs import run_one

    for variant in (None, "no-restraint"):
        assert initial_model("june-2025", variant, seed=3).run().timeline() == \
            run_one("june-2025", variant, seed=3).events


def test_a_scenario_file_is_kept_by_its_absolute_path_through_reset(tmp_path, minimal_text,
                                                                     monkeypatch) -> None:
    from sim.viz.params import episode_ref

    (tmp_path / "mine.yaml").write_text(minimal_text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    episode = episode_ref("mine.yaml")
    assert episode == str(tmp_path / "mine.yaml")
    model = initial_model(episode)
    again = reset(model, {**current_values(model_params(model)), "rng": 4})
    assert (again.scenario.episode, again.spec.id, again.seed) == (episode, model.spec.id, 4)
    again.step()
