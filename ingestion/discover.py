"""Landing scan: every file or CSV folder under landing/ becomes one candidate submission."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from ingestion.contract.model import load_contract, normalise_name


@dataclass(frozen=True)
class Candidate:
    """One thing found in landing: an .xlsx, a .zip, a CSV folder, or something unknown."""

    path: Path
    rel_path: str
    file_format: str  # xlsx | zip | csv_folder | unknown
    received_at: dt.datetime  # naive UTC, from the file mtime
    size_bytes: int


def identity_sheet_names() -> set[str]:
    """Normalised names an IDENTITAS sheet may have, across all report kinds."""
    names: set[str] = set()
    for kind in load_contract().report_kinds.values():
        names |= kind.sheets[0].accepted_names()
    return names


def _utc(mtime: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(mtime, dt.UTC).replace(tzinfo=None)


# The synthetic generator's fault manifest (`lipas generate --out landing/`) is not a submission.
GENERATOR_MANIFEST = "_manifest.json"


def _ignored(name: str) -> bool:
    # Hidden names are in-progress uploads (rsync/scp temp files) or OS litter, and '~$' files
    # are Excel lock files: none is a submission, and the real file arrives under its own name.
    return name.startswith((".", "~$")) or name == GENERATOR_MANIFEST


def _csv_files(files: list[Path]) -> list[Path]:
    return [f for f in files if f.suffix.lower() == ".csv"]


def discover(landing: Path) -> list[Candidate]:
    """Candidates under `landing`, oldest first (received_at, then path)."""
    found: list[Candidate] = []
    identity = identity_sheet_names()
    for root, dirnames, filenames in os.walk(landing):
        dirnames[:] = sorted(d for d in dirnames if not _ignored(d))
        here = Path(root)
        files = [here / f for f in sorted(filenames) if not _ignored(f)]
        files = [f for f in files if f.is_file() and not f.is_symlink()]
        csvs = _csv_files(files)
        is_folder = here != landing and any(normalise_name(f.stem) in identity for f in csvs)
        if is_folder:
            stats = [f.stat() for f in csvs]
            found.append(
                Candidate(
                    path=here,
                    rel_path=here.relative_to(landing).as_posix(),
                    file_format="csv_folder",
                    received_at=_utc(max(s.st_mtime for s in stats)),
                    size_bytes=sum(s.st_size for s in stats),
                )
            )
            files = [f for f in files if f not in csvs]
        for path in files:
            suffix = path.suffix.lower()
            fmt = {".xlsx": "xlsx", ".zip": "zip"}.get(suffix, "unknown")
            stat = path.stat()
            found.append(
                Candidate(
                    path=path,
                    rel_path=path.relative_to(landing).as_posix(),
                    file_format=fmt,
                    received_at=_utc(stat.st_mtime),
                    size_bytes=stat.st_size,
                )
            )
    return sorted(found, key=lambda c: (c.received_at, c.rel_path))
