"""Raw integrity gate: what blocks dbt, and what must not (regression: hashes with digit runs).

Incident 2026-11 (issue #11): a NIK pasted into no_register, or an 18-digit NIP in a file name,
was stored in raw; the blocking gate then failed every night for every Bapas, and a corrected
resubmission did not clear it. Now ingestion masks such numbers, and the gate isolates any
that got in earlier: masked in place, audited, reported for that Bapas-period, night goes on.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core.contract.model import load_contract
from core.contract.raw_schema import raw_tables
from core.settings import Settings
from ingestion.ledger import ensure_ledger_tables, ensure_raw_tables
from ingestion.load import parquet_path
from quality.raw_integrity import check_raw_integrity, run_raw_integrity_gate
from quality.runner import run_checks
from tests.fixtures.ingestion.builders import NIKS, monthly_report, set_mtime, write_xlsx
from tests.ingestion.ingest_helpers import query, run_ingest

# A sha256 in hex can hold 16 digits in a row; a national year produced thousands of these.
HASH_WITH_DIGIT_RUN = "ab" + "1234567890123456" + "c" * 46
NIP = "198501012010011001"  # an officer's 18-digit NIP, as clerks put it in file names
LONG_RUN = re.compile(r"\d{12,}")
HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
T0 = dt.datetime(2025, 4, 2, 3, 0)


def _insert_identitas(con: duckdb.DuckDBPyConnection, kode: str, row: int) -> None:
    con.execute(
        "insert into raw.monthly_identitas (kode_bapas, periode, submission_id, _source_sha256,"
        " _source_file, _row_number) values (?, '2025-01', 's1', ?, 'laporan.xlsx', ?)",
        [kode, HASH_WITH_DIGIT_RUN, row],
    )


def warehouse_strings(path: Path) -> list[tuple[str, str]]:
    """Every VARCHAR value in the warehouse, hex digests removed (they are not personal data)."""
    out: list[tuple[str, str]] = []
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
            " where data_type = 'VARCHAR'"
        ).fetchall()
        for schema, table, column in columns:
            sql = f'select distinct cast("{column}" as varchar) from "{schema}"."{table}"'
            out += [(f"{schema}.{table}.{column}", str(v)) for (v,) in con.execute(sql).fetchall()]
    return [(where, HEX_DIGEST.sub("<sha>", v)) for where, v in out]


def parquet_strings(root: Path) -> list[tuple[str, str]]:
    """Every string value in the raw Parquet files."""
    out: list[tuple[str, str]] = []
    for path in root.rglob("*.parquet"):
        table = pq.read_table(path)
        for name in table.column_names:
            if pa.types.is_string(table.schema.field(name).type):
                out += [(f"{path.name}:{name}", HEX_DIGEST.sub("<sha>", str(v)))
                        for v in table[name].to_pylist() if v]  # fmt: skip
    return out


def long_runs(settings: Settings) -> list[tuple[str, str]]:
    """(where, value) of every stored value with a 12+ digit run: must stay empty."""
    found = warehouse_strings(settings.warehouse_path) + parquet_strings(settings.raw_dir)
    return [(where, value) for where, value in found if LONG_RUN.search(value)]


def _report_with_nik_in_register(versi: int = 1) -> object:
    report = monthly_report()
    report.sheets["IDENTITAS"][0]["versi"] = versi
    report.sheets["KLIEN"][0]["no_register"] = NIKS[0]
    report.sheets["PESERTA"][0]["no_register"] = NIKS[0]  # the same slip in both sheets
    report.sheets["KLIEN"][2]["no_register"] = int(NIKS[2])  # typed into a number cell
    report.sheets["KLIEN"][3]["no_register"] = " ".join(NIKS[3][i : i + 4] for i in (0, 4, 8, 12))
    return report


def test_generated_hashes_do_not_block(lipas_home: Settings) -> None:
    con = duckdb.connect(str(lipas_home.warehouse_path))
    ensure_ledger_tables(con)
    ensure_raw_tables(con)
    _insert_identitas(con, "BP3501", 2)
    con.close()
    assert check_raw_integrity(lipas_home) == []
    assert run_raw_integrity_gate(lipas_home).passed


def test_double_loads_and_two_current_versions_still_block(lipas_home: Settings) -> None:
    # What masking cannot isolate: it is not one submission's bad value but a broken load.
    con = duckdb.connect(str(lipas_home.warehouse_path))
    ensure_ledger_tables(con)
    ensure_raw_tables(con)
    _insert_identitas(con, "BP3501", 2)
    _insert_identitas(con, "BP3501", 2)
    for sid in ("a", "b"):
        con.execute(
            "insert into ledger.submissions (submission_id, report_kind, kode_bapas, periode,"
            " status, is_current) values (?, 'monthly', 'BP3501', '2025-01', 'accepted', true)",
            [sid],
        )
    con.close()
    result = run_raw_integrity_gate(lipas_home)
    assert not result.passed
    assert any("loaded more than once" in p for p in result.problems)
    assert any("2 current versions" in p for p in result.problems)
    assert "monthly_identitas" in raw_tables(load_contract())


def test_ingestion_masks_nik_in_register_and_nip_in_file_name(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")
    write_xlsx(_report_with_nik_in_register(), lipas_home.landing_dir / f"laporan_{NIP}.xlsx")
    summary = run_ingest(lipas_home)
    assert summary.accepted == 1, summary
    assert long_runs(lipas_home) == []
    assert check_raw_integrity(lipas_home) == []
    # The file name stays readable, its digits masked, in the ledger, lineage and archive.
    name = query(lipas_home, "select original_name, archived_path from ledger.submissions")[0]
    assert name[0] == "laporan_[18 digit].xlsx"
    assert str(name[1]).endswith("laporan_[18 digit].xlsx") and Path(str(name[1])).exists()
    assert query(lipas_home, "select distinct _source_file from raw.monthly_klien") == [
        ("laporan_[18 digit].xlsx",)
    ]
    # One stand-in per number: KLIEN and PESERTA still join on the masked register.
    klien = query(lipas_home, "select no_register from raw.monthly_klien where _row_number = 2")
    peserta = query(lipas_home, "select no_register from raw.monthly_peserta order by 1")
    assert str(klien[0][0]).startswith("[16 digit ") and klien[0] in peserta
    issues = query(
        lipas_home,
        "select sheet, row_number, column_name, issue_code, message_id from ledger.row_issues"
        " order by issue_code, sheet",
    )
    codes = {(s, c, code) for s, _r, c, code, _m in issues}
    assert codes == {
        ("IDENTITAS", "nama_berkas", "file_name_long_number"),
        ("KLIEN", "no_register", "long_number_masked"),
        ("PESERTA", "no_register", "long_number_masked"),
    }
    klien_rows = sorted(r for s, r, _c, _code, _m in issues if s == "KLIEN")
    assert klien_rows == [2, 4, 5]  # text, number cell, NIK typed with spaces
    klien_msg = next(m for s, _r, c, _code, m in issues if s == "KLIEN")
    assert "Kolom no_register berisi angka 16 digit yang tampak seperti NIK" in klien_msg
    assert "isi dengan nomor register klien" in klien_msg


def _plant_legacy_nik(settings: Settings) -> str:
    """What a night before the fix left behind: a NIK in raw, its Parquet and a NIP file name."""
    con = duckdb.connect(str(settings.warehouse_path))
    sid = str(con.execute("select submission_id from ledger.submissions").fetchone()[0])  # type: ignore[index]
    con.execute("update raw.monthly_klien set no_register = ? where _row_number = 2", [NIKS[1]])
    con.execute("update raw.monthly_klien set _source_file = ?", [f"laporan_{NIP}.xlsx"])
    con.execute("update ledger.submissions set original_name = ?", [f"laporan_{NIP}.xlsx"])
    con.close()
    path = parquet_path(settings.raw_dir, "monthly_klien", sid)
    table = pq.read_table(path)
    registers = table["no_register"].to_pylist()
    registers[0] = NIKS[1]
    table = table.set_column(
        table.column_names.index("no_register"), "no_register", pa.array(registers, pa.string())
    )
    pq.write_table(table, path)
    assert long_runs(settings)  # the scan can fail
    return sid


def _ingest_clean(settings: Settings, versi: int, when: dt.datetime) -> None:
    report = monthly_report()
    report.sheets["IDENTITAS"][0]["versi"] = versi
    path = write_xlsx(report, settings.landing_dir / f"BP3201_2025-03_v{versi}.xlsx")
    set_mtime(path, when)
    assert run_ingest(settings).accepted == 1


def test_gate_isolates_a_stored_nik_and_lets_the_night_go_on(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")
    _ingest_clean(lipas_home, 1, T0)
    sid = _plant_legacy_nik(lipas_home)
    # Before issue #11 this check failed every night; the read-only check still sees it.
    assert check_raw_integrity(lipas_home)

    result = run_raw_integrity_gate(lipas_home, now=T0)
    assert result.passed, result.problems
    assert [i.submission_id for i in result.isolated] == [sid]
    assert result.isolated[0].kode_bapas == "BP3201" and result.isolated[0].period == "2025-03"
    assert long_runs(lipas_home) == []
    audit = query(
        lipas_home,
        "select submission_id, table_name, column_name, rows_affected, actor from ledger.redactions"
        " order by table_name, column_name",
    )
    assert (sid, "raw.monthly_klien", "no_register", 1, "raw_integrity_gate") in audit
    assert (sid, "ledger.submissions", "original_name", 1, "raw_integrity_gate") in audit
    findings = query(
        lipas_home,
        "select rule_id, kode_bapas, periode, status, affected_rows, hint_id from quality.findings",
    )
    rules = {f[0]: f for f in findings}
    assert set(rules) == {"VAL_LONG_NUMBER", "VAL_FILE_NAME_NUMBER"}
    assert rules["VAL_LONG_NUMBER"][1:5] == ("BP3201", "2025-03", "open", 1)
    assert "tampak seperti NIK" in str(rules["VAL_LONG_NUMBER"][5])
    # Idempotent: the next night finds nothing left to mask.
    again = run_raw_integrity_gate(lipas_home, now=T0)
    assert again.passed and again.isolated == () and again.findings == 0


def test_corrected_resubmission_resolves_the_gate_finding(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")
    _ingest_clean(lipas_home, 1, T0)
    _plant_legacy_nik(lipas_home)
    assert run_raw_integrity_gate(lipas_home, now=T0).findings == 2

    def open_rules() -> set[str]:
        rows = query(lipas_home, "select rule_id from quality.findings where status = 'open'")
        return {str(r[0]) for r in rows}

    as_of = dt.date(2025, 4, 20)
    run_checks(lipas_home, as_of=as_of, periods=["2025-03"], with_gx=False, data_docs=False)
    # The check run takes the gate's findings over (same ids), it does not add new ones.
    assert {"VAL_LONG_NUMBER", "VAL_FILE_NAME_NUMBER"} <= open_rules()
    assert query(
        lipas_home, "select count(*) from quality.findings where rule_id like 'VAL_%N%UMBER'"
    ) == [(2,)]

    _ingest_clean(lipas_home, 2, T0 + dt.timedelta(days=1))
    assert run_raw_integrity_gate(lipas_home).passed
    run_checks(lipas_home, as_of=as_of, periods=["2025-03"], with_gx=False, data_docs=False)
    assert not {"VAL_LONG_NUMBER", "VAL_FILE_NAME_NUMBER"} & open_rules()


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        pytest.param(NIKS[0], "[16 digit]", id="NIK"),
        pytest.param(f"laporan NIP {NIP}.xlsx", "laporan NIP [18 digit].xlsx", id="NIP in name"),
        pytest.param("3201 0112 0385 0001", "[16 digit]", id="NIK typed with spaces"),
        pytest.param("W13.PK.01.2024.001234", "W13.PK.01.2024.001234", id="dotted register"),
        pytest.param("BP3201/2025/00001", "BP3201/2025/00001", id="generator register"),
        pytest.param("[16 digit]", "[16 digit]", id="already masked"),
    ],
)
def test_masking_rule(text: str, masked: str) -> None:
    from core.redact import mask_long_runs

    assert mask_long_runs(text) == masked
    keyed = mask_long_runs(text, b"k" * 32)
    # Keyed: stable per number (joins still pair), different numbers stay different.
    assert keyed == mask_long_runs(text, b"k" * 32) and not LONG_RUN.search(keyed)
    assert mask_long_runs(NIKS[0], b"k" * 32) != mask_long_runs(NIKS[1], b"k" * 32)
