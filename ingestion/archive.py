"""Content-addressed archive of originals: the only copy of raw PII, owner-only, fsynced.

The copy is hashed while it is written, so the sha256 always describes exactly the bytes that
were archived (even if the landing file were still changing) and a crash leaves only a temp
entry that the next run replaces. Nothing is followed: a symlink or FIFO in landing is archived
as a small evidence file describing it (the link target as text), never as the target's content.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from pathlib import Path

from core.redact import mask_long_runs
from ingestion.discover import Candidate, readable_name

_CHUNK = 1024 * 1024
# Archived names are bounded: the original name (up to 255 bytes, more once non-UTF-8 bytes are
# read as text) plus the archive path must fit the file system's limits. The ledger keeps the
# full original name.
MAX_ARCHIVE_NAME_BYTES = 120
EVIDENCE_SUFFIX = ".bukan-berkas-biasa.json"


class NotRegularFileError(OSError):
    """The landing entry changed into something that is not a regular file while we read it."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _open_regular(src: Path) -> int:
    """Open without following a symlink and without blocking on a FIFO; regular files only."""
    fd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotRegularFileError(f"{readable_name(src.name)} is not a regular file")
    return fd


def _copy_hashing(src: Path, dst: Path) -> str:
    digest = hashlib.sha256()
    source_fd = _open_regular(src)
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(source_fd, "rb") as source, os.fdopen(fd, "wb") as target:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            target.write(chunk)
        target.flush()
        os.fsync(target.fileno())
    return digest.hexdigest()


def _mkdir_private(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def safe_name(name: str, limit: int = MAX_ARCHIVE_NAME_BYTES) -> str:
    """`name` as readable text of at most `limit` UTF-8 bytes, extension kept.

    Ordinary names are returned unchanged; a long one is cut and marked with '~' before its
    extension (the sha256 folder already makes the archive path unique).
    """
    text = readable_name(name).replace("/", "_") or "berkas"
    if text in (".", ".."):
        text = "berkas"
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    stem, dot, ext = text.rpartition(".")
    suffix = f".{ext}" if dot and stem and len(ext.encode("utf-8")) <= 16 else ""
    keep = limit - len(suffix.encode("utf-8")) - 1
    cut = encoded[:keep].decode("utf-8", errors="ignore")
    return f"{cut}~{suffix}"


def folder_digest(members: list[tuple[str, str]]) -> str:
    """sha256 of a CSV folder: over sorted (file name, file sha256) pairs, not mtimes."""
    digest = hashlib.sha256()
    for name, sha in sorted(members):
        # surrogateescape: a member name with non-UTF-8 bytes hashes as its exact bytes.
        digest.update(f"{name}\0{sha}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def evidence(candidate: Candidate) -> bytes:
    """What is kept of a landing item that is not a regular file: its kind and link target."""
    target: str | None = None
    if candidate.item_type == "symlink":
        try:
            target = readable_name(os.readlink(candidate.path))
        except OSError as exc:
            target = f"(unreadable: {exc.strerror})"
    payload = {
        "item_type": candidate.item_type,
        "original_path": candidate.rel_path,
        "link_target": target,
        "note": "not a regular file: nothing was opened or followed; this file replaces it",
    }
    return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _stage(candidate: Candidate, tmp: Path) -> str:
    """Copy the candidate (or its evidence) to `tmp`; returns the sha256."""
    if candidate.item_type != "file":
        data = evidence(candidate)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as target:
            target.write(data)
            target.flush()
            os.fsync(target.fileno())
        return hashlib.sha256(data).hexdigest()
    if candidate.file_format == "csv_folder":
        _mkdir_private(tmp)
        members = [
            (child.name, _copy_hashing(child, tmp / safe_name(child.name)))
            for child in sorted(candidate.members)
        ]
        return folder_digest(members)
    return _copy_hashing(candidate.path, tmp)


def archive_original(candidate: Candidate, archive_dir: Path) -> tuple[str, Path]:
    """Copy the candidate into archive/<sha[:2]>/<sha>/<name>; returns (sha256, archived path).

    <name> is the bounded readable name (`safe_name`); for an item that is not a regular file
    it is that name plus EVIDENCE_SUFFIX, holding the evidence instead of content.
    """
    _mkdir_private(archive_dir)
    staging = archive_dir / ".staging"
    _mkdir_private(staging)
    tmp = staging / f"{os.getpid()}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink()
    sha = _stage(candidate, tmp)
    final_dir = archive_dir / sha[:2] / sha
    existing = [p for p in final_dir.iterdir()] if final_dir.exists() else []
    if existing:
        # Same content already archived (a duplicate or a re-run after a crash): keep the first.
        shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink()
        return sha, existing[0]
    _mkdir_private(final_dir.parent)
    _mkdir_private(final_dir)
    # Stored under the masked name so ledger.archived_path carries no NIP; content is untouched.
    name = mask_long_runs(candidate.name)
    if candidate.item_type != "file":
        name = safe_name(name, MAX_ARCHIVE_NAME_BYTES - len(EVIDENCE_SUFFIX)) + EVIDENCE_SUFFIX
    final = final_dir / safe_name(name)
    tmp.rename(final)
    _fsync_dir(final_dir)
    _fsync_dir(final_dir.parent)
    return sha, final


def clear_staging(archive_dir: Path) -> None:
    """Remove temp copies left by a crashed run (the single writer calls this at start)."""
    staging = archive_dir / ".staging"
    if staging.exists():
        shutil.rmtree(staging)
