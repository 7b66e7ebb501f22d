"""A workbook too big once extracted is `too_large`; only a bomb's ratio is `zip_bomb`.

Regression: every xlsx over the 256 MiB uncompressed limit was refused as `zip_bomb` ("berkas
terkompresi tidak wajar"), telling a clerk with a genuinely huge workbook that the file was
hostile. The limit is lowered through the module constant so no test writes 256 MiB.
"""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from core.errors import SubmissionError
from ingestion.readers import safety
from ingestion.readers.xlsx import open_xlsx
from tests.fixtures.ingestion.builders import monthly_report, write_xlsx

LIMIT = 2 * 1024 * 1024


def _with_part(source: Path, target: Path, name: str, data: bytes) -> Path:
    """Copy an xlsx and add one deflated part (an image, say) of `data`."""
    with (
        zipfile.ZipFile(source) as src,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr(name, data)
    return target


def _photo_like(size: int) -> bytes:
    """Bytes that deflate about 2:1, like the pictures clerks paste into a workbook."""
    rng = random.Random(7)
    return bytes(rng.choice(b"abcdefghijklmnop") for _ in range(size))


@pytest.fixture
def low_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety, "MAX_UNCOMPRESSED_BYTES", LIMIT)


@pytest.mark.usefixtures("low_limit")
def test_big_workbook_with_normal_ratio_is_too_large(tmp_path: Path) -> None:
    base = write_xlsx(monthly_report(), tmp_path / "base.xlsx")
    path = _with_part(base, tmp_path / "big.xlsx", "xl/media/image1.bin", _photo_like(3 * LIMIT))
    with pytest.raises(SubmissionError) as caught:
        open_xlsx(path)
    error = caught.value
    assert error.error_code == "too_large"
    assert error.message_id == "Berkas berukuran 6 MB setelah diekstrak, melebihi batas 2 MB."
    assert "tidak wajar" not in error.message_id
    assert "Hapus gambar" in (error.hint_id or "")


@pytest.mark.usefixtures("low_limit")
def test_bomb_ratio_over_the_limit_stays_zip_bomb(tmp_path: Path) -> None:
    # Parts under RATIO_CHECK_MIN_BYTES each (the per-part ratio check skips them): only the
    # whole archive's ratio shows this is a bomb.
    base = write_xlsx(monthly_report(), tmp_path / "base.xlsx")
    path = base
    for index in range(3):
        path = _with_part(path, tmp_path / f"bomb{index}.xlsx", f"xl/media/z{index}.bin",
                          b"\0" * LIMIT)  # fmt: skip
    with pytest.raises(SubmissionError) as caught:
        open_xlsx(path)
    assert caught.value.error_code == "zip_bomb"


def test_explicit_limit_argument(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.bin", _photo_like(LIMIT + 1))
    with zipfile.ZipFile(path) as archive:
        safety.check_zip_entries(archive)  # far under the real limit
        with pytest.raises(SubmissionError) as caught:
            safety.check_zip_entries(archive, max_uncompressed=LIMIT)
    assert caught.value.error_code == "too_large"
