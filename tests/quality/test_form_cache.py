"""Blank forms attached to fix-lists and notices are built once per home, not every night."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

import core.contract.template as template
from quality.alerts import forms
from quality.alerts.forms import blank_form_files, blank_forms

KODE = "BP1101"


@pytest.fixture
def cache_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="lipas-form-cache-")) / "cache" / "forms"


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, int]]:
    """Every real build_template call, recorded."""
    calls: list[tuple[str, str, int]] = []
    real = template.build_template

    def counting(kode: str, period: str, out: Path, versi: int = 1) -> Path:
        calls.append((kode, period, versi))
        return real(kode, period, out, versi=versi)

    monkeypatch.setattr(template, "build_template", counting)
    return calls


def _identitas(data: bytes) -> dict[str, object]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    header, values = book.get_sheet_by_name("IDENTITAS").to_python()[1:3]
    return dict(zip(header, values, strict=False))


def test_a_form_is_built_once_then_served_from_the_cache(
    cache_dir: Path, builds: list[tuple[str, str, int]]
) -> None:
    owed = blank_forms(KODE, {"2025-03", "2025-04"}, {(KODE, "2025-04"): 1})
    first = blank_form_files(KODE, owed, cache_dir)
    second = blank_form_files(KODE, owed, cache_dir)
    assert builds == [(KODE, "2025-03", 1), (KODE, "2025-04", 2)]
    assert first == second
    assert sorted(first) == [
        f"laporan_bulanan_{KODE}_2025-03_versi1.xlsx",
        f"laporan_bulanan_{KODE}_2025-04_versi2.xlsx",
    ]
    assert _identitas(second[f"laporan_bulanan_{KODE}_2025-04_versi2.xlsx"])["periode"] == "2025-04"
    # A resubmission raises `versi`: that is another form, built anew.
    raised = blank_forms(KODE, {"2025-04"}, {(KODE, "2025-04"): 2})
    files = blank_form_files(KODE, raised, cache_dir)
    assert builds[-1] == (KODE, "2025-04", 3)
    assert _identitas(files[f"laporan_bulanan_{KODE}_2025-04_versi3.xlsx"])["versi"] in (3, 3.0)
    # Without a cache folder (a preview), every call builds.
    blank_form_files(KODE, owed)
    assert len(builds) == 5


def test_the_cache_is_keyed_by_the_template_inputs(
    cache_dir: Path, builds: list[tuple[str, str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    owed = blank_forms(KODE, {"2025-03"}, {})
    blank_form_files(KODE, owed, cache_dir)
    (old,) = list(cache_dir.iterdir())
    # A changed contract, seed or template code gives another folder; the stale one goes.
    monkeypatch.setattr(forms, "_template_fingerprint", lambda: "0123456789abcdef")
    blank_form_files(KODE, owed, cache_dir)
    assert len(builds) == 2
    assert [p.name for p in cache_dir.iterdir()] == ["0123456789abcdef"]
    assert not old.exists()


def test_the_fingerprint_follows_the_seeds(monkeypatch: pytest.MonkeyPatch) -> None:
    import core.settings

    before = forms._template_fingerprint()
    seeds = Path(tempfile.mkdtemp(prefix="lipas-seeds-"))
    for path in core.settings.SEEDS_DIR.glob("*.csv"):
        (seeds / path.name).write_bytes(path.read_bytes())
    with (seeds / "ref_bapas.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    monkeypatch.setattr(core.settings, "SEEDS_DIR", seeds)
    forms._template_fingerprint.cache_clear()
    try:
        assert forms._template_fingerprint() != before
    finally:
        forms._template_fingerprint.cache_clear()
