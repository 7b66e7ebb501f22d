"""Resolved settings: paths and switches built from the declared variables (settings_registry).

Every variable is declared once in `core.settings_registry` and read through it at call time;
this module turns the core ones into a `Settings` value that is passed on as an argument.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.settings_registry import ConfigurationError, setting

__all__ = [
    "DBT_PROJECT_DIR",
    "DEFAULT_MAX_ROWS_PER_SHEET",
    "ENVIRONMENTS",
    "PROJECT_ROOT",
    "SEEDS_DIR",
    "TIMEZONE",
    "ConfigurationError",
    "Settings",
    "load_settings",
    "resolve_environment",
]

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


def resolve_environment(environ: Mapping[str, str] | None = None) -> str:
    """Decide dev/ci/prod from LIPAS_ENV (CI=true implies ci); the one place this is decided."""
    value = setting("LIPAS_ENV").raw(environ).lower()
    if not value:
        value = "ci" if setting("CI").raw(environ).lower() in ("1", "true") else "dev"
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

    def dbt_target_dir(self, target: str | None = None) -> Path:
        """This warehouse's own dbt target folder (parse state, manifest, run results).

        Beside the warehouse rather than dbt_project/target: the partial-parse state hashes the
        warehouse path, so a folder shared by two homes made every switch a full re-parse.
        """
        return self.warehouse_path.parent / "dbt" / (target or self.dbt_target)

    def dbt_manifest_path(self) -> Path:
        """The manifest of this warehouse's last dbt run, else the project's (`dbt parse`)."""
        own = self.dbt_target_dir() / "manifest.json"
        return own if own.is_file() else DBT_PROJECT_DIR / "target" / "manifest.json"

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


def load_settings(
    environ: Mapping[str, str] | None = None, *, home: Path | None = None
) -> Settings:
    """Read the core variables (documented in README.md) into a `Settings`.

    `home` overrides LIPAS_HOME (a Dagster resource's configured home, a test's folder), so a
    caller never has to write it into the environment to pass it on.
    """
    raw_home = setting("LIPAS_HOME").text(environ) if home is None else str(home)
    target = setting("LIPAS_DBT_TARGET").text(environ).lower()
    if target not in ("duckdb", "postgres"):
        raise ConfigurationError(f"LIPAS_DBT_TARGET must be 'duckdb' or 'postgres', got {target!r}")
    try:
        max_mb = float(setting("LIPAS_MAX_FILE_MB").text(environ))
    except ValueError as exc:
        raise ConfigurationError("LIPAS_MAX_FILE_MB must be a number of megabytes") from exc
    if not math.isfinite(max_mb) or max_mb <= 0:
        raise ConfigurationError("LIPAS_MAX_FILE_MB must be a positive, finite number of megabytes")
    return Settings(
        home=Path(raw_home).expanduser().resolve(),
        environment=resolve_environment(environ),
        dbt_target=target,
        max_file_bytes=int(max_mb * 1024 * 1024),
        max_rows_per_sheet=_max_rows(environ),
    )


def _max_rows(environ: Mapping[str, str] | None) -> int:
    """LIPAS_MAX_ROWS_PER_SHEET: a positive whole number of data rows."""
    raw = setting("LIPAS_MAX_ROWS_PER_SHEET").raw(environ).replace("_", "")
    if not raw:
        return DEFAULT_MAX_ROWS_PER_SHEET
    if not raw.isdigit() or int(raw) <= 0:
        raise ConfigurationError(
            f"LIPAS_MAX_ROWS_PER_SHEET must be a positive whole number of rows, got {raw!r}"
        )
    return int(raw)
