"""Uncertainties: what an experiment varies, over which range, with which distribution.

Three kinds of input can vary, each by its name:

- a shared parameter, ``retaliation_weight`` (sim.model.parameters.GLOBAL);
- an actor's trait, ``resolve__kataib_hezbollah``, or ``resolve`` for every actor at once
  (sim.model.parameters.PER_ACTOR);
- a situation field of the scenario, by its path: ``initial_state.directive.badr``,
  ``actors.badr.stake``, ``injects.iran-discourages-before.magnitude`` (sim.model.situation).

Each varies over a range, by default its documented one: a parameter's [low, high] as
``escsim parameters`` lists it; a situation field's bounds in the scenario format ([0, 1],
[-1, 1] for a directive; [0, twice the scenario's value, at least 1] where the format sets no
upper bound: tension and grievance). An uncertainty file may narrow the range and give a
distribution instead of the uniform one:

    scenario: june-2025                  # optional: refused with another scenario
    uncertainties:
      directive_weight:                                    # uniform over its range [0, 8]
      stake_weight: [1, 4]                                 # uniform on [1, 4]
      initial_state.directive.kataib_hezbollah: {low: -1, high: 0}
      actors.badr.stake: {distribution: triangular, low: 0.5, high: 1, peak: 0.9}
      retaliation_weight: {distribution: truncnormal, low: 0, high: 8, mean: 2, sd: 1}

Distributions are SALib's bounded ones: uniform, loguniform, triangular, truncnormal (also
accepted by SALib's names: unif, logunif, triang, truncnorm). The file is data, read with the
project's safe YAML loader; every problem is reported with the file, line and field.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import UserError
from sim.model.parameters import GLOBAL, PER_ACTOR
from sim.model.situation import is_situation_path, situation_fields
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.located import load_located, origin_of
from sim.scenario.schema import Scenario

# escsim's name -> SALib's name, for the distributions an uncertainty may have
DISTRIBUTIONS = {"uniform": "unif", "loguniform": "logunif", "triangular": "triang",
                 "truncnormal": "truncnorm"}
_ALIASES = {**{v: k for k, v in DISTRIBUTIONS.items()}, **{k: k for k in DISTRIBUTIONS}}
UNBOUNDED = ("norm", "normal", "lognorm", "lognormal", "weibull")
SPEC_KEYS = ("distribution", "low", "high", "peak", "mean", "sd")
PARAMETER, TRAIT, SITUATION = "parameter", "trait", "situation"


class UncertaintyError(UserError):
    """An uncertainty that cannot be used: unknown name, empty range, bad distribution."""


class UncertaintyFileError(ScenarioError):
    """Problems in an uncertainty file, each with its file, line and field."""


@dataclass(frozen=True)
class Uncertainty:
    """One varied input: its name, range and distribution.

    ``kind`` is parameter, trait or situation (empty for inputs a test defines itself);
    ``value`` the scenario's own value, where there is one.
    """

    name: str
    low: float
    high: float
    distribution: str = "uniform"
    peak: float | None = None  # triangular
    mean: float | None = None  # truncnormal
    sd: float | None = None  # truncnormal
    kind: str = ""
    value: float | None = None
    integer: bool = False  # sampled values are rounded to whole numbers (days, counts)

    def salib_bounds(self) -> list[float]:
        """The bounds SALib takes for this distribution."""
        if self.distribution == "triangular":
            assert self.peak is not None
            return [self.low, self.high, (self.peak - self.low) / (self.high - self.low)]
        if self.distribution == "truncnormal":
            assert self.mean is not None and self.sd is not None
            return [self.low, self.high, self.mean, self.sd]
        return [self.low, self.high]

    def describe(self) -> str:
        """``uniform [0, 8]``, ``triangular [0.5, 1] peak 0.9``..."""
        text = f"{self.distribution} [{self.low:g}, {self.high:g}]"
        if self.distribution == "triangular":
            text += f" peak {self.peak:g}"
        if self.distribution == "truncnormal":
            text += f" mean {self.mean:g} sd {self.sd:g}"
        if self.integer:
            text += ", whole numbers"
        return text


@dataclass(frozen=True)
class UncertaintySpace:
    """The ordered inputs of an experiment."""

    uncertainties: tuple[Uncertainty, ...]
    source: str = ""  # where they came from: a file, --params, --all

    def __post_init__(self) -> None:
        if not self.uncertainties:
            raise UncertaintyError("an experiment needs at least one uncertainty")
        names = [u.name for u in self.uncertainties]
        if len(set(names)) != len(names):
            raise UncertaintyError(f"'{_first_duplicate(names)}' is varied twice")

    def __iter__(self) -> Iterator[Uncertainty]:
        return iter(self.uncertainties)

    def __len__(self) -> int:
        return len(self.uncertainties)

    @property
    def names(self) -> list[str]:
        return [u.name for u in self.uncertainties]

    def problem(self) -> dict[str, Any]:
        """SALib's problem definition."""
        return {"num_vars": len(self), "names": self.names,
                "bounds": [u.salib_bounds() for u in self],
                "dists": [DISTRIBUTIONS[u.distribution] for u in self]}

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "uncertainties": [asdict(u) for u in self]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UncertaintySpace:
        return cls(tuple(Uncertainty(**u) for u in data["uncertainties"]), data.get("source", ""))


def _first_duplicate(names: Sequence[str]) -> str:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return ""


# --- what a scenario lets vary ----------------------------------------------------------------

@dataclass(frozen=True)
class Factor:
    """An input of a scenario that can vary: the values it may take and its default range."""

    name: str
    kind: str
    limit_low: float  # what the model accepts
    limit_high: float
    low: float  # the default range
    high: float
    value: float | None
    meaning: str = field(default="", compare=False)
    integer: bool = False  # a count of days or attacks: the model takes whole numbers only


def _trait_value(scenario: Scenario, trait: str, actor: str) -> float:
    from sim.model.catalogue import actor_catalogue

    entry = scenario.actors[actor]
    if trait in entry.parameters:
        return float(entry.parameters[trait])
    catalogue = actor_catalogue()
    return float(catalogue[actor].trait(trait) if actor in catalogue else PER_ACTOR[trait].default)


def factor(name: str, scenario: Scenario) -> Factor:
    """What ``name`` is in ``scenario`` (UncertaintyError if it names nothing that can vary)."""
    if is_situation_path(name):
        fields = situation_fields(scenario)
        if name not in fields:
            raise UncertaintyError(f"'{name}' is not a situation field of scenario {scenario.id} "
                                   f"(`escsim uncertainties {scenario.id}` lists them)")
        f = fields[name]
        high = f.high if math.isfinite(f.high) else max(2 * f.value, 1.0)
        return Factor(name, SITUATION, f.low, f.high, f.low, high, f.value, f.meaning)
    base, _, actor = name.partition("__")
    if base in GLOBAL and not actor:
        p = GLOBAL[base]
        value = float(scenario.parameters.get(base, p.default))
        return Factor(name, PARAMETER, p.low, p.high, p.low, p.high, value, p.meaning,
                      p.integer)
    if base in PER_ACTOR:
        p = PER_ACTOR[base]
        if actor and actor not in scenario.actors:
            raise UncertaintyError(f"'{name}': actor '{actor}' is not in scenario {scenario.id}")
        value = _trait_value(scenario, base, actor) if actor else None
        whose = actor or "every actor"
        return Factor(name, TRAIT, p.low, p.high, p.low, p.high, value, f"{p.meaning} ({whose})",
                      p.integer)
    raise UncertaintyError(f"unknown parameter '{name}' (see `escsim parameters`, or "
                           f"`escsim uncertainties {scenario.id}` for situation fields)")


def situation_factors(scenario: Scenario, given_only: bool = True) -> list[Factor]:
    """The scenario's situation fields as factors: those it sets (and that have an effect on a
    run), or every one."""
    return [factor(f.path, scenario) for f in situation_fields(scenario).values()
            if f.given or not given_only]


def all_factors(scenario: Scenario) -> list[Factor]:
    """What ``--all`` varies: every shared parameter and every situation field the scenario
    sets."""
    return [factor(name, scenario) for name in GLOBAL] + situation_factors(scenario)


# --- building uncertainties -------------------------------------------------------------------

def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not math.isfinite(float(value)):
        raise UncertaintyError(f"{what} must be a number, got {value!r}")
    return float(value)


def _distribution(name: Any) -> str:
    if not isinstance(name, str) or name.strip().lower() not in _ALIASES:
        if isinstance(name, str) and name.strip().lower() in UNBOUNDED:
            raise UncertaintyError(f"distribution '{name}' is unbounded; escsim's inputs have "
                                   "bounded ranges: use truncnormal with low and high")
        raise UncertaintyError(f"distribution {name!r} is not one escsim takes from SALib: "
                               f"{', '.join(DISTRIBUTIONS)}")
    return _ALIASES[name.strip().lower()]


def uncertainty(f: Factor, spec: Mapping[str, Any] | None = None) -> Uncertainty:
    """An uncertainty on a factor: its default range, or the range and distribution of
    ``spec`` (the keys of SPEC_KEYS), checked against what the model accepts."""
    spec = dict(spec or {})
    unknown = sorted(set(spec) - set(SPEC_KEYS))
    if unknown:
        raise UncertaintyError(f"unknown key '{unknown[0]}' (expected some of "
                               f"{', '.join(SPEC_KEYS)})")
    dist = _distribution(spec.get("distribution", "uniform"))
    low = _number(spec["low"], "low") if spec.get("low") is not None else f.low
    high = _number(spec["high"], "high") if spec.get("high") is not None else f.high
    if not low < high:
        raise UncertaintyError(f"empty range [{low:g}, {high:g}]: low must be below high")
    if f.integer and math.floor(high) - math.ceil(low) < 1:
        raise UncertaintyError(f"range [{low:g}, {high:g}] holds fewer than two whole numbers; "
                               f"{f.name} takes whole numbers only")
    if low < f.limit_low or high > f.limit_high:
        raise UncertaintyError(f"range [{low:g}, {high:g}] goes outside [{f.limit_low:g}, "
                               f"{f.limit_high:g}], the values {f.name} can take")
    extra = {k: _number(spec[k], k) for k in ("peak", "mean", "sd") if spec.get(k) is not None}
    _check_shape(dist, low, high, extra)
    return Uncertainty(f.name, low, high, dist, extra.get("peak"), extra.get("mean"),
                       extra.get("sd"), f.kind, f.value, f.integer)


def _check_shape(dist: str, low: float, high: float, extra: Mapping[str, float]) -> None:
    needs = {"triangular": ("peak",), "truncnormal": ("mean", "sd")}.get(dist, ())
    for key in needs:
        if key not in extra:
            raise UncertaintyError(f"a {dist} distribution needs '{key}'")
    extra_keys = sorted(set(extra) - set(needs))
    if extra_keys:
        raise UncertaintyError(f"'{extra_keys[0]}' does not apply to a {dist} distribution")
    if dist == "loguniform" and low <= 0:
        raise UncertaintyError("a loguniform distribution needs low > 0")
    if dist == "triangular" and not low <= extra["peak"] < high:
        raise UncertaintyError(f"peak {extra['peak']:g} must lie in [{low:g}, {high:g})")
    if dist == "truncnormal" and extra["sd"] <= 0:
        raise UncertaintyError("sd must be above 0")


def named_space(names: Sequence[str], scenario: Scenario, source: str = "") -> UncertaintySpace:
    """Uniform uncertainties over the default ranges of the named inputs."""
    names = [n.strip() for n in names if n.strip()]
    if not names:
        raise UncertaintyError("name at least one parameter or situation field to vary")
    return UncertaintySpace(tuple(uncertainty(factor(n, scenario)) for n in names),
                            source or "--params " + ",".join(names))


def all_space(scenario: Scenario) -> UncertaintySpace:
    """``--all``: every shared parameter and every situation field the scenario sets."""
    return UncertaintySpace(tuple(uncertainty(f) for f in all_factors(scenario)), "--all")


# --- the uncertainty file ---------------------------------------------------------------------

def load_uncertainties(path: str | Path, scenario: Scenario) -> UncertaintySpace:
    """Read an uncertainty file for ``scenario``; UncertaintyFileError lists every problem."""
    file = str(path)
    try:
        tree = load_located(Path(path))
    except ScenarioError as exc:  # not YAML, or a tag that would build an object
        raise UncertaintyFileError(exc.problems) from None
    problems: list[Problem] = []

    def problem(keys: tuple[Any, ...], message: str) -> None:
        origin = origin_of(tree, keys)
        problems.append(Problem(file, origin.line if origin else None,
                                ".".join(map(str, keys)), message))

    if not isinstance(tree, dict):
        raise UncertaintyFileError([Problem(file, 1, "", "expected a mapping with "
                                                         "'uncertainties:'")])
    for key in sorted(set(tree) - {"scenario", "uncertainties"}, key=str):
        problem((key,), "unknown key (expected 'scenario' and 'uncertainties')")
    if tree.get("scenario") is not None and tree["scenario"] != scenario.id:
        problem(("scenario",), f"this file is for scenario '{tree['scenario']}', not "
                               f"'{scenario.id}'")
    entries = tree.get("uncertainties")
    if not isinstance(entries, dict) or not entries:
        problem(("uncertainties",), "expected a mapping of names to ranges, with at least one")
        raise UncertaintyFileError(problems)
    found = []
    for name, spec in entries.items():
        try:
            found.append(uncertainty(factor(str(name), scenario), _spec_of(spec)))
        except UncertaintyError as exc:
            problem(("uncertainties", name), str(exc))
    if problems:
        raise UncertaintyFileError(problems)
    return UncertaintySpace(tuple(found), file)


def _spec_of(spec: Any) -> dict[str, Any] | None:
    """An entry's value: nothing (the default range), [low, high], or a mapping."""
    if spec is None:
        return None
    if isinstance(spec, list):
        if len(spec) != 2:
            raise UncertaintyError(f"a range is [low, high], got {len(spec)} values")
        return {"low": spec[0], "high": spec[1]}
    if isinstance(spec, dict):
        return dict(spec)
    raise UncertaintyError(f"expected nothing (the documented range), [low, high] or a mapping "
                           f"of {', '.join(SPEC_KEYS)}; got {spec!r}")


def choose_space(scenario: Scenario, params: Sequence[str] | str | None = None,
                 everything: bool = False, vary: str | Path | None = None) -> UncertaintySpace:
    """What to vary, from exactly one of: parameter names, ``--all``, an uncertainty file."""
    given = [params is not None, everything, vary is not None]
    if sum(given) != 1:
        raise UncertaintyError("say what to vary with exactly one of --params, --all, --vary")
    if vary is not None:
        return load_uncertainties(vary, scenario)
    if everything:
        return all_space(scenario)
    names = params.split(",") if isinstance(params, str) else list(params or [])
    return named_space(names, scenario)


def template(scenario: Scenario, space: UncertaintySpace) -> str:
    """An uncertainty file for ``space``, every input at its default range, commented with its
    meaning and the scenario's value: a starting point to edit."""
    lines = [f"# Uncertainties for {scenario.id}: what an experiment varies, and over which",
             "# range. Each entry: nothing (the default range), [low, high], or",
             "# {distribution: uniform|loguniform|triangular|truncnormal, low, high, peak,",
             "#  mean, sd}.",
             f"scenario: {scenario.id}", "uncertainties:"]
    for u in space:
        f = factor(u.name, scenario)
        value = "" if f.value is None else f"; scenario value {f.value:g}"
        lines.append(f"  # {f.meaning}{value}")
        lines.append(f"  {u.name}: [{u.low:g}, {u.high:g}]")
    return "\n".join(lines) + "\n"
