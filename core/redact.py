"""Last line of defence against PII in messages: long digit runs and PII column values."""

from __future__ import annotations

import base64
import hmac
import re

# 12+ digits, optionally split by spaces/dots/dashes: NIKs, phone and account numbers.
_LONG_NUMBER = re.compile(r"\d(?:[\s.\-]?\d){11,}")
MAX_VALUE_CHARS = 60

# What may never be *stored* in a sender-controlled text column or a file name: 12+ digits in a
# row, or a NIK typed with spaces (16+ digits, single spaces). Stricter than `_LONG_NUMBER` on
# purpose: dotted register numbers ("W13.PK.01.2024.001234") are real identifiers and stay.
# The same pattern (RE2 syntax) is used by the raw-integrity gate in SQL.
LONG_RUN_PATTERN = r"[0-9]{12,}|[0-9](?: ?[0-9]){15,}"
_LONG_RUN = re.compile(LONG_RUN_PATTERN)
_TAG_CHARS = 6


def scrub(text: str) -> str:
    """Replace every long digit run in free text (summaries, notes, log lines)."""
    return _LONG_NUMBER.sub("[angka panjang disamarkan / long number redacted]", text)


def longest_run(text: str) -> int:
    """Digits in the longest masked run (16 suggests a NIK, 18 a NIP), 0 when none."""
    return max((sum(c.isdigit() for c in m.group()) for m in _LONG_RUN.finditer(text)), default=0)


def mask_long_runs(text: str, key: bytes | None = None) -> str:
    """Replace each long digit run by "[16 digit]", readable and with no digits left to leak.

    With `key` a short keyed tag follows ("[16 digit k3fq7a]"): the same number in KLIEN and
    PESERTA (or next month) keeps one stand-in, so joins and continuity rules still pair the
    rows, while different numbers never collapse into one value. Without the key nobody can
    tell which number it was. Masking a masked text changes nothing.
    """

    def stand_in(match: re.Match[str]) -> str:
        digits = "".join(c for c in match.group() if c.isdigit())
        if key is None:
            return f"[{len(digits)} digit]"
        mac = hmac.digest(key, b"mask:" + digits.encode("ascii"), "sha256")
        # base32 letters+2..7: six characters can never form a digit run of 12.
        tag = base64.b32encode(mac[:5]).decode("ascii").lower()[:_TAG_CHARS]
        return f"[{len(digits)} digit {tag}]"

    return _LONG_RUN.sub(stand_in, text)


FILE_NAME_COLUMN = "nama_berkas"
_FIX_ID = {
    "no_register": ("isi dengan nomor register klien", "enter the client's register number"),
    "kode_pokmas": ("isi dengan kode Pokmas", "enter the Pokmas code"),
    "kode_kegiatan": ("isi dengan kode kegiatan", "enter the activity code"),
}


def long_number_messages(column: str, digits: int) -> tuple[str, str]:
    """(message_id, message_en) naming the cause, so the clerk fixes the right cell.

    16 digits look like a NIK and 18 like a civil-servant NIP; the number itself is never
    repeated (it is the personal data the message is about).
    """
    what_id, what_en = {16: ("NIK", "a NIK"), 18: ("NIP", "a NIP")}.get(
        digits, ("nomor pribadi (NIK/NIP/telepon/rekening)", "a personal number")
    )
    if column == FILE_NAME_COLUMN:
        return (
            f"Nama berkas berisi angka {digits} digit yang tampak seperti {what_id}; angka itu "
            "disamarkan. Beri nama berkas tanpa NIK/NIP, mis. BP3501_2025-01.xlsx.",
            f"The file name held a {digits}-digit number that looks like {what_en}; it was "
            "masked. Name files without NIK/NIP, e.g. BP3501_2025-01.xlsx.",
        )
    fix_id, fix_en = _FIX_ID.get(
        column,
        (
            "hapus angka itu; jangan tulis NIK, NIP atau nomor pribadi di kolom ini",
            "remove the number; never type a NIK, NIP or personal number in this column",
        ),
    )
    return (
        f"Kolom {column} berisi angka {digits} digit yang tampak seperti {what_id} — {fix_id}, "
        "lalu kirim ulang laporan. Angka itu disamarkan dan tidak disimpan.",
        f"Column {column} held a {digits}-digit number that looks like {what_en} — {fix_en}, "
        "then resubmit. The number was masked and not stored.",
    )


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
