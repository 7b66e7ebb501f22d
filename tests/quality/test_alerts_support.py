"""Tiny synthetic warehouse for the alert tests (imported by the test_alerts_* modules).

Tables are created here from the columns documented in docs/architecture.md, not from the
quality layer's code, so these tests pin the interface rather than an implementation.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb

AS_OF = dt.date(2025, 4, 12)
PERIOD = "2025-03"
MONTHS = (*(f"2024-{m:02d}" for m in range(4, 13)), "2025-01", "2025-02", "2025-03")
PLANTED_NIK = "3201234567890123"
PLANTED_NAME = "Siti Aminah"

# Bapas -> (Kanwil, {month: status}) ; unspecified months are on time.
PATTERN: dict[str, tuple[str, dict[str, str]]] = {
    "BP1101": ("KW11", {}),
    "BP1102": ("KW11", {"2025-02": "late", "2025-03": "missing"}),
    "BP1103": ("KW11", {"2024-12": "late"}),
    "BP1201": ("KW12", {"2025-03": "rejected"}),
    "BP1202": ("KW12", {}),
    "BP3101": ("KW31", {m: "missing" for m in MONTHS[6:]}),
    "BP3102": ("KW31", {"2025-01": "late"}),
    "BP3201": ("KW32", {}),
}

_DDL = {
    "ledger.submissions": """submission_id VARCHAR PRIMARY KEY, sha256 VARCHAR,
        original_path VARCHAR, original_name VARCHAR, archived_path VARCHAR, file_format VARCHAR,
        report_kind VARCHAR, kode_bapas VARCHAR, periode VARCHAR, received_at TIMESTAMP,
        ingested_at TIMESTAMP, version INTEGER, status VARCHAR, is_current BOOLEAN,
        error_code VARCHAR, error_summary VARCHAR, row_counts VARCHAR""",
    "quality.findings": """finding_id VARCHAR PRIMARY KEY, rule_id VARCHAR, rule_family VARCHAR,
        severity VARCHAR, report_kind VARCHAR, kode_bapas VARCHAR, kode_kanwil VARCHAR,
        periode VARCHAR, submission_id VARCHAR, affected_rows INTEGER, sample_rows VARCHAR,
        message_id VARCHAR, hint_id VARCHAR, message_en VARCHAR, hint_en VARCHAR,
        first_seen TIMESTAMP, last_seen TIMESTAMP, resolved_at TIMESTAMP, status VARCHAR,
        status_comment VARCHAR, follow_up BOOLEAN""",
    "quality.finding_events": """finding_id VARCHAR, event_at TIMESTAMP, event VARCHAR,
        status VARCHAR, comment VARCHAR, submission_id VARCHAR, affected_rows INTEGER""",
    "quality.submission_status": """kode_bapas VARCHAR, kode_kanwil VARCHAR,
        report_kind VARCHAR, periode VARCHAR, deadline DATE, received BOOLEAN,
        first_received_at TIMESTAMP, accepted BOOLEAN, on_time BOOLEAN, status VARCHAR,
        days_overdue INTEGER, possibly_inactive BOOLEAN, current_submission_id VARCHAR,
        as_of_date DATE, counts_as_expected BOOLEAN, counts_as_reported BOOLEAN,
        counts_as_on_time BOOLEAN""",
    "quality.submission_scores": """kode_bapas VARCHAR, report_kind VARCHAR, periode VARCHAR,
        completeness_score DOUBLE, timeliness_score DOUBLE, findings_score DOUBLE,
        quality_score DOUBLE, open_errors INTEGER, open_warnings INTEGER, computed_at TIMESTAMP""",
}


def deadline_of(month: str) -> dt.date:
    year, mon = int(month[:4]), int(month[5:])
    return dt.date(year + mon // 12, mon % 12 + 1, 10)


def status_rows(as_of: dt.date) -> list[list[object]]:
    rows: list[list[object]] = []
    for kode, (kanwil, overrides) in PATTERN.items():
        for month in MONTHS:
            status = overrides.get(month, "on_time")
            deadline = deadline_of(month)
            received = status in ("on_time", "late", "rejected")
            at = dt.datetime.combine(deadline, dt.time(2)) + dt.timedelta(
                days=4 if status == "late" else -3
            )
            rows.append(
                [
                    kode,
                    kanwil,
                    "monthly",
                    month,
                    deadline,
                    received,
                    at if received else None,
                    status in ("on_time", "late"),
                    status == "on_time",
                    status,
                    (as_of - deadline).days if status == "missing" else 0,
                    kode == "BP3101" and status == "missing",
                    None,
                    as_of,
                    True,
                    status in ("on_time", "late"),
                    status == "on_time",
                ]
            )
    rows.append(
        [
            "BP1102",
            "KW11",
            "annual_plan",
            "2025",
            dt.date(2025, 1, 31),
            False,
            None,
            False,
            False,
            "missing",
            (as_of - dt.date(2025, 1, 31)).days,
            False,
            None,
            as_of,
            True,
            False,
            False,
        ]
    )
    return rows


def finding(
    finding_id: str,
    rule_id: str,
    family: str,
    severity: str,
    kode: str,
    kanwil: str,
    samples: list[dict[str, object]],
    message_id: str,
    hint_id: str = "",
    affected: int = 1,
    status: str = "open",
) -> list[object]:
    seen = dt.datetime(2025, 4, 11, 20)
    return [
        finding_id,
        rule_id,
        family,
        severity,
        "monthly",
        kode,
        kanwil,
        PERIOD,
        f"sub-{kode}",
        affected,
        json.dumps(samples),
        message_id,
        hint_id,
        f"EN: {message_id}",
        f"EN: {hint_id}",
        seen,
        seen,
        None,
        status,
        None,
        False,
    ]


FINDINGS = [
    finding(
        "f-peserta",
        "CONS_PESERTA_REGISTERED",
        "consistency",
        "error",
        "BP1202",
        "KW12",
        [{"sheet": "PESERTA", "row": 14, "column": "no_register", "value": "R-0099"}],
        "Peserta tidak terdaftar sebagai klien di sheet KLIEN",
        "Tambahkan klien ke sheet KLIEN atau perbaiki no_register",
        affected=3,
    ),
    finding(
        "f-biaya",
        "OUT_BIAYA",
        "outlier",
        "warning",
        "BP1202",
        "KW12",
        [{"sheet": "KEGIATAN", "row": 7, "column": "biaya_rp", "value": "95000000"}],
        "Biaya kegiatan jauh di atas riwayat Bapas",
        "Periksa kembali nilai biaya_rp",
    ),
    finding(
        "f-nik",
        "VAL_NIK",
        "validity",
        "error",
        "BP3201",
        "KW32",
        [
            {"sheet": "KLIEN", "row": 9, "column": "nik", "value": PLANTED_NIK},
            {"sheet": "KLIEN", "row": 9, "column": "nama", "value": PLANTED_NAME},
        ],
        f"NIK {PLANTED_NIK[:4]} {PLANTED_NIK[4:8]} {PLANTED_NIK[8:12]} {PLANTED_NIK[12:]} "
        "tidak sesuai tanggal lahir",
        "Samakan tanggal lahir dengan NIK",
    ),
    finding(
        "f-missing",
        "COMP_MISSING",
        "completeness",
        "error",
        "BP1102",
        "KW11",
        [],
        "Laporan belum diterima",
    ),
    finding("f-info", "INFO_X", "validity", "info", "BP1101", "KW11", [], "Catatan kecil"),
]


def build_warehouse(path: Path, quarantine_dir: Path, as_of: dt.date = AS_OF) -> None:
    """Create the documented tables and fill them with the scenario above."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists ledger")
        con.execute("create schema if not exists quality")
        for table, columns in _DDL.items():
            con.execute(f"create table {table} ({columns})")
        con.executemany(
            "insert into quality.submission_status values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            status_rows(as_of),
        )
        con.executemany(
            "insert into quality.findings values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            FINDINGS,
        )
        computed = dt.datetime(2025, 4, 11, 21)
        scores = [
            ("BP1202", "2025-02", 92.0),
            ("BP1202", PERIOD, 61.0),
            ("BP1101", "2025-02", 80.0),
            ("BP1101", PERIOD, 88.0),
        ]
        con.executemany(
            "insert into quality.submission_scores values (?, 'monthly', ?, 1, 1, 1, ?, 0, 0, ?)",
            [[k, p, s, computed] for k, p, s in scores],
        )
        con.execute(
            "insert into ledger.submissions values ('sub-rej-1201', 'abc', 'x', "
            "'laporan_bulanan_BP1201_2025-03.xlsx', 'a', 'xlsx', 'monthly', 'BP1201', ?, ?, ?, "
            "1, 'rejected', false, 'missing_column', ?, null)",
            [
                PERIOD,
                dt.datetime(2025, 4, 9, 3),
                dt.datetime(2025, 4, 9, 3),
                "[sheet KLIEN, kolom/column nik] Kolom wajib tidak ada / Required column missing",
            ],
        )
    finally:
        con.close()
    folder = quarantine_dir / "sub-rej-1201"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(
        json.dumps(
            {
                "submission_id": "sub-rej-1201",
                "original_name": "laporan_bulanan_BP1201_2025-03.xlsx",
                "received_at": "2025-04-09T03:00:00",
                "error_code": "missing_column",
                "message_id": "Kolom wajib 'nik' tidak ada di sheet KLIEN",
                "message_en": "Required column 'nik' is missing from sheet KLIEN",
                "hint_id": "Gunakan templat terbaru dan jangan menghapus kolom",
                "hint_en": "Use the latest template and do not delete columns",
                "sheet": "KLIEN",
                "row": 1,
                "column": "nik",
                "value": None,
            }
        ),
        encoding="utf-8",
    )


def execute(path: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    """Run one statement on the test warehouse (a later night's changes)."""
    con = duckdb.connect(str(path))
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
