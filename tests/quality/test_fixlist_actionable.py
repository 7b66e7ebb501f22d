"""Fix-lists a clerk can act on (issue #15 item 2): one test per complaint."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from test_alerts_support import AS_OF, PERIOD

from core.contract.model import load_contract
from core.period import window_months
from ingestion.quarantine import (
    NO_KODE,
    NO_PERIODE,
    find_quarantine,
    render_text,
    write_quarantine_report,
)
from ingestion.quarantine import (
    Rejection as QuarantineRejection,
)
from quality.alerts.compose import compose_message
from quality.alerts.digest_rows import rejected_rows
from quality.alerts.directory import load_directory
from quality.alerts.documents import Document, build_documents
from quality.alerts.fixlist import as_typed, build_fixlist
from quality.alerts.model import (
    AlertHistory,
    AlertInputs,
    Finding,
    Rejection,
    SampleRow,
    StatusRow,
)
from quality.alerts.recipients import load_recipients
from quality.alerts.render import render_fixlist
from quality.catalogue_doc import all_rules

KODE = "BP1101"


def _finding(severity: str = "warning", cells: tuple[SampleRow, ...] = ()) -> Finding:
    return Finding(
        finding_id=f"f-{severity}",
        rule_id="CONS_X",
        rule_family="consistency",
        severity=severity,
        report_kind="monthly",
        kode_bapas=KODE,
        kode_kanwil="KW11",
        period=PERIOD,
        affected_rows=len(cells),
        sample_rows=cells,
        message_id="Isian tidak konsisten.",
        hint_id="Perbaiki selnya.",
        message_en="Inconsistent entry.",
        hint_en="Fix the cell.",
        first_seen=None,
        resolved_at=None,
        status="open",
    )


def _rejection(**changes: object) -> Rejection:
    values: dict[str, object] = {
        "submission_id": "s3twcmgi5",
        "original_name": "laporan.xlsx",
        "report_kind": "monthly",
        "kode_bapas": KODE,
        "period": PERIOD,
        "received_at": dt.datetime(2025, 4, 10, 3, 0),
        "error_code": "unreadable",
        "error_summary": "",
        "message_id": "Berkas rusak dan tidak dapat dibuka.",
        "message_en": "The file is damaged and cannot be opened.",
    }
    values.update(changes)
    return Rejection(**values)  # type: ignore[arg-type]


def _inputs(
    findings: tuple[Finding, ...] = (),
    rejections: tuple[Rejection, ...] = (),
    versi: dict[tuple[str, str], int] | None = None,
) -> AlertInputs:
    return AlertInputs(
        as_of=AS_OF,
        period=PERIOD,
        months=window_months(PERIOD),
        status=(),
        findings=findings,
        rejections=rejections,
        scores=(),
        undelivered=(),
        quality_available=True,
        versi=versi or {},
    )


def _markdown(inputs: AlertInputs, template_url: str | None = None) -> str:
    fix = build_fixlist(inputs, AlertHistory(), load_directory(), KODE, "id", template_url)
    return render_fixlist(fix, "id", "fixlist").markdown


def _fixlist_doc(inputs: AlertInputs, template_url: str | None = None) -> Document:
    docs = build_documents(
        inputs, AlertHistory(), load_directory(), lang="id", reminder_days=3,
        template_url=template_url,
    )  # fmt: skip
    return next(d for d in docs if d.kind == "fixlist")


def test_blank_form_is_attached_with_raised_versi() -> None:
    """Regression: the list ended with `lipas template --bapas ... --out ...`, a server command
    a clerk cannot run. The form itself travels with the mail, IDENTITAS.versi already one
    above the highest versi the ledger holds for that Bapas and period."""
    doc = _fixlist_doc(_inputs((_finding("error"),), versi={(KODE, PERIOD): 2}))
    assert "lipas template" not in doc.rendered.markdown + doc.rendered.html
    name = f"laporan_bulanan_{KODE}_{PERIOD}_versi3.xlsx"
    assert list(doc.attachments) == [name]
    assert name in doc.rendered.markdown
    book = CalamineWorkbook.from_filelike(io.BytesIO(doc.attachments[name]))
    identitas = book.get_sheet_by_name("IDENTITAS").to_python()
    # Row 1 holds the Bahasa labels, row 2 the machine header, row 3 the prefilled values.
    header, values = identitas[1], identitas[2]
    assert values[header.index("versi")] == 3
    assert values[header.index("kode_bapas")] == KODE
    message = compose_message(
        doc.rendered, sender="lipas@x.go.id", recipients=("bapas@x.go.id",),
        attachments=doc.attachments,
    )  # fmt: skip
    parsed = message_from_bytes(message.as_bytes(), policy=default)
    attached = [p.get_filename() for p in parsed.iter_attachments()]  # type: ignore[attr-defined]
    assert name in attached


def test_configured_link_replaces_the_attachment(tmp_path: Path) -> None:
    """When the recipients file names a download link, the list links the form instead."""
    recipients = tmp_path / "recipients.yaml"
    recipients.write_text(
        "ditjen: d@x.go.id\ntemplate_url: https://lipas.x.go.id/formulir/{kode}/{periode}"
        "?versi={versi}\n",
        encoding="utf-8",
    )
    url = load_recipients(recipients).template_url
    doc = _fixlist_doc(_inputs((_finding("error"),)), template_url=url)
    assert doc.attachments == {}
    assert f"https://lipas.x.go.id/formulir/{KODE}/{PERIOD}?versi=1" in doc.rendered.markdown


def test_values_are_shown_as_typed() -> None:
    """Regression: a Y/N cell typed as N was shown as `false`, and dates as 2025-03-04."""
    cells = (
        SampleRow("PESERTA", 5, "hadir", "false"),
        SampleRow("KLIEN", 6, "tanggal_mulai", "2025-03-04"),
        SampleRow("KLIEN", 7, "tindak_pidana_baru", "True"),
        SampleRow("KLIEN", 8, "no_register", "2025-03-04"),  # text column: untouched
    )
    markdown = _markdown(_inputs((_finding("error", cells),)))
    assert "`hadir`: `N`" in markdown and "false" not in markdown
    assert "`tanggal_mulai`: `04/03/2025`" in markdown
    assert "`tindak_pidana_baru`: `Y`" in markdown
    assert "`no_register`: `2025-03-04`" in markdown
    assert as_typed("X", "unknown_column", "false") == "N"


def test_warning_only_list_says_the_report_was_accepted() -> None:
    """Regression: a list of warnings only opened with "Laporan Anda belum dapat diterima
    sepenuhnya" although the report had been accepted and counted."""
    warnings_only = _markdown(_inputs((_finding("warning"),)))
    assert "belum dapat diterima" not in warnings_only
    assert "sudah diterima" in warnings_only
    with_error = _markdown(_inputs((_finding("warning"), _finding("error"))))
    assert "belum dapat diterima" in with_error
    rejected = _markdown(_inputs((_finding("warning"),), (_rejection(),)))
    assert "belum dapat diterima" in rejected


def test_no_rule_asks_for_an_explanation_the_form_cannot_hold() -> None:
    """Regression: hints said "beri keterangan" (give an explanation) but no sheet of the form
    has a notes column, so the clerk had nowhere to write one."""
    columns = {
        column.name
        for kind in load_contract().report_kinds.values()
        for sheet in kind.sheets
        for column in sheet.columns
    }
    assert "keterangan" not in columns
    asking = [r.rule_id for r in all_rules() if "keterangan" in r.hint_id.lower()]
    assert asking == []


_TECHNICAL = re.compile(
    r"BadZip|zipfile|Calamine|ParseError|XmlError|not an intact|skor z|z-score|MAD\b", re.I
)


def test_technical_detail_only_in_the_operator_section() -> None:
    """Regression: Bahasa sentences carried "bukan xlsx yang utuh / not an intact xlsx:
    BadZipFile", XML parser messages and "skor z termodifikasi 8.2"."""
    legacy = _rejection(
        message_id="",
        message_en="",
        error_summary="bukan xlsx yang utuh / not an intact xlsx: BadZipFile",
    )
    parser = _rejection(
        submission_id="s2", original_name="b.xlsx", detail="xl/worksheets/sheet1.xml: ParseError"
    )
    fix = build_fixlist(
        _inputs(rejections=(legacy, parser)), AlertHistory(), load_directory(), KODE, "id"
    )
    for entry in fix.entries:
        assert not _TECHNICAL.search(entry.message + entry.hint), entry.message
    notes = " ".join(fix.operator_notes)
    assert "BadZipFile" in notes and "ParseError" in notes
    markdown = render_fixlist(fix, "id", "fixlist").markdown
    clerk_part, operator_part = markdown.split("Detail teknis (untuk operator", 1)
    assert not _TECHNICAL.search(clerk_part)
    assert "BadZipFile" in operator_part
    for rule in all_rules():
        assert not _TECHNICAL.search(rule.message_id + rule.hint_id), rule.rule_id


def test_unread_period_is_said_in_words() -> None:
    """Regression: a file whose period could not be read appeared as "Bapas Kelas I Palu ?"
    in the digest and "Periode: ?" in the fix-list."""
    unread = _rejection(period=None)
    markdown = _markdown(_inputs(rejections=(unread,)))
    assert "Periode: ?" not in markdown
    assert "Periode: periode tidak terbaca" in markdown
    rows, _ = rejected_rows((unread,), (), load_directory(), "id", AS_OF)
    assert rows[0].period == "periode tidak terbaca"


def test_quarantine_is_laid_out_by_bapas_and_period(tmp_path: Path) -> None:
    """Regression: quarantine folders were opaque ids (s3twcmgi5...) side by side; they are
    now quarantine/<KODE>/<periode>/<id>, unread identity in _tanpa_kode/_tanpa_periode, and
    still found by id alone (flat folders written before included)."""
    rej = QuarantineRejection("unreadable", "Berkas rusak.", "Damaged.")
    when = dt.datetime(2025, 4, 10, 3, 0)
    read = write_quarantine_report(
        tmp_path, "sA", "a.xlsx", when, rej, kode_bapas=KODE, period=PERIOD
    )
    unread = write_quarantine_report(tmp_path, "sB", "b.xlsx", when, rej)
    assert read == tmp_path / KODE / PERIOD / "sA"
    assert unread == tmp_path / NO_KODE / NO_PERIODE / "sB"
    assert find_quarantine(tmp_path, "sA") == read
    assert find_quarantine(tmp_path, "sB") == unread
    (tmp_path / "sOld").mkdir()
    (tmp_path / "sOld" / "report.json").write_text("{}", encoding="utf-8")
    assert find_quarantine(tmp_path, "sOld") == tmp_path / "sOld"
    assert find_quarantine(tmp_path, "missing") is None
    hostile = write_quarantine_report(
        tmp_path, "sC", "c.xlsx", when, rej, kode_bapas="../..", period="2025/03"
    )
    assert hostile == tmp_path / NO_KODE / NO_PERIODE / "sC"


@pytest.mark.parametrize("held", [False, True])
def test_quarantine_report_says_wib(held: bool) -> None:
    """Regression: rejection reports said UTC where every other report says WIB."""
    rej = QuarantineRejection("unreadable", "Berkas rusak.", "Damaged.")
    text = render_text("a.xlsx", dt.datetime(2025, 4, 10, 20, 30), rej, held=held)
    assert "2025-04-11 03:30 WIB" in text and "UTC" not in text


def test_overdue_notice_attaches_the_form_instead_of_a_server_command() -> None:
    """Regression: an overdue notice ended with `lipas template --bapas ... --out ...` like the
    fix-lists once did; the Bapas that owes the report now gets the form itself, `versi` 1."""
    owed = StatusRow(
        kode_bapas=KODE, kode_kanwil="KW11", report_kind="monthly", period=PERIOD,
        deadline=AS_OF - dt.timedelta(days=2), received=False, first_received_at=None,
        accepted=False, on_time=False, status="missing", days_overdue=2,
        possibly_inactive=False, counts_as_expected=True, counts_as_reported=False,
        counts_as_on_time=False,
    )  # fmt: skip
    inputs = dataclasses.replace(_inputs(), status=(owed,))
    docs = build_documents(inputs, AlertHistory(), load_directory(), lang="id", reminder_days=3)
    notice = next(d for d in docs if d.kind == "overdue")
    assert "lipas template" not in notice.rendered.markdown + notice.rendered.html
    name = f"laporan_bulanan_{KODE}_{PERIOD}_versi1.xlsx"
    assert list(notice.attachments) == [name]
    assert name in notice.rendered.markdown and name in notice.rendered.html
    book = CalamineWorkbook.from_filelike(io.BytesIO(notice.attachments[name]))
    header, values = book.get_sheet_by_name("IDENTITAS").to_python()[1:3]
    assert values[header.index("periode")] == PERIOD
    linked = build_documents(
        inputs, AlertHistory(), load_directory(), lang="id", reminder_days=3,
        template_url="https://lipas.x.go.id/formulir/{kode}/{periode}/{versi}",
    )  # fmt: skip
    notice = next(d for d in linked if d.kind == "overdue")
    assert not notice.attachments
    assert f"https://lipas.x.go.id/formulir/{KODE}/{PERIOD}/1" in notice.rendered.markdown
