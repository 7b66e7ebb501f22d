"""Content-addressed archive of originals: the only copy of raw PII, owner-only, fsynced.

The copy is hashed while it is written, so the sha256 always describes exactly the bytes that
were archived (even if the landing file were still changing) and a crash leaves only a temp
entry that the next run replaces.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from ingestion.discover import Candidate

_CHUNK = 1024 * 1024


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_hashing(src: Path, dst: Path) -> str:
    digest = hashlib.sha256()
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with src.open("rb") as source, os.fdopen(fd, "wb") as target:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            target.write(chunk)
        target.flush()
        os.fsync(target.fileno())
    return digest.hexdigest()


def _mkdir_private(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def folder_digest(members: list[tuple[str, str]]) -> str:
    """sha256 of a CSV folder: over sorted (file name, file sha256) pairs, not mtimes."""
    digest = hashlib.sha256()
    for name, sha in sorted(members):
        digest.update(f"{name}\0{sha}\n".encode())
    return digest.hexdigest()


def archive_original(candidate: Candidate, archive_dir: Path) -> tuple[str, Path]:
    """Copy the candidate into archive/<sha[:2]>/<sha>/<name>; returns (sha256, archived path)."""
    _mkdir_private(archive_dir)
    staging = archive_dir / ".staging"
    _mkdir_private(staging)
    tmp = staging / f"{os.getpid()}-{candidate.path.name}"
    if tmp.exists():
        shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink()
    if candidate.file_format == "csv_folder":
        _mkdir_private(tmp)
        members = [
            (child.name, _copy_hashing(child, tmp / child.name))
            for child in sorted(candidate.path.iterdir())
            if child.is_file() and child.suffix.lower() == ".csv" and not child.name.startswith(".")
        ]
        sha = folder_digest(members)
    else:
        sha = _copy_hashing(candidate.path, tmp)
    final_dir = archive_dir / sha[:2] / sha
    existing = [p for p in final_dir.iterdir()] if final_dir.exists() else []
    if existing:
        # Same content already archived (a duplicate or a re-run after a crash): keep the first.
        shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink()
        return sha, existing[0]
    _mkdir_private(final_dir.parent)
    _mkdir_private(final_dir)
    final = final_dir / candidate.path.name
    tmp.rename(final)
    _fsync_dir(final_dir)
    _fsync_dir(final_dir.parent)
    return sha, final


def clear_staging(archive_dir: Path) -> None:
    """Remove temp copies left by a crashed run (the single writer calls this at start)."""
    staging = archive_dir / ".staging"
    if staging.exists():
        shutil.rmtree(staging)
