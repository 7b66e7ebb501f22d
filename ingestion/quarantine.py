"""Rejection reports for the Bapas operator: Bahasa Indonesia first, English alongside."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from ingestion.redact import scrub


@dataclass(frozen=True)
class Rejection:
    """Why a submission was refused, with where and how to fix it (no raw PII)."""

    error_code: str
    message_id: str
    message_en: str
    hint_id: str = ""
    hint_en: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def summary(self) -> str:
        """One scrubbed line for ledger.error_summary."""
        where = ", ".join(
            p
            for p in (
                f"sheet {self.sheet}" if self.sheet else "",
                f"baris/row {self.row}" if self.row is not None else "",
                f"kolom/column {self.column}" if self.column else "",
            )
            if p
        )
        text = f"{self.message_id} / {self.message_en}"
        return scrub(f"[{where}] {text}" if where else text)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def render_text(original_name: str, received_at: dt.datetime, rejection: Rejection) -> str:
    """laporan_penolakan.txt: what is wrong, where, the rule, and how to fix it."""
    lines = [
        "LAPORAN PENOLAKAN KIRIMAN / SUBMISSION REJECTION REPORT",
        "",
        f"Berkas / File      : {original_name}",
        f"Diterima / Received: {received_at:%Y-%m-%d %H:%M} UTC",
        f"Kode kesalahan / Error code: {rejection.error_code}",
        "",
        f"Sheet              : {rejection.sheet or '-'}",
        f"Baris / Row        : {rejection.row if rejection.row is not None else '-'}",
        f"Kolom / Column     : {rejection.column or '-'}",
        f"Nilai / Value      : {rejection.value or '-'}",
        "",
        "Masalah:",
        f"  {rejection.message_id}",
        "Problem:",
        f"  {rejection.message_en}",
        "",
        "Cara memperbaiki:",
        f"  {rejection.hint_id or 'Perbaiki berkas sesuai templat lalu kirim ulang.'}",
        "How to fix:",
        f"  {rejection.hint_en or 'Correct the file following the template and resend.'}",
        "",
        "Berkas asli disimpan dan tidak hilang; kirim berkas perbaikan sebagai kiriman baru.",
        "The original file is kept; send the corrected file as a new submission.",
    ]
    return scrub("\n".join(lines) + "\n")


def write_quarantine_report(
    quarantine_dir: Path,
    submission_id: str,
    original_name: str,
    received_at: dt.datetime,
    rejection: Rejection,
) -> Path:
    """quarantine/<submission_id>/{report.json, laporan_penolakan.txt}; returns the folder."""
    folder = quarantine_dir / submission_id
    folder.mkdir(parents=True, exist_ok=True)
    payload = {
        "submission_id": submission_id,
        "original_name": original_name,
        "received_at": received_at.isoformat(),
        **asdict(rejection),
    }
    _write_atomic(folder / "report.json", scrub(json.dumps(payload, ensure_ascii=False, indent=2)))
    _write_atomic(
        folder / "laporan_penolakan.txt", render_text(original_name, received_at, rejection)
    )
    return folder
