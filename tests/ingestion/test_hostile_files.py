"""Landing items that used to stop or fool ingestion (issue #11 items 2, 5, 6, 9, 10).

Each test builds the item the way a clerk's PC, SFTP client or a careless operator would, and
names the failure it guards against.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import build_app
from core.settings import Settings
from ingestion import pipeline
from ingestion.orphans import wait_for_old_workers
from ingestion.quarantine import find_quarantine
from tests.fixtures.ingestion.builders import (
    monthly_report,
    set_mtime,
    write_csv_folder,
    write_xlsx,
    write_zip,
)
from tests.fixtures.ingestion.hostile import (
    with_broken_sheet_xml,
    with_doctype,
    zip_bomb,
)
from tests.ingestion.ingest_helpers import query, run_ingest

T0 = dt.datetime(2025, 4, 3, 2, 0)
REPO = Path(__file__).resolve().parents[2]
SECRET = "root:x:0:0:SECRET-MARKER"


@pytest.fixture(autouse=True)
def _single_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")


def _ledger(settings: Settings) -> dict[str, tuple[object, ...]]:
    """original_path -> (status, error_code, original_name, archived_path, submission_id)."""
    rows = query(
        settings,
        "SELECT original_path, status, error_code, original_name, archived_path, submission_id "
        "FROM ledger.submissions",
    )
    return {str(r[0]): tuple(r[1:]) for r in rows}


def _landing_entries(landing: Path) -> list[str]:
    """Everything left in landing, symlinks and FIFOs included (never followed)."""
    out: list[str] = []
    for root, dirs, files in os.walk(landing):
        out += [os.path.join(root, n) for n in files]
        out += [os.path.join(root, n) for n in dirs if os.path.islink(os.path.join(root, n))]
    return sorted(out)


def _report(settings: Settings, submission_id: object) -> dict[str, object]:
    folder = find_quarantine(settings.quarantine_dir, str(submission_id))
    assert folder is not None
    path = folder / "report.json"
    report: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return report


# --- item 2: any file name ---------------------------------------------------------------


def test_any_file_name_gets_a_ledger_row_and_the_rest_continue(lipas_home: Settings) -> None:
    """Regression: a Windows en dash (byte 0x96) in a name raised UnicodeEncodeError in
    make_submission_id, and a 250-byte name 'File name too long' when archiving; either stopped
    the run for every file after it, on every re-run."""
    landing = lipas_home.landing_dir
    bad = write_xlsx(
        monthly_report(period="2025-01"), landing / os.fsdecode(b"Laporan \x96 Januari.xlsx")
    )
    long_name = "L" * 245 + ".xlsx"
    assert len(long_name.encode()) == 250
    long = write_xlsx(monthly_report(period="2025-02"), landing / long_name)
    folder = write_csv_folder(monthly_report(period="2025-04"), landing / "BP3201_april")
    (folder / os.fsdecode(b"catatan \x96.csv")).write_bytes(b"a,b\n1,2\n")
    normal = write_xlsx(monthly_report(period="2025-03"), landing / "normal.xlsx")
    for i, item in enumerate((bad, long, folder, normal)):
        set_mtime(item, T0 + dt.timedelta(hours=i))

    summary = run_ingest(lipas_home)

    assert [f.status for f in summary.files] == ["accepted"] * 4, summary
    rows = _ledger(lipas_home)
    assert rows["Laporan \u2013 Januari.xlsx"][2] == "Laporan \u2013 Januari.xlsx"  # readable
    assert rows[long_name][2] == long_name  # the ledger keeps the full original name
    for status, _, _, archived, _ in rows.values():
        assert status == "accepted"
        assert len(Path(str(archived)).name.encode()) <= 120
        assert Path(str(archived)).exists()
    assert _landing_entries(landing) == []


def test_item_that_cannot_be_archived_is_rejected_and_kept_in_landing(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: any exception while archiving one candidate escaped and stopped the run."""
    real = pipeline.archive_original

    def flaky(candidate: object, archive_dir: Path) -> tuple[str, Path]:
        if "broken" in candidate.rel_path:  # type: ignore[attr-defined]
            raise PermissionError(13, "Permission denied")
        return real(candidate, archive_dir)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "archive_original", flaky)
    landing = lipas_home.landing_dir
    broken = write_xlsx(monthly_report(period="2025-01"), landing / "broken.xlsx")
    good = write_xlsx(monthly_report(period="2025-02"), landing / "good.xlsx")
    set_mtime(broken, T0)
    set_mtime(good, T0 + dt.timedelta(hours=1))

    summary = run_ingest(lipas_home)

    assert [(f.original_path, f.status, f.error_code) for f in summary.files] == [
        ("broken.xlsx", "rejected", "unreadable"),
        ("good.xlsx", "accepted", None),
    ]
    rows = _ledger(lipas_home)
    assert rows["broken.xlsx"][3] is None  # nothing archived
    report = _report(lipas_home, rows["broken.xlsx"][4])
    assert "PermissionError" in str(report["detail"])
    assert "PermissionError" not in str(report["message_id"])
    assert broken.exists(), "the only copy must stay in landing"
    # A re-run that fails again adds no row and still keeps the file.
    again = run_ingest(lipas_home)
    assert [f.status for f in again.files] == ["already_ingested"]
    assert len(_ledger(lipas_home)) == 2 and broken.exists()


# --- item 5: a future file time ------------------------------------------------------------


def test_future_file_time_never_wins_over_a_later_correction(lipas_home: Settings) -> None:
    """Regression: received_at was the sender's mtime (kept by SFTP / rsync -t); a v1 stamped
    2027 stayed current forever and the real correction was stored as superseded."""
    landing = lipas_home.landing_dir
    v1 = write_xlsx(monthly_report(n_clients=4), landing / "v1.xlsx")
    set_mtime(v1, dt.datetime(2027, 1, 1))
    first = run_ingest(lipas_home)
    assert [f.status for f in first.files] == ["accepted"]
    (received,) = query(lipas_home, "SELECT received_at FROM ledger.submissions")[0]
    assert received <= dt.datetime.now(dt.UTC).replace(tzinfo=None)  # type: ignore[operator]

    write_xlsx(monthly_report(n_clients=3), landing / "v2.xlsx")  # arrives later, true mtime
    second = run_ingest(lipas_home)

    assert [f.status for f in second.files] == ["accepted"]
    current = query(
        lipas_home, "SELECT original_name, status FROM ledger.submissions ORDER BY original_name"
    )
    assert current == [("v1.xlsx", "superseded"), ("v2.xlsx", "accepted")]


# --- item 6: symlinks, symlinked folders, FIFOs --------------------------------------------


def test_links_and_pipes_are_rejected_never_followed(lipas_home: Settings, tmp_path: Path) -> None:
    """Regression: a KLIEN.csv symlink to /etc/passwd inside a CSV folder was archived and
    parsed; symlinks, symlinked folders and FIFOs directly in landing were silently ignored and
    stayed in landing forever (a FIFO would also block any reader that opened it)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "passwd"
    secret.write_text(SECRET + "\n")
    outside_report = write_csv_folder(monthly_report("BP3202"), outside / "report")
    outside_xlsx = write_xlsx(monthly_report("BP3203"), outside / "real.xlsx")
    landing = lipas_home.landing_dir
    folder = write_csv_folder(monthly_report(), landing / "BP3201")
    (folder / "KLIEN.csv").unlink()
    (folder / "KLIEN.csv").symlink_to(secret)
    (landing / "link.xlsx").symlink_to(outside_xlsx)
    (landing / "dirlink").symlink_to(outside_report, target_is_directory=True)
    (landing / "dangling.xlsx").symlink_to(outside / "gone.xlsx")
    os.mkfifo(landing / "pipe.xlsx")

    summary = run_ingest(lipas_home)

    rows = _ledger(lipas_home)
    assert {p: r[:2] for p, r in rows.items()} == {
        "BP3201": ("rejected", "missing_sheet"),
        "BP3201/KLIEN.csv": ("rejected", "not_a_regular_file"),
        "link.xlsx": ("rejected", "not_a_regular_file"),
        "dirlink": ("rejected", "not_a_regular_file"),
        "dangling.xlsx": ("rejected", "not_a_regular_file"),
        "pipe.xlsx": ("rejected", "not_a_regular_file"),
    }, summary
    archived = [p for p in lipas_home.archive_dir.rglob("*") if p.is_file()]
    assert not any(SECRET in p.read_text(errors="replace") for p in archived)
    assert all(not p.is_symlink() for p in lipas_home.archive_dir.rglob("*"))
    evidence = Path(str(rows["BP3201/KLIEN.csv"][3])).read_text(encoding="utf-8")
    assert str(secret) in evidence  # the link target as text, for the operator
    report = _report(lipas_home, rows["link.xlsx"][4])
    assert "pintasan" in str(report["message_id"]) and str(outside_xlsx) in str(report["detail"])
    assert str(outside_xlsx) not in str(report["message_id"])
    assert _landing_entries(landing) == []
    assert secret.read_text() == SECRET + "\n" and outside_xlsx.exists()
    assert (outside_report / "IDENTITAS.csv").exists()


def test_symlink_entry_inside_a_zip_is_not_read(lipas_home: Settings, tmp_path: Path) -> None:
    """Regression: a zip entry stored as a symlink was read as data (its 'content' is the
    target path), so KLIEN came out as a one-cell sheet named after /etc/passwd."""
    source = write_zip(monthly_report(), tmp_path / "a.zip")
    target = lipas_home.landing_dir / "a.zip"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            if info.filename.endswith("KLIEN.csv"):
                link = zipfile.ZipInfo(info.filename)
                link.external_attr = (stat.S_IFLNK | 0o777) << 16
                dst.writestr(link, b"/etc/passwd")
            else:
                dst.writestr(info, src.read(info))

    summary = run_ingest(lipas_home)

    assert summary.files[0].error_code == "missing_sheet"


# --- item 9: encrypted zips, many parts, loose CSV, two writers, plain messages -----------


def _encrypt_flags(path: Path) -> Path:
    """Set the 'encrypted' flag on every entry, as a zip tool's password option does."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = data.find(signature)
        while pos != -1:
            data[pos + offset] |= 0x01
            pos = data.find(signature, pos + 4)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda d: write_zip(monthly_report(), d / "a.zip"), id="zip of CSV"),
        pytest.param(lambda d: write_xlsx(monthly_report(), d / "a.xlsx"), id="xlsx"),
    ],
)
def test_password_protected_zip_is_encrypted(
    lipas_home: Settings, build: Callable[[Path], Path]
) -> None:
    """Regression: a password-protected zip was 'unexpected error (RuntimeError)'."""
    _encrypt_flags(build(lipas_home.landing_dir))
    summary = run_ingest(lipas_home)
    assert summary.files[0].error_code == "encrypted"


def test_workbook_with_many_parts_is_accepted(lipas_home: Settings, tmp_path: Path) -> None:
    """Regression: a genuine workbook with 1,033 zip entries (drawings, comments) was refused
    as zip_bomb by a 500-entry limit."""
    source = write_xlsx(monthly_report(), tmp_path / "src.xlsx")
    extra: dict[str, bytes | None] = {f"xl/media/image{i}.png": b"\x89PNG" for i in range(1030)}
    with zipfile.ZipFile(source) as src:
        assert len(src.infolist()) + len(extra) >= 1033
    target = lipas_home.landing_dir / "a.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        for name, data in extra.items():
            dst.writestr(name, data or b"")

    summary = run_ingest(lipas_home)

    assert [f.status for f in summary.files] == ["accepted"], summary


def test_loose_csv_says_what_to_do(lipas_home: Settings) -> None:
    """Regression: a loose KLIEN.csv got "format '.csv' tidak dikenali" although CSV is
    accepted, leaving the clerk no idea what to change."""
    (lipas_home.landing_dir / "KLIEN.csv").write_text("no_register,nik\n")
    summary = run_ingest(lipas_home)
    assert summary.files[0].error_code == "csv_without_identitas"
    report = _report(lipas_home, summary.files[0].submission_id)
    hint = str(report["hint_id"])
    assert "IDENTITAS.csv" in hint and "folder" in hint and ".zip" in hint
    assert "tidak dikenali" not in str(report["message_id"])


def test_second_ingest_gets_a_one_line_busy_message(lipas_home: Settings) -> None:
    """Regression: the loser of two concurrent `lipas ingest` printed DuckDB's lock traceback."""
    write_xlsx(monthly_report(), lipas_home.landing_dir / "a.xlsx")
    holder = subprocess.Popen(
        [
            sys.executable, "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
            "print('ready', flush=True); sys.stdin.read()",
            str(lipas_home.warehouse_path),
        ],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        result = CliRunner().invoke(build_app(), ["ingest"])
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait()
    assert result.exit_code == 1
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert "another ingestion or nightly run" in result.output
    assert "Traceback" not in result.output and "IOException" not in result.output
    assert (lipas_home.landing_dir / "a.xlsx").exists(), "nothing is touched"


def _truncated(landing: Path, tmp: Path) -> Path:
    data = write_xlsx(monthly_report(), tmp / "src.xlsx").read_bytes()
    (landing / "a.xlsx").write_bytes(data[: len(data) // 2])
    return landing / "a.xlsx"


# Library names and English that used to appear inside the Indonesian message.
_TECHNICAL = re.compile(
    r"BadZip|Calamine|Error|zipfile|XML|DOCTYPE|ENTITY|entries|uncompressed|ratio|not an|/ ",
)


@pytest.mark.parametrize(
    ("build", "code"),
    [
        pytest.param(_truncated, "unreadable", id="truncated xlsx"),
        pytest.param(
            lambda d, t: with_doctype(write_xlsx(monthly_report(), t / "s.xlsx"), d / "a.xlsx"),
            "malformed_xml",
            id="doctype",
        ),
        pytest.param(
            lambda d, t: with_broken_sheet_xml(
                write_xlsx(monthly_report(), t / "s.xlsx"), d / "a.xlsx"
            ),
            "malformed_xml",
            id="broken sheet xml",
        ),
        pytest.param(lambda d, t: zip_bomb(d / "a.zip"), "zip_bomb", id="zip bomb"),
        pytest.param(
            lambda d, t: (d / "a.zip").write_bytes(b"PK\x03\x04 not a zip") and d / "a.zip",
            "unreadable",
            id="broken zip",
        ),
    ],
)
def test_clerk_messages_carry_no_library_names(
    lipas_home: Settings, tmp_path: Path, build: Callable[[Path, Path], Path], code: str
) -> None:
    """Regression: messages to clerks read like 'bukan xlsx yang utuh / not an intact xlsx:
    BadZipFile' or carried XML parser messages; that detail is for the operator only."""
    build(lipas_home.landing_dir, tmp_path)
    summary = run_ingest(lipas_home)
    result = summary.files[0]
    assert result.error_code == code
    report = _report(lipas_home, result.submission_id)
    for field in ("message_id", "hint_id"):
        assert not _TECHNICAL.search(str(report[field])), report[field]
    assert not re.search(r"BadZip|Calamine|zipfile|ParseError", str(report["message_en"]))
    assert report["detail"], "the technical cause is kept for the operator"
    (summary_text,) = query(lipas_home, "SELECT error_summary FROM ledger.submissions")[0]
    assert str(report["detail"]) not in str(summary_text)
    folder = find_quarantine(lipas_home.quarantine_dir, result.submission_id)
    assert folder is not None
    text = (folder / "laporan_penolakan.txt").read_text(encoding="utf-8")
    assert "Detail teknis (untuk operator)" in text


# --- item 10: leftovers of a killed run ----------------------------------------------------


def test_temp_files_of_a_killed_run_are_cleared(lipas_home: Settings) -> None:
    """Regression (CI flake): a raw/monthly/kegiatan/.<id>.parquet.<pid>.tmp left by a killed
    run survived the re-run."""
    leftovers = [
        lipas_home.raw_dir / "monthly" / "kegiatan" / ".sabc.parquet.4242.tmp",
        lipas_home.quarantine_dir / "sabc" / ".report.json.tmp",
        lipas_home.archive_dir / ".staging" / "4242.tmp",
    ]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
    run_ingest(lipas_home)
    assert [p for p in leftovers if p.exists()] == []


def test_next_run_waits_for_workers_of_a_killed_run(tmp_path: Path) -> None:
    """A parse worker of a killed run may still be finishing a temp Parquet file; it holds the
    worker lock shared until it exits, and the next run clears temp files only after that."""
    lock = tmp_path / ".ingest-workers.lock"
    worker = subprocess.Popen(
        [
            sys.executable, "-c",
            "import sys; from ingestion.orphans import init_worker; import os; "
            "init_worker(os.getpid(), sys.argv[1]); print('ready', flush=True); sys.stdin.read()",
            str(lock),
        ],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip
    try:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
        assert wait_for_old_workers(lock, timeout=0) is False
    finally:
        assert worker.stdin is not None
        worker.stdin.close()
        worker.wait()
    assert wait_for_old_workers(lock, timeout=0) is True


def test_cli_lists_a_rejected_file_whose_name_looks_like_markup(lipas_home: Settings) -> None:
    """Regression: `lipas ingest` printed file names as console markup, so a name holding
    '[/...]' crashed the summary (MarkupError) after the run, and '[...]' vanished."""
    folder = lipas_home.landing_dir / "catatan ["  # the path reads 'catatan [/final].pdf'
    folder.mkdir()
    (folder / "final].pdf").write_bytes(b"%PDF-1.4")
    result = CliRunner().invoke(build_app(), ["ingest"])
    assert result.exit_code == 0, result.output
    assert "catatan [/final].pdf" in result.output
