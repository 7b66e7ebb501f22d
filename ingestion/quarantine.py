"""Rejection reports for the Bapas operator: Bahasa Indonesia first, English alongside.

Reports live in quarantine/<KODE or _tanpa_kode>/<periode or _tanpa_periode>/<submission_id>/,
so an operator finds a Bapas's refused files by office and month instead of opening opaque ids
(issue #15 item 2); `find_quarantine` still finds a report by id alone, including the flat
quarantine/<submission_id>/ folders written before.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from core.period import jakarta_time
from core.redact import scrub


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
    # Technical cause for the operator (library or parser message, part name); kept out of the
    # clerk's message and the ledger, shown only in the report's operator section.
    detail: str = ""

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


NO_KODE = "_tanpa_kode"
NO_PERIODE = "_tanpa_periode"
# Only a code or period as read from the file names a folder; anything else (a path separator,
# "..") would let file content choose where we write.
_FOLDER_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


def quarantine_folder(
    quarantine_dir: Path, submission_id: str, kode_bapas: str | None, period: str | None
) -> Path:
    """Where a submission's rejection report goes: by Bapas, then period, then id."""
    kode = kode_bapas if kode_bapas and _FOLDER_SAFE.match(kode_bapas) else NO_KODE
    month = period if period and _FOLDER_SAFE.match(period) else NO_PERIODE
    return quarantine_dir / kode / month / submission_id


def find_quarantine(quarantine_dir: Path, submission_id: str) -> Path | None:
    """The report folder of a submission id, wherever its identity put it (None if absent)."""
    flat = quarantine_dir / submission_id
    if (flat / "report.json").is_file():  # written before the by-Bapas layout
        return flat
    for path in sorted(quarantine_dir.glob(f"*/*/{glob.escape(submission_id)}")):
        if path.is_dir():
            return path
    return None


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


HELD_TITLE = "BERKAS DITAHAN (BELUM DIPAKAI) / SUBMISSION HELD (NOT IN USE)"
HELD_CLOSING = (
    "Data berkas ini disimpan tetapi tidak dipakai sampai diperbaiki atau diterima Ditjenpas.",
    "This file's data is kept but not used until it is corrected or accepted by Ditjenpas.",
)


def render_text(
    original_name: str, received_at: dt.datetime, rejection: Rejection, *, held: bool = False
) -> str:
    """laporan_penolakan.txt: what is wrong, where, the rule, and how to fix it."""
    lines = [
        HELD_TITLE if held else "LAPORAN PENOLAKAN KIRIMAN / SUBMISSION REJECTION REPORT",
        "",
        f"Berkas / File      : {original_name}",
        # WIB like every other report (issue #15 item 2); received_at is naive UTC.
        f"Diterima / Received: {jakarta_time(received_at):%Y-%m-%d %H:%M} WIB",
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
        *(
            HELD_CLOSING
            if held
            else (
                "Berkas asli disimpan dan tidak hilang; kirim berkas perbaikan sebagai kiriman "
                "baru.",
                "The original file is kept; send the corrected file as a new submission.",
            )
        ),
    ]
    if rejection.detail:
        lines += ["", "Detail teknis (untuk operator) / Technical detail (for the operator):"]
        lines.append(f"  {rejection.detail}")
    return scrub("\n".join(lines) + "\n")


def write_quarantine_report(
    quarantine_dir: Path,
    submission_id: str,
    original_name: str,
    received_at: dt.datetime,
    rejection: Rejection,
    *,
    held: bool = False,
    extra: dict[str, object] | None = None,
    kode_bapas: str | None = None,
    period: str | None = None,
) -> Path:
    """<folder>/{report.json, laporan_penolakan.txt} (see `quarantine_folder`); returns it.

    `held`: the file was loaded but is not in force (ledger status `held`); `extra` adds keys
    to report.json (a held file's path identity, read by the alerts). `kode_bapas`/`periode`
    are the identity read from the file, when any was.
    """
    folder = find_quarantine(quarantine_dir, submission_id) or quarantine_folder(
        quarantine_dir, submission_id, kode_bapas, period
    )
    folder.mkdir(parents=True, exist_ok=True)
    payload = {
        "submission_id": submission_id,
        "original_name": original_name,
        "received_at": received_at.isoformat(),
        **asdict(rejection),
        **({"held": True} if held else {}),
        **(extra or {}),
    }
    _write_atomic(folder / "report.json", scrub(json.dumps(payload, ensure_ascii=False, indent=2)))
    _write_atomic(
        folder / "laporan_penolakan.txt",
        render_text(original_name, received_at, rejection, held=held),
    )
    return folder
