"""No NIK, client name, operator name or 16-digit number anywhere ingestion writes or logs."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core.settings import Settings
from tests.fixtures.ingestion.builders import (
    CLIENT_NAMES,
    NIKS,
    OPERATOR_NAME,
    Style,
    monthly_report,
    write_csv_folder,
    write_xlsx,
)
from tests.ingestion.ingest_helpers import run_ingest

SIXTEEN_DIGITS = re.compile(r"\d(?:[\s.\-]?\d){15}")
# sha256 hex digests (ledger.sha256, _source_sha256, archive paths) are not personal data but
# can contain 16 decimal digits in a row by chance; they are removed before scanning.
HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
FORBIDDEN = (*CLIENT_NAMES, OPERATOR_NAME)


def _leaks(text: str) -> list[str]:
    text = HEX_DIGEST.sub("<sha256>", text)
    found = SIXTEEN_DIGITS.findall(text)
    found += [name for name in FORBIDDEN if name.lower() in text.lower()]
    return found


def _duckdb_strings(path: Path) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR'"
        ).fetchall()
        for schema, table, column in columns:
            # Identifiers come from the catalogue itself, quoted.
            sql = f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM "{schema}"."{table}"'
            out += [(f"{schema}.{table}.{column}", str(v)) for (v,) in con.execute(sql).fetchall()]
    return out


def _parquet_strings(root: Path) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for path in root.rglob("*.parquet"):
        table = pq.read_table(path)
        for name in table.column_names:
            if pa.types.is_string(table.schema.field(name).type):
                out += [(f"{path.name}:{name}", str(v)) for v in table[name].to_pylist() if v]
    return out


def test_no_pii_anywhere(
    lipas_home: Settings, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")
    caplog.set_level(logging.DEBUG)
    landing = lipas_home.landing_dir
    write_xlsx(monthly_report(), landing / "a.xlsx", Style(nik_as="number"))
    spaced = monthly_report(period="2025-04")
    spaced.sheets["KLIEN"][0]["nik"] = NIKS[0] + "9"  # 17 digits: a bad NIK, still never shown
    spaced.sheets["KLIEN"][1]["nik"] = NIKS[1][:15] + "X"  # unparsable: goes to row_issues
    write_csv_folder(spaced, landing / "csv", Style(nik_as="spaced"))
    leaky = monthly_report(period="2025-05")
    leaky.sheets["IDENTITAS"][0]["kode_bapas"] = NIKS[2]  # a NIK typed as the Bapas code
    write_xlsx(leaky, landing / "rejected.xlsx")
    header = monthly_report(period="2025-06")
    write_xlsx(
        header, landing / "extra.xlsx", Style(extra_columns={NIKS[3]: "x", "Budi Santoso": 1})
    )
    summary = run_ingest(lipas_home)
    assert (summary.accepted, summary.rejected) == (3, 1), summary

    found: list[tuple[str, str]] = []
    for where, value in _duckdb_strings(lipas_home.warehouse_path):
        found += [(where, leak) for leak in _leaks(value)]
    for where, value in _parquet_strings(lipas_home.raw_dir):
        found += [(where, leak) for leak in _leaks(value)]
    for path in lipas_home.quarantine_dir.rglob("*"):
        if path.is_file():
            found += [(str(path), leak) for leak in _leaks(path.read_text(encoding="utf-8"))]
    found += [("log", leak) for leak in _leaks(caplog.text)]
    assert found == []
    # The scan itself must be able to fail: the archive (the one PII store) does hold the NIK.
    archived = next(lipas_home.archive_dir.rglob("csv"))
    assert any(_leaks(p.read_text(encoding="utf-8")) for p in archived.iterdir())


def test_nik_typed_in_other_digit_scripts_is_the_same_client(lipas_home: Settings) -> None:
    """A clerk on a Japanese/Chinese IME types full-width digits, on an Arabic layout Arabic-
    Indic ones. Before, such a NIK passed the parsers unchanged and pseudonymisation refused the
    whole file as an unexpected error; now the file is accepted and each client gets the same
    client_key as when typed in ASCII, and the digits are stored nowhere."""
    scripts = {"BP3201": None, "BP3202": 0xFF10, "BP3203": 0x0660}
    for kode, zero in scripts.items():
        report = monthly_report(kode)
        if zero is not None:
            for client in report.sheets["KLIEN"]:
                nik = str(client["nik"])
                client["nik"] = nik.translate({ord(d): chr(zero + int(d)) for d in "0123456789"})
        write_xlsx(report, lipas_home.landing_dir / kode / "laporan.xlsx")
    summary = run_ingest(lipas_home)
    assert (summary.accepted, summary.rejected) == (3, 0)
    with duckdb.connect(str(lipas_home.warehouse_path), read_only=True) as con:
        keys = con.execute(
            "SELECT kode_bapas, list(client_key ORDER BY _row_number) FROM raw.monthly_klien"
            " GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert [kode for kode, _ in keys] == list(scripts)
    assert keys[0][1] == keys[1][1] == keys[2][1]
    assert all(key is not None for key in keys[0][1])
    assert not [v for _, v in _duckdb_strings(lipas_home.warehouse_path) if _leaks(v)]
