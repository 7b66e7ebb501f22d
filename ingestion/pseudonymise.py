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

import numpy as np
import pandas as pd
import pyarrow as pa

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


def client_keys(key: bytes, niks: list[str | None]) -> list[str | None]:
    """`client_key` of every NIK (None stays None), batched for speed.

    The keyed hash state is built once and copied per NIK, and all 15-byte digests are base32
    encoded in one call: 15 bytes are exactly 24 characters, so the joint encoding splits into
    the per-NIK keys unchanged.
    """
    base = hmac.new(key, digestmod=hashlib.sha256)
    macs: list[bytes] = []
    for nik in niks:
        if nik:
            mac = base.copy()
            mac.update(nik.encode("ascii"))
            macs.append(mac.digest()[:15])
    encoded = base64.b32encode(b"".join(macs)).decode("ascii").lower()
    chunks = iter(range(0, len(encoded), 24))
    return ["k" + encoded[(at := next(chunks)) : at + 24] if nik else None for nik in niks]


def nik_columns(
    nik: pa.Array, sex: pa.Array | None, birthdate: pa.Array | None, key: bytes
) -> dict[str, pa.Array]:
    """client_key, nik_status, nik_sex_match, nik_birthdate_match for parsed NIK digits."""
    listed = nik.to_pylist()
    digits = pd.Series(listed, dtype=object)
    keys = client_keys(key, listed)
    text = digits.fillna("").astype("str")
    has = (text != "").to_numpy()
    length_ok = (text.str.len() == 16).to_numpy()
    province_ok = text.str[:2].isin(province_codes()).to_numpy()
    day = pd.to_numeric(text.str[6:8], errors="coerce")
    month = pd.to_numeric(text.str[8:10], errors="coerce")
    yy = pd.to_numeric(text.str[10:12], errors="coerce")
    female = (day > 40).to_numpy()
    real_day = day.where(day <= 40, day - 40)
    date_ok = (real_day.between(1, 31) & month.between(1, 12)).to_numpy()
    status = np.select(
        [~has, ~length_ok, ~province_ok, ~date_ok],
        ["MISSING", "BAD_LENGTH", "BAD_PROVINCE", "BAD_DATE"],
        default="VALID",
    )
    usable = has & length_ok & date_ok
    sex_match = pd.Series(pd.NA, index=digits.index, dtype="boolean")
    if sex is not None:
        sexes = pd.Series(sex.to_pylist(), dtype=object)
        known = usable & sexes.isin(["L", "P"]).to_numpy()
        sex_match[known] = (sexes[known] == np.where(female[known], "P", "L")).to_numpy()
    date_match = pd.Series(pd.NA, index=digits.index, dtype="boolean")
    if birthdate is not None:
        born = pd.to_datetime(pd.Series(birthdate.to_pylist(), dtype=object), errors="coerce")
        known = usable & born.notna().to_numpy()
        same = (
            (born.dt.day == real_day) & (born.dt.month == month) & (born.dt.year % 100 == yy)
        ).astype("boolean")
        date_match[known] = same[known]
    return {
        "client_key": pa.array(keys, type=pa.string()),
        "nik_status": pa.array(status.tolist(), type=pa.string()),
        "nik_sex_match": pa.array(sex_match, type=pa.bool_()),
        "nik_birthdate_match": pa.array(date_match, type=pa.bool_()),
    }


def birthdate_columns(birthdate: pa.Array, period_end: pa.Scalar | object) -> dict[str, pa.Array]:
    """tahun_lahir and umur_akhir_periode (whole years on the period's last day)."""
    born = pd.to_datetime(pd.Series(birthdate.to_pylist(), dtype=object), errors="coerce")
    end = pd.Timestamp(str(period_end))
    age = (
        end.year
        - born.dt.year
        - (
            (born.dt.month > end.month) | ((born.dt.month == end.month) & (born.dt.day > end.day))
        ).astype("Int64")
    )
    return {
        "tahun_lahir": pa.array(born.dt.year.astype("Int64"), type=pa.int32()),
        "umur_akhir_periode": pa.array(age.astype("Int64"), type=pa.int32()),
    }
