"""`warehouse/published/_status.json`: the last publish attempt, for alerts and analysts."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core import period

logger = logging.getLogger(__name__)

STATUS_FILE = "_status.json"
STATES = ("published", "blocked", "failed")


@dataclass(frozen=True)
class PublishStatus:
    """Outcome of the latest publish attempt.

    `state` is `published`, `blocked` (checks failed, publishing skipped on purpose) or `failed`
    (publishing itself broke). In the last two cases the previous snapshot stays in place and
    `last_published_at` says how old it is.
    """

    state: str
    at: str
    reason: str = ""
    run_id: str | None = None
    last_published_at: str | None = None
    tables: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> str:
        """Stable, human-readable JSON."""
        return json.dumps(asdict(self), indent=2, sort_keys=True, ensure_ascii=False)


def utc_now() -> dt.datetime:
    """Naive UTC timestamp, like every timestamp in the warehouse."""
    return period.utc_now().replace(microsecond=0)


def read_status(published_dir: Path) -> PublishStatus | None:
    """The last recorded status, or None before the first publish attempt."""
    path = published_dir / STATUS_FILE
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return PublishStatus(**data)


def write_status(published_dir: Path, status: PublishStatus) -> Path:
    """Write the status atomically (temp file + rename) so readers never see half a file."""
    if status.state not in STATES:
        raise ValueError(f"publish state must be one of {STATES}, got {status.state!r}")
    published_dir.mkdir(parents=True, exist_ok=True)
    path = published_dir / STATUS_FILE
    tmp = published_dir / f".{STATUS_FILE}.tmp-{uuid.uuid4().hex}"
    tmp.write_text(status.to_json() + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def record_blocked(published_dir: Path, reason: str, run_id: str | None = None) -> PublishStatus:
    """Record that publishing was skipped (e.g. a blocking mart check failed).

    The previous snapshot is left untouched; the status keeps its publication time so the alert
    summary can say "analysts are still looking at data from <date>".
    """
    previous = read_status(published_dir)
    status = PublishStatus(
        state="blocked",
        at=utc_now().isoformat(),
        reason=reason,
        run_id=run_id,
        last_published_at=previous.last_published_at if previous else None,
        tables=previous.tables if previous else {},
    )
    write_status(published_dir, status)
    logger.warning("publishing blocked: %s", reason)
    return status
