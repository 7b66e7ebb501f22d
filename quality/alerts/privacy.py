"""Last-line PII guard for everything we render: no NIK-like numbers, no name/NIK cell values.

Upstream already pseudonymises, but a fix-list quotes cell values and rejection summaries quote
senders' text, so we redact again at the edge rather than trust every producer.
"""

from __future__ import annotations

import json
import re

from quality.alerts.json_text import pretty

REDACTED = "[disamarkan]"
# 16 digits, possibly grouped by spaces, dots or dashes, as senders type a NIK. Not preceded by
# a digit and a decimal mark, so the fraction digits of 0.0975609756097561 are left alone.
_NIK_LIKE = re.compile(r"(?<!\d)(?<!\d[.,])(?:\d[\s.\-]?){15}\d(?!\d)")
PII_COLUMNS = frozenset({"nik", "nama", "petugas", "tanggal_lahir", "nama_klien"})


def redact_text(value: str) -> str:
    """Replace NIK-like digit runs in free text."""
    return _NIK_LIKE.sub(REDACTED, value)


def redact_cell(column: str, value: str) -> str:
    """A cell value safe to show: PII columns are masked whatever they contain."""
    if column.strip().lower() in PII_COLUMNS and value.strip():
        return REDACTED
    return redact_text(value)


def contains_pii(value: str) -> bool:
    """True when `value` still contains a NIK-like number (used by tests and a final check)."""
    return bool(_NIK_LIKE.search(value))


def redact_json(document: str) -> str:
    """Redact every string value of a JSON document, leaving numbers and structure valid."""

    def walk(value: object) -> object:
        if isinstance(value, str):
            return redact_text(value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {redact_text(str(k)): walk(v) for k, v in value.items()}
        return value

    return pretty(walk(json.loads(document)))
