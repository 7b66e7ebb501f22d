"""NIK -> keyed pseudonym and NIK consistency flags; birth date -> year and age.

All NIK-derived facts are computed here, in the same pass that drops the NIK, because the raw
NIK never reaches the warehouse (DESIGN.md §7, UU 27/2022).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.reference import province_codes
from ingestion.settings import ConfigurationError, resolve_environment

logger = logging.getLogger(__name__)

KEY_ENV = "LIPAS_PSEUDONYM_KEY"
DEVELOPMENT_KEY = b"lipas-DEVELOPMENT-ONLY-pseudonym-key-not-for-production"
MIN_KEY_CHARS = 32


def resolve_pseudonym_key(environ: Mapping[str, str] | None = None) -> bytes:
    """The HMAC key from LIPAS_PSEUDONYM_KEY; prod refuses to run without one.

    Outside prod a labelled development key is used and a warning is logged, so pseudonyms made
    in dev can never be mistaken for (or joined with) production ones.
    """
    env = os.environ if environ is None else environ
    value = env.get(KEY_ENV, "").strip()
    if value:
        if len(value) < MIN_KEY_CHARS:
            raise ConfigurationError(f"{KEY_ENV} must be at least {MIN_KEY_CHARS} characters")
        return value.encode("utf-8")
    if resolve_environment(env) == "prod":
        raise ConfigurationError(
            f"{KEY_ENV} is not set: production ingestion needs the pseudonymisation secret "
            "(generate one with `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
        )
    logger.warning(
        "%s is not set: using the DEVELOPMENT pseudonym key; client_key values are NOT "
        "production pseudonyms",
        KEY_ENV,
    )
    return DEVELOPMENT_KEY


def client_key(key: bytes, nik: str) -> str:
    """'k' + first 24 chars of base32(HMAC-SHA256(key, nik)), lower-case (no digit runs)."""
    mac = hmac.new(key, nik.encode("ascii"), hashlib.sha256).digest()
    # 15 bytes = exactly 24 base32 characters: the same prefix as encoding the whole digest.
    return "k" + base64.b32encode(mac[:15]).decode("ascii").lower()


_B32_LOWER = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", np.uint8)
_FIVE_BITS = np.array([16, 8, 4, 2, 1], np.uint8)


def client_keys(key: bytes, niks: list[str | None]) -> list[str | None]:
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


def nik_columns(
    nik: pa.Array, sex: pa.Array | None, birthdate: pa.Array | None, key: bytes
) -> dict[str, pa.Array]:
    """client_key, nik_status, nik_sex_match, nik_birthdate_match for parsed NIK digits.

    A plain loop: a sheet has a few thousand rows at most, where per-call pandas overhead
    cost more than the work itself.
    """
    niks = [d or "" for d in nik.to_pylist()]
    provinces = province_codes()
    facts = [_nik_facts(text, provinces) for text in niks]
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
