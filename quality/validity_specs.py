"""Validity expectation specs per raw table, derived from the contract plus validity.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ingestion.contract.model import ColumnSpec, load_contract
from ingestion.reference import codes_of
from quality.gx_suites import ExpectationSpec
from quality.model import IMPORTANCE_TO_SEVERITY, RuleMeta, fill

VALIDITY_PATH = Path(__file__).parent / "rules" / "validity.yaml"
# The stand-in column that carries a generalised birth date's "required" promise.
GENERALISED_REQUIRED = "umur_akhir_periode"


@dataclass(frozen=True)
class ValiditySpec:
    """An expectation plus the catalogue entry its findings are rendered from."""

    kind: str
    sheet: str
    column: str
    expectation: ExpectationSpec
    meta: RuleMeta


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(VALIDITY_PATH.read_text(encoding="utf-8"))
    return data


def _make(
    kind: str,
    sheet: str,
    column: str,
    check: str,
    gx_kind: str,
    kwargs: dict[str, Any],
    allowed: str = "",
    importance: str | None = None,
    rule_id: str | None = None,
) -> ValiditySpec:
    template = _document()["messages"][check]
    severity = IMPORTANCE_TO_SEVERITY[importance or template["importance"]]
    rid = rule_id or f"VAL_{sheet}_{column}_{check}".upper()
    if kind != "monthly":
        rid = f"VAL_{kind}_{sheet}_{column}_{check}".upper()
    values = {"sheet": sheet, "column": column, "allowed": allowed}
    meta = RuleMeta(
        rule_id=rid,
        family="validity",
        severity=severity,
        definition=fill(template["definition"], values),
        message_id=fill(template["message_id"], values),
        message_en=fill(template["message_en"], values),
        hint_id=fill(template["hint_id"], values),
        hint_en=fill(template["hint_en"], values),
    )
    spec = ExpectationSpec(rid, column, gx_kind, severity, tuple(sorted(kwargs.items())))
    return ValiditySpec(kind, sheet, column, spec, meta)


def _column_specs(kind: str, sheet: str, col: ColumnSpec) -> list[ValiditySpec]:
    out: list[ValiditySpec] = []
    if col.pii == "drop":
        return out
    name = GENERALISED_REQUIRED if col.pii == "generalise" else col.name
    if col.required and not col.nullable and col.pii != "pseudonymise":
        out.append(_make(kind, sheet, name, "not_null", "not_null", {}))
    if col.type == "code" and col.code_list:
        codes = codes_of(col.code_list)
        out.append(
            _make(
                kind, sheet, name, "in_set", "in_set", {"value_set": list(codes)}, ", ".join(codes)
            )
        )
    if col.type == "codes" and col.code_list:
        codes = codes_of(col.code_list)
        one = "(?:" + "|".join(re.escape(c) for c in codes) + ")"
        regex = f"^{one}(?:;{one})*$"
        out.append(
            _make(kind, sheet, name, "codes", "match_regex", {"regex": regex}, ", ".join(codes))
        )
    if col.min is not None or col.max is not None:
        bounds = {"min_value": col.min, "max_value": col.max}
        low = "-∞" if col.min is None else f"{col.min:g}"
        high = "∞" if col.max is None else f"{col.max:g}"
        allowed = f"{low}..{high}"
        out.append(_make(kind, sheet, name, "between", "between", bounds, allowed))
    return out


def _extra_specs() -> list[ValiditySpec]:
    out = []
    for entry in _document().get("extra", []):
        kind, sheet, column, check = entry["kind"], entry["sheet"], entry["column"], entry["check"]
        importance, rule_id = entry.get("importance"), entry.get("id")
        if check in ("in_set", "nik_structure"):
            values = list(entry["values"])
            args: tuple[str, dict[str, Any], str] = (
                "in_set",
                {"value_set": values},
                ", ".join(values),
            )
        elif check == "period_start":
            args = ("a_ge_b", {"column_A": column, "column_B": "_period_start", "or_equal": True,
                               "ignore_row_if": "either_value_is_missing"}, "")  # fmt: skip
        elif check == "period_end":
            args = ("a_ge_b", {"column_A": "_period_end", "column_B": column, "or_equal": True,
                               "ignore_row_if": "either_value_is_missing"}, "")  # fmt: skip
        else:
            raise ValueError(f"validity.yaml: unknown check {check!r}")
        gx_kind, kwargs, allowed = args
        out.append(_make(kind, sheet, column, check, gx_kind, kwargs, allowed, importance, rule_id))
    return out


@lru_cache(maxsize=1)
def validity_specs() -> dict[str, tuple[ValiditySpec, ...]]:
    """Raw table name -> its validity specs (contract-derived first, then the extras)."""
    contract = load_contract()
    tables: dict[str, list[ValiditySpec]] = {}
    for kind in contract.report_kinds.values():
        for sheet in kind.sheets:
            specs = tables.setdefault(kind.raw_table(sheet), [])
            for col in sheet.columns:
                specs.extend(_column_specs(kind.kind, sheet.name, col))
    for spec in _extra_specs():
        sheet_spec = contract.kind(spec.kind).sheet(spec.sheet)
        tables[contract.kind(spec.kind).raw_table(sheet_spec)].append(spec)
    return {table: tuple(specs) for table, specs in tables.items()}


def validity_rules() -> list[RuleMeta]:
    """Catalogue entries of every validity expectation (one per rule id)."""
    seen: dict[str, RuleMeta] = {}
    for specs in validity_specs().values():
        for spec in specs:
            seen.setdefault(spec.meta.rule_id, spec.meta)
    return list(seen.values())
