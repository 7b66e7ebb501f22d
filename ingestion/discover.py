"""Landing scan: every file or CSV folder under landing/ becomes one candidate submission.

Nothing found here is opened or followed: a symlink, a symlinked folder, a FIFO or a device is
listed as what it is (`item_type`), so it gets its own ledger row instead of being read or
silently left behind (issue #11 item 6).
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from core.contract.model import load_contract, normalise_name
from core.period import utc_now


@dataclass(frozen=True)
class Candidate:
    """One thing found in landing: an .xlsx, an .ods, a .zip, a CSV folder, or something unknown."""

    path: Path
    rel_path: str  # readable text (see `readable_name`); what the ledger and reports show
    file_format: str  # xlsx | ods | zip | csv_folder | unknown
    received_at: dt.datetime  # naive UTC, never later than when the file reached landing
    size_bytes: int
    # The relative path exactly as the file system spells it (undecodable bytes kept as
    # surrogates): the submission id is derived from it, so two names that read alike differ.
    key_path: str = ""
    members: tuple[Path, ...] = ()  # csv_folder: the regular CSV files that make it up
    item_type: str = "file"  # file | symlink | fifo | socket | device | other

    @property
    def name(self) -> str:
        """The last path component as readable text."""
        return readable_name(self.path.name)

    @property
    def id_path(self) -> str:
        """The path the submission id is derived from."""
        return self.key_path or self.rel_path


def readable_name(name: str) -> str:
    """A file name as text any database, log or report can hold.

    Names come from senders' PCs: bytes that are not UTF-8 (a Windows en dash 0x96) are read as
    Windows-1252, which is what those PCs write; control characters become '?'. A valid UTF-8
    name is returned unchanged, so ids and archive names of ordinary files never change.
    """
    raw = os.fsencode(name)
    parts: list[str] = []
    while raw:
        try:
            parts.append(raw.decode("utf-8"))
            break
        except UnicodeDecodeError as exc:
            parts.append(raw[: exc.start].decode("utf-8"))
            parts.append(raw[exc.start : exc.end].decode("cp1252", errors="backslashreplace"))
            raw = raw[exc.end :]
    text = "".join(parts)
    return "".join("?" if ord(c) < 32 or ord(c) == 127 else c for c in text)


def identity_sheet_names() -> set[str]:
    """Normalised names an IDENTITAS sheet may have, across all report kinds."""
    names: set[str] = set()
    for kind in load_contract().report_kinds.values():
        names |= kind.sheets[0].accepted_names()
    return names


def _utc(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).replace(tzinfo=None)


def received_timestamp(st: os.stat_result, now: float) -> float:
    """When the item reached us: min(mtime, ctime, now).

    mtime comes from the sender's PC (SFTP and `rsync -t` keep it), so a clock set to 2027
    would make that version current forever. ctime is set by this server's clock whenever the
    file is written or renamed into landing and cannot be set by the sender; `now` (the run
    start) bounds both. The result is the same on every re-run, so submission ids are stable.
    """
    return min(st.st_mtime, st.st_ctime, now)


# The synthetic generator's fault manifest (`lipas generate --out landing/`) is not a submission.
GENERATOR_MANIFEST = "_manifest.json"


# .ods: LibreOffice's own format, read like .xlsx (issue #15 item 4).
_FORMATS = {".xlsx": "xlsx", ".ods": "ods", ".zip": "zip"}


def _ignored(name: str) -> bool:
    # Hidden names are in-progress uploads (rsync/scp temp files) or OS litter, and '~$' files
    # are Excel lock files: none is a submission, and the real file arrives under its own name.
    return name.startswith((".", "~$")) or name == GENERATOR_MANIFEST


def _item_type(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "other"


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except OSError:  # vanished between listing and stat: seen again next run if it returns
        return None


def discover(landing: Path, now: dt.datetime | None = None) -> list[Candidate]:
    """Candidates under `landing`, oldest first (received_at, then path).

    `now` is the run start (naive UTC); no received time is later than it.
    """
    now_ts = (now or utc_now()).replace(tzinfo=dt.UTC).timestamp()
    found: list[Candidate] = []
    identity = identity_sheet_names()

    def add(path: Path, fmt: str, st: os.stat_result, item: str, **extra: object) -> None:
        key = path.relative_to(landing).as_posix()
        found.append(
            Candidate(
                path=path,
                rel_path="/".join(readable_name(p) for p in key.split("/")),
                file_format=fmt,
                received_at=_utc(received_timestamp(st, now_ts)),
                size_bytes=st.st_size,
                key_path=key,
                item_type=item,
                **extra,  # type: ignore[arg-type]
            )
        )

    for root, dirnames, filenames in os.walk(landing):  # never follows symlinked folders
        here = Path(root)
        regular: list[tuple[Path, os.stat_result]] = []
        for name in sorted(dirnames + filenames):
            if _ignored(name):
                continue
            path = here / name
            st = _lstat(path)
            if st is None or stat.S_ISDIR(st.st_mode):
                continue
            item = _item_type(st.st_mode)
            if item == "file":
                regular.append((path, st))
            else:
                add(path, "unknown", st, item)
        dirnames[:] = sorted(d for d in dirnames if not _ignored(d))
        csvs = [(p, s) for p, s in regular if p.suffix.lower() == ".csv"]
        if here != landing and any(normalise_name(p.stem) in identity for p, _ in csvs):
            times = [received_timestamp(s, now_ts) for _, s in csvs]
            found.append(
                Candidate(
                    path=here,
                    rel_path="/".join(
                        readable_name(p) for p in here.relative_to(landing).as_posix().split("/")
                    ),
                    file_format="csv_folder",
                    received_at=_utc(max(times)),
                    size_bytes=sum(s.st_size for _, s in csvs),
                    key_path=here.relative_to(landing).as_posix(),
                    members=tuple(p for p, _ in csvs),
                )
            )
            regular = [(p, s) for p, s in regular if p.suffix.lower() != ".csv"]
        for path, st in regular:
            fmt = _FORMATS.get(path.suffix.lower(), "unknown")
            add(path, fmt, st, "file")
    return sorted(found, key=lambda c: (c.received_at, c.rel_path))
