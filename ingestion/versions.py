"""Which version of a Bapas-period report is in force: `versi` first, then arrival time.

The rule (docs/ingestion.md, "Versions, duplicates and late files"), for a new file against
the current version of the same Bapas, report kind and period:

- no current version: the new file is current;
- both carry `versi` and they differ: the higher `versi` is in force, whatever the arrival
  order. A lower `versi` that arrived *later* is an old draft sent by mistake: it is **held**
  (`older_version`, a message to the clerk and Ditjen) instead of silently replacing the
  correction; a lower `versi` that also arrived earlier is an ordinary late-arriving old file
  (`superseded`);
- equal `versi`: the later arrival is in force with a note asking the clerk to raise `versi`
  next time (clerks often forget; holding every forgotten bump would leave the correction out
  of the night's figures until someone at Ditjen acts);
- a blank `versi` on either side: arrival order only (the later `received_at` is in force,
  ties go to the file processed last).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ingestion.ledger import LedgerEntry
from ingestion.quarantine import Rejection

SAME_VERSI_NOTE = (
    "versi sama dengan kiriman sebelumnya ({versi}); berkas terbaru dipakai. Naikkan versi "
    "pada perbaikan berikutnya / same versi as the previous file ({versi}); the newest file is "
    "used. Raise versi in the next correction"
)


@dataclass(frozen=True)
class VersionDecision:
    """What a new, accepted-by-structure file becomes."""

    status: str  # accepted | superseded | held
    becomes_current: bool
    note: str | None = None
    hold: Rejection | None = None


def decide_version(
    current: LedgerEntry | None, versi: int | None, received_at: dt.datetime
) -> VersionDecision:
    """Apply the rule above to one new file."""
    if current is None:
        return VersionDecision("accepted", True)
    later = current.received_at <= received_at
    if versi is None or current.versi is None or versi == current.versi:
        if not later:
            return VersionDecision("superseded", False)
        same = versi is not None and versi == current.versi
        return VersionDecision(
            "accepted", True, SAME_VERSI_NOTE.format(versi=versi) if same else None
        )
    if versi > current.versi:
        return VersionDecision("accepted", True)
    if not later:
        return VersionDecision("superseded", False)
    return VersionDecision("held", False, hold=older_version(current, versi, current.versi))


def older_version(current: LedgerEntry, versi: int, newer: int) -> Rejection:
    """The held message for an old draft (`versi`) that arrived after `newer` was in force."""
    when = f"{current.received_at:%Y-%m-%d %H:%M} UTC"
    return Rejection(
        "older_version",
        f"Berkas ini versi {versi}, tetapi versi {newer} ({current.original_name}, diterima "
        f"{when}) sudah berlaku untuk {current.kode_bapas} {current.period}. Berkas ditahan: "
        f"datanya disimpan tetapi tidak menggantikan versi {newer}.",
        f"This file is versi {versi}, but versi {newer} ({current.original_name}, received "
        f"{when}) is already in force for {current.kode_bapas} {current.period}. The file is "
        f"held: its data is kept but does not replace versi {newer}.",
        hint_id=f"Jika berkas ini memang yang benar, isi versi {newer + 1} di sheet IDENTITAS "
        "lalu kirim ulang; jika bukan, abaikan pesan ini.",
        hint_en=f"If this file is the right one, set versi to {newer + 1} in the IDENTITAS sheet "
        "and resend; if not, ignore this message.",
        sheet="IDENTITAS",
        column="versi",
        value=str(versi),
    )
