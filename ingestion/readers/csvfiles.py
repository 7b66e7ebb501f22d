"""CSV readers: a folder of CSV files or a zip of them, one file per sheet, encoding detected.

Each sheet is decoded and parsed as a stream when it is loaded (never the whole file in memory
as bytes and text), repeated cell texts share one string object, and reading stops at the
row limit: a 200 MB CSV once took 3 GB in one process (issue #11 item 7).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from core.errors import SubmissionError
from ingestion.readers.base import (
    MAX_UNCOMPRESSED_BYTES,
    ROW_SLACK,
    RawWorkbook,
    Rows,
    too_many_rows,
)
from ingestion.readers.safety import (
    ZIP_ERRORS,
    check_ole,
    check_zip_entries,
    is_symlink_entry,
    over_actual_budget,
    unreadable_zip,
)

DELIMITERS = (",", ";", "\t", "|")
# Distinct cell texts remembered per sheet for sharing: codes and dates come first and stay.
MEMO_MAX = 50_000
# A zip of CSVs may unpack to this many times LIPAS_MAX_FILE_MB (the same CSVs sent as a folder
# may not pass 1x). Real monthly CSVs unpack to a few MB; four sheets at the row limit to ~60 MB.
# Above it, text volume (long unique names) alone took a worker past its memory share.
ZIP_UNPACK_FACTOR = 2
Opener = Callable[[], io.BufferedReader]


def sniff_encoding(head: bytes) -> str:
    """Encoding from the first bytes: a UTF-8 or UTF-16 BOM, else 'utf-8' (tried strictly).

    Windows-1252 is the fallback when strict UTF-8 fails, because that is what Excel on
    Indonesian Windows writes for 'CSV (Comma delimited)'; it decodes any byte, so undefined
    bytes become U+FFFD.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def decode_csv(data: bytes) -> tuple[str, str]:
    """Text and encoding name of a whole CSV held in memory (see `sniff_encoding`)."""
    encoding = sniff_encoding(data[:4])
    if encoding != "utf-8":
        return data.decode(encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _unreadable(name: str, exc: csv.Error) -> SubmissionError:
    return SubmissionError(
        "unreadable",
        "Berkas CSV tidak dapat dibaca.",
        "The CSV file cannot be read.",
        sheet=name,
        hint_id="Simpan ulang dari Excel sebagai 'CSV UTF-8' lalu kirim ulang.",
        hint_en="Save again from Excel as 'CSV UTF-8' and resend.",
        detail=f"csv.Error: {exc}",
    )


def _filled(row: list[str]) -> bool:
    return bool("".join(row).strip())


def _collect(lines: Iterator[str], name: str, max_rows: int | None) -> Rows:
    """Rows of one CSV; the delimiter is whichever of , ; TAB | the header line uses most.

    Blank lines keep their place (row numbers are the sender's) as empty rows, except at the
    end. More than `max_rows` + ROW_SLACK filled rows stop the reading: the rest is only
    counted, for the message.
    """
    first = next(lines, "")
    delimiter = max(DELIMITERS, key=first.split("\n", 1)[0].count)
    reader = csv.reader(_chain(first, lines), delimiter=delimiter)
    cap = None if max_rows is None else max_rows + ROW_SLACK
    rows: Rows = []
    # Codes, dates and Y/N repeat on every row: one string object each instead of one per cell.
    memo: dict[str, str] = {}
    blank_run = filled = 0
    for row in reader:
        if not _filled(row):
            blank_run += 1
            continue
        filled += 1
        if cap is not None and filled > cap:
            filled += sum(1 for rest in reader if _filled(rest))
            raise too_many_rows(name, filled - 1, max_rows or 0)
        if blank_run:
            rows.extend([] for _ in range(blank_run))
            blank_run = 0
        if len(memo) < MEMO_MAX:
            rows.append([memo.setdefault(cell, cell) for cell in row])
        else:  # unique values (names, NIK) would only grow the memo
            rows.append([memo.get(cell, cell) for cell in row])
    return rows


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def read_csv_stream(opener: Opener, name: str, max_rows: int | None = None) -> Rows:
    """Parse one CSV from a binary stream, decoding as it goes (`opener` may be called twice).

    Plain UTF-8 is tried strictly; at the first invalid byte the CSV is read again from the
    start as Windows-1252.
    """
    with opener() as raw:
        encoding = sniff_encoding(raw.peek(4)[:4])
        try:
            errors = "strict" if encoding == "utf-8" else "replace"
            return _read_text(raw, encoding, errors, name, max_rows)
        except UnicodeDecodeError:
            pass
    with opener() as raw:
        return _read_text(raw, "cp1252", "replace", name, max_rows)


def _read_text(
    raw: io.BufferedReader, encoding: str, errors: str, name: str, max_rows: int | None
) -> Rows:
    text = io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="")
    try:
        return _collect(iter(text), name, max_rows)
    except csv.Error as exc:
        raise _unreadable(name, exc) from exc
    finally:
        text.detach()


def parse_csv(data: bytes, name: str, max_rows: int | None = None) -> Rows:
    """Rows of one CSV held in memory (see `read_csv_stream`)."""
    return read_csv_stream(lambda: io.BufferedReader(io.BytesIO(data)), name, max_rows)


class _CappedStream(io.RawIOBase):
    """A zip entry read through a byte budget, whatever its header claims (zip bombs)."""

    def __init__(self, handle: IO[bytes], budget: int) -> None:
        self._handle = handle
        self._budget = budget
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._handle.read(len(buffer))
        self.size += len(data)
        if self.size > self._budget:
            raise over_actual_budget()
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._handle.close()
        super().close()


def open_csv_folder(path: Path, max_bytes: int, max_rows: int | None = None) -> RawWorkbook:
    """Every *.csv directly in `path` (sheet name = file stem); read when a sheet is loaded."""
    files: dict[str, Path] = {}
    total = 0
    for child in sorted(path.iterdir()):
        # Never a symlink (issue #11 item 6): only regular files are data.
        if (
            child.is_file()
            and not child.is_symlink()
            and child.suffix.lower() == ".csv"
            and not child.name.startswith(".")
        ):
            total += child.stat().st_size
            if total > max_bytes:
                raise too_large(total, max_bytes)
            files.setdefault(child.stem, child)

    def load(name: str) -> Rows:
        return read_csv_stream(lambda: files[name].open("rb"), name, max_rows)

    return RawWorkbook("csv_folder", sorted(files), load)


def open_csv_zip(
    path: Path, max_rows: int | None = None, max_file_bytes: int | None = None
) -> RawWorkbook:
    """Every *.csv inside a zip (any folder depth; the shallowest wins on a name clash).

    Entries are decompressed when their sheet is loaded; the CSVs may unpack to at most
    ZIP_UNPACK_FACTOR x `max_file_bytes` (declared and actual sizes; `too_large`), and never
    past MAX_UNCOMPRESSED_BYTES (`zip_bomb`).
    """
    check_ole(path)
    chosen: dict[str, zipfile.ZipInfo] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            check_zip_entries(archive)
            entries = [
                i
                for i in archive.infolist()
                if not i.is_dir()
                and not is_symlink_entry(i)
                and i.filename.lower().endswith(".csv")
                and not i.filename.startswith("__MACOSX/")
            ]
    except ZIP_ERRORS as exc:
        raise unreadable_zip(f"zip rusak / broken zip: {type(exc).__name__}") from exc
    for info in sorted(entries, key=lambda i: (i.filename.count("/"), i.filename)):
        chosen.setdefault(PurePosixPath(info.filename).stem, info)
    cap = MAX_UNCOMPRESSED_BYTES
    if max_file_bytes is not None:
        cap = min(cap, ZIP_UNPACK_FACTOR * max_file_bytes)
        declared = sum(info.file_size for info in chosen.values())
        if declared > cap:
            raise unpacked_too_large(declared, cap)
    actual: dict[str, int] = {}

    def load(name: str) -> Rows:
        budget = cap - sum(v for k, v in actual.items() if k != name)
        streams: list[_CappedStream] = []
        try:
            with zipfile.ZipFile(path) as archive:

                def opener() -> io.BufferedReader:
                    streams.append(_CappedStream(archive.open(chosen[name]), budget))
                    return io.BufferedReader(streams[-1])

                rows = read_csv_stream(opener, name, max_rows)
        except ZIP_ERRORS as exc:
            raise unreadable_zip(f"zip rusak / broken zip: {type(exc).__name__}: {exc}") from exc
        actual[name] = streams[-1].size
        return rows

    return RawWorkbook("zip", sorted(chosen), load)


def unpacked_too_large(size: int, limit: int) -> SubmissionError:
    """The CSV files of a zip unpack to more than ZIP_UNPACK_FACTOR x LIPAS_MAX_FILE_MB."""
    mb, limit_mb = size / 1024 / 1024, limit / 1024 / 1024
    return SubmissionError(
        "too_large",
        f"Berkas CSV di dalam zip berukuran {mb:.0f} MB setelah diekstrak, melebihi batas "
        f"{limit_mb:.0f} MB.",
        f"The CSV files in the zip are {mb:.0f} MB once extracted, over the {limit_mb:.0f} MB "
        "limit.",
        hint_id="Kirim hanya data satu Bapas untuk satu periode laporan, tanpa kolom atau baris "
        "tambahan; hubungi Ditjenpas jika datanya memang sebesar itu.",
        hint_en="Send only one Bapas's data for one reporting period, without extra columns or "
        "rows; contact Ditjenpas if the data really is that large.",
        detail=f"declared uncompressed CSV total {size} > {limit} bytes",
    )


def too_large(size: int, limit: int) -> SubmissionError:
    """The submission exceeds LIPAS_MAX_FILE_MB."""
    mb, limit_mb = size / 1024 / 1024, limit / 1024 / 1024
    return SubmissionError(
        "too_large",
        f"Ukuran berkas {mb:.1f} MB melebihi batas {limit_mb:.0f} MB.",
        f"The file size {mb:.1f} MB exceeds the {limit_mb:.0f} MB limit.",
        hint_id="Hapus lampiran/gambar dan baris kosong terformat, atau hubungi Ditjenpas.",
        hint_en="Remove images and formatted empty rows, or contact Ditjenpas.",
    )
