"""Last line of defence against PII in messages: long digit runs and PII column values."""

from __future__ import annotations

import re

# 12+ digits, optionally split by spaces/dots/dashes: NIKs, phone and account numbers.
_LONG_NUMBER = re.compile(r"\d(?:[\s.\-]?\d){11,}")
MAX_VALUE_CHARS = 60


def scrub(text: str) -> str:
    """Replace every long digit run in free text (summaries, notes, log lines)."""
    return _LONG_NUMBER.sub("[angka panjang disamarkan / long number redacted]", text)


def redact_value(value: object, pii: str) -> str | None:
    """A cell value safe to show: PII columns only say what kind of value was there."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if pii == "pseudonymise":
        digits = sum(ch.isdigit() for ch in text)
        return f"NIK ({digits} digit, disamarkan / redacted)"
    if pii in ("drop", "generalise"):
        return "(data pribadi, disamarkan / personal data, redacted)"
    return scrub(text[:MAX_VALUE_CHARS])
