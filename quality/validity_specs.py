"""Validity expectation specs per raw table, derived from the contract plus validity.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from core.contract.model import ColumnSpec, load_contract
from core.contract.raw_schema import raw_columns
from core.reference import codes_of
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
    # The column as the clerk sees it (tanggal_lahir for its umur_akhir_periode stand-in).
    cell_column: str = ""

    @property
    def check(self) -> str:
        """Our expectation kind (not_null, in_set, ...)."""
        return self.expectation.kind


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
    source: ColumnSpec | None = None,
) -> ValiditySpec:
    template = _document()["messages"][check]
    severity = IMPORTANCE_TO_SEVERITY[importance or template["importance"]]
    rid = rule_id or f"VAL_{sheet}_{column}_{check}".upper()
    if kind != "monthly":
        rid = f"VAL_{kind}_{sheet}_{column}_{check}".upper()
    # Messages name the column the clerk typed into, not a warehouse stand-in.
    label = source.name if source is not None else column
    values = {"sheet": sheet, "column": label, "allowed": allowed}
    hint_id, hint_en = fill(template["hint_id"], values), fill(template["hint_en"], values)
    if check == "not_null" and source is not None:
        accepted_id, accepted_en = accepted_values(source)
        hint_id = f"{hint_id.rstrip('.')}: {accepted_id}."
        hint_en = f"{hint_en.rstrip('.')}: {accepted_en}."
    meta = RuleMeta(
        rule_id=rid,
        family="validity",
        severity=severity,
        definition=fill(template["definition"], values),
        message_id=fill(template["message_id"], values),
        message_en=fill(template["message_en"], values),
        hint_id=hint_id,
        hint_en=hint_en,
    )
    spec = ExpectationSpec(rid, column, gx_kind, severity, tuple(sorted(kwargs.items())))
    return ValiditySpec(kind, sheet, column, spec, meta, cell_column=label)


def _range_text(col: ColumnSpec) -> tuple[str, str]:
    low, high = col.min, col.max
    if low is not None and high is not None:
        return f" {low:g} sampai {high:g}", f" from {low:g} to {high:g}"
    if low is not None:
        return f" minimal {low:g}", f" of at least {low:g}"
    if high is not None:
        return f" maksimal {high:g}", f" of at most {high:g}"
    return "", ""


def accepted_values(col: ColumnSpec) -> tuple[str, str]:
    """(Bahasa, English) noun phrase of what the column accepts, for a clerk's fix hint.

    Says what to type ("Y atau N", "tanggal dd/mm/yyyy") instead of the parser's type name.
    """
    rng_id, rng_en = _range_text(col)
    codes = ", ".join(codes_of(col.code_list)) if col.code_list else ""
    phrases: dict[str, tuple[str, str]] = {
        "yn": ("Y atau N", "Y or N"),
        "integer": (f"bilangan bulat{rng_id}, mis. 4", f"a whole number{rng_en}, e.g. 4"),
        "decimal": (f"angka{rng_id}, mis. 2,5", f"a number{rng_en}, e.g. 2.5"),
        "rupiah": (
            "jumlah Rupiah (angka saja), mis. 1500000 atau Rp 1.500.000",
            "an amount in Rupiah (digits only), e.g. 1500000 or Rp 1.500.000",
        ),
        "date": ("tanggal dd/mm/yyyy, mis. 05/03/2025", "a date as dd/mm/yyyy, e.g. 05/03/2025"),
        "period": (
            "bulan laporan YYYY-MM, mis. 2025-03",
            "the reporting month YYYY-MM, e.g. 2025-03",
        ),
        "year": ("tahun empat angka, mis. 2025", "a four-digit year, e.g. 2025"),
        "nik": (
            "NIK 16 digit, disimpan sebagai teks agar angka 0 di depan tidak hilang",
            "a 16-digit NIK, stored as text so leading zeros survive",
        ),
        "code": (f"salah satu kode {codes}", f"one of the codes {codes}"),
        "codes": (
            f"kode dari {codes}, dipisah titik koma (;)",
            f"codes from {codes}, separated by ';'",
        ),
    }
    return phrases.get(col.type, ("teks", "text"))


def _column_specs(kind: str, sheet: str, col: ColumnSpec) -> list[ValiditySpec]:
    out: list[ValiditySpec] = []
    if col.pii == "drop":
        return out
    name = GENERALISED_REQUIRED if col.pii == "generalise" else col.name
    if col.required and not col.nullable and col.pii != "pseudonymise":
        out.append(_make(kind, sheet, name, "not_null", "not_null", {}, source=col))
    if col.type == "code" and col.code_list:
        codes = codes_of(col.code_list)
        out.append(
            _make(
                kind, sheet, name, "in_set", "in_set", {"value_set": list(codes)}, ", ".join(codes),
                source=col,
            )
        )  # fmt: skip
    if col.type == "codes" and col.code_list:
        codes = codes_of(col.code_list)
        one = "(?:" + "|".join(re.escape(c) for c in codes) + ")"
        regex = f"^{one}(?:;{one})*$"
        out.append(
            _make(kind, sheet, name, "codes", "match_regex", {"regex": regex}, ", ".join(codes),
                  source=col)
        )  # fmt: skip
    if col.min is not None or col.max is not None:
        bounds = {"min_value": col.min, "max_value": col.max}
        low = "-∞" if col.min is None else f"{col.min:g}"
        high = "∞" if col.max is None else f"{col.max:g}"
        allowed = f"{low}..{high}"
        out.append(_make(kind, sheet, name, "between", "between", bounds, allowed, source=col))
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
        source = _source_column(kind, sheet, column)
        out.append(
            _make(kind, sheet, column, check, gx_kind, kwargs, allowed, importance, rule_id, source)
        )
    return out


def _source_column(kind: str, sheet: str, column: str) -> ColumnSpec | None:
    """The contract column a raw column comes from (nik for nik_status)."""
    contract = load_contract()
    sheet_spec = contract.kind(kind).sheet(sheet)
    for raw in raw_columns(sheet_spec):
        if raw.name == column:
            return raw.source
    return None


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
