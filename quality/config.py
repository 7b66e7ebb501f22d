"""Quality-layer thresholds and the one judging day and window every command and job uses.

Thresholds come from LIPAS_QUALITY_*/LIPAS_OUTLIER_* variables. The judging day and window are
resolved by `judging_day` / `load_quality_config` only: a command's `--as-of` flag, else
LIPAS_AS_OF / LIPAS_QUALITY_WINDOW_MONTHS, else the instance file LIPAS_HOME/instance.json
(written by `lipas demo`), else today in Asia/Jakarta and 12 months.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# jakarta_today is re-exported: orchestration/dbt_invocation.py imports it from here.
from core.period import jakarta_today as jakarta_today
from core.settings import ConfigurationError, load_settings
from core.settings_registry import setting

AS_OF_ENV = "LIPAS_AS_OF"
WINDOW_ENV = "LIPAS_QUALITY_WINDOW_MONTHS"
# Persisted instance settings: what `lipas demo` judged with, so the schedule, `lipas check`,
# `lipas build` and `lipas report` compute the same state afterwards (issue 14 items 3 and 4).
INSTANCE_FILE = "instance.json"


@dataclass(frozen=True)
class QualityConfig:
    """Tunable thresholds; defaults follow DESIGN.md §6 (DHIS2 / WHO DQR conventions)."""

    window_months: int = 12
    inactive_after: int = 6
    outlier_threshold: float = 3.5
    outlier_min_history: int = 6
    outlier_baseline_months: int = 36
    outlier_min_value: float = 10.0
    outlier_peer_threshold: float = 6.0
    outlier_min_peers: int = 10
    who_deviation: float = 0.33
    plan_caseload_factor: float = 3.0


_ENV: dict[str, tuple[str, type]] = {
    "window_months": ("LIPAS_QUALITY_WINDOW_MONTHS", int),
    "inactive_after": ("LIPAS_QUALITY_INACTIVE_AFTER", int),
    "outlier_threshold": ("LIPAS_OUTLIER_THRESHOLD", float),
    "outlier_min_history": ("LIPAS_OUTLIER_MIN_HISTORY", int),
    "outlier_baseline_months": ("LIPAS_OUTLIER_BASELINE_MONTHS", int),
    "outlier_min_value": ("LIPAS_OUTLIER_MIN_VALUE", float),
    "outlier_peer_threshold": ("LIPAS_OUTLIER_PEER_THRESHOLD", float),
    "outlier_min_peers": ("LIPAS_OUTLIER_MIN_PEERS", int),
    "who_deviation": ("LIPAS_QUALITY_WHO_DEVIATION", float),
    "plan_caseload_factor": ("LIPAS_PLAN_CASELOAD_FACTOR", float),
}


def load_quality_config(
    environ: Mapping[str, str] | None = None, home: Path | None = None
) -> QualityConfig:
    """Build the config from the environment; a bad number names the variable to fix.

    The judging window falls back to the instance file of `home` (default: LIPAS_HOME when
    reading the process environment; an explicit `environ` mapping reads no file unless `home`
    is given, so tests see only what they pass).
    """
    values: dict[str, int | float] = {}
    if not setting(WINDOW_ENV).is_set(environ):
        stored = read_instance_settings(_home(environ, home)).get("window_months")
        if stored is not None:
            values["window_months"] = int(stored)
    for field, (var, kind) in _ENV.items():
        raw = setting(var).raw(environ)
        if not raw:
            continue
        try:
            value = kind(raw)
        except ValueError as exc:
            raise ConfigurationError(f"{var} must be a {kind.__name__}, got {raw!r}") from exc
        if value < 0:
            raise ConfigurationError(f"{var} must not be negative, got {raw!r}")
        values[field] = value
    return QualityConfig(**values)  # type: ignore[arg-type]


def env_documentation() -> list[tuple[str, str]]:
    """(variable, default) pairs for the generated rule catalogue."""
    defaults = QualityConfig()
    return [(var, str(getattr(defaults, field))) for field, (var, _kind) in _ENV.items()]


def _home(environ: Mapping[str, str] | None, home: Path | None) -> Path | None:
    if home is not None:
        return home
    return load_settings().home if environ is None else None


def instance_settings_path(home: Path) -> Path:
    """LIPAS_HOME/instance.json: the persisted judging day and window of this instance."""
    return home / INSTANCE_FILE


def read_instance_settings(home: Path | None) -> dict[str, Any]:
    """The instance file's values ({} when there is none); a damaged file names itself."""
    if home is None:
        return {}
    path = instance_settings_path(home)
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if data.get("as_of") is not None:
            dt.date.fromisoformat(str(data["as_of"]))
        if data.get("window_months") is not None and int(data["window_months"]) < 1:
            raise ValueError("window_months must be at least 1")
    except ValueError as exc:
        raise ConfigurationError(f"{path} is damaged ({exc}); delete it or fix it") from exc
    return data


def write_instance_settings(
    home: Path, *, as_of: dt.date | None, window_months: int | None, written_by: str
) -> Path:
    """Persist the judging day and window every later command and job of `home` reads."""
    path = instance_settings_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "as_of": as_of.isoformat() if as_of else None,
        "window_months": window_months,
        "written_by": written_by,
    }
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def judging_day(
    flag: dt.date | None = None,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> dt.date:
    """The day deadlines, missing reports and the report period are judged against.

    The one resolver (issue 14 item 4: `lipas check` and `lipas build` ignored LIPAS_AS_OF and
    left register rows of two different days): `flag` (a command's --as-of), else LIPAS_AS_OF,
    else the instance file's as_of, else today in Asia/Jakarta.
    """
    if flag is not None:
        return flag
    raw = setting(AS_OF_ENV).raw(environ)
    if raw:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError as exc:
            raise ConfigurationError(f"{AS_OF_ENV} must be a date YYYY-MM-DD, got {raw!r}") from exc
    stored = read_instance_settings(_home(environ, home)).get("as_of")
    return dt.date.fromisoformat(str(stored)) if stored else jakarta_today()
