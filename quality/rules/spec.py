"""Typed view of consistency.yaml: a declarative rule is data, validated against the contract."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

CONSISTENCY_PATH = Path(__file__).with_name("consistency.yaml")

Operator = Literal[
    "==",
    "!=",
    "<=",
    ">=",
    "<",
    ">",
    "not_null",
    "is_null",
    "matches",
    "not_matches",
    "compulsory_pair",
    "exclusive_pair",
    "exists_in",
    "not_exists_in",
]
MissingStrategy = Literal["skip_if_any_missing", "skip_if_all_missing", "never_skip"]
Importance = Literal["HIGH", "MEDIUM", "LOW"]


class CountSpec(BaseModel):
    """Rows of another sheet of the same submission matching `on` pairs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sheet: str
    keys: tuple[tuple[str, str], ...] = ()


class Operand(BaseModel):
    """Exactly one of the fields is set (checked by the evaluator when compiling)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    column: str | None = None
    lookup: str | None = None
    previous: str | None = None
    value: str | int | float | bool | None = None
    count: CountSpec | None = None
    sum: tuple[Operand, ...] | None = None
    minus: tuple[Operand, ...] = ()
    columns: tuple[str, ...] | None = None
    sheet: str | None = None
    where: tuple[Condition, ...] = ()


class Condition(BaseModel):
    """left operator right, used for `when` filters and `where` on exists_in targets."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    left: Operand
    operator: Operator
    right: Operand | None = None
    # What a `when` condition counts as when it cannot be decided (a NULL operand).
    if_missing: bool = False


class Lookup(BaseModel):
    """A one-row-per-key sheet joined to each checked row (same submission)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sheet: str
    keys: tuple[tuple[str, str], ...]


class ConsistencyRule(BaseModel):
    """One declarative rule (see the header of consistency.yaml)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[A-Z][A-Z0-9_]+$")
    family: str = "consistency"
    importance: Importance
    definition: str
    kind: str = "monthly"
    table: str
    lookup: Lookup | None = None
    when: tuple[Condition, ...] = ()
    left: Operand
    operator: Operator
    right: Operand | None = None
    missing: MissingStrategy = "skip_if_any_missing"
    # The sender's column the finding names when the checked column is derived at ingestion
    # (umur_akhir_periode comes from tanggal_lahir): a clerk cannot find a column they never had.
    report_column: str | None = None
    message_id: str
    message_en: str
    hint_id: str
    hint_en: str


Operand.model_rebuild()
Condition.model_rebuild()


def parse_rules(data: dict[str, Any]) -> tuple[ConsistencyRule, ...]:
    """Validate a loaded YAML document; ids must be unique."""
    rules = tuple(ConsistencyRule.model_validate(r) for r in data.get("rules", []))
    ids = [r.id for r in rules]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate consistency rule ids: {sorted(duplicates)}")
    return rules


@lru_cache(maxsize=2)
def load_consistency_rules(path: Path = CONSISTENCY_PATH) -> tuple[ConsistencyRule, ...]:
    """The rules of consistency.yaml (parsed once per process)."""
    return parse_rules(yaml.safe_load(path.read_text(encoding="utf-8")))


def _operands(op: Operand | None) -> list[Operand]:
    if op is None:
        return []
    return [op, *(o for child in (op.sum or ()) + op.minus for o in _operands(child))]


def uses_previous_period(rule: ConsistencyRule) -> bool:
    """True when the rule compares with last period's report (a carry-over rule)."""
    sides: list[tuple[Operand, Operand | None]] = [(c.left, c.right) for c in rule.when]
    sides.append((rule.left, rule.right))
    return any(
        o.previous is not None for left, right in sides for o in _operands(left) + _operands(right)
    )
