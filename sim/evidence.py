"""The evidence register: source documents and the dated facts extracted from them.

``seeds/sources.yaml`` lists the documents; ``seeds/facts.yaml`` the facts, each a structured,
dated record with a one-line paraphrase and its source. Scenario parameters, threats and injects
cite fact ids; loading a scenario checks every id exists here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.paths import seeds_dir
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.located import load_located, origin_of, plain


class Source(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    id: str
    title: str
    outlet: str | None = None
    authors: list[str] = Field(default_factory=list)
    date: dt.date | None = None
    file: str | None = None
    kind: str = ""
    covers: str = ""

    @property
    def label(self) -> str:
        """A short reference: outlet or authors, and date (the title if neither is known)."""
        who = self.outlet or " and ".join(a.split()[-1] for a in self.authors)
        if not who:
            return self.title
        return f"{who}, {self.date.isoformat()}" if self.date else who

    @property
    def citation(self) -> str:
        """A full reference: who, title, date."""
        who = self.outlet or ", ".join(self.authors)
        parts = [who, f"\"{self.title}\"", self.date.isoformat() if self.date else ""]
        return ", ".join(p for p in parts if p)


class Casualties(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    killed: int | None = None
    injured: int | None = None


class Fact(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    id: str
    date: dt.date
    date_precision: Literal["day", "month", "year"] = "day"
    actor: str
    action: str
    target: str | None = None
    outcome: str | None = None
    casualties: Casualties | None = None
    claimed: bool | None = None
    source: str | None = None
    sources: list[str] = Field(default_factory=list)
    paraphrase: str
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _partial_date(cls, data: object) -> object:
        # Month and year precision facts write their date as "YYYY-MM" or "YYYY".
        if isinstance(data, dict):
            raw = data.get("date")
            text = str(raw) if isinstance(raw, (str, int)) else None
            if text and len(text) in (4, 7):
                year, _, month = text.partition("-")
                if year.isdigit() and (not month or month.isdigit()):
                    data = {**data, "date": dt.date(int(year), int(month or 1), 1)}
        return data

    @model_validator(mode="after")
    def _has_source(self) -> Fact:
        if not self.source and not self.sources:
            raise ValueError("a fact needs 'source' or 'sources'")
        return self

    @property
    def source_ids(self) -> list[str]:
        return [self.source] if self.source else list(self.sources)

    @property
    def date_text(self) -> str:
        if self.date_precision == "year":
            return f"{self.date.year}"
        if self.date_precision == "month":
            return f"{self.date:%Y-%m}"
        return self.date.isoformat()


@dataclass(frozen=True)
class Register:
    """All sources and facts, by id."""

    sources: dict[str, Source]
    facts: dict[str, Fact]

    def fact(self, fact_id: str) -> Fact:
        return self.facts[fact_id]

    def source_of(self, fact: Fact) -> list[Source]:
        return [self.sources[s] for s in fact.source_ids if s in self.sources]

    def describe_sources(self) -> str:
        """How many source documents (files) and other sources the register cites."""
        documents = sum(1 for s in self.sources.values() if s.file)
        others = len(self.sources) - documents
        text = f"{documents} source document{'s' if documents != 1 else ''}"
        if others:
            text += f" and {others} other source{'s' if others != 1 else ''}"
        return text


def _load_list(path: Path, model: type[BaseModel]) -> list[BaseModel]:
    tree = load_located(path)
    if not isinstance(tree, list):
        raise ScenarioError.single(str(path), "expected a list of entries", 1)
    items, problems = [], []
    for i, entry in enumerate(tree):
        try:
            items.append(model.model_validate(plain(entry)))
        except ValidationError as exc:
            for err in exc.errors():
                origin = origin_of(tree, (i, *err["loc"]))
                field = ".".join(str(x) for x in err["loc"])
                problems.append(Problem(str(path), origin.line if origin else None,
                                        f"[{i}].{field}", err["msg"]))
    if problems:
        raise ScenarioError(problems)
    return items


def load_register(folder: Path | None = None) -> Register:
    """Load and check the register: unique ids, and every fact's source listed."""
    folder = folder or seeds_dir()
    sources = _load_list(folder / "sources.yaml", Source)
    facts = _load_list(folder / "facts.yaml", Fact)
    problems = []
    source_ids = {s.id for s in sources}  # type: ignore[attr-defined]
    seen: set[str] = set()
    for fact in facts:
        assert isinstance(fact, Fact)
        if fact.id in seen:
            problems.append(Problem(str(folder / "facts.yaml"), None, fact.id, "duplicate fact id"))
        seen.add(fact.id)
        for sid in fact.source_ids:
            if sid not in source_ids:
                problems.append(Problem(str(folder / "facts.yaml"), None, fact.id,
                                        f"unknown source '{sid}'"))
    if problems:
        raise ScenarioError(problems)
    return Register({s.id: s for s in sources},  # type: ignore[attr-defined, misc]
                    {f.id: f for f in facts})  # type: ignore[attr-defined, misc]


@cache
def shipped_register() -> Register:
    """The register shipped with the package (loaded once per process)."""
    return load_register()
