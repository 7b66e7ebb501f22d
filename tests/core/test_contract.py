"""contract.yaml sanity, its typed model, raw layouts, and docs/contract.md staying generated."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import get_args

import pytest
from pydantic import ValidationError

from core.contract.doc_text import (
    PII_TEXT,
    REFUSALS,
    VALUE_FORMATS,
    deadline_rule,
    format_date_id,
)
from core.contract.docs_render import CONTRACT_DOC_PATH, render_contract_markdown
from core.contract.model import (
    ColumnSpec,
    ColumnType,
    PiiHandling,
    ReportKindSpec,
    SheetSpec,
    load_contract,
    normalise_name,
)
from core.contract.raw_schema import (
    LINEAGE_COLUMNS,
    SQL_TYPES,
    create_table_sql,
    raw_columns,
    raw_tables,
)
from core.errors import ERROR_CODES
from core.reference import ReportCalendar, load_calendar, load_code_lists

CONTRACT = load_contract()
KINDS = list(CONTRACT.report_kinds.values())
SHEETS = [pytest.param(k, s, id=f"{k.kind}.{s.name}") for k in KINDS for s in k.sheets]


def test_contract_doc_is_regenerated() -> None:
    # If this fails, run `lipas contract-docs` and commit docs/contract.md.
    assert CONTRACT_DOC_PATH.read_text(encoding="utf-8") == render_contract_markdown()


def test_contract_doc_is_deterministic() -> None:
    assert render_contract_markdown() == render_contract_markdown()


@pytest.mark.parametrize(("kind", "sheet"), SHEETS)
def test_doc_lists_every_sheet_and_column(kind: ReportKindSpec, sheet: SheetSpec) -> None:
    text = render_contract_markdown()
    assert f"#### {sheet.name}" in text
    for column in sheet.columns:
        assert f"| `{column.name}` |" in text
        assert column.description_en in text


def test_doc_lists_code_lists_and_refusals() -> None:
    text = render_contract_markdown()
    for name, codes in load_code_lists().items():
        assert f"### `{name}`" in text
        assert all(f"| `{c.code}` | {c.label_id} |" in text for c in codes)
    assert all(f"| `{code}` |" in text for code in ERROR_CODES)
    assert "hash" in text and "UU 27/2022" in text


@pytest.mark.parametrize(
    ("table", "keys"),
    [
        pytest.param(VALUE_FORMATS, get_args(ColumnType), id="value formats"),
        pytest.param(PII_TEXT, get_args(PiiHandling), id="pii handling"),
        pytest.param(REFUSALS, ERROR_CODES, id="error codes"),
    ],
)
def test_doc_text_covers_every_key(table: dict[str, object], keys: tuple[str, ...]) -> None:
    assert set(table) == set(keys)


@pytest.mark.parametrize(("kind", "sheet"), SHEETS)
def test_sheet_is_consistent(kind: ReportKindSpec, sheet: SheetSpec) -> None:
    names = [c.name for c in sheet.columns]
    assert len(names) == len(set(names)), "duplicate column names"
    assert all(name == normalise_name(name) for name in names), "column names must be canonical"
    assert set(sheet.key) <= set(names), "key column not in the sheet"
    assert sheet.description_id.strip() and sheet.description_en.strip()
    if sheet.single_row:
        assert not sheet.key


@pytest.mark.parametrize(("kind", "sheet"), SHEETS)
def test_column_aliases_do_not_collide(kind: ReportKindSpec, sheet: SheetSpec) -> None:
    owner: dict[str, str] = {}
    for column in sheet.columns:
        for accepted in column.accepted_names():
            assert owner.setdefault(accepted, column.name) == column.name, (
                f"{sheet.name}: header {accepted!r} maps to {owner[accepted]} and {column.name}"
            )


@pytest.mark.parametrize("kind", [pytest.param(k, id=k.kind) for k in KINDS])
def test_sheet_aliases_do_not_collide(kind: ReportKindSpec) -> None:
    owner: dict[str, str] = {}
    for sheet in kind.sheets:
        for accepted in sheet.accepted_names():
            assert owner.setdefault(accepted, sheet.name) == sheet.name, accepted


@pytest.mark.parametrize(
    ("kind", "column"),
    [
        pytest.param(k, c, id=f"{k.kind}.{s.name}.{c.name}")
        for k in KINDS
        for s in k.sheets
        for c in s.columns
    ],
)
def test_column_is_consistent(kind: ReportKindSpec, column: ColumnSpec) -> None:
    lists = load_code_lists()
    if column.type in ("code", "codes"):
        assert column.code_list in lists, f"code list {column.code_list!r} not in ref_codes.csv"
    else:
        assert column.code_list is None, "only code columns name a code list"
    if column.min is not None and column.max is not None:
        assert column.min <= column.max
    if column.type == "nik":
        # raw_schema has no SQL type for nik: it must never reach the warehouse as sent.
        assert column.pii == "pseudonymise"
    assert column.description_id.strip() and column.description_en.strip()


@pytest.mark.parametrize("kind", [pytest.param(k, id=k.kind) for k in KINDS])
def test_report_kind_period_and_calendar(kind: ReportKindSpec) -> None:
    identity = kind.sheet("IDENTITAS")
    assert identity.single_row and identity.required
    assert identity.column(kind.period_column).type == kind.period_type
    assert identity.column("kode_bapas").required
    assert kind.calendar_report_type in load_calendar()


def test_period_columns_tell_kinds_apart() -> None:
    # The kind is recognised from IDENTITAS: no kind may accept another kind's period column.
    for kind in KINDS:
        accepted = {n for c in kind.sheet("IDENTITAS").columns for n in c.accepted_names()}
        others = {normalise_name(k.period_column) for k in KINDS if k is not kind}
        assert not accepted & others, kind.kind


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("No. Register ", "no_register", id="dot and trailing space"),
        pytest.param("  KLIEN ", "klien", id="sheet name case"),
        pytest.param("Biaya (Rp)", "biaya_rp", id="parentheses"),
        pytest.param("L/P", "l_p", id="slash"),
        pytest.param("tanggal__lahir", "tanggal_lahir", id="double underscore"),
        pytest.param(2025, "2025", id="non-string header"),
        pytest.param("\ufeffKode Bapas", "kode_bapas", id="csv byte-order mark"),
        pytest.param("no\xa0register", "no_register", id="non-breaking space"),
    ],
)
def test_normalise_name(raw: object, expected: str) -> None:
    assert normalise_name(raw) == expected


def test_unknown_field_in_contract_is_refused() -> None:
    with pytest.raises(ValidationError):
        ColumnSpec(name="x", type="text", description_id="a", description_en="b", colour="red")


@pytest.mark.parametrize(("kind", "sheet"), SHEETS)
def test_raw_layout_has_no_pii(kind: ReportKindSpec, sheet: SheetSpec) -> None:
    cols = raw_columns(sheet)
    names = [c.name for c in cols]
    assert len(names) == len(set(names))
    for spec in sheet.columns:
        if spec.pii != "none":
            assert spec.name not in names, f"PII column {spec.name} reached the raw layout"
    assert {n for n, _, _ in LINEAGE_COLUMNS} <= set(names)
    assert all(c.sql_type in SQL_TYPES.values() or c.sql_type in {"TIMESTAMP"} for c in cols)


def test_raw_tables_named_kind_sheet() -> None:
    tables = raw_tables(CONTRACT)
    assert "monthly_klien" in tables and "annual_plan_sasaran" in tables
    assert len(tables) == sum(len(k.sheets) for k in KINDS)
    ddl = create_table_sql("monthly_klien", raw_columns(CONTRACT.kind("monthly").sheet("KLIEN")))
    assert ddl.startswith("CREATE TABLE IF NOT EXISTS raw.monthly_klien")
    assert " nik " not in ddl and "client_key VARCHAR" in ddl


def test_load_contract_reads_a_given_file(tmp_path: Path) -> None:
    path = tmp_path / "contract.yaml"
    path.write_text(
        "version: t\nreport_kinds:\n  k:\n    title_id: a\n    title_en: b\n"
        "    period_column: tahun\n    period_type: year\n    calendar_report_type: annual_plan\n"
        "    sheets:\n      - {name: S, description_id: x, description_en: y, columns: "
        "[{name: tahun, type: year, label_id: Tahun, description_id: t, description_en: y}]}\n",
        encoding="utf-8",
    )
    contract = load_contract(path)
    assert contract.kind("k").kind == "k"
    assert contract.kind("k").raw_table(contract.kind("k").sheet("S")) == "k_s"


@pytest.mark.parametrize(
    ("calendar", "expected_id", "expected_en"),
    [
        pytest.param(
            ReportCalendar("m", "M", "month", 1, 10),
            "tanggal 10 bulan berikutnya",
            "day 10 of the following month",
            id="monthly default",
        ),
        pytest.param(
            ReportCalendar("a", "A", "year", 0, 31),
            "tanggal 31 Januari tahun rencana",
            "January 31 of the plan year",
            id="annual default",
        ),
        pytest.param(
            ReportCalendar("w", "W", "month", 0, 5),
            "tanggal 5 bulan yang sama",
            "day 5 of the same month",
            id="same month",
        ),
    ],
)
def test_deadline_rule_text(calendar: ReportCalendar, expected_id: str, expected_en: str) -> None:
    assert deadline_rule(calendar) == (expected_id, expected_en)


def test_format_date_id() -> None:
    assert format_date_id(dt.date(2026, 2, 28)) == "28 Februari 2026"


GLOSSARY = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"


@pytest.mark.parametrize(
    "term",
    [
        pytest.param(t, id=t)
        for t in (
            "Bapas",
            "Kanwil",
            "Pokmas Lipas",
            "Litmas",
            "PK",
            "wajib lapor",
            "PKS",
            "Griya Abhipraya",
            "klien",
            "satker",
            "DIPA",
            "Pos Bapas",
            "asimilasi",
            "diversi",
        )
    ],
)
def test_glossary_defines_term(term: str) -> None:
    lines = GLOSSARY.read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines if line.startswith("|")]
    assert any(re.match(rf"\| *{re.escape(term)}\b", row, re.IGNORECASE) for row in rows), term


def test_glossary_explains_programme_codes() -> None:
    text = GLOSSARY.read_text(encoding="utf-8")
    for code in ("PB", "CB", "CMB", "CMK"):
        assert f"| {code} |" in text
