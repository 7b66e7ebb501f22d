"""Pseudonym key handling and the client_key format."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re

import pyarrow as pa
import pytest

from core.settings import ConfigurationError
from ingestion.pseudonymise import (
    DEVELOPMENT_KEY,
    client_key,
    nik_columns,
    resolve_pseudonym_key,
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param({"LIPAS_ENV": "dev"}, DEVELOPMENT_KEY, id="dev falls back to the dev key"),
        pytest.param({"LIPAS_ENV": "ci"}, DEVELOPMENT_KEY, id="ci falls back to the dev key"),
        pytest.param(
            {"LIPAS_ENV": "prod", "LIPAS_PSEUDONYM_KEY": "s" * 40}, b"s" * 40, id="prod with key"
        ),
    ],
)
def test_key_resolution(env: dict[str, str], expected: bytes) -> None:
    assert resolve_pseudonym_key(env) == expected


def test_prod_without_key_raises() -> None:
    with pytest.raises(ConfigurationError, match="LIPAS_PSEUDONYM_KEY"):
        resolve_pseudonym_key({"LIPAS_ENV": "prod"})


def test_short_key_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="at least"):
        resolve_pseudonym_key({"LIPAS_PSEUDONYM_KEY": "short"})


def test_dev_key_is_logged_loudly(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        resolve_pseudonym_key({"LIPAS_ENV": "dev"})
    assert "DEVELOPMENT" in caplog.text


def test_client_key_shape_and_keying() -> None:
    key = client_key(b"k" * 32, "3201011203850001")
    assert re.fullmatch(r"k[a-z2-7]{24}", key)
    assert key == client_key(b"k" * 32, "3201011203850001")
    assert key != client_key(b"j" * 32, "3201011203850001")
    assert key != client_key(b"k" * 32, "3201011203850002")


@pytest.mark.parametrize(
    ("nik", "sex", "status", "sex_match"),
    [
        pytest.param("3201011203850001", "L", "VALID", True, id="valid male"),
        pytest.param("3201015203850001", "P", "VALID", True, id="valid female day+40"),
        pytest.param("3201015203850001", "L", "VALID", False, id="female NIK, male sex"),
        pytest.param("9901011203850001", "L", "BAD_PROVINCE", True, id="unknown province"),
        pytest.param("3201019903850001", "L", "BAD_DATE", None, id="day 99"),
        pytest.param("32010112038500", "L", "BAD_LENGTH", None, id="14 digits"),
        pytest.param(None, "L", "MISSING", None, id="missing"),
    ],
)
def test_nik_flags(nik: str | None, sex: str, status: str, sex_match: bool | None) -> None:
    cols = nik_columns(pa.array([nik], pa.string()), pa.array([sex]), None, b"k" * 32)
    assert cols["nik_status"].to_pylist() == [status]
    assert cols["nik_sex_match"].to_pylist() == [sex_match]


def test_client_key_is_stable_across_releases() -> None:
    # Pseudonyms join months and Bapas together: the derivation must never change silently.
    mac = hmac.new(b"k" * 32, b"3201011203850001", hashlib.sha256).digest()
    expected = "k" + base64.b32encode(mac).decode("ascii")[:24].lower()
    assert client_key(b"k" * 32, "3201011203850001") == expected
