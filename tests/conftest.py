"""Shared pytest fixtures: an isolated LIPAS_HOME per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings, load_settings

SHARED_REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


@pytest.fixture
def lipas_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """A fresh LIPAS_HOME in a temp dir, set in the environment, with its folders created."""
    home = tmp_path / "lipas_home"
    monkeypatch.setenv("LIPAS_HOME", str(home))
    monkeypatch.setenv("LIPAS_ENV", "dev")
    settings = load_settings()
    settings.ensure_dirs()
    yield settings
