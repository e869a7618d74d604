"""The compiled day step and the numpy path give the same runs, replicate by replicate.

``EscalationModel`` plays a day with numpy (the reference, the code ``escsim explain`` reads its
terms from) or with the compiled kernel of sim/model/kernels.py (large batches). Both must give
every replicate the same outcomes, the same daily counts and the same final state, bit for bit,
on every shipped scenario and variant, and on a scenario that uses every mechanism the kernel
mirrors.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from sim.model.compiled import (COMPILE_PAYS_REPLICATE_DAYS, COMPILED_MIN_REPLICATES,
                               ENGINE_VARIABLE, chosen_engine, kernel_cached)
from sim.model.model import EscalationModel
from sim.scenario.loader import load_scenario, shipped_scenarios

REPLICATES = 300
START = 1000  # replicates 1000..1299: across a block of the random streams

CASES = [(scenario, variant) for scenario in sorted(shipped_scenarios())
         for variant in (None, *load_scenario(scenario).variants)]

EVERY_MECHANISM = """
id: engines-every-mechanism
title: every mechanism the compiled day step mirrors
extends: june-2025
actors:
  kataib_hezbollah: {front_groups: [saraya_awliya_al_dam]}
  iran: {control: scripted, free_from: 2025-06-20, free_against: null}
  israel: {scripted_from: 2025-07-15}
disputes:
  - {holder: harakat_al_nujaba, toward: badr, value: 2.0, start: 2025-06-20,
     rationale: a rivalry on some days only}
fronts:
  - {id: second-front, against: united_states, intensity: 0.8, start: 2025-06-25,
     end: 2025-07-05, rationale: a war elsewhere against the US}
threats:
  - id: either-pattern
    by: united_states
    against: kataib_hezbollah
    made: 2025-06-12
    trigger:
      any_of:
        - event: {actor: kataib_hezbollah, target: united_states, min_rung: 4}
        - event: {action: [drone_attack, rocket_attack], target: united_states, place: [gulf]}
    response: {action: leadership_strike, target: attacker}
    deadline_days: 3
    evidence: [f-2025-us-six-bases-warning]
  - id: both-patterns
    by: israel
    against: [harakat_al_nujaba, badr]
    made: 2025-06-16
    trigger:
      all_of:
        - event: {actor: [harakat_al_nujaba, badr], target: israel}
        - event: {action: state_strike, place: [iran], since: 2025-06-20}
    response: {action: strike_militia_sites, target: harakat_al_nujaba}
    evidence: [f-202410-israel-38-targets]
  - id: no-deadline
    by: harakat_al_nujaba
    against: israel
    made: 2025-06-14
    trigger: {event: {actor: israel, target: iran}}
    response: {action: drone_attack, target: israel}
    evidence: [f-20250619-nujaba-khamenei-threat]
injects:
  - {id: half-drawdown, date: 2025-06-16, actor: united_states, action: evacuate_staff,
     magnitude: 0.5, evidence: [f-20250612-us-embassy-drawdown]}
  - {id: blamed-on-others, date: 2025-06-17, actor: kataib_hezbollah, action: rocket_attack,
     target: united_states, claimed: false, suspects: [harakat_al_nujaba, badr],
     evidence: [f-20250614-ain-al-asad-drones]}
  - {id: under-a-front, date: 2025-06-18, actor: kataib_hezbollah, action: drone_attack,
     target: "united_states@gulf", front: saraya_awliya_al_dam,
     evidence: [f-20250614-ain-al-asad-drones]}
  - {id: unknown-lethal, date: 2025-06-19, until: 2025-06-21, actor: unknown,
     action: rocket_attack, target: united_states, claimed: false, suspects: [badr],
     result: {hit: true, killed: 1}, evidence: [f-20250614-ain-al-asad-drones]}
  - {id: hit-uncounted, date: 2025-06-26, actor: badr, action: rocket_attack,
     target: united_states, result: {hit: true}, evidence: [f-20250614-ain-al-asad-drones]}
  - {id: forewarned, date: 2025-06-23, actor: iran, action: state_strike,
     target: united_states, forewarned: true, result: {hit: true, killed: 0, injured: 2},
     evidence: [f-20250623-iran-strikes-al-udeid]}
  - {id: hold-back-all, date: 2025-06-15, actor: iran, action: discourage_allies, magnitude: 0.7,
     evidence: [f-202506-iran-discourages-militias]}
  - {id: meet-all, date: 2025-06-17, actor: iraqi_government, action: restraint_meeting,
     evidence: [f-20250614-sudani-restraint-meeting]}
  - {id: remove-kh, date: 2025-07-05, actor: iraqi_government, action: remove_commanders,
     target: kataib_hezbollah, evidence: [f-20250809-sudani-removes-kh-commanders]}
  - {id: sanction-kh, date: 2025-07-06, actor: united_states, action: sanction,
     target: kataib_hezbollah, evidence: [f-2025-us-six-bases-warning]}
  - {id: leaders-hit, date: 2025-06-28, actor: united_states, action: leadership_strike,
     target: kataib_hezbollah, evidence: [f-202402-us-kills-kh-commander]}
  - {id: kh-hides, date: 2025-06-27, actor: kataib_hezbollah, action: go_to_ground,
     evidence: [f-202506-militia-leaders-hide]}
  - {id: us-warns-nujaba, date: 2025-06-25, actor: united_states, action: threaten,
     target: harakat_al_nujaba, evidence: [f-2025-us-six-bases-warning]}
"""


def run(engine: str, scenario: str | Path, variant: str | None = None,
        replicates: int = REPLICATES, plays: dict[int, tuple] | None = None,
        **overrides: object) -> EscalationModel:
    model = EscalationModel(scenario, variant, replicates, 5, replicate_start=START,
                            log_events=False, collect_data=False, engine=engine, **overrides)
    while model.running:
        for args in (plays or {}).get(model.day, ()):
            model.play(*args)
        model.step()
    return model


def assert_same_runs(a: EscalationModel, b: EscalationModel) -> None:
    """Every outcome, daily count and state variable equal, replicate by replicate."""
    ours, theirs = a.outcomes(), b.outcomes()
    assert list(ours) == list(theirs)
    for name, values in ours.items():
        np.testing.assert_array_equal(values, theirs[name], err_msg=name)
    np.testing.assert_array_equal(a.daily_index, b.daily_index)
    np.testing.assert_array_equal(a.tally.daily_attacks, b.tally.daily_attacks)
    for field in fields(a.state):
        np.testing.assert_array_equal(getattr(a.state, field.name), getattr(b.state, field.name),
                                      err_msg=field.name)
    np.testing.assert_array_equal(a.trigger_actor, b.trigger_actor)


def run_through(engine: str, scenario: str | Path, variant: str | None = None,
                **overrides: object) -> EscalationModel:
    """``model.run()``: the compiled engine then plays several days per call."""
    return EscalationModel(scenario, variant, REPLICATES, 5, replicate_start=START,
                           log_events=False, collect_data=False, engine=engine,
                           **overrides).run()


@pytest.mark.parametrize("scenario, variant", CASES)
def test_both_engines_give_the_same_runs(scenario: str, variant: str | None) -> None:
    """Day by day with numpy against whole runs of the compiled engine (several days per call,
    each block of replicates through all of them in turn)."""
    assert_same_runs(run("numpy", scenario, variant), run_through("compiled", scenario, variant))


@pytest.mark.parametrize("first_call", [1, 17, None])
def test_several_days_per_call_give_the_days_played_one_by_one(
        every_mechanism: Path, first_call: int | None) -> None:
    """However the days are split between calls of the kernel (one day then the rest, 17
    one-day calls then the rest, all at once), a compiled run gives what it gives stepping one
    day at a time: each call's uniforms continue the streams where the last call left them."""
    overrides = {"retaliation_weight": np.random.default_rng(2).uniform(0.5, 4.0, REPLICATES)}
    stepped = run("compiled", every_mechanism, **overrides)
    split = EscalationModel(every_mechanism, None, REPLICATES, 5, replicate_start=START,
                            log_events=False, collect_data=False, engine="compiled",
                            **overrides)
    if first_call is not None:
        for _ in range(first_call):
            split.step()
    assert_same_runs(stepped, split.run())
    assert stepped.steps == stepped.spec.days  # Mesa's clock counted every day, either way


def test_a_sweep_gives_the_same_outcomes_with_either_engine(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Points sharing their random numbers (sim.analysis.sweep) play the same on both."""
    from sim.analysis.sweep import run_points

    points = [{"stake_weight": 0.5, "retaliation_weight": 1.5},
              {"stake_weight": 2.0, "retaliation_weight": 1.5},
              {"stake_weight": 1.0, "retaliation_weight": 0.0}]
    tables = {}
    for engine in ("numpy", "compiled"):
        monkeypatch.setenv(ENGINE_VARIABLE, engine)
        tables[engine] = run_points("june-2025", points, 200, seed=4, start=300)
    assert tables["numpy"].equals(tables["compiled"])


@pytest.fixture(scope="module")
def every_mechanism(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("engines") / "every-mechanism.yaml"
    path.write_text(EVERY_MECHANISM, encoding="utf-8")
    return path


def test_both_engines_agree_on_every_mechanism(every_mechanism: Path) -> None:
    """Fronts, disputes and rivals by date, control that changes, any_of and all_of triggers
    with places, rungs and dates, front claims, suspects, unknown and forewarned attacks, fixed
    results, partial effects, directives and meetings without a target, removals, sanctions,
    leadership strikes, hiding; parameters and traits that differ between replicates."""
    rng = np.random.default_rng(0)
    overrides = {"retaliation_weight": rng.uniform(0.5, 4.0, REPLICATES),
                 "attribution_accuracy": rng.uniform(0.2, 0.9, REPLICATES),
                 "aggression__kataib_hezbollah": rng.uniform(0.0, 1.0, REPLICATES),
                 "rationality": 2.5}
    numpy_run = run("numpy", every_mechanism, **overrides)
    compiled_run = run("compiled", every_mechanism, **overrides)
    assert_same_runs(numpy_run, compiled_run)
    counts = compiled_run.outcomes()
    for name in ("threats_triggered", "threats_honoured", "threats_lapsed", "strikes_on_militias",
                 "militia_attacks_on_us", "front_claimed_attacks", "unattributed_attacks"):
        assert counts[name].sum() > 0, f"the scenario no longer exercises {name}"


def test_both_engines_agree_on_situations_that_differ_by_replicate(every_mechanism: Path
                                                                   ) -> None:
    """An experiment's situation overrides (sim.model.situation), inject magnitudes included,
    take one value per replicate; the compiled step reads each replicate's own."""
    rng = np.random.default_rng(1)
    situation = {"injects.hold-back-all.magnitude": rng.uniform(0.0, 1.0, REPLICATES),
                 "injects.half-drawdown.magnitude": rng.uniform(0.0, 1.0, REPLICATES),
                 "initial_state.fear.kataib_hezbollah": rng.uniform(0.0, 3.0, REPLICATES),
                 "actors.iraqi_government.stake": rng.uniform(0.0, 1.0, REPLICATES)}
    numpy_run = run("numpy", every_mechanism, situation=situation)
    compiled_run = run("compiled", every_mechanism, situation=situation)
    assert_same_runs(numpy_run, compiled_run)
    uniform = run("compiled", every_mechanism,
                  situation={**situation, "injects.hold-back-all.magnitude": 0.0})
    assert not np.array_equal(uniform.state.directive, compiled_run.state.directive)


def test_a_players_move_is_played_the_same_way(every_mechanism: Path) -> None:
    """A day with a player's move is played with numpy even by a compiled model; the run still
    matches one played with numpy throughout."""
    plays = {3: [("kataib_hezbollah", "drone_attack", "united_states")],
             5: [("united_states", "strike_militia_sites", "kataib_hezbollah"),
                 ("iraqi_government", "restraint_meeting", None)]}
    assert_same_runs(run("numpy", every_mechanism, plays=plays),
                     run("compiled", every_mechanism, plays=plays))


def test_which_engine_a_model_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENGINE_VARIABLE, raising=False)
    run("compiled", "june-2025")  # the kernel compiled (or loaded from the cache) here
    assert kernel_cached()
    assert chosen_engine("auto", COMPILED_MIN_REPLICATES, log_events=False) == "compiled"
    assert chosen_engine("auto", COMPILED_MIN_REPLICATES - 1, log_events=False) == "numpy"
    assert chosen_engine("auto", 10 * COMPILED_MIN_REPLICATES, log_events=True) == "numpy"
    assert chosen_engine("numpy", 10 * COMPILED_MIN_REPLICATES, log_events=False) == "numpy"
    monkeypatch.setenv(ENGINE_VARIABLE, "numpy")
    assert chosen_engine("auto", 10 * COMPILED_MIN_REPLICATES, log_events=False) == "numpy"
    with pytest.raises(ValueError, match="unknown engine 'fast'"):
        chosen_engine("fast", 10, log_events=False)


def test_a_first_run_compiles_only_when_compiling_pays(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """With nothing in numba's cache (a fresh install), a batch of a few thousand replicates
    plays with numpy rather than spend minutes compiling; a run large enough compiles."""
    import sim.model.compiled as compiled

    fresh = tmp_path / "install" / "kernels.py"  # a newer source than any cache entry
    fresh.parent.mkdir()
    fresh.write_text("", encoding="utf-8")
    monkeypatch.setattr(compiled, "KERNEL_SOURCE", fresh)
    monkeypatch.setattr(compiled, "_kernels", None)  # as in a process that compiled nothing
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.delenv(ENGINE_VARIABLE, raising=False)
    assert not compiled.kernel_cached()
    days = 59
    assert chosen_engine("auto", 5_000, log_events=False, days=days) == "numpy"
    large = -(-COMPILE_PAYS_REPLICATE_DAYS // days)
    monkeypatch.setattr(compiled, "load_kernels", lambda: object())  # no compiling here
    assert chosen_engine("auto", large, log_events=False, days=days) == "compiled"
    # once numba has written an index newer than the source, the kernel counts as cached
    index = tmp_path / "install" / "__pycache__" / "kernels.run_days-1.py312.nbi"
    index.parent.mkdir()
    index.write_bytes(b"")
    assert compiled.kernel_cached()
    assert chosen_engine("auto", 5_000, log_events=False, days=days) == "compiled"


def test_a_large_run_compiles_once_in_the_parent_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import sim.model.compiled as compiled
    from sim.scenario.loader import load_scenario

    fresh = tmp_path / "kernels.py"
    fresh.write_text("", encoding="utf-8")
    monkeypatch.setattr(compiled, "KERNEL_SOURCE", fresh)  # nothing cached for this source
    monkeypatch.setattr(compiled, "_kernels", None)
    monkeypatch.delenv(ENGINE_VARIABLE, raising=False)
    june = load_scenario("june-2025")
    with caplog.at_level("WARNING", logger="escsim"):
        compiled.prepare_compiled_engine(june, COMPILE_PAYS_REPLICATE_DAYS - 1)  # too small
        assert not caplog.records and not compiled.kernel_cached()
        compiled.prepare_compiled_engine(june, COMPILE_PAYS_REPLICATE_DAYS)
    assert [r.getMessage() for r in caplog.records] == [
        "escsim: compiling the fast engine for this installation, once (two to five minutes of "
        "one core; later runs load it from the cache)"]
    assert compiled.kernel_cached()  # compiled in this process: every later model uses it
    assert chosen_engine("auto", COMPILED_MIN_REPLICATES, log_events=False, days=59) == "compiled"


def test_a_single_run_does_not_load_the_compiler() -> None:
    """``escsim run`` (one replicate, with its event log) starts without importing numba."""
    code = ("import sys\nfrom sim.runs import run_one\nrun_one('june-2025', None, 1, 0)\n"
            "print('numba' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_without_numba_a_large_run_falls_back_to_numpy(tmp_path: Path) -> None:
    """A numba that cannot be imported costs one warning line, not the run: a model large
    enough for the compiled step plays with numpy and gives the same outcomes."""
    broken = tmp_path / "numba"
    broken.mkdir()
    (broken / "__init__.py").write_text("raise ImportError('this numba is broken')\n")
    code = ("import json\n"
            "from sim.model.model import EscalationModel\n"
            "models = [EscalationModel('june-2025', None, 600, 3, log_events=False,\n"
            "                          collect_data=False, engine=engine)\n"
            "          for engine in ('auto', 'compiled')]\n"
            "for model in models:\n"
            "    model.run()\n"
            "print(json.dumps([[m.engine for m in models],\n"
            "                  [m.outcomes()['militia_attacks_on_us'].tolist() for m in models]]))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    engines, outcomes = json.loads(done.stdout)
    assert engines == ["numpy", "numpy"]
    warnings = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1 and "compiled engine is unavailable" in warnings[0] \
        and "this numba is broken" in warnings[0], done.stderr
    reference = EscalationModel("june-2025", None, 600, 3, log_events=False, collect_data=False,
                                engine="numpy")
    reference.run()
    expected = reference.outcomes()["militia_attacks_on_us"].tolist()
    assert outcomes == [expected, expected]
