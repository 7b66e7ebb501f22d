"""The one settings module: every path and switch comes from environment variables read here."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENVIRONMENTS = ("dev", "ci", "prod")
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
TIMEZONE = "Asia/Jakarta"
# Data rows per sheet above which a file is refused (`too_many_rows`). The busiest Bapas
# supervise about 3,000 clients a month and PESERTA, the longest sheet, is at most about ten
# rows per client (~30,000); 200,000 leaves more than 6x headroom for a merged national test
# file and still bounds a parse worker's memory (docs/ingestion.md, "Memory").
DEFAULT_MAX_ROWS_PER_SHEET = 200_000


class ConfigurationError(RuntimeError):
    """A setting is missing or invalid; the message says which variable to set."""


def resolve_environment(environ: Mapping[str, str] | None = None) -> str:
    """Decide dev/ci/prod from LIPAS_ENV (CI=true implies ci); the one place this is decided."""
    env = os.environ if environ is None else environ
    value = env.get("LIPAS_ENV", "").strip().lower()
    if not value:
        value = "ci" if env.get("CI", "").lower() in ("1", "true") else "dev"
    if value not in ENVIRONMENTS:
        raise ConfigurationError(
            f"LIPAS_ENV must be one of {', '.join(ENVIRONMENTS)}, got {value!r}"
        )
    return value


@dataclass(frozen=True)
class Settings:
    """Resolved configuration; build it with `load_settings()` inside functions, never at import."""

    home: Path
    environment: str
    dbt_target: str
    max_file_bytes: int
    timezone: str = TIMEZONE
    max_rows_per_sheet: int = DEFAULT_MAX_ROWS_PER_SHEET

    @property
    def landing_dir(self) -> Path:
        """Where Bapas files arrive."""
        return self.home / "landing"

    @property
    def archive_dir(self) -> Path:
        """Restricted folder: the only place raw PII (original files) lives."""
        return self.home / "archive"

    @property
    def quarantine_dir(self) -> Path:
        """Reports on rejected files."""
        return self.home / "quarantine"

    @property
    def raw_dir(self) -> Path:
        """Immutable Parquet per submission."""
        return self.home / "raw"

    @property
    def warehouse_path(self) -> Path:
        """The DuckDB warehouse file the pipeline writes."""
        return self.home / "warehouse" / "lipas.duckdb"

    @property
    def published_dir(self) -> Path:
        """Read-only snapshots for analysts."""
        return self.home / "warehouse" / "published"

    @property
    def reports_dir(self) -> Path:
        """Alert summaries, fix-lists, Data Docs."""
        return self.home / "reports"

    @property
    def dagster_home(self) -> Path:
        """Dagster instance folder (DAGSTER_HOME)."""
        return self.home / "dagster"

    def ensure_dirs(self) -> None:
        """Create the LIPAS_HOME layout; the archive is made owner-only because it holds PII."""
        for path in (
            self.landing_dir,
            self.quarantine_dir,
            self.raw_dir,
            self.warehouse_path.parent,
            self.reports_dir,
            self.dagster_home,
        ):
            path.mkdir(parents=True, exist_ok=True)
        self.archive_dir.mkdir(parents=True, exist_ok=True)
        self.archive_dir.chmod(0o700)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the LIPAS_* variables (documented in README.md) into a `Settings`."""
    env = os.environ if environ is None else environ
    home = Path(env.get("LIPAS_HOME", "./var")).expanduser().resolve()
    target = env.get("LIPAS_DBT_TARGET", "duckdb").strip().lower()
    if target not in ("duckdb", "postgres"):
        raise ConfigurationError(f"LIPAS_DBT_TARGET must be 'duckdb' or 'postgres', got {target!r}")
    try:
        max_mb = float(env.get("LIPAS_MAX_FILE_MB", "50"))
    except ValueError as exc:
        raise ConfigurationError("LIPAS_MAX_FILE_MB must be a number of megabytes") from exc
    if not math.isfinite(max_mb) or max_mb <= 0:
        raise ConfigurationError("LIPAS_MAX_FILE_MB must be a positive, finite number of megabytes")
    return Settings(
        home=home,
        environment=resolve_environment(env),
        dbt_target=target,
        max_file_bytes=int(max_mb * 1024 * 1024),
        max_rows_per_sheet=_max_rows(env),
    )


def _max_rows(env: Mapping[str, str]) -> int:
    """LIPAS_MAX_ROWS_PER_SHEET: a positive whole number of data rows."""
    raw = env.get("LIPAS_MAX_ROWS_PER_SHEET", "").strip().replace("_", "")
    if not raw:
        return DEFAULT_MAX_ROWS_PER_SHEET
    if not raw.isdigit() or int(raw) <= 0:
        raise ConfigurationError(
            f"LIPAS_MAX_ROWS_PER_SHEET must be a positive whole number of rows, got {raw!r}"
        )
    return int(raw)
