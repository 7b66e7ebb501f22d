"""What a killed ingestion run leaves behind: pool workers still finishing, and temp files.

One writer at a time is enforced by DuckDB's file lock: a run holds its read-write connection
from start to end, so once the next run holds it, every temp file under raw/, quarantine/ and
archive/.staging belongs to a dead run. Only the old run's parse workers may still be alive for
a moment (they notice the dead parent within `watch_parent`'s interval, longer on a loaded
machine) and could write a temp Parquet file after it was cleared (issue #11 item 10, a CI
flake). So every parse worker holds a shared lock on WORKER_LOCK for its whole life, and the
next run takes that lock exclusively before clearing: then no old worker is left to write.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from pathlib import Path

from core.settings import Settings
from ingestion.archive import clear_staging
from ingestion.worker import watch_parent

logger = logging.getLogger(__name__)

WORKER_LOCK = ".ingest-workers.lock"
# Old workers exit within a second of their parent's death; this only bounds a stuck one.
WAIT_FOR_WORKERS_SECONDS = 120.0
_HELD: list[int] = []


def worker_lock_path(settings: Settings) -> Path:
    """The lock file every parse worker holds shared (beside the warehouse file)."""
    return settings.warehouse_path.parent / WORKER_LOCK


def init_worker(main_pid: int, lock_path: str) -> None:
    """Pool initializer: hold the worker lock for life, and exit when the parent is gone."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_SH)
    _HELD.append(fd)  # never closed: the kernel releases it when this worker exits
    watch_parent(main_pid)


def wait_for_old_workers(lock_path: Path, timeout: float = WAIT_FOR_WORKERS_SECONDS) -> bool:
    """Wait until no parse worker of an earlier run is alive; False if `timeout` ran out."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.05)
                continue
            fcntl.flock(fd, fcntl.LOCK_UN)
            return True
    finally:
        os.close(fd)


def clear_temporaries(settings: Settings) -> int:
    """Delete temp files of dead runs; call only while holding the warehouse write lock.

    Covers the Parquet temp files (`raw/**/.<id>.parquet.<pid>.tmp`), the quarantine reports'
    temp files and archive/.staging. Returns how many files were removed.
    """
    removed = 0
    for folder in (settings.raw_dir, settings.quarantine_dir):
        if not folder.exists():
            continue
        for tmp in folder.rglob(".*.tmp"):
            if tmp.is_file() and not tmp.is_symlink():
                tmp.unlink(missing_ok=True)
                removed += 1
    clear_staging(settings.archive_dir)
    if removed:
        logger.warning("ingest: removed %d temp file(s) left by an interrupted run", removed)
    return removed


def prepare_writer(settings: Settings) -> None:
    """Start of a run (warehouse lock held): wait for old workers, then clear their temp files."""
    if not wait_for_old_workers(worker_lock_path(settings)):
        logger.warning(
            "ingest: a parse worker of an earlier run is still alive after %.0f s; "
            "clearing its temp files anyway",
            WAIT_FOR_WORKERS_SECONDS,
        )
    clear_temporaries(settings)
