"""Outcomes of an experiment: expressions over the outcome table, and per-point summaries.

An outcome expression is read by a small grammar, never evaluated as Python:

    expression  := or ;   or := and ("or" and)* ;   and := not ("and" not)*
    not         := "not" not | comparison
    comparison  := sum [("==" | "!=" | "<" | "<=" | ">" | ">=") sum | "in" list]
    sum         := product (("+" | "-") product)* ;   product := unary (("*" | "/") unary)*
    unary       := "-" unary | NUMBER | 'STRING' | NAME | "(" or ")"
    list        := "[" literal ("," literal)* "]"

A NAME is a column of the outcome table (``militia_attacks_on_us``), or ``class`` for
``outcome_class``. Examples: ``class == 'escalation_spiral'``,
``class in ['escalation_spiral', 'regional_war']``,
``militia_attacks_on_us + militia_attacks_on_israel >= 3 and not killed == 0``.

A condition measured at a parameter point is the share of its replicates that meet it; a
number is its mean over the replicates that have one.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import UserError

OUTCOME_CLASS = "outcome_class"
ALIASES = {"class": OUTCOME_CLASS}
NOT_OUTCOMES = ("point", "replicate", "group")  # bookkeeping columns of the tables here
GROUP, ALL = "group", -1
NOISE_GROUPS = 10  # at most this many replicate groups for the jackknife of Monte Carlo noise
COUNT = "n:"  # prefix of the columns counting the replicates behind each mean

_TOKEN = re.compile(r"""\s*(?:
    (?P<number>\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:@\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2})?)
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|\[|\]|,)
)""", re.X)
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge}
_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
_KEYWORDS = ("and", "or", "not", "in")


class ExpressionError(UserError):
    """An outcome expression that cannot be read or names no column."""


# --- the grammar ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Node:
    """A parsed expression: ``op`` with its operands (a literal or a column name at a leaf)."""

    op: str  # "literal", "column", "list", a comparison, arithmetic or boolean operator
    args: tuple[Any, ...]


def _tokens(text: str) -> list[tuple[str, str, int]]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ExpressionError(f"cannot read {text!r} at character {position + 1}: "
                                  f"'{text[position:].strip()[:10]}'")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind), match.start(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text, self.tokens, self.i = text, _tokens(text), 0

    def peek(self) -> str | None:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str, int]:
        if self.i >= len(self.tokens):
            raise ExpressionError(f"{self.text!r} ends too soon"
                                  + (f": expected '{expected}'" if expected else ""))
        token = self.tokens[self.i]
        if expected is not None and token[1] != expected:
            raise ExpressionError(f"in {self.text!r} at character {token[2] + 1}: expected "
                                  f"'{expected}', found '{token[1]}'")
        self.i += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError("the outcome expression is empty")
        node = self.disjunction()
        if self.i < len(self.tokens):
            kind, value, at = self.tokens[self.i]
            raise ExpressionError(f"in {self.text!r} at character {at + 1}: unexpected '{value}'")
        return node

    def chain(self, operators: tuple[str, ...], operand: Callable[[], Node]) -> Node:
        """Operands joined by left-associative operators: a op b op c = (a op b) op c."""
        node = operand()
        while self.peek() in operators:
            op = self.take()[1]
            node = Node(op, (node, operand()))
        return node

    def disjunction(self) -> Node:
        return self.chain(("or",), self.conjunction)

    def conjunction(self) -> Node:
        return self.chain(("and",), self.negation)

    def negation(self) -> Node:
        if self.peek() == "not":
            self.take()
            return Node("not", (self.negation(),))
        return self.comparison()

    def comparison(self) -> Node:
        left = self.sum()
        if self.peek() in _COMPARE:
            op = self.take()[1]
            return Node(op, (left, self.sum()))
        if self.peek() == "in":
            self.take()
            return Node("in", (left, self.literal_list()))
        return left

    def sum(self) -> Node:
        return self.chain(("+", "-"), self.product)

    def product(self) -> Node:
        return self.chain(("*", "/"), self.unary)

    def unary(self) -> Node:
        kind, value, at = self.take()
        if value == "-":
            return Node("neg", (self.unary(),))
        if value == "(":
            node = self.disjunction()
            self.take(")")
            return node
        if kind == "number":
            return Node("literal", (float(value),))
        if kind == "string":
            return Node("literal", (value[1:-1],))
        if kind == "name" and value not in _KEYWORDS:
            return Node("column", (value,))
        raise ExpressionError(f"in {self.text!r} at character {at + 1}: unexpected '{value}'")

    def literal_list(self) -> Node:
        self.take("[")
        items = [self.unary()]
        while self.peek() == ",":
            self.take()
            items.append(self.unary())
        self.take("]")
        if any(item.op != "literal" for item in items):
            raise ExpressionError(f"in {self.text!r}: a list after 'in' holds numbers or "
                                  "'strings' only")
        return Node("list", tuple(item.args[0] for item in items))


def parse(text: str) -> Node:
    """Parse an outcome expression (ExpressionError if it is not one)."""
    return _Parser(text).parse()


def columns_of(node: Node) -> set[str]:
    """The column names an expression uses (aliases resolved)."""
    if node.op == "column":
        return {ALIASES.get(node.args[0], node.args[0])}
    return set().union(*(columns_of(a) for a in node.args if isinstance(a, Node)))


# --- evaluating it ----------------------------------------------------------------------------

def _is_text(values: Any) -> bool:
    return isinstance(values, pd.Series) and not pd.api.types.is_numeric_dtype(values) \
        and not pd.api.types.is_bool_dtype(values)


def _check_labels(column: pd.Series, labels: Sequence[Any], text: str) -> None:
    """A text column compared with a word it never holds is a typo, not a condition."""
    known = list(column.cat.categories) if isinstance(column.dtype, pd.CategoricalDtype) \
        else list(pd.unique(column))
    for label in labels:
        if not isinstance(label, str):
            raise ExpressionError(f"in {text!r}: '{column.name}' holds words; compare it with "
                                  "a 'quoted' word")
        if isinstance(column.dtype, pd.CategoricalDtype) and label not in known:
            raise ExpressionError(f"in {text!r}: '{label}' is not a value of '{column.name}' "
                                  f"({', '.join(map(str, known))})")


def _evaluate(node: Node, table: pd.DataFrame, text: str) -> Any:
    op, args = node.op, node.args
    if op == "literal":
        return args[0]
    if op == "column":
        name = ALIASES.get(args[0], args[0])
        if name not in table.columns or name in NOT_OUTCOMES:
            known = ", ".join(c for c in table.columns if c not in (*NOT_OUTCOMES, OUTCOME_CLASS))
            raise ExpressionError(f"'{args[0]}' in {text!r} names no outcome column "
                                  f"(columns: class, {known})")
        return table[name]
    if op in ("and", "or"):
        left, right = (_condition(_evaluate(a, table, text), text) for a in args)
        return left & right if op == "and" else left | right
    if op == "not":
        return ~_condition(_evaluate(args[0], table, text), text)
    if op == "in":
        column = _evaluate(args[0], table, text)
        if _is_text(column):
            _check_labels(column, args[1].args, text)
        return pd.Series(np.isin(np.asarray(column, dtype=object), list(args[1].args)),
                         index=table.index)
    if op == "neg":
        return -_number(_evaluate(args[0], table, text), text)
    left, right = (_evaluate(a, table, text) for a in args)
    if op in _COMPARE:
        for side, other in ((left, right), (right, left)):
            if _is_text(side):
                if op not in ("==", "!="):
                    raise ExpressionError(f"in {text!r}: '{side.name}' holds words; compare it "
                                          "with == or !=")
                _check_labels(side, [other], text)
                return _COMPARE[op](side.astype(object), other)
        return _COMPARE[op](_number(left, text), _number(right, text))
    return _ARITHMETIC[op](_number(left, text), _number(right, text))


def _number(value: Any, text: str) -> Any:
    if isinstance(value, str) or _is_text(value):
        raise ExpressionError(f"in {text!r}: arithmetic and order need numbers, not words")
    if isinstance(value, pd.Series) and pd.api.types.is_bool_dtype(value):
        return value.astype(float)
    return value


def _condition(value: Any, text: str) -> pd.Series:
    if not (isinstance(value, pd.Series) and pd.api.types.is_bool_dtype(value)):
        raise ExpressionError(f"in {text!r}: 'and', 'or' and 'not' join conditions "
                              "(comparisons), not numbers")
    return value


@dataclass(frozen=True)
class Outcome:
    """What to measure per replicate: a condition (measured as a share) or a number (a mean).

    ``name`` labels it in tables: the class name for a class share, the column name for a
    metric, else the expression's own text.
    """

    name: str
    expression: str
    condition: bool | None = None  # known once measured on a table (check_outcomes)

    @property
    def kind(self) -> str:
        return "share of replicates" if self.condition else "mean over replicates"

    @property
    def tree(self) -> Node:
        return parse(self.expression)

    def values(self, table: pd.DataFrame) -> pd.Series:
        """One value per row of ``table``: 1.0/0.0 for a condition, the number otherwise."""
        value = _evaluate(self.tree, table, self.expression)
        if not isinstance(value, pd.Series):  # an expression with no column at all
            raise ExpressionError(f"{self.expression!r} names no outcome column")
        if _is_text(value):
            raise ExpressionError(f"{self.expression!r} is a word per replicate, not a number "
                                  "or a condition: compare it, e.g. class == 'restraint'")
        return value.astype(float)

    def holds(self, table: pd.DataFrame) -> np.ndarray:
        """Whether each row meets the outcome (ExpressionError if it is not a condition)."""
        value = _evaluate(self.tree, table, self.expression)
        if not (isinstance(value, pd.Series) and pd.api.types.is_bool_dtype(value)):
            raise ExpressionError(f"{self.expression!r} is not a condition; write a comparison, "
                                  "e.g. class == 'escalation_spiral' or militia_attacks_on_us > 0")
        return value.to_numpy(dtype=bool)


def outcome(text: str) -> Outcome:
    """An outcome from a user's expression, checked for syntax now (its columns are checked
    against the table it is measured on)."""
    parse(text)
    return Outcome(text.strip(), text.strip())


def default_outcomes(table: pd.DataFrame) -> list[Outcome]:
    """Every outcome class as a share, and every numeric metric as a mean."""
    found = []
    if OUTCOME_CLASS in table.columns:
        column = table[OUTCOME_CLASS]
        classes = list(column.cat.categories) if isinstance(column.dtype, pd.CategoricalDtype) \
            else sorted(pd.unique(column))
        found += [Outcome(str(c), f"class == '{c}'", True) for c in classes]
    found += [Outcome(name, name, False) for name in table.columns
              if name not in NOT_OUTCOMES and pd.api.types.is_numeric_dtype(table[name])]
    return found


# --- summaries per parameter point ------------------------------------------------------------

def noise_groups(runs: int) -> int:
    """How many groups the replicates of a point are cut into for the noise estimate."""
    return max(1, min(NOISE_GROUPS, runs))


@dataclass(frozen=True)
class PointSummary:
    """Reduces a block's outcome table (one row per replicate) to summaries per point: each
    outcome's mean over the point's replicates (``group`` -1) and over each of
    ``noise_groups(runs)`` consecutive groups of replicates (``group`` 0, 1, ...), with the
    number of replicates behind each mean (``n:<outcome>``: a metric may be missing in some).
    From the groups, the Monte Carlo noise of anything computed from the means can be
    estimated (a jackknife over groups).

    It runs where the block ran (a worker process, a cluster), so only summaries travel back.
    """

    outcomes: tuple[Outcome, ...]
    runs: int
    start: int = 0

    def __call__(self, table: pd.DataFrame) -> pd.DataFrame:
        values = pd.DataFrame({o.name: o.values(table).to_numpy() for o in self.outcomes})
        group = (table["replicate"].to_numpy() - self.start) * noise_groups(self.runs) \
            // self.runs
        keys = {"point": table["point"].to_numpy(), GROUP: group}
        parts = []
        for by in (["point"], ["point", GROUP]):
            grouped = values.groupby([keys[k] for k in by], sort=True)
            means, counts = grouped.mean(), grouped.count().add_prefix(COUNT)
            part = pd.concat([means, counts], axis=1)
            part.index.names = by
            part = part.reset_index()
            if GROUP not in part:
                part.insert(1, GROUP, ALL)
            parts.append(part)
        return pd.concat(parts, ignore_index=True)


def check_outcomes(outcomes: Sequence[Outcome], table: pd.DataFrame) -> tuple[Outcome, ...]:
    """Measure each outcome on a few rows of an outcome table, so that a bad column or type
    fails now (not on a worker); returns them with ``condition`` known."""
    checked = []
    for o in outcomes:
        o.values(table.head(2))
        value = _evaluate(o.tree, table.head(2), o.expression)
        checked.append(Outcome(o.name, o.expression, pd.api.types.is_bool_dtype(value)))
    return tuple(checked)
