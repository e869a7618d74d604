"""The evidence register (seeds/): sources and dated facts, and every citation of them.

Every number in the model is meant to trace to a fact here; a citation of a fact that does not
exist would break that trace silently, so every place that cites fact ids is checked.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.evidence import load_register
from sim.model.parameters import GLOBAL, PER_ACTOR
from sim.scenario.loader import validate_file

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SHARED_SEEDS = REPO.parent / "shared" / "seeds"  # the source documents, beside the clone
FACT_ID = re.compile(r"""["'](f-\d{4}(?:\d{2}){0,2}-[a-z0-9-]+)["']""")


@pytest.fixture(scope="module")
def register():
    return load_register(SEEDS)


def _raw(name: str) -> list[dict]:
    return yaml.safe_load((SEEDS / name).read_text(encoding="utf-8"))


def _cited(data: Any) -> list[str]:
    """Every id under an ``evidence:`` key, at any depth (variant patches included)."""
    out: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "evidence" and isinstance(value, list):
                out += [str(v) for v in value]
            else:
                out += _cited(value)
    elif isinstance(data, list):
        for value in data:
            out += _cited(value)
    return out


def test_register_loads_with_several_dozen_facts(register) -> None:
    assert len(register.facts) >= 60
    assert len(register.sources) >= 5


@pytest.mark.parametrize("name", ["facts.yaml", "sources.yaml"])
def test_ids_are_unique(name: str) -> None:
    counts = Counter(entry["id"] for entry in _raw(name))
    assert [i for i, n in counts.items() if n > 1] == []


def test_every_fact_is_complete_and_cites_a_known_source(register) -> None:
    for fact in register.facts.values():
        assert fact.source_ids, fact.id
        assert set(fact.source_ids) <= set(register.sources), fact.id
        assert fact.paraphrase.strip() and fact.actor.strip() and fact.action.strip(), fact.id


def test_fact_ids_match_their_dates(register) -> None:
    """The convention in facts.yaml: f-YYYYMMDD-, f-YYYYMM- or f-YYYY- by date precision."""
    for fact in register.facts.values():
        stamp = {"day": "%Y%m%d", "month": "%Y%m", "year": "%Y"}[fact.date_precision]
        assert fact.id.startswith(f"f-{fact.date.strftime(stamp)}-"), fact.id


def test_every_source_is_used(register) -> None:
    used = {s for fact in register.facts.values() for s in fact.source_ids}
    assert set(register.sources) == used


def _citing_files() -> list[Path]:
    return [*sorted((REPO / "scenarios").glob("*.yaml")), REPO / "sim" / "model" / "actors.yaml"]


@pytest.mark.parametrize("path", _citing_files(), ids=lambda p: p.name)
def test_every_cited_fact_exists_yaml(path: Path, register) -> None:
    cited = _cited(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert cited, f"{path.name} cites no facts"
    assert sorted(set(cited) - set(register.facts)) == []


def test_every_cited_fact_exists_parameters(register) -> None:
    text = (REPO / "sim" / "model" / "parameters.py").read_text(encoding="utf-8")
    in_text = set(FACT_ID.findall(text))
    in_tables = {f for p in (*GLOBAL.values(), *PER_ACTOR.values()) for f in p.evidence}
    assert in_tables and in_tables <= in_text
    assert sorted(in_text - set(register.facts)) == []


@pytest.mark.parametrize("path", sorted((REPO / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_scenario_validates_with_every_variant(path: Path) -> None:
    checked = validate_file(path)
    assert checked[0] == "base"


def test_register_rejects_a_fact_with_an_unknown_source(tmp_path: Path) -> None:
    from sim.scenario.errors import ScenarioError

    (tmp_path / "sources.yaml").write_text((SEEDS / "sources.yaml").read_text(encoding="utf-8"))
    (tmp_path / "facts.yaml").write_text(
        "- id: f-20250101-x\n  date: 2025-01-01\n  actor: iran\n  action: threaten\n"
        "  source: no-such-source\n  paraphrase: A test fact.\n"
        "- id: f-20250101-x\n  date: 2025-01-01\n  actor: iran\n  action: threaten\n"
        "  source: alestiklal-2025-06\n  paraphrase: Again.\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_register(tmp_path)
    messages = [p.message for p in info.value.problems]
    assert "unknown source 'no-such-source'" in messages and "duplicate fact id" in messages


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(),
                    reason=f"the source documents are not beside the clone ({SHARED_SEEDS})")
def test_sources_name_the_shared_documents(register) -> None:
    named = {s.file for s in register.sources.values() if s.file}
    present = {p.name for p in SHARED_SEEDS.iterdir() if p.is_file() and p.name != "README.md"}
    assert sorted(named - present) == []  # every file named exists
    assert sorted(present - named) == []  # every document is in the register
