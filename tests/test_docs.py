"""The docs stay true to the code: generated reference current, names present, links alive.

- docs/parameters.md is exactly what ``python -m sim.docs_gen`` generates;
- every parameter, action, outcome metric, outcome class and CLI command is named on the pages
  that describe it;
- every relative Markdown link in docs/ and README.md points to a file that exists (and, with
  an ``#anchor`` into a Markdown page, to a heading that exists);
- the example scenarios in docs/examples/ validate, with all their variants;
- every ``escsim`` command shown in a code block of the docs is a real command.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import typer.main

from sim.cli import app
from sim.docs_gen import main as docs_gen_main
from sim.docs_gen import parameter_reference_markdown
from sim.model.actions import CATALOGUE
from sim.model.outcomes import OUTCOME_CLASSES, metric_names
from sim.model.parameters import GLOBAL, PER_ACTOR
from sim.scenario.loader import validate_file

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
LINKED_FILES = [*PAGES, ROOT / "README.md"]
CLI_COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


# --- the generated reference --------------------------------------------------------------------

def test_parameters_md_is_generated_and_current():
    assert read("parameters.md") == parameter_reference_markdown(), (
        "docs/parameters.md is out of date: run `python -m sim.docs_gen`")


def test_parameters_md_says_it_is_generated():
    head = read("parameters.md").splitlines()[:6]
    assert any("python -m sim.docs_gen" in line for line in head)
    assert any("not edit" in line for line in head)


def test_docs_gen_check_mode(tmp_path, capsys):
    out = tmp_path / "parameters.md"
    assert docs_gen_main([str(out), "--check"]) == 1
    assert docs_gen_main([str(out)]) == 0
    assert out.read_text(encoding="utf-8") == parameter_reference_markdown()
    assert docs_gen_main([str(out), "--check"]) == 0
    capsys.readouterr()


# --- names on the pages that describe them ------------------------------------------------------

def _code_names(text: str) -> set[str]:
    """Every `inline code` span of a page."""
    return set(re.findall(r"`([^`\n]+)`", text))


@pytest.mark.parametrize("page", ["parameters.md", "model.md"])
def test_every_parameter_is_documented(page):
    names = _code_names(read(page))
    missing = [n for n in [*GLOBAL, *PER_ACTOR] if n not in names]
    assert not missing, f"{page} does not name these parameters: {missing}"


@pytest.mark.parametrize("page", ["parameters.md", "model.md"])
def test_every_action_is_documented(page):
    names = _code_names(read(page))
    missing = [a.id for a in CATALOGUE if a.id not in names]
    assert not missing, f"{page} does not name these actions: {missing}"


@pytest.mark.parametrize("page", ["model.md", "user-guide.md", "scenario-format.md",
                                  "parameters.md"])
def test_every_outcome_class_is_documented(page):
    names = _code_names(read(page))
    missing = [c for c in OUTCOME_CLASSES if c not in names]
    assert not missing, f"{page} does not name these outcome classes: {missing}"


def test_outcome_classes_are_listed_in_decision_order_in_model_md():
    text = read("model.md")
    section = text[text.index("decided in this order"):]
    positions = [section.index(f"`{c}`") for c in reversed(OUTCOME_CLASSES)]
    assert positions == sorted(positions), "model.md must list the classes in decision order"


@pytest.mark.parametrize("page", ["parameters.md", "model.md"])
def test_every_outcome_metric_is_documented(page):
    names = _code_names(read(page))
    missing = [m for m in metric_names() if m not in names]
    assert not missing, f"{page} does not name these metrics: {missing}"


def test_every_cli_command_is_in_the_user_guide():
    text = read("user-guide.md")
    missing = [c for c in CLI_COMMANDS if f"escsim {c}" not in text]
    assert not missing, f"user-guide.md does not show these commands: {missing}"


def test_commands_shown_in_code_blocks_exist():
    shown: set[tuple[str, str]] = set()
    for page in LINKED_FILES:
        if not page.exists():
            continue
        for block in re.findall(r"```[^\n]*\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
            for line in block.splitlines():
                m = re.match(r"\s*(?:\$ )?escsim ([a-z][a-z-]*)", line)
                if m:
                    shown.add((page.name, m.group(1)))
    unknown = sorted((p, c) for p, c in shown if c not in CLI_COMMANDS)
    assert not unknown, f"docs show commands that do not exist: {unknown}"


def test_index_links_every_page():
    index = read("index.md")
    for page in ("user-guide.md", "scenario-format.md", "model.md", "parameters.md",
                 "event-codes.md"):
        assert f"]({page}" in index, f"index.md does not link {page}"


# --- links --------------------------------------------------------------------------------------

_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_FENCE = re.compile(r"```.*?```", re.S)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip()).lower()
    out = []
    for ch in text:
        if ch in " -_" or unicodedata.category(ch)[0] in "LNM":
            out.append("-" if ch == " " else ch)
    return "".join(out)


def _anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    anchors = set()
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.M):
        slug = _slug(heading)
        n = seen.get(slug, 0)
        anchors.add(slug if n == 0 else f"{slug}-{n}")
        seen[slug] = n + 1
    anchors |= set(re.findall(r'<a (?:name|id)="([^"]+)"', text))
    return anchors


def _links(page: Path) -> list[str]:
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)
    return _LINK.findall(text)


@pytest.mark.parametrize("page", LINKED_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page):
    if not page.exists():
        pytest.skip(f"{page.name} does not exist")
    broken = []
    for target in _links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: ...
            continue
        path_part, _, anchor = target.partition("#")
        dest = page if not path_part else (page.parent / path_part).resolve()
        if not dest.exists():
            broken.append(f"{target} (no such file)")
            continue
        if anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
            broken.append(f"{target} (no heading for #{anchor})")
    assert not broken, f"{page.relative_to(ROOT)} has broken links: {broken}"


# --- example scenarios --------------------------------------------------------------------------

EXAMPLES = sorted((DOCS / "examples").glob("*.yaml"))


def test_minimal_example_exists():
    assert DOCS / "examples" / "minimal.yaml" in EXAMPLES


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_scenarios_validate(example):
    checked = validate_file(str(example))  # what `escsim validate FILE` runs
    assert checked[0] == "base"


# --- generated examples ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["user-guide.md", "scenario-format.md"])
def test_example_outputs_are_generated_and_current(name: str) -> None:
    from sim.docs_examples import generate

    current = read(name)
    assert "<!-- output" in current or "<!-- session -->" in current
    assert generate(current) == current, (
        f"docs/{name} shows output that escsim no longer prints: run `python -m sim.docs_examples`")


def test_no_example_output_is_pasted_by_hand() -> None:
    """Every text block of the guide is generated (a `$ escsim` transcript, or the output of
    the block above it), or says why not (`<!-- not generated: ... -->`, e.g. pip's output)."""
    from sim.docs_examples import _MARKER, _blocks

    lines = read("user-guide.md").splitlines(keepends=True)
    for block in _blocks(lines):
        if block.language != "text":
            continue
        before = lines[block.start - 1].strip()
        assert _MARKER.match(before) or before.startswith("<!-- not generated: "), \
            f"user-guide.md line {block.start + 1}: a text block that is not generated"


# --- the README's first hour ------------------------------------------------------------------------

def test_readme_first_look_works_after_its_own_set_up() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    look = text[text.index("## A first look"):text.index("From Python")]
    assert "source .venv/bin/activate" in look  # escsim is not on PATH after the set-up alone
    assert look.index("cp docs/examples/minimal.yaml my-scenario.yaml") < \
        look.index("escsim validate my-scenario.yaml")
    assert (ROOT / "docs" / "examples" / "minimal.yaml").is_file()


def test_readme_counts_the_sources_as_the_register_does() -> None:
    from sim.evidence import shipped_register

    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}
    register = shipped_register()
    documents = sum(1 for s in register.sources.values() if s.file)
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"{words[documents]} source documents" in text
    assert f"the {words[len(register.sources)]} sources `escsim facts` counts" in text
