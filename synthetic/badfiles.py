"""Files the ingestion must refuse: truncated, fake-encrypted, malformed XML, zip bomb.

Contract-level refusals (unknown Bapas, bad period, missing sheet or column) are ordinary
reports with one change, made here too so the worker treats every rejected_file fault alike.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from synthetic.style import CLEAN
from synthetic.tables import Report
from synthetic.writers import ZIP_TIME, csv_bytes, normalise_zip

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# Uncompressed size of the zip bomb's KLIEN.csv. Rows with one huge field of zeros deflate
# about 1000:1, so the .zip stays near 40 KB while claiming 40 MB (ratio far above any limit).
ZIP_BOMB_BYTES = 40 * 1024 * 1024
MISSING_SHEET = "PESERTA"
MISSING_COLUMN = ("KLIEN", "status_akhir_bulan")


def truncate(path: Path, share: float = 0.4) -> None:
    """Cut a written file short, as an interrupted upload does."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * share)])


def fake_encrypted(path: Path, rng: np.random.Generator) -> None:
    """An OLE compound file (how Excel stores password-protected workbooks) named .xlsx."""
    junk = rng.integers(0, 256, 8192, dtype=np.uint8).tobytes()
    marker = "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(OLE_MAGIC + junk[:2000] + marker + junk[2000:])


def break_sheet_xml(path: Path, sheet_number: int = 2) -> None:
    """Cut one worksheet's XML in half inside an otherwise valid xlsx zip."""
    name = f"xl/worksheets/sheet{sheet_number}.xml"
    normalise_zip(path, {name: lambda b: b[: len(b) // 2] + b"<row r="})


def zip_bomb(path: Path, report: Report) -> None:
    """A .zip of CSVs whose KLIEN.csv expands to ZIP_BOMB_BYTES (about 1000:1)."""
    line = b"BP0000/2000/00000," + b"0" * (1024 * 1024 - 20) + b"\r\n"
    info = zipfile.ZipInfo("KLIEN.csv", ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        ident = zipfile.ZipInfo("IDENTITAS.csv", ZIP_TIME)
        ident.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(ident, csv_bytes(report.tables["IDENTITAS"], CLEAN))
        with archive.open(info, "w", force_zip64=True) as handle:
            handle.write(b"no_register,nik\r\n")
            for _ in range(ZIP_BOMB_BYTES // len(line)):
                handle.write(line)


def apply_contract_fault(
    report: Report, fault: str
) -> tuple[str | None, str | None, tuple[int, ...]]:
    """Change a clean report so the contract refuses it; return (sheet, column, data rows)."""
    ident = report.tables["IDENTITAS"].data
    if fault == "unknown_bapas":
        ident["kode_bapas"][0] = f"BP{report.kode_bapas[2:4]}99"
        return "IDENTITAS", "kode_bapas", (0,)
    if fault == "bad_period":
        ident["periode"][0] = f"{report.period[:4]}-13"
        return "IDENTITAS", "periode", (0,)
    if fault == "missing_sheet":
        del report.tables[MISSING_SHEET]
        return MISSING_SHEET, None, ()
    if fault == "missing_column":
        sheet, column = MISSING_COLUMN
        report.tables[sheet].dropped.add(column)
        return sheet, column, ()
    raise KeyError(f"not a contract fault: {fault}")
