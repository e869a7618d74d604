"""The ``escsim`` commands of issue 2, run as a user runs them: a fresh process each time."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from sim.evidence import shipped_register
from sim.model.catalogue import actor_catalogue
from sim.model.outcomes import OUTCOME_CLASSES, STATE_CONFLICT_CLASSES, metric_names
from sim.model.parameters import GLOBAL, PER_ACTOR
from sim.runs import run_one, to_json
from sim.scenario.loader import load_scenario, shipped_scenarios

JUNE = "june-2025"
JUNE_VARIANTS = ["historical-directives", "no-iran-restraint", "no-baghdad-restraint", "no-restraint",
                 "khamenei-harmed"]
DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})  ")


def clean_failure(result: subprocess.CompletedProcess) -> str:
    """Assert a user error: non-zero exit, a message, no traceback; returns stderr."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip()
    return result.stderr


def timeline(text: str) -> list[tuple[str, str]]:
    """(date, event line) for each event of a printed timeline; continuation lines inherit."""
    events, current = [], None
    for line in text.splitlines():
        match = DATE.match(line)
        if match:
            current = match.group(1)
            events.append((current, line[len(current):].strip()))
        elif current and line.startswith(" " * 12) and line.strip():
            events.append((current, line.strip()))
        elif line.startswith("Outcome"):
            break
    return events


CALLS: dict[str, tuple[str, ...]] = {
    "list": ("list",),
    "run": ("run", JUNE, "--seed", "1"),
    "variant": ("run", JUNE, "--variant", "no-iran-restraint", "--seed", "1"),
    "set": ("run", JUNE, "--seed", "1", "--json", "--set", "retaliation_weight=2.5",
            "--set", "resolve__kataib_hezbollah=0.9"),
    "schema": ("schema",),
    "evidence": ("evidence", JUNE, "kataib_hezbollah"),
    "bad-evidence": ("evidence", JUNE, "hezbollah"),
    "parameters": ("parameters",),
    "facts": ("facts",),
    "help": ("--help",),
}


@pytest.fixture(scope="module")
def out(cli_many) -> dict[str, subprocess.CompletedProcess]:
    """Every command above, run once each in its own process (side by side, to save time)."""
    return dict(zip(CALLS, cli_many(list(CALLS.values())), strict=True))


# --- list -----------------------------------------------------------------------------------------

def test_list_shows_each_shipped_scenario_once_with_its_variants(out) -> None:
    result = out["list"]
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(shipped_scenarios())  # one line each
    for scenario_id in shipped_scenarios():
        assert len([ln for ln in lines if ln.split()[:1] == [scenario_id]]) == 1
    (june,) = [ln for ln in lines if ln.startswith(JUNE)]
    assert str(load_scenario(JUNE).start) in june and load_scenario(JUNE).title in june
    variants = june[june.index("[variants:") + len("[variants:"):].rstrip("]")
    assert [v.strip() for v in variants.split(",")] == JUNE_VARIANTS


# --- run ------------------------------------------------------------------------------------------

def test_run_prints_a_dated_timeline_and_an_outcome(out) -> None:
    result = out["run"]
    assert result.returncode == 0, result.stderr
    events = timeline(result.stdout)
    dates = [d for d, _ in events]
    spec = load_scenario(JUNE)
    assert dates == sorted(dates)
    assert str(spec.start) <= dates[0] and dates[-1] <= str(spec.end)
    israel_war = [d for d, e in events if e.startswith("israel state_strike -> iran ")]
    assert israel_war[0] == "2025-06-13" and israel_war[-1] == "2025-06-23"  # a daily campaign
    us_strike = [(d, e) for d, e in events if e.startswith("united_states state_strike -> iran")]
    assert len(us_strike) == 1 and us_strike[0][0] == "2025-06-22"
    assert us_strike[0][1].endswith("[scripted]")
    window = spec.window
    ((outcome, state),) = re.findall(rf"^Outcome over the assessment window {window.start} \.\. "
                                     rf"{window.end}: (\w+) \(between states: (\w+)\)$",
                                     result.stdout, flags=re.M)
    assert outcome in OUTCOME_CLASSES and state in STATE_CONFLICT_CLASSES
    for name in metric_names():
        if name not in ("outcome_class", "state_conflict"):
            assert re.search(rf"^  {name} ", result.stdout, flags=re.M), name


def _json_run(seed: int, hash_seed: str, *extra: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-m", "sim.cli", "run", JUNE, "--seed", str(seed),
                           "--json", *extra], capture_output=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_json_is_byte_identical_across_processes() -> None:
    with ThreadPoolExecutor(2) as pool:  # two processes, different hash seeds, side by side
        first, second = pool.map(lambda h: _json_run(1, h), ["1", "2"])
    assert first == second
    doc = json.loads(first)
    assert (doc["scenario"], doc["variant"], doc["seed"]) == (JUNE, "base", 1)
    window = load_scenario(JUNE).window
    assert doc["window"] == {"start": str(window.start), "end": str(window.end)}
    dated = {c for c in doc["outcome"] if "@" in c}
    assert set(doc["outcome"]) - dated == set(metric_names())
    assert len(dated) == len([m for m in load_scenario(JUNE).history.metrics if m.start or m.end])
    assert doc["outcome"]["outcome_class"] in OUTCOME_CLASSES
    dates = [e["date"] for e in doc["timeline"]]
    assert dates == sorted(dates)
    strikes = [e for e in doc["timeline"] if (e["actor"], e["action"], e["target"])
               == ("united_states", "state_strike", "iran")]
    assert [e["date"] for e in strikes] == ["2025-06-22"] and strikes[0]["scripted"] is True
    # what the command prints is what the library computes
    assert first.decode("utf-8").rstrip("\n") == to_json(run_one(JUNE, seed=1))


def test_different_seeds_give_different_runs() -> None:
    runs = {to_json(run_one(JUNE, seed=s)) for s in range(1, 6)}
    assert len(runs) > 1


def test_run_variant(out) -> None:
    result = out["variant"]
    assert result.returncode == 0, result.stderr
    assert f"scenario {JUNE}, variant no-iran-restraint, seed 1" in result.stdout
    events = [e for _, e in timeline(result.stdout)]
    assert events and not [e for e in events if "discourage_allies" in e]
    assert [e for e in events if e.startswith("united_states state_strike -> iran")]


def test_run_unknown_variant_names_the_variants(main_in_process) -> None:
    code, _, stderr = main_in_process("run", JUNE, "--variant", "no-such-thing")
    assert code != 0
    assert "no-such-thing" in stderr
    assert all(name in stderr for name in JUNE_VARIANTS)


def test_run_unknown_scenario_names_the_shipped_ones(main_in_process) -> None:
    code, _, stderr = main_in_process("run", "june-2052")
    assert code != 0 and "june-2052" in stderr and JUNE in stderr


def test_set_overrides_a_parameter(out) -> None:
    result = out["set"]
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["parameters"] == {"retaliation_weight": 2.5, "resolve__kataib_hezbollah": 0.9}
    expected = run_one(JUNE, seed=1, overrides={"retaliation_weight": 2.5,
                                                "resolve__kataib_hezbollah": 0.9})
    assert result.stdout.rstrip("\n") == to_json(expected)


@pytest.mark.parametrize("setting, message", [
    ("bogus=1", "unknown parameter 'bogus'"),
    ("retaliation_weight=99", "retaliation_weight"),
    ("retaliation_weight=-1", "retaliation_weight"),
    ("retaliation_weight=nan", "retaliation_weight"),
    ("retaliation_weight=lots", "not a number"),
    ("retaliation_weight", "NAME=VALUE"),
    ("resolve__kataib_hezbollah=5", "resolve"),
    ("grievance_weight__badr=1", "unknown parameter"),
    ("resolve__nobody=0.5", "actor 'nobody' is not in the scenario"),
])
def test_bad_set_is_a_clean_error(setting: str, message: str, main_in_process) -> None:
    code, _, stderr = main_in_process("run", JUNE, "--set", setting)
    assert code != 0 and message in stderr, stderr
    value = setting.partition("=")[2]
    if value in ("99", "-1", "5"):
        name = setting.split("=")[0].split("__")[0]
        spec = GLOBAL.get(name) or PER_ACTOR[name]
        assert f"[{spec.low:g}, {spec.high:g}]" in stderr  # says what was expected


# --- schema ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def schema_doc(out) -> dict:
    result = out["schema"]
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _plain_yaml(text: str) -> object:
    """What an editor validates: the YAML data with dates as the strings they are written as."""
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


def test_schema_is_valid_json_schema(schema_doc: dict) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(schema_doc)
    assert set(schema_doc["else"]["required"]) >= {"id", "title", "start", "end", "actors"}
    assert "variant" not in schema_doc["properties"]  # set by --variant, refused in a file


def test_schema_accepts_a_valid_scenario_and_rejects_mistakes(schema_doc: dict,
                                                               minimal_text: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(schema_doc)
    data = _plain_yaml(minimal_text)
    assert list(validator.iter_errors(data)) == []
    assert list(validator.iter_errors({**data, "nonsense": 1}))  # unknown field
    assert list(validator.iter_errors({k: v for k, v in data.items() if k != "actors"}))
    bad_control = json.loads(json.dumps(data))
    bad_control["actors"]["iran"]["control"] = "puppet"
    assert list(validator.iter_errors(bad_control))


def test_schema_accepts_a_file_that_extends_another(schema_doc: dict) -> None:
    """A child file is a patch: nothing is required, id-keyed lists may be mappings."""
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(schema_doc)
    child = _plain_yaml("extends: june-2025\nid: my-june\nend: 2025-07-01\n"
                        "threats:\n  kh-if-us-intervenes:\n    deadline_days: 3\n")
    assert list(validator.iter_errors(child)) == []
    assert list(validator.iter_errors({**child, "nonsense": 1}))  # names are still checked
    assert list(validator.iter_errors({**child, "id": "my june"}))  # and plain values


def test_schema_accepts_the_example_files(schema_doc: dict, repo_root: Path) -> None:
    """docs/examples/new-actor.yaml extends june-2025: the schema used to demand its dates."""
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(schema_doc)
    examples = sorted((repo_root / "docs" / "examples").glob("*.yaml"))
    assert any("extends:" in p.read_text(encoding="utf-8") for p in examples)
    for path in examples:
        errors = list(validator.iter_errors(_plain_yaml(path.read_text(encoding="utf-8"))))
        assert errors == [], (path.name, [e.message for e in errors[:3]])


def test_schema_accepts_the_shipped_scenarios(schema_doc: dict) -> None:
    """What an editor sees: every shipped file, shorthand forms included, passes the schema."""
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(schema_doc)
    for path in shipped_scenarios().values():
        errors = list(validator.iter_errors(_plain_yaml(path.read_text(encoding="utf-8"))))
        assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors[:3]]


# --- evidence -------------------------------------------------------------------------------------

def _evidence_blocks(text: str) -> dict[str, list[str]]:
    """Item name -> fact ids listed under it, from `escsim evidence` output."""
    blocks: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line and not line.startswith(" "):  # a section heading
            current = None
        elif re.match(r"^  \S", line) and " = " in line:  # an item: "  name = value"
            current = line.strip().split(" = ", 1)[0]
            blocks.setdefault(current, [])
        elif current and line.startswith("      ["):
            blocks[current].append(line.split("]")[0].strip()[1:])
    return blocks


def test_evidence_lists_traits_and_threats_with_facts(out) -> None:
    result = out["evidence"]
    assert result.returncode == 0, result.stderr
    blocks = _evidence_blocks(result.stdout)
    spec = actor_catalogue()["kataib_hezbollah"]
    for trait in spec.traits:
        assert trait in blocks, trait
        assert blocks[trait] == list(spec.evidence.get(trait, ())), trait
    assert "f-20250615-kh-conditional-threat" in blocks["kh-if-us-intervenes"]
    assert "f-2025-us-six-bases-warning" in blocks["us-six-bases"]  # a threat aimed at it
    facts = shipped_register().facts
    cited = [fact for ids in blocks.values() for fact in ids]
    assert cited and all(fact in facts for fact in cited)


def test_evidence_unknown_actor_is_a_clean_error(out) -> None:
    stderr = clean_failure(out["bad-evidence"])
    assert "hezbollah" in stderr and "kataib_hezbollah" in stderr  # names the actors present


# --- parameters, facts, help ----------------------------------------------------------------------

def test_parameters_lists_every_parameter_with_range_and_evidence(out) -> None:
    result = out["parameters"]
    assert result.returncode == 0, result.stderr
    for p in GLOBAL.values():
        assert f"  {p.name} = {p.default:g}  [{p.low:g}, {p.high:g}]" in result.stdout
        for fact in p.evidence:
            assert fact in result.stdout
    for p in PER_ACTOR.values():
        assert f"  {p.name}  [{p.low:g}, {p.high:g}]" in result.stdout


def test_facts_lists_the_register_and_shows_one(out) -> None:
    register = shipped_register()
    listing = out["facts"]
    assert listing.returncode == 0, listing.stderr
    assert f"{len(register.facts)} facts from {len(register.sources)} sources" in listing.stdout
    assert all(fact_id in listing.stdout for fact_id in register.facts)



def test_facts_shows_one_fact(main_in_process) -> None:
    code, stdout, _ = main_in_process("facts", "f-20250615-kh-conditional-threat")
    assert code == 0
    doc = json.loads(stdout)
    assert (doc["actor"], doc["date"]) == ("kataib_hezbollah", "2025-06-15")
    code, _, stderr = main_in_process("facts", "f-nope")
    assert code != 0 and "no fact 'f-nope'" in stderr


def test_help_lists_every_command(out) -> None:
    import typer

    from sim.cli import app

    commands = set(typer.main.get_command(app).commands)
    assert {"list", "run", "validate", "schema", "evidence", "parameters", "facts"} <= commands
    result = out["help"]
    assert result.returncode == 0, result.stderr
    for name in commands:
        assert re.search(rf"\b{name}\b", result.stdout), name


def test_no_arguments_shows_help(main_in_process) -> None:
    _, stdout, stderr = main_in_process()
    assert "Usage" in stdout + stderr
