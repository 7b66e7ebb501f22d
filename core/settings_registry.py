"""Every environment variable lipas reads, declared once: name, type, default, meaning, reader.

Modules read a setting through `setting(name)` and its typed accessors (core.settings_types),
which consult the environment at call time, never at import. README.md's configuration tables
and `.env.example` are generated from this list (`python -m core.settings_doc`), and
tests/core/test_settings_registry.py fails when they are stale, when code or docs name an
undeclared variable, or when a module outside core/settings*.py reads os.environ itself.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping

from core.settings_types import ConfigurationError, Setting

__all__ = [
    "SECTIONS",
    "SETTINGS",
    "ConfigurationError",
    "Setting",
    "declared_names",
    "environ_for_child_process",
    "setting",
]

SECTIONS = (
    "Core",
    "Warehouse",
    "Quality rules",
    "Alerts and mail",
    "Publishing and orchestration",
    "Tests",
)
_PG = "PostgreSQL warehouse for the `postgres` target and `lipas publish --postgres`"
_PG_READERS = "publishing.postgres, dbt_project/profiles.yml"
_DAGSTER_PG = (
    "PostgreSQL run/event storage when `orchestration/dagster.postgres.yaml` is used as "
    "`$DAGSTER_HOME/dagster.yaml`"
)
_DAGSTER_PG_READER = "orchestration/dagster.postgres.yaml (Dagster)"
_QUALITY = "quality.config"
_MAIL = "quality.alerts.config"

# Columns: name, type, default when unset or blank, meaning, read by, section, then optional
# shown_default (README text when the default is computed), choices, env_file, example.
# fmt: off
SETTINGS: tuple[Setting, ...] = (
    # Core
    Setting("LIPAS_HOME", "path", "./var",
            "working folder: `landing/`, `archive/` (mode 0700, the only raw PII), `quarantine/`, "
            "`raw/`, `warehouse/lipas.duckdb`, `warehouse/published/`, `reports/`, `dagster/`",
            "core.settings (every component)", "Core"),
    Setting("LIPAS_ENV", "choice", "",
            "`dev`, `ci` or `prod`; `prod` refuses to run without `LIPAS_PSEUDONYM_KEY`",
            "core.settings", "Core", shown_default="`dev` (`ci` when `CI=true`)",
            choices=("dev", "ci", "prod"), env_file="commented", example="dev"),
    Setting("CI", "flag", "", "set by CI services; `true` makes `LIPAS_ENV` default to `ci`",
            "core.settings", "Core", shown_default="unset", env_file="omit"),
    Setting("LIPAS_PSEUDONYM_KEY", "secret", "",
            "secret (at least 32 characters) for the keyed hash (HMAC) that replaces NIK",
            "ingestion.pseudonymise", "Core",
            shown_default="loudly labelled development key outside prod"),
    Setting("LIPAS_MAX_FILE_MB", "number", "50", "larger files are rejected (`too_large`)",
            "core.settings, ingestion", "Core"),
    Setting("LIPAS_MAX_ROWS_PER_SHEET", "int", "200000",
            "a sheet with more data rows is rejected (`too_many_rows`); bounds parse memory",
            "core.settings, ingestion", "Core"),
    Setting("LIPAS_INGEST_WORKERS", "int", "",
            "parsing processes (1 parses in the ingesting process)", "ingestion.pipeline", "Core",
            shown_default="`2` (`1` on a one-core machine)", env_file="commented", example="2"),
    Setting("LIPAS_AS_OF", "date", "",
            "the day (YYYY-MM-DD) deadlines and missing reports are judged against, by every "
            "command and job (a command's `--as-of` wins)", _QUALITY, "Core",
            shown_default="`instance.json`'s day, else today (Asia/Jakarta)",
            env_file="commented", example="2025-04-11"),
    # Warehouse
    Setting("LIPAS_DBT_TARGET", "choice", "duckdb", "`duckdb` or `postgres`",
            "core.settings, dbt_project/profiles.yml", "Warehouse",
            choices=("duckdb", "postgres")),
    Setting("LIPAS_DBT_THREADS", "int", "2", "dbt threads", "dbt_project/profiles.yml",
            "Warehouse"),
    Setting("LIPAS_DBT_MEMORY_LIMIT", "text", "600MB",
            "DuckDB `memory_limit` of dbt's warehouse connection (`1500MB`, `2GB`, or a share "
            "of RAM; `80%` is DuckDB's own); above it DuckDB spills to `<warehouse>.tmp/`. With "
            "`600MB` a national night's dbt process peaks at ~0.93 GB RSS, and the full build "
            "of 10 years x 82 Bapas at 150 clients a month passes with dbt's process at 0.83 GB "
            "in 56 s, as fast as with `1GB` (1.23 GB; 6.6 GB at 3 years with `80%`; "
            "benchmarks/bench_memory_cap.py --steps dbt); a full refresh uses "
            "`LIPAS_DBT_FULL_REFRESH_MEMORY_LIMIT` instead. count(distinct) under grouping sets "
            "cannot spill, so the marts count distinct in plain group bys (issue 16)",
            "dbt_project/profiles.yml", "Warehouse"),
    Setting("LIPAS_DBT_FULL_REFRESH_MEMORY_LIMIT", "text", "4GB",
            "`LIPAS_DBT_MEMORY_LIMIT` for a `dbt build --full-refresh` (after an upgrade, or "
            "`lipas build --full-refresh`): rebuilding every fact at once needs more than a "
            "night's month. At 82 Bapas x 10 years x 1,500 clients the full build failed twice "
            "in three runs with \"Out of Memory\" at `600MB` (fct_client_month and "
            "mart_need_coverage sharing the cap on two threads) and passes at `2GB`; at 200 "
            "Bapas x 10 years (36 M client-months) it failed at `2GB` and passed at `4GB` in "
            "12.6 min, peak RSS 4.5 GB",
            "orchestration.dbt_invocation", "Warehouse"),
    Setting("LIPAS_DUCKDB_MEMORY_LIMIT", "text", "1GB",
            "DuckDB `memory_limit` of every connection lipas opens in its own processes (checks, "
            "mart checks, publishing, alerts, site); above it DuckDB spills to "
            "`<database>.tmp/`. `80%` is DuckDB's own (of RAM, per process)",
            "core.duckdb_connect", "Warehouse"),
    Setting("LIPAS_WAREHOUSE_PATH", "path", "",
            "DuckDB file of a hand-run `dbt`; lipas hands dbt its own path in the child "
            "process's environment", "dbt_project/profiles.yml", "Warehouse",
            shown_default="`$LIPAS_HOME/warehouse/lipas.duckdb`", env_file="omit"),
    Setting("LIPAS_PG_HOST", "text", "127.0.0.1", f"{_PG}: host", _PG_READERS, "Warehouse"),
    Setting("LIPAS_PG_PORT", "int", "5432", f"{_PG}: port", _PG_READERS, "Warehouse"),
    Setting("LIPAS_PG_USER", "text", "lipas", f"{_PG}: user", _PG_READERS, "Warehouse"),
    Setting("LIPAS_PG_PASSWORD", "secret", "", f"{_PG}: password", _PG_READERS, "Warehouse"),
    Setting("LIPAS_PG_DBNAME", "text", "lipas", f"{_PG}: database", _PG_READERS, "Warehouse"),
    Setting("LIPAS_DBT_AS_OF", "date", "",
            "the judging day lipas resolved, handed to dbt's `as_of_date` macro (set by lipas "
            "for the dbt process; by hand only for a hand-run `dbt`)",
            "dbt_project/macros/as_of_date.sql", "Warehouse",
            shown_default="`LIPAS_AS_OF`, else today (Asia/Jakarta)", env_file="omit"),
    Setting("LIPAS_DBT_TEST_SINCE", "date", "",
            "first month (YYYY-MM-01) the data tests of an ordinary nightly build read, set by "
            "the nightly for the dbt process (months changed since the last build, at most the "
            "judging window); unset tests the whole history",
            "dbt_project/macros/get_where_subquery.sql", "Warehouse",
            shown_default="unset (whole history)", env_file="omit"),
    Setting("DBT_TARGET", "text", "",
            "dbt's own variable: the profile target; lipas sets it to `LIPAS_DBT_TARGET` for "
            "the dbt process", "dbt", "Warehouse", shown_default="`LIPAS_DBT_TARGET`",
            env_file="omit"),
    Setting("DBT_TARGET_PATH", "path", "",
            "dbt's own variable: dbt's parse state and results, one folder per warehouse and "
            "target so partial parsing survives between runs",
            "orchestration.dbt_invocation, dbt", "Warehouse",
            shown_default="`$LIPAS_HOME/warehouse/dbt/<target>`", env_file="omit"),
    Setting("DBT_LOG_PATH", "path", "",
            "dbt's own variable: the log `lipas build` names when it fails", "cli.build_cmd, dbt",
            "Warehouse", shown_default="`dbt_project/logs`", env_file="omit"),
    # Quality rules
    Setting("LIPAS_QUALITY_WINDOW_MONTHS", "int", "12",
            "periods checked when no `--period` is given (the judging window of every command "
            "and job)", _QUALITY, "Quality rules",
            shown_default="`instance.json`'s window, else `12`", env_file="commented"),
    Setting("LIPAS_RAW_FULL_SCAN_DAYS", "int", "7",
            "days between full passes of the raw-integrity gate over the whole raw layer; the "
            "nights between scan only submissions not scanned yet (`0`: a full pass every run)",
            "quality.raw_scans", "Quality rules"),
    Setting("LIPAS_QUALITY_INACTIVE_AFTER", "int", "6",
            "silent periods before an office is flagged possibly inactive", _QUALITY,
            "Quality rules"),
    Setting("LIPAS_OUTLIER_THRESHOLD", "number", "3.5", "modified z-score threshold", _QUALITY,
            "Quality rules"),
    Setting("LIPAS_OUTLIER_MIN_HISTORY", "int", "6",
            "earlier periods needed before a value is judged", _QUALITY, "Quality rules"),
    Setting("LIPAS_OUTLIER_BASELINE_MONTHS", "int", "36",
            "a month's total is judged against at most this many earlier months of its Bapas "
            "(the last three years, as the WHO data quality review compares)", _QUALITY,
            "Quality rules"),
    Setting("LIPAS_OUTLIER_MIN_VALUE", "number", "10", "smaller values are not judged", _QUALITY,
            "Quality rules"),
    Setting("LIPAS_OUTLIER_PEER_THRESHOLD", "number", "6.0",
            "modified z-score (log cost per participant) against the month's national peers",
            _QUALITY, "Quality rules"),
    Setting("LIPAS_OUTLIER_MIN_PEERS", "int", "10",
            "activities needed in a month before the peer comparison runs", _QUALITY,
            "Quality rules"),
    Setting("LIPAS_QUALITY_WHO_DEVIATION", "number", "0.33",
            "WHO consistency-over-time deviation (info)", _QUALITY, "Quality rules"),
    Setting("LIPAS_PLAN_CASELOAD_FACTOR", "number", "3",
            "annual-plan target above this multiple of the caseload is implausible", _QUALITY,
            "Quality rules"),
    # Alerts and mail
    Setting("LIPAS_SMTP_HOST", "text", "",
            "mail server; empty keeps messages in the outbox (files are always written)", _MAIL,
            "Alerts and mail"),
    Setting("LIPAS_SMTP_PORT", "int", "", "SMTP port", _MAIL, "Alerts and mail",
            shown_default="587 / 465 / 25 by security", env_file="commented", example="587"),
    Setting("LIPAS_SMTP_SECURITY", "choice", "starttls", "`none`, `starttls` or `ssl`", _MAIL,
            "Alerts and mail", choices=("none", "starttls", "ssl")),
    Setting("LIPAS_SMTP_USER", "text", "", "login (refused over `none` except on loopback)",
            _MAIL, "Alerts and mail"),
    Setting("LIPAS_SMTP_PASSWORD", "secret", "", "password of `LIPAS_SMTP_USER`",
            f"{_MAIL} (in the Dagster mail resource)", "Alerts and mail"),
    Setting("LIPAS_SMTP_CA_FILE", "path", "", "extra CA bundle for an internal relay", _MAIL,
            "Alerts and mail"),
    Setting("LIPAS_SMTP_TIMEOUT_SECONDS", "number", "30", "delivery timeout", _MAIL,
            "Alerts and mail"),
    Setting("LIPAS_SMTP_RETRIES", "int", "3", "delivery attempts per run (at least 1)", _MAIL,
            "Alerts and mail"),
    Setting("LIPAS_SMTP_BACKOFF_SECONDS", "number", "5", "backoff base between attempts", _MAIL,
            "Alerts and mail"),
    Setting("LIPAS_MAIL_FROM", "text", "lipas-noreply@localhost", "sender", _MAIL,
            "Alerts and mail"),
    Setting("LIPAS_MAIL_RECIPIENTS", "path", "",
            "CSV/YAML file mapping roles `ditjen`, `operators`, `kanwil:<KODE>`, `bapas:<KODE>` "
            "to addresses", _MAIL, "Alerts and mail"),
    Setting("LIPAS_REMINDER_DAYS", "int", "3",
            "days before the deadline to remind Bapas that have not submitted", _MAIL,
            "Alerts and mail"),
    # Publishing and orchestration
    Setting("LIPAS_SUPPRESSION_THRESHOLD", "int", "5",
            "counts below this are masked in exports meant for outside Ditjen (at least 1)",
            "publishing.suppression", "Publishing and orchestration"),
    Setting("LIPAS_PUBLISH_EXTERNAL", "flag", "",
            "`1` makes the nightly run also write the suppressed external copy (`lipas publish "
            "--external` does it on demand)", "publishing.suppression",
            "Publishing and orchestration", shown_default="off"),
    Setting("LIPAS_PUBLISH_FULL_HASH_DAYS", "int", "7",
            "days between full hashes of the marts by `lipas publish`; the publishes between hash "
            "only the periods dbt wrote since (rows' `batch_at`), so a change made in the "
            "warehouse outside dbt reaches the snapshot at the next full hash (`0`: every publish)",
            "publishing.parquet_partitions", "Publishing and orchestration"),
    Setting("LIPAS_NIGHTLY_CRON", "cron", "0 1 * * *",
            "cron (Asia/Jakarta) of the `nightly_0100_wib` schedule, read when the definitions "
            "load", "orchestration.defs.schedules", "Publishing and orchestration",
            env_file="commented"),
    Setting("DAGSTER_HOME", "path", "",
            "Dagster instance folder of the UI, daemon and service units (`lipas ui` sets it for "
            "its child process; lipas writes its dagster.yaml there from "
            "`orchestration/dagster.yaml`)", "Dagster",
            "Publishing and orchestration", shown_default="`$LIPAS_HOME/dagster`",
            env_file="omit"),
    Setting("LIPAS_DAGSTER_PG_HOST", "text", "", f"{_DAGSTER_PG}: host", _DAGSTER_PG_READER,
            "Publishing and orchestration", shown_default="none", env_file="commented",
            example="127.0.0.1"),
    Setting("LIPAS_DAGSTER_PG_PORT", "int", "", f"{_DAGSTER_PG}: port", _DAGSTER_PG_READER,
            "Publishing and orchestration", shown_default="none", env_file="commented",
            example="5432"),
    Setting("LIPAS_DAGSTER_PG_USER", "text", "", f"{_DAGSTER_PG}: user", _DAGSTER_PG_READER,
            "Publishing and orchestration", shown_default="none", env_file="commented",
            example="dagster"),
    Setting("LIPAS_DAGSTER_PG_PASSWORD", "secret", "", f"{_DAGSTER_PG}: password",
            _DAGSTER_PG_READER, "Publishing and orchestration", shown_default="none",
            env_file="commented"),
    Setting("LIPAS_DAGSTER_PG_DBNAME", "text", "", f"{_DAGSTER_PG}: database",
            _DAGSTER_PG_READER, "Publishing and orchestration", shown_default="none",
            env_file="commented", example="dagster"),
    # Tests
    Setting("LIPAS_TEST_CRASH_AT", "text", "",
            "test hook only: `<step>[:<n>]` makes ingestion exit hard at the n-th named step "
            "(crash-safety tests)", "ingestion.pipeline", "Tests", shown_default="unset",
            env_file="omit"),
)
# fmt: on

_BY_NAME = {item.name: item for item in SETTINGS}


def setting(name: str) -> Setting:
    """The declared setting `name`; an undeclared name is a programming error (KeyError)."""
    return _BY_NAME[name]


def declared_names() -> frozenset[str]:
    """Every declared variable name."""
    return frozenset(_BY_NAME)


@contextlib.contextmanager
def environ_for_child_process(values: Mapping[str, str]) -> Iterator[None]:
    """Expose declared `values` in os.environ only while a library starts a child process.

    dagster-dbt's `DbtCliResource.cli()` builds dbt's environment from os.environ and takes no
    env argument. This scope is the one place that writes os.environ: it hands the child its
    per-run values and restores the previous ones on exit, so no later run or module can read
    them as configuration (a written LIPAS_HOME once sent a second run to the first's home).
    """
    for name in values:
        setting(name)  # an undeclared name is a programming error
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old
