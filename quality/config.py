"""Quality-layer thresholds, read from LIPAS_QUALITY_*/LIPAS_OUTLIER_* variables in functions."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ingestion.settings import ConfigurationError


@dataclass(frozen=True)
class QualityConfig:
    """Tunable thresholds; defaults follow DESIGN.md §6 (DHIS2 / WHO DQR conventions)."""

    window_months: int = 12
    inactive_after: int = 6
    outlier_threshold: float = 3.5
    outlier_min_history: int = 6
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
    "outlier_min_value": ("LIPAS_OUTLIER_MIN_VALUE", float),
    "outlier_peer_threshold": ("LIPAS_OUTLIER_PEER_THRESHOLD", float),
    "outlier_min_peers": ("LIPAS_OUTLIER_MIN_PEERS", int),
    "who_deviation": ("LIPAS_QUALITY_WHO_DEVIATION", float),
    "plan_caseload_factor": ("LIPAS_PLAN_CASELOAD_FACTOR", float),
}


def load_quality_config(environ: Mapping[str, str] | None = None) -> QualityConfig:
    """Build the config from the environment; a bad number names the variable to fix."""
    env = os.environ if environ is None else environ
    values: dict[str, int | float] = {}
    for field, (var, kind) in _ENV.items():
        raw = env.get(var, "").strip()
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
