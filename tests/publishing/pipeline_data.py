"""Build a working warehouse through the real pipeline: generate -> ingest -> quality -> dbt."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from core.settings import Settings, load_settings

AS_OF = dt.date(2025, 4, 20)
DBT_TARGET = "dbt_target"  # under the home: manifest.json of the build, for comments


def build_pipeline_warehouse(home: Path) -> Settings:
    """Four Bapas, two months of generated reports (with faults), through every real step.

    GX data docs and dbt tests are skipped: they are tested elsewhere, and this only needs the
    marts the nightly run would publish.
    """
    from ingestion.pipeline import ingest_landing
    from orchestration.dbt_invocation import dbt_command, dbt_env, dbt_vars, run_dbt
    from quality.runner import run_checks
    from synthetic.generate import generate

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LIPAS_HOME", str(home))
        patch.setenv("LIPAS_ENV", "dev")
        settings = load_settings()
        settings.ensure_dirs()
        generate(out=settings.landing_dir, start="2025-01", months=2, seed=7, bapas=4, scale=0.1)
        ingest_landing(settings)
        run_checks(settings, as_of=AS_OF, with_gx=False, data_docs=False)
        target = home / DBT_TARGET
        env = dbt_env(settings)
        env["DBT_LOG_PATH"] = str(home / "dbt_logs")
        args = dbt_command(
            "build",
            vars_json=dbt_vars(AS_OF),
            target_path=target,
            extra_args=("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"),
        )
        result = run_dbt(args, env, target_path=target)
        if not result.success:
            pytest.fail(f"dbt build failed:\n{result.output[-6000:]}", pytrace=False)
    return settings
