"""The dbt resource starts dbt without asking its version or loading dbt's adapter (issue 16)."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import dagster_dbt.core.resource as dagster_dbt_resource
import pytest
from packaging.version import Version

from orchestration.defs.resources import build_dbt_resource

pytestmark = pytest.mark.slow


def test_a_dbt_call_neither_runs_dbt_version_nor_loads_an_adapter(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Stock dagster-dbt runs `dbt --version` and builds the adapter in-process before each call."""
    asked: list[object] = []

    def no_version_subprocess(*args: object, **kwargs: object) -> bytes:
        asked.append(args)
        raise AssertionError("dagster-dbt ran `dbt --version`")

    monkeypatch.setattr(dagster_dbt_resource, "check_output", no_version_subprocess)
    resource = build_dbt_resource("duckdb")
    invocation = resource.cli(["parse"], target_path=tmp_path / "target", raise_on_error=False)
    invocation.wait()
    assert invocation.is_successful(), invocation.get_error()
    assert invocation.adapter is None
    assert asked == []
    assert resource._cli_version == Version(importlib.metadata.version("dbt-core"))
    assert (tmp_path / "target" / "manifest.json").is_file()
