"""Simulated delivery: move generated submissions into landing/ as a Bapas would send them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

MANIFEST_NAME = "_manifest.json"


def deliver(generated: Path, landing: Path, periods: set[str] | None = None) -> int:
    """Copy generated files (not the manifest) into `landing`, keeping mtimes.

    The mtime is the simulated arrival time that ingestion records as received_at, so it must
    survive the copy. `periods` limits delivery to the `<kode>/<YYYY-MM or YYYY>/` folders named,
    to replay arrivals month by month. Returns the number of files delivered.
    """
    count = 0
    for source in sorted(p for p in generated.rglob("*") if p.is_file()):
        if source.name == MANIFEST_NAME and source.parent == generated:
            continue
        parts = source.relative_to(generated).parts
        if periods is not None and (len(parts) < 3 or parts[1] not in periods):
            continue
        target = landing / source.relative_to(generated)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        stat = source.stat()
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        count += 1
    return count
