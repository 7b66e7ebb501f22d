"""Fixtures: a small working warehouse with marts and reference tables, and its dbt docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from publishing.snapshot import publish_snapshot
from tests.publishing.pipeline_data import DBT_TARGET, build_pipeline_warehouse
from tests.publishing.warehouse_data import build_working_warehouse, write_manifest


@pytest.fixture
def working_warehouse(lipas_home: Settings) -> Settings:
    """LIPAS_HOME with a built working warehouse (3 Bapas x 3 months x 4 clients)."""
    build_working_warehouse(lipas_home.warehouse_path)
    return lipas_home


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    """Path of a small dbt manifest for the working warehouse."""
    return write_manifest(tmp_path / "manifest.json")


@pytest.fixture(scope="session")
def pipeline_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A published snapshot of generated data built by the real pipeline (about a minute)."""
    settings = build_pipeline_warehouse(tmp_path_factory.mktemp("guide") / "home")
    publish_snapshot(
        settings,
        run_id="guide-test",
        manifest_path=settings.home / DBT_TARGET / "manifest.json",
        parquet=False,
    )
    return settings
