"""The single Dagster entry point: everything is loaded from orchestration/defs/."""

from __future__ import annotations

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    """Load every module under orchestration/defs (one module per concern).

    In prod the code location refuses to load without a real pseudonym key, so the daemon and
    the UI show the error at start-up rather than the first night a file arrives.
    """
    from ingestion.pseudonymise import require_production_key

    require_production_key(purpose="the Dagster code location (daemon, UI, scheduled runs)")
    return dg.load_from_defs_folder(project_root=Path(__file__).resolve().parents[1])
