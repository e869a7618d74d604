"""A user's mistakes in a scenario file are reported with file, line, field path and expectation.

Each case writes a copy of tests/data/minimal.yaml with one mistake and checks the problem the
loader reports: the file it is in, the exact line of the bad field in that file, the path of
the field (ids for list items: ``threats[kh-threat].response.action``) and a message that says
what was expected. The CLI must report the same as ``file:line: field: message`` on stderr, exit
non-zero and never show a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import load_scenario, validate_file


def mutate(text: str, old: str, new: str) -> str:
    """Replace the one occurrence of ``old`` (fails loudly if the fixture changed)."""
    assert text.count(old) == 1, f"expected exactly one {old!r} in the test scenario"
    return text.replace(old, new)


def line_of(text: str, line: str) -> int:
    """1-based number of the one line of ``text`` that reads ``line`` (ignoring indentation)."""
    hits = [i for i, ln in enumerate(text.splitlines(), 1) if ln.strip() == line]
    assert len(hits) == 1, f"expected exactly one line {line!r}, found {hits}"
    return hits[0]


def same_file(problem: Problem, path: Path) -> bool:
    return Path(problem.file).resolve() == path.resolve()


def problems_of(path: Path, variant: str | None = None) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        if variant is None:
            validate_file(path)
        else:
            load_scenario(path, variant)
    assert info.value.problems, "a ScenarioError must carry at least one problem"
    return info.value.problems


@dataclass(frozen=True)
class Case:
    name: str
    edits: tuple[tuple[str, str], ...]
    line: str  # the bad line, as written (stripped)
    field: str
    expect: tuple[str, ...]  # fragments of the message
    only: bool = True  # the mistake causes exactly one problem
    variants: tuple[str | None, ...] = field(default=(None,))

    def text(self, base: str) -> str:
        for old, new in self.edits:
            base = mutate(base, old, new)
        return base


PATCH = "      injects:\n        us-strike: null\n"  # the no-strike variant's patch

CASES = [
    # unknown actors
    Case("inject-unknown-actor",
         (("    actor: united_states\n    action: state_strike",
           "    actor: united_state\n    action: state_strike"),),
         "actor: united_state", "injects[us-strike].actor",
         ("unknown actor 'united_state'", "did you mean 'united_states'", "actors in this scenario")),
    Case("threat-unknown-author", (("by: kataib_hezbollah", "by: kataib_hezbolah"),),
         "by: kataib_hezbolah", "threats[kh-threat].by",
         ("unknown actor 'kataib_hezbolah'", "did you mean 'kataib_hezbollah'")),
    Case("trigger-unknown-target", (("target: [iran]", "target: [irann]"),),
         "target: [irann]", "threats[kh-threat].trigger.event.target[0]",
         ("unknown actor 'irann'",)),
    Case("actor-not-in-catalogue",
         (("  iran:\n    control: scripted\n",
           "  iran:\n    control: scripted\n  hezbollah_lebanon:\n    control: free\n"),),
         "hezbollah_lebanon:", "actors.hezbollah_lebanon",
         ("unknown actor 'hezbollah_lebanon'", "shared catalogue", "'kind'")),
    # unknown actions
    Case("response-unknown-action", (("action: drone_attack", "action: drone_atack"),),
         "action: drone_atack", "threats[kh-threat].response.action",
         ("unknown action 'drone_atack'", "did you mean 'drone_attack'")),
    Case("inject-unknown-action", (("action: state_strike\n    target: iran",
                                    "action: nuke_everything\n    target: iran"),),
         "action: nuke_everything", "injects[us-strike].action",
         ("unknown action 'nuke_everything'",)),
    # bad dates
    Case("impossible-date", (("date: 2025-06-22", "date: 2025-13-40"),),
         "date: 2025-13-40", "injects[us-strike].date",
         ("month", "expected a date like 2025-06-13")),
    Case("not-a-date", (("date: 2025-06-22", "date: next tuesday"),),
         "date: next tuesday", "injects[us-strike].date", ("expected a date like 2025-06-13",)),
    Case("impossible-start", (("start: 2025-06-12", "start: 2025-02-30"),),
         "start: 2025-02-30", "start", ("day", "expected a date like 2025-06-13")),
    Case("end-before-start", (("end: 2025-06-30", "end: 2025-06-01"),),
         "id: mini", "", ("'end' is before 'start'",)),
    # dates outside the window
    Case("inject-after-window", (("date: 2025-06-22", "date: 2025-07-16"),),
         "date: 2025-07-16", "injects[us-strike].date",
         ("date 2025-07-16 is outside the scenario window 2025-06-12 .. 2025-06-30",)),
    Case("inject-before-window", (("date: 2025-06-13", "date: 2025-06-01"),),
         "date: 2025-06-01", "injects[iran-discourages].date",
         ("outside the scenario window",)),
    Case("threat-made-after-end", (("made: 2025-06-15", "made: 2025-08-15"),),
         "made: 2025-08-15", "threats[kh-threat].made", ("after the scenario ends (2025-06-30)",)),
    # unknown evidence ids
    Case("threat-unknown-evidence",
         (("      - f-20250615-kh-conditional-threat\n",
           "      - f-20250615-kh-conditional-threat\n      - f-2025-no-such-fact\n"),),
         "- f-2025-no-such-fact", "threats[kh-threat].evidence[1]",
         ("unknown evidence id 'f-2025-no-such-fact'", "seeds/facts.yaml")),
    Case("actor-evidence-typo",
         (("evidence: [f-2025-us-six-bases-warning]", "evidence: [f-2025-us-six-bases-warnin]"),),
         "evidence: [f-2025-us-six-bases-warnin]", "actors.united_states.evidence[0]",
         ("unknown evidence id 'f-2025-us-six-bases-warnin'",
          "did you mean 'f-2025-us-six-bases-warning'")),
    # parameters
    Case("unknown-parameter", (("retaliation_weight: 2.0", "retaliation_wieght: 2.0"),),
         "retaliation_wieght: 2.0", "parameters.retaliation_wieght",
         ("unknown parameter 'retaliation_wieght'", "did you mean 'retaliation_weight'")),
    Case("parameter-out-of-range", (("retaliation_weight: 2.0", "retaliation_weight: 99"),),
         "retaliation_weight: 99", "parameters.retaliation_weight", ("outside its range",)),
    # structure: unknown, missing and mistyped fields
    Case("unknown-top-level-field", (("title: Minimal test scenario\n",
                                      "title: Minimal test scenario\ntitel: typo\n"),),
         "titel: typo", "titel", ("no such field",)),
    Case("missing-title", (("title: Minimal test scenario\n", ""),),
         "id: mini", "title", ("required field is missing",)),
    Case("inject-missing-action", (("    action: discourage_allies\n", ""),),
         "- id: iran-discourages", "injects[iran-discourages].action",
         ("required field is missing",)),
    Case("stake-out-of-range", (("stake: 0.5", "stake: 1.5"),),
         "stake: 1.5", "actors.kataib_hezbollah.stake", ("less than or equal to 1",)),
    Case("deadline-not-a-number", (("deadline_days: 7", "deadline_days: soon"),),
         "deadline_days: soon", "threats[kh-threat].deadline_days", ("valid integer",)),
    # variants patching what does not exist (the problem is on the variant's line)
    Case("variant-patches-missing-nested-field", ((PATCH, "      initial_state:\n        bogus: 1\n"),),
         "bogus: 1", "initial_state.bogus", ("no such field",), variants=(None, "no-strike")),
    Case("variant-patches-missing-top-field", ((PATCH, "      nonsense: 1\n"),),
         "nonsense: 1", "nonsense", ("no such field",), variants=(None, "no-strike")),
    Case("variant-patches-missing-threat-field",
         ((PATCH, "      threats:\n        kh-threat:\n          response:\n            bogus: 1\n"),),
         "bogus: 1", "threats[kh-threat].response.bogus", ("no such field",),
         variants=(None, "no-strike")),
    Case("variant-removes-missing-inject", (("us-strike: null", "no-such-inject: null"),),
         "no-such-inject: null", "injects[no-such-inject]",
         ("removes 'no-such-inject', which does not exist",), variants=(None, "no-strike")),
    Case("variant-moves-inject-out-of-window",
         (("        us-strike: null\n", "        us-strike:\n          date: 2025-09-01\n"),),
         "date: 2025-09-01", "injects[us-strike].date", ("outside the scenario window",),
         variants=(None, "no-strike")),
    Case("variant-may-not-change-id", ((PATCH, "      id: other\n"),),
         "id: other", "variants.no-strike.patch.id", ("may not change 'id'",),
         variants=(None, "no-strike")),
    # YAML itself
    Case("yaml-syntax-error", (("    control: free\n", "    control: free: yes\n"),),
         "control: free: yes", "", ("not valid YAML",)),
    Case("yaml-tab-indent", (("  tension: 0.5\n", "\ttension: 0.5\n"),),
         "tension: 0.5", "", ("not valid YAML",)),
    Case("control-character", (("title: Minimal test scenario", "title: Minimal\x1btest scenario"),),
         "title: Minimal\x1btest scenario", "", ("not valid YAML", "#x001b")),
    Case("duplicate-key", (("title: Minimal test scenario\n",
                            "title: Minimal test scenario\ntitle: Again\n"),),
         "title: Again", "title", ("duplicate key 'title'",)),
    Case("duplicate-nested-key", (("    by: kataib_hezbollah\n",
                                   "    by: kataib_hezbollah\n    by: badr\n"),),
         "by: badr", "threats[0].by", ("duplicate key 'by'",)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_problem_names_file_line_field_and_expectation(case: Case, minimal_text: str, write) -> None:
    text = case.text(minimal_text)
    path = write("bad.yaml", text)
    for variant in case.variants:
        problems = problems_of(path, variant)
        if case.only:
            assert len(problems) == 1, "\n".join(map(str, problems))
        matching = [p for p in problems if p.field == case.field]
        assert matching, f"no problem for field {case.field!r}: " + "\n".join(map(str, problems))
        problem = matching[0]
        assert same_file(problem, path), problem
        assert problem.line == line_of(text, case.line), problem
        for fragment in case.expect:
            assert fragment in problem.message, problem


@pytest.mark.parametrize("text, message", [
    ("- id: mini\n- title: a list, not a mapping\n", "must be a mapping"),
    ("just some words\n", "must be a mapping"),
    ("42\n", "must be a mapping"),
])
def test_file_that_is_not_a_mapping(text: str, message: str, write) -> None:
    path = write("bad.yaml", text)
    (problem,) = problems_of(path)
    assert same_file(problem, path) and problem.line == 1 and message in problem.message


def test_empty_file_lists_every_missing_required_field(write) -> None:
    path = write("empty.yaml", "# nothing here\n")
    problems = problems_of(path)
    missing = {p.field for p in problems if "required field is missing" in p.message}
    assert missing == {"id", "title", "start", "end", "actors"}
    assert all(same_file(p, path) for p in problems)


def test_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path / "nowhere.yaml")
    assert "no such file" in problem.message


def test_unknown_shipped_id_names_the_shipped_scenarios() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("june-2052")
    assert "june-2025" in str(info.value)


def test_every_problem_is_reported_not_just_the_first(minimal_text: str, write) -> None:
    text = mutate(mutate(minimal_text, "action: drone_attack", "action: drone_atack"),
                  "date: 2025-06-22", "date: 2025-07-16")
    problems = problems_of(write("bad.yaml", text))
    assert {p.field for p in problems} == {"threats[kh-threat].response.action",
                                           "injects[us-strike].date"}
    assert [p.line for p in problems] == sorted(p.line for p in problems)  # in file order


def test_unknown_variant_names_the_variants(minimal_text: str, write) -> None:
    path = write("ok.yaml", minimal_text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, "no-such-variant")
    assert "no variant 'no-such-variant'" in str(info.value) and "no-strike" in str(info.value)


# --- extends: mistakes in the child, in the parent, and loops -----------------------------------

CHILD = """\
extends: {parent}
id: child
title: Child
injects:
  us-strike:
    date: 2025-07-16
"""


def test_mistake_in_child_points_at_child(minimal_text: str, write) -> None:
    write("parent.yaml", minimal_text)
    text = CHILD.format(parent="parent.yaml")
    child = write("child.yaml", text)
    (problem,) = problems_of(child)
    assert same_file(problem, child)
    assert problem.line == line_of(text, "date: 2025-07-16")
    assert problem.field == "injects[us-strike].date"
    assert "outside the scenario window" in problem.message


def test_mistake_in_parent_points_at_parent(minimal_text: str, write) -> None:
    parent_text = mutate(minimal_text, "action: drone_attack", "action: drone_atack")
    parent = write("lib/parent.yaml", parent_text)
    child = write("child.yaml", "extends: lib/parent.yaml\nid: child\n")
    (problem,) = problems_of(child)
    assert same_file(problem, parent)
    assert problem.line == line_of(parent_text, "action: drone_atack")
    assert problem.field == "threats[kh-threat].response.action"


def test_variant_defined_in_child_points_at_child(minimal_text: str, write) -> None:
    write("parent.yaml", minimal_text)
    text = ("extends: parent.yaml\nid: child\nvariants:\n  calm:\n    title: Calm\n"
            "    patch:\n      initial_state:\n        tensoin: 0.1\n")
    child = write("child.yaml", text)
    (problem,) = problems_of(child)
    assert same_file(problem, child)
    assert problem.line == line_of(text, "tensoin: 0.1")
    assert problem.field == "initial_state.tensoin"


def test_inherited_variant_points_at_parent(minimal_text: str, write) -> None:
    parent_text = mutate(minimal_text, "us-strike: null", "no-such-inject: null")
    parent = write("parent.yaml", parent_text)
    child = write("child.yaml", "extends: parent.yaml\nid: child\n")
    problems = problems_of(child, "no-strike")
    assert [(Path(p.file).resolve(), p.line) for p in problems] == [
        (parent.resolve(), line_of(parent_text, "no-such-inject: null"))]


@pytest.mark.parametrize("ref, message", [
    ("missing.yaml", "no such file"),
    ("no-such-shipped-id", "no shipped scenario"),
])
def test_bad_extends_points_at_the_extends_line(ref: str, message: str, write) -> None:
    text = f"id: child\nextends: {ref}\n"
    path = write("child.yaml", text)
    (problem,) = problems_of(path)
    assert same_file(problem, path) and problem.line == 2 and problem.field == "extends"
    assert f"cannot extend '{ref}'" in problem.message and message in problem.message


@pytest.mark.parametrize("value", ["''", "' '", "42", "[a.yaml]", "{a: b}"])
def test_extends_that_is_not_a_reference(value: str, write) -> None:
    path = write("child.yaml", f"id: child\nextends: {value}\n")
    (problem,) = problems_of(path)
    assert same_file(problem, path) and problem.line == 2 and problem.field == "extends"
    assert "expected a scenario id or a file path" in problem.message


def test_extends_loop_between_two_files(write) -> None:
    a = write("a.yaml", "id: a\nextends: b.yaml\n")
    b = write("b.yaml", "id: b\nextends: a.yaml\n")
    (problem,) = problems_of(a)
    assert Path(problem.file).resolve() in {a.resolve(), b.resolve()}
    assert "loop" in problem.message
    assert "a.yaml" in problem.message and "b.yaml" in problem.message


def test_extends_loop_on_itself(write) -> None:
    path = write("self.yaml", "id: me\nextends: self.yaml\n")
    (problem,) = problems_of(path)
    assert same_file(problem, path) and "loop" in problem.message




def test_extends_loop_names_the_extends_line(write) -> None:
    path = write("self.yaml", "id: me\nextends: self.yaml\n")
    (problem,) = problems_of(path)
    assert (problem.line, problem.field) == (2, "extends")



def test_two_file_loop_names_an_extends_line(write) -> None:
    a = write("a.yaml", "id: a\nextends: b.yaml\n")
    write("b.yaml", "title: B\nextends: a.yaml\n")
    (problem,) = problems_of(a)
    assert problem.field == "extends"
    assert problem.line == 2  # the extends line, in either file


# --- crashes found: mistakes that escape as something other than ScenarioError -----------------

def test_variant_patch_that_is_not_a_mapping(minimal_text: str, write) -> None:
    text = mutate(minimal_text, PATCH, "      - us-strike\n")
    path = write("bad.yaml", text)
    (problem,) = problems_of(path, "no-strike")
    assert problem.field.endswith("patch") and problem.line == line_of(text, "patch:")


def test_variants_that_are_not_a_mapping(minimal_text: str, write) -> None:
    start = minimal_text.index("variants:")
    path = write("bad.yaml", minimal_text[:start] + "variants: [no-strike]\n")
    problems = problems_of(path, "no-strike")
    assert any(p.field == "variants" for p in problems)


def test_list_as_inject_id_with_a_variant(minimal_text: str, write) -> None:
    text = mutate(minimal_text, "- id: us-strike", "- id: [us-strike]")
    problems = problems_of(write("bad.yaml", text), "no-strike")
    assert any(p.field.startswith("injects") for p in problems)


def test_extends_with_nul_character(write) -> None:
    path = write("bad.yaml", 'id: x\nextends: "a\\0.yaml"\n')
    (problem,) = problems_of(path)
    assert problem.field == "extends" and problem.line == 2


def test_duplicate_key_names_its_field(minimal_text: str, write) -> None:
    text = mutate(minimal_text, "    by: kataib_hezbollah\n", "    by: kataib_hezbollah\n    by: badr\n")
    (problem,) = problems_of(write("bad.yaml", text))
    assert problem.field.endswith("by")


# --- the same through the command line ----------------------------------------------------------

def _cli_args(case: Case, command: str, path: Path) -> list[str]:
    args = [command, str(path)]
    if command == "run" and case.variants != (None,):
        args += ["--variant", "no-strike"]
    return args


def _assert_reported(case: Case, text: str, path: Path, stderr: str) -> None:
    where = f"{path.resolve()}:{line_of(text, case.line)}:"
    field_part = f" {case.field}:" if case.field else ""
    lines = [ln for ln in stderr.splitlines() if ln.startswith(where + field_part)]
    assert lines, stderr
    assert all(fragment in lines[0] for fragment in case.expect), lines[0]


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_cli_reports_file_line_field_message(case: Case, command: str, minimal_text: str, write,
                                             main_in_process) -> None:
    """Every case through the console script's main(): `file:line: field: message`, exit != 0."""
    text = case.text(minimal_text)
    path = write("bad.yaml", text)
    code, stdout, stderr = main_in_process(*_cli_args(case, command, path))
    assert code != 0
    _assert_reported(case, text, path, stderr)
    assert "ok" not in stdout


CLI_PICK = [("response-unknown-action", "validate"), ("impossible-date", "run"),
            ("variant-patches-missing-nested-field", "validate"), ("yaml-syntax-error", "validate"),
            ("inject-after-window", "validate")]


def test_cli_reports_problems_in_a_real_process(minimal_text: str, tmp_path: Path,
                                                cli_many) -> None:
    """The same from a fresh process: the exit code, stderr, and no traceback."""
    calls, checks = [], []
    for name, command in CLI_PICK:
        case = next(c for c in CASES if c.name == name)
        text = case.text(minimal_text)
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        calls.append(_cli_args(case, command, path))
        checks.append((case, text, path))
    (tmp_path / "a.yaml").write_text("id: a\nextends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("id: b\nextends: a.yaml\n", encoding="utf-8")
    *results, loop = cli_many([*calls, ["validate", str(tmp_path / "a.yaml")]])
    for (case, text, path), result in zip(checks, results, strict=True):
        assert result.returncode != 0
        assert "Traceback" not in result.stderr, result.stderr
        _assert_reported(case, text, path, result.stderr)
        assert "ok" not in result.stdout
    assert loop.returncode != 0 and "Traceback" not in loop.stderr and "loop" in loop.stderr


def test_cli_validate_reports_every_file(minimal_text: str, write, cli) -> None:
    good = write("good.yaml", minimal_text)
    bad = write("bad.yaml", mutate(minimal_text, "action: drone_attack", "action: drone_atack"))
    result = cli("validate", str(good), str(bad))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"{good}: ok (base, no-strike)" in result.stdout
    assert f"{bad.resolve()}:" in result.stderr and "1 of 2" in result.stderr


def test_cli_extends_loop_is_clean(write, main_in_process) -> None:
    a = write("a.yaml", "id: a\nextends: b.yaml\n")
    write("b.yaml", "id: b\nextends: a.yaml\n")
    for command in ("validate", "run"):
        code, _, stderr = main_in_process(command, str(a))
        assert code != 0 and "loop" in stderr


def test_python_m_sim_cli_is_the_console_script(cli) -> None:
    result = cli("--help")
    assert result.returncode == 0 and "validate" in result.stdout
