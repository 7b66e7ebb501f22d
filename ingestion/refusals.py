"""Refusals decided from the landing scan alone, before any parsing (issue #11 items 2, 6, 9).

Each says in plain Bahasa Indonesia what the clerk sent and what to send instead; what the
operator needs (link target, library error) goes in the operator-only `detail`.
"""

from __future__ import annotations

import json

from ingestion.discover import Candidate
from ingestion.quarantine import Rejection

_ITEM_ID = {
    "symlink": "pintasan (tautan) yang menunjuk ke berkas atau folder lain",
    "fifo": "saluran sistem, bukan berkas",
    "socket": "soket sistem, bukan berkas",
    "device": "perangkat sistem, bukan berkas",
}
_ITEM_EN = {
    "symlink": "a shortcut (link) pointing to another file or folder",
    "fifo": "a system pipe, not a file",
    "socket": "a system socket, not a file",
    "device": "a system device, not a file",
}


def not_a_regular_file(candidate: Candidate, evidence: bytes = b"") -> Rejection:
    """A symlink, symlinked folder, FIFO, socket or device found in landing.

    It is never opened or followed; `evidence` (see archive.evidence) names the link target
    for the operator.
    """
    what_id = _ITEM_ID.get(candidate.item_type, "objek sistem, bukan berkas")
    what_en = _ITEM_EN.get(candidate.item_type, "a system object, not a file")
    detail = f"item_type={candidate.item_type}"
    if evidence:
        target = json.loads(evidence).get("link_target")
        if target:
            detail += f", link target (not followed): {target}"
    return Rejection(
        "not_a_regular_file",
        f"'{candidate.name}' adalah {what_id}, sehingga tidak dibaca.",
        f"'{candidate.name}' is {what_en}, so it was not read.",
        hint_id="Salin berkas laporan yang sebenarnya (bukan pintasannya) ke folder kiriman, "
        "lalu kirim ulang.",
        hint_en="Copy the actual report file (not a shortcut to it) into the upload folder and "
        "resend.",
        detail=detail,
    )


def csv_without_identitas(candidate: Candidate) -> Rejection:
    """A CSV file lying loose in landing, or in a folder without an IDENTITAS file.

    CSV is accepted, but only as the sheets of one report together: on its own the file says
    neither which Bapas nor which period it belongs to.
    """
    return Rejection(
        "csv_without_identitas",
        f"Berkas CSV '{candidate.name}' dikirim tersendiri, tidak di dalam satu folder atau "
        ".zip bersama IDENTITAS.csv laporannya, sehingga tidak diketahui laporan Bapas dan "
        "periode mana.",
        f"The CSV file '{candidate.name}' was sent on its own, not in one folder or .zip with "
        "its report's IDENTITAS.csv, so it is not known which Bapas and period it belongs to.",
        hint_id="Masukkan semua berkas CSV dari satu laporan (IDENTITAS.csv, KLIEN.csv, "
        "POKMAS.csv, KEGIATAN.csv, PESERTA.csv, ...) ke dalam satu folder atau satu berkas .zip "
        "yang diberi nama laporan, mis. BP3201_2025-03, lalu kirim folder atau .zip itu. "
        "Atau kirim laporan sebagai satu berkas .xlsx.",
        hint_en="Put all CSV files of one report (IDENTITAS.csv, KLIEN.csv, POKMAS.csv, "
        "KEGIATAN.csv, PESERTA.csv, ...) into one folder or one .zip named after the report, "
        "e.g. BP3201_2025-03, and send that folder or .zip. Or send the report as one .xlsx.",
    )


def unarchivable(candidate: Candidate, exc: BaseException) -> Rejection:
    """The item could not be copied to the archive: it stays in landing, untouched."""
    return Rejection(
        "unreadable",
        f"Berkas '{candidate.name}' tidak dapat dibaca atau disalin, sehingga belum diproses.",
        f"The file '{candidate.name}' could not be read or copied, so it was not processed.",
        hint_id="Kirim ulang berkas dengan nama pendek tanpa karakter khusus, mis. "
        "BP3201_2025-03.xlsx; hubungi Ditjenpas jika berulang.",
        hint_en="Resend the file under a short name without special characters, e.g. "
        "BP3201_2025-03.xlsx; contact Ditjenpas if it happens again.",
        detail=f"archiving failed: {type(exc).__name__}: {exc}"[:300],
    )


def landing_refusal(candidate: Candidate, evidence: bytes = b"") -> Rejection | None:
    """The refusal a candidate earns from the scan alone (None: it needs parsing)."""
    if candidate.item_type != "file":
        return not_a_regular_file(candidate, evidence)
    if candidate.file_format == "unknown" and candidate.path.suffix.lower() == ".csv":
        return csv_without_identitas(candidate)
    return None
