"""The single Dagster entry point: everything is loaded from orchestration/defs/."""

from __future__ import annotations

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    """Load every module under orchestration/defs (one module per concern)."""
    return dg.load_from_defs_folder(project_root=Path(__file__).resolve().parents[1])
