"""Held files in alerts: listed as "ditahan", never as "ditolak" (their own section and wording).

A held file (identity mismatch, older versi) was loaded and awaits a decision; calling it
rejected told the office to resend when, with a correct IDENTITAS sheet, no resend is needed.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.period import jakarta_date
from quality.alerts.digest_rows import RejectedRow
from quality.alerts.directory import Directory
from quality.alerts.i18n import text
from quality.alerts.model import Rejection
from quality.alerts.privacy import redact_text
from quality.catalogue import rule
from quality.held import HOLD_RULES


def held_rule_id(rej: Rejection) -> str:
    """The catalogue rule of a held file (as in quality.findings), e.g. HELD_IDENTITY."""
    return HOLD_RULES.get(rej.error_code, "HELD_IDENTITY")


def held_severity(rej: Rejection) -> str:
    """The rule's severity: error for an identity hold, warning for an older versi."""
    return rule(held_rule_id(rej)).severity


def held_reason(rej: Rejection, lang: str) -> str:
    """The hold's own explanation in `lang`, else a plain sentence (never library words)."""
    localised = rej.message_id if lang == "id" else rej.message_en
    return localised or rej.message_id or rej.message_en or text("fx_held_unknown", lang)


def held_rows(
    rejections: Iterable[Rejection], directory: Directory, lang: str
) -> tuple[RejectedRow, ...]:
    """Held files for the digest's "Berkas ditahan" section (each office it concerns)."""
    return tuple(
        RejectedRow(
            submission_id=rej.submission_id,
            kode_bapas=rej.kode_bapas or "",
            nama_bapas=directory.bapas_name(rej.kode_bapas)
            if rej.kode_bapas
            else f"{text('unknown_bapas', lang)} {redact_text(rej.original_name)}",
            period=rej.period or text("periode_unread", lang),
            received_on=jakarta_date(rej.received_at) if rej.received_at else None,
            error_code=rej.error_code,
            reason=redact_text(held_reason(rej, lang)),
        )
        for rej in rejections
        if rej.held
    )
