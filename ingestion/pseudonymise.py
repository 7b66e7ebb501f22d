"""NIK -> keyed pseudonym and NIK consistency flags; birth date -> year and age.

All NIK-derived facts are computed here, in the same pass that drops the NIK, because the raw
NIK never reaches the warehouse (DESIGN.md §7, UU 27/2022).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.errors import RowIssue
from core.reference import province_codes
from core.settings import ConfigurationError, resolve_environment
from core.settings_registry import setting
from ingestion.nik_fast import birthdate_matches, nik_fact_arrays, sex_matches

logger = logging.getLogger(__name__)

KEY_ENV = "LIPAS_PSEUDONYM_KEY"
DEVELOPMENT_KEY = b"lipas-DEVELOPMENT-ONLY-pseudonym-key-not-for-production"
MIN_KEY_CHARS = 32


def resolve_pseudonym_key(
    environ: Mapping[str, str] | None = None, *, purpose: str = "ingestion"
) -> bytes:
    """The HMAC key from LIPAS_PSEUDONYM_KEY; prod refuses to run without one.

    Outside prod a labelled development key is used and a warning is logged, so pseudonyms made
    in dev can never be mistaken for (or joined with) production ones. `purpose` names what
    needs the key (e.g. "`lipas check`") in the refusal, so the operator sees which command.
    """
    value = setting(KEY_ENV).raw(environ)
    if value:
        if len(value) < MIN_KEY_CHARS:
            raise ConfigurationError(f"{KEY_ENV} must be at least {MIN_KEY_CHARS} characters")
        return value.encode("utf-8")
    if resolve_environment(environ) == "prod":
        raise ConfigurationError(
            f"{KEY_ENV} is not set: {purpose} in production needs the pseudonymisation secret "
            "(generate one with `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
        )
    logger.warning(
        "%s is not set: using the DEVELOPMENT pseudonym key; client_key values are NOT "
        "production pseudonyms",
        KEY_ENV,
    )
    return DEVELOPMENT_KEY


def require_production_key(
    environ: Mapping[str, str] | None = None, *, purpose: str = "this command"
) -> None:
    """In prod, stop any entry point (CLI command, Dagster code location) without a real key.

    Ingest already refuses; checks, builds, publishing and the daemon refuse too, so a server
    started without its secret fails at once instead of the first night a file arrives
    (issue #18 item 4). The development key's text is refused even when set explicitly.
    `purpose` names the refused entry point (it used to say "production ingestion" for all).
    """
    if resolve_environment(environ) != "prod":
        return
    if resolve_pseudonym_key(environ, purpose=purpose) == DEVELOPMENT_KEY:
        raise ConfigurationError(
            f"{KEY_ENV} is the development key; {purpose} in production needs its own secret"
        )


def client_key(key: bytes, nik: str) -> str:
    """'k' + first 24 chars of base32(HMAC-SHA256(key, nik)), lower-case (no digit runs)."""
    mac = hmac.new(key, nik.encode("ascii"), hashlib.sha256).digest()
    # 15 bytes = exactly 24 base32 characters: the same prefix as encoding the whole digest.
    return "k" + base64.b32encode(mac[:15]).decode("ascii").lower()


_B32_LOWER = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", np.uint8)
_FIVE_BITS = np.array([16, 8, 4, 2, 1], np.uint8)


def client_keys(key: bytes, niks: Sequence[str | None]) -> list[str | None]:
    """`client_key` of every NIK (None or '' gives None), batched for speed.

    One-shot C HMAC per NIK, and all 15-byte digests base32-encoded together with numpy: 15
    bytes are exactly 24 base32 characters, so the joint encoding splits into the per-NIK keys
    unchanged.
    """
    macs = b"".join(hmac.digest(key, nik.encode("ascii"), "sha256")[:15] for nik in niks if nik)
    # Every 5 bits -> one character of the (lower-case) RFC 4648 alphabet.
    bits = np.unpackbits(np.frombuffer(macs, np.uint8)).reshape(-1, 5)
    encoded = _B32_LOWER[bits @ _FIVE_BITS].tobytes().decode("ascii")
    chunks = iter(range(0, len(encoded), 24))
    return ["k" + encoded[(at := next(chunks)) : at + 24] if nik else None for nik in niks]


def _number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


@dataclass(frozen=True)
class _NikFacts:
    status: str
    usable: bool  # long enough with a real date: may be compared with sex and birth date
    female: bool = False
    day: int | None = None
    month: int | None = None
    yy: int | None = None


def _nik_facts(text: str, provinces: frozenset[str]) -> _NikFacts:
    if not text:
        return _NikFacts("MISSING", False)
    if len(text) != 16:
        return _NikFacts("BAD_LENGTH", False)
    day, month, yy = _number(text[6:8]), _number(text[8:10]), _number(text[10:12])
    # Women's NIKs carry the birth day + 40.
    female = day is not None and day > 40
    real_day = day - 40 if day is not None and female else day
    date_ok = real_day is not None and 1 <= real_day <= 31 and month is not None
    date_ok = date_ok and month is not None and 1 <= month <= 12
    if text[:2] not in provinces:
        status = "BAD_PROVINCE"
    else:
        status = "VALID" if date_ok else "BAD_DATE"
    return _NikFacts(status, date_ok, female, real_day, month, yy)


# A NIK typed into a number cell keeps Excel's 15 significant digits: the 16th becomes 0.
ROUNDED = "ROUNDED"
ROUNDED_ISSUE = "nik_rounded"
# Text NIKs: by chance 1 in 10 ends in 0; a majority of at least this many betrays a rounded
# paste or CSV export (5 NIKs with 3 zeros happen by chance less than 1 time in 100).
MIN_TEXT_NIKS = 5
MAX_ZERO_SHARE = 0.5
MAX_ROUNDED_ISSUES = 500
_SCIENTIFIC = re.compile(r"\s*\d([.,]\d+)?[eE]\+?\d{1,2}\s*")


def rounded_niks(raw: Iterable[object] | None, nik: pa.Array) -> np.ndarray:
    """Rows whose NIK lost digits to a spreadsheet number cell (see docs/ingestion.md).

    - number cells (xlsx): 16-digit NIKs all ending in 0 (a writer that keeps every digit
      would show other last digits too, so one such NIK clears the column);
    - text cells (CSV, or pasted as text): at least 5 NIKs of 16 digits, more than half ending
      in 0; only those ending in 0 are flagged;
    - scientific notation ('3,20101E+15') that did not parse: the digits are gone.
    """
    digits = nik.to_pylist()
    mask = np.zeros(len(digits), dtype=bool)
    if raw is None:
        return mask
    cells = list(raw)
    number: list[int] = []
    text: list[int] = []
    for i, (cell, nik_text) in enumerate(zip(cells, digits, strict=True)):
        if nik_text is None:
            mask[i] = isinstance(cell, str) and _SCIENTIFIC.fullmatch(cell) is not None
        elif len(nik_text) == 16:
            is_number = isinstance(cell, (int, float)) and not isinstance(cell, bool)
            (number if is_number else text).append(i)
    if number and all(digits[i].endswith("0") for i in number):
        mask[number] = True
    zeros = [i for i in text if digits[i].endswith("0")]
    if len(text) >= MIN_TEXT_NIKS and len(zeros) > MAX_ZERO_SHARE * len(text):
        mask[zeros] = True
    return mask


def with_rounded_issues(
    issues: list[RowIssue], sheet: str, column: str, row_numbers: np.ndarray, rounded: np.ndarray
) -> list[RowIssue]:
    """`issues` with one `nik_rounded` issue per flagged row, replacing its `invalid_nik` one.

    One cause, one finding: a NIK in scientific notation is unreadable *because* it was
    rounded, so the parse issue for that cell gives way to the one naming the cause and fix.
    """
    positions = np.flatnonzero(rounded)
    if not len(positions):
        return issues
    flagged = {int(row_numbers[p]) for p in positions}
    rows = sorted(flagged)
    shown = ", ".join(str(r) for r in rows[:5]) + (
        f", ... (+{len(rows) - 5})" if len(rows) > 5 else ""
    )
    message_id = (
        f"NIK terpotong oleh Excel: sel angka hanya menyimpan 15 digit sehingga digit ke-16 "
        f"menjadi 0 ({len(rows)} NIK, baris {shown}); disimpan tanpa kunci klien. Format kolom "
        "NIK sebagai Teks, lalu ketik ulang NIK lengkap dan kirim ulang."
    )
    message_en = (
        f"NIK cut by Excel: a number cell keeps only 15 digits, so the 16th became 0 "
        f"({len(rows)} NIKs, rows {shown}); stored without a client key. Format the NIK column "
        "as Text, type the full NIKs again and resend."
    )
    kept = [
        i
        for i in issues
        if not (i.sheet == sheet and i.column_name == column and i.row_number in flagged)
        or i.issue_code != "invalid_nik"
    ]
    return kept + [
        RowIssue(sheet, row, column, None, ROUNDED_ISSUE, message_id, message_en)
        for row in rows[:MAX_ROUNDED_ISSUES]
    ]


def nik_columns(
    nik: pa.Array,
    sex: pa.Array | None,
    birthdate: pa.Array | None,
    key: bytes,
    rounded: np.ndarray | None = None,
) -> dict[str, pa.Array]:
    """client_key, nik_status, nik_sex_match, nik_birthdate_match for parsed NIK digits.

    A `rounded` NIK (see `rounded_niks`) gets nik_status ROUNDED and no client_key: up to ten
    people share one rounded NIK (cross-Bapas matching would join strangers) and its key changes
    once the clerk retypes the full NIK (client history would split). Its first 12 digits are
    intact, so the sex and birth-date comparisons still run.

    Column-wise (`ingestion.nik_fast`) for ASCII-digit NIKs; `_nik_columns_loop` is the
    definition and decides anything else.
    """
    niks = [d or "" for d in nik.to_pylist()]
    facts = nik_fact_arrays(niks, province_codes())
    if facts is None:
        return _nik_columns_loop(niks, sex, birthdate, key, rounded)
    status = facts.status
    if rounded is not None and rounded.any():
        status = status.copy()
        status[rounded] = ROUNDED
        niks = [("" if flag else text) for text, flag in zip(niks, rounded.tolist(), strict=True)]
    n = len(niks)
    return {
        "client_key": pa.array(client_keys(key, niks), type=pa.string()),
        "nik_status": pa.array(status.tolist(), type=pa.string()),
        "nik_sex_match": sex_matches(facts, sex) if sex is not None else pa.nulls(n, pa.bool_()),
        "nik_birthdate_match": (
            birthdate_matches(facts, birthdate)
            if birthdate is not None
            else pa.nulls(n, pa.bool_())
        ),
    }


def _nik_columns_loop(
    niks: list[str],
    sex: pa.Array | None,
    birthdate: pa.Array | None,
    key: bytes,
    rounded: np.ndarray | None,
) -> dict[str, pa.Array]:
    """`nik_columns` one NIK at a time: the definition, and the path for unusual NIK text."""
    provinces = province_codes()
    facts = [_nik_facts(text, provinces) for text in niks]
    if rounded is not None:
        for i in np.flatnonzero(rounded).tolist():
            facts[i] = replace(facts[i], status=ROUNDED)
            niks[i] = ""
    n = len(niks)
    sex_match: list[bool | None] = [None] * n
    if sex is not None:
        for i, given in enumerate(sex.to_pylist()):
            if facts[i].usable and given in ("L", "P"):
                sex_match[i] = given == ("P" if facts[i].female else "L")
    date_match: list[bool | None] = [None] * n
    if birthdate is not None:
        for i, born in enumerate(birthdate.to_pylist()):
            f = facts[i]
            if f.usable and born is not None:
                date_match[i] = (born.day, born.month, born.year % 100) == (f.day, f.month, f.yy)
    return {
        "client_key": pa.array(client_keys(key, niks), type=pa.string()),
        "nik_status": pa.array([f.status for f in facts], type=pa.string()),
        "nik_sex_match": pa.array(sex_match, type=pa.bool_()),
        "nik_birthdate_match": pa.array(date_match, type=pa.bool_()),
    }


def birthdate_columns(birthdate: pa.Array, period_end: pa.Scalar | object) -> dict[str, pa.Array]:
    """tahun_lahir and umur_akhir_periode (whole years on the period's last day)."""
    born = birthdate.cast(pa.date32())
    end = pd.Timestamp(str(period_end))
    year, month, day = pc.year(born), pc.month(born), pc.day(born)
    before_birthday = pc.or_(
        pc.greater(month, end.month),
        pc.and_(pc.equal(month, end.month), pc.greater(day, end.day)),
    )
    age = pc.subtract(
        pc.subtract(pa.scalar(end.year, pa.int64()), year), before_birthday.cast(pa.int64())
    )
    return {
        "tahun_lahir": year.cast(pa.int32()),
        "umur_akhir_periode": age.cast(pa.int32()),
    }
