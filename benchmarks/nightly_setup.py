"""bench_nightly's homes, its direct nightly steps, and the history it runs the new month on.

The history is built once per --workdir (base/history.json marks it done): its older months
are raw tables and ledger rows of every active Bapas synthesised in DuckDB SQL
(`benchmarks.scale_data`: seconds for years of national data), its last months (the judging
window and one more) are real generated workbooks, ingested as the nightly would, then the
previous night's checks and dbt build run. The new month is generated with those last months
(one population), so tonight's continuity and outlier rules compare like with like, and a
synthesised month never sits inside a judging window next to a generated one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from core.reference import Bapas
from core.settings import Settings, load_settings
from orchestration.dbt_invocation import DbtResult, use_bytecode_cache
from synthetic.dates import Month

# draw_caseload's lognormal(ln 1100, 0.45) clipped to 850..3000 has a mean of ~1,215 clients.
MEAN_CASELOAD = 1215
# The previous night: receipts too, or tonight's receipt step would write one per old file;
# its alerts (the blank-form cache is warm on any night but the first); and its publish, as
# tonight's snapshot and Parquet start from the previous night's.
SETUP_STEPS = ("ingest", "receipts", "checks", "dbt", "mart_checks", "alerts", "publish")


@contextmanager
def lipas_home(home: Path, as_of: str) -> Iterator[Settings]:
    """Point the process at one LIPAS_HOME (settings are read from the environment)."""
    old = dict(os.environ)
    os.environ.update({"LIPAS_HOME": str(home), "LIPAS_AS_OF": as_of, "LIPAS_ENV": "dev"})
    # Both paths' dbt processes keep bytecode as `lipas` gives its own dbt (dagster-dbt takes
    # os.environ), so the ratio measures Dagster, not a difference in dbt's start-up.
    use_bytecode_cache(os.environ)
    try:
        settings = load_settings()
        settings.ensure_dirs()
        yield settings
    finally:
        os.environ.clear()
        os.environ.update(old)


def judging_day(month: Month) -> dt.date:
    """The 15th of the month after `month`: it is due and has just been delivered."""
    year, number = month.end.year + month.end.month // 12, month.end.month % 12 + 1
    return dt.date(year, number, 15)


def direct_steps(settings: Settings, period: str, day: dt.date) -> dict[str, Callable[[], object]]:
    """The nightly steps as plain calls, in the order the Dagster job runs them."""
    from ingestion.pipeline import ingest_landing
    from publishing.snapshot import publish_snapshot
    from publishing.suppression import nightly_external_threshold
    from quality.alerts import run_report
    from quality.alerts.receipts_run import send_receipts
    from quality.gx_marts import validate_marts
    from quality.raw_integrity import run_raw_integrity_gate
    from quality.runner import run_checks

    return {
        "ingest": lambda: ingest_landing(settings),
        # The nightly job's bapas_receipts asset (files ingested since the last receipts).
        "receipts": lambda: send_receipts(settings),
        "checks": lambda: (run_raw_integrity_gate(settings), run_checks(settings, as_of=day)),
        "dbt": lambda: dbt_night(settings, day),
        "mart_checks": lambda: validate_marts(settings),
        "alerts": lambda: run_report(settings, period, as_of=day, send=False),
        "publish": lambda: publish_snapshot(
            settings, external_threshold=nightly_external_threshold()
        ),
        "site": lambda: sites(settings, day),
    }


def dbt_night(settings: Settings, day: dt.date) -> DbtResult:
    """`dbt build` as the nightly's lipas_dbt asset runs it (test scope, unit tests, fingerprint).

    An ordinary night scopes data tests to recent months and skips unit tests; the direct path
    must do the same work as the Dagster asset, or the overhead ratio compares different builds.
    """
    from ingestion.upgrade import data_tests_since, pending_full_refresh, record_warehouse_build
    from orchestration.dbt_invocation import (
        NIGHTLY_EXCLUDES,
        TEST_SINCE_ENV,
        dbt_command,
        dbt_env,
        run_dbt,
    )
    from quality.config import load_quality_config

    env = dbt_env(settings, as_of_date=day)
    changed = pending_full_refresh(settings.warehouse_path)
    window = load_quality_config(home=settings.home).window_months
    since = data_tests_since(settings.warehouse_path, day, window)
    extra: tuple[str, ...] = ()
    if not changed and since is not None:
        env[TEST_SINCE_ENV] = since.isoformat()
        extra = NIGHTLY_EXCLUDES
    result = run_dbt(dbt_command("build", full_refresh=bool(changed), extra_args=extra), env)
    if not result.success:
        raise RuntimeError(f"dbt build failed:\n{result.output[-3000:]}")
    record_warehouse_build(settings.warehouse_path)
    return result


def sites(settings: Settings, day: dt.date) -> None:
    """The leadership site (and its external copy when configured), as the nightly asset does."""
    from publishing.site.build import build_published_site
    from publishing.suppression import nightly_external_threshold

    build_published_site(settings.reports_dir, settings.published_dir, built_on=day)
    if nightly_external_threshold() is not None:
        build_published_site(
            settings.reports_dir, settings.published_dir, external=True, built_on=day
        )


def previous_night_parse(settings: Settings) -> None:
    """The dbt parse state a home keeps from the night before (a copied home must re-parse)."""
    from orchestration.dbt_invocation import dbt_command, dbt_env, run_dbt

    result = run_dbt(dbt_command("parse"), dbt_env(settings))
    if not result.success:
        raise RuntimeError(f"dbt parse failed:\n{result.output[-3000:]}")


def history_periods(months: list[Month]) -> list[str]:
    """Annual-plan years and monthly labels of the history (what the ledger holds)."""
    return sorted({str(m.start.year) for m in months}) + [m.label for m in months]


def synthesise_history(
    settings: Settings, offices: list[Bapas], months: list[Month], clients: int
) -> int:
    """Raw tables, ledger and empty quality tables for `months` of `offices`; returns raw rows."""
    import duckdb

    from benchmarks.scale_data import SimBapas, synthesise
    from ingestion.ledger import ensure_ledger_tables, ensure_raw_tables
    from quality.store import ensure_quality_tables

    sim = [
        SimBapas(b.kode_bapas, b.aktif_dari, b.aktif_sampai, b.griya_abhipraya_sejak)
        for b in offices
    ]
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        ensure_ledger_tables(con)
        ensure_raw_tables(con)
        ensure_quality_tables(con)
        counts = synthesise(con, sim, history_periods(months), clients)
    finally:
        con.close()
    return sum(counts.values())


def build_base(
    base: Path,
    synth: list[Month],
    xlsx: list[Month],
    offices: list[Bapas],
    clients: int,
    deliver_history: Callable[[Path], object],
) -> None:
    """Build the history in `base` and run the previous night's ingest, checks and dbt build.

    `synth` months are synthesised, `xlsx` months delivered by `deliver_history` into the
    landing folder and ingested. base/history.json is written last, so an interrupted build is
    redone, never reused.
    """
    done = base / "history.json"
    if done.exists():
        return
    shutil.rmtree(base, ignore_errors=True)
    months = [*synth, *xlsx]
    day = judging_day(months[-1])
    began = time.perf_counter()
    rows = 0
    with lipas_home(base, day.isoformat()) as settings:
        if synth:
            rows = synthesise_history(settings, offices, synth, clients)
            spent = time.perf_counter() - began
            print(f"synthesised {rows:,} raw rows ({len(offices)} Bapas x {len(synth)} "
                  f"months, {clients} clients) in {spent:.0f} s", flush=True)  # fmt: skip
        files = deliver_history(settings.landing_dir)
        print(f"previous night: {files} xlsx files, {len(months)} months (untimed setup)",
              flush=True)  # fmt: skip
        for name, step in direct_steps(settings, months[-1].label, day).items():
            if name in SETUP_STEPS:
                step_began = time.perf_counter()
                step()
                print(f"  {name:<12} {time.perf_counter() - step_began:7.1f} s", flush=True)
    done.write_text(
        json.dumps({"synthesised_months": len(synth), "xlsx_months": len(xlsx),
                    "offices": len(offices), "clients": clients, "raw_rows": rows,
                    "seconds": round(time.perf_counter() - began, 1)}),
        encoding="utf-8",
    )  # fmt: skip
