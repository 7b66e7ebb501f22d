"""Tanda terima: the receipt a Bapas gets minutes after its file lands (issue #15 item 1).

Pure: a `Receipt` (what the ledger and the single-submission checks say about one file) in,
Markdown / HTML / JSON out. It proves the report arrived and whether it counts as on time, and
lists what must be fixed in the file itself (errors first), each with sheet, row, column, the
value as typed and what to type instead. Cross-submission findings stay in the nightly digest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
from dataclasses import dataclass

from core.period import jakarta_time
from quality.alerts.i18n import text
from quality.alerts.privacy import redact_text
from quality.alerts.render import Rendered

OUTCOMES = ("accepted", "rejected", "held", "duplicate")
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

_TEXT: dict[str, tuple[str, str]] = {
    "title": ("Tanda terima laporan", "Report receipt"),
    "intro": (
        "Berkas Anda sudah kami terima. Simpan email ini sebagai bukti pengiriman.",
        "We have received your file. Keep this email as proof of submission.",
    ),
    "file": ("Berkas", "File"),
    "hash": ("Kode berkas", "File code"),
    "received": ("Diterima", "Received"),
    "bapas": ("Bapas", "Bapas"),
    "period": ("Periode", "Period"),
    "period_unread": ("periode tidak terbaca", "period could not be read"),
    "bapas_unread": ("kode Bapas tidak terbaca", "Bapas code could not be read"),
    "timeliness": ("Ketepatan waktu", "Timeliness"),
    "on_time": ("Tepat waktu (batas {deadline})", "On time (deadline {deadline})"),
    "late": (
        "Terlambat {days} hari (batas {deadline})",
        "{days} days late (deadline {deadline})",
    ),
    "no_deadline": ("tidak dapat dinilai", "cannot be judged"),
    "status": ("Status", "Status"),
    "st_accepted": ("DITERIMA", "ACCEPTED"),
    "st_rejected": ("DITOLAK", "REJECTED"),
    "st_held": ("DITAHAN (belum dipakai)", "HELD (not in use)"),
    "st_duplicate": (
        "SUDAH PERNAH DITERIMA (berkas yang sama)",
        "ALREADY RECEIVED (same file)",
    ),
    "version": ("Versi", "Version"),
    "replaces": (
        "Kiriman ini menggantikan versi {old} yang diterima {when}.",
        "This submission replaces version {old}, received {when}.",
    ),
    "resolves": (
        "Masalah pada versi sebelumnya yang sudah tidak ada lagi: {n}.",
        "Problems of the previous version no longer present: {n}.",
    ),
    "problem": ("Masalah", "Problem"),
    "fix": ("Cara memperbaiki", "How to fix"),
    "findings": ("Isian yang perlu diperbaiki", "Entries to fix"),
    "no_findings": (
        "Tidak ada masalah pada isian berkas ini.",
        "No problems found in this file's entries.",
    ),
    "findings_note": (
        "Pemeriksaan antarlaporan (mis. dibandingkan bulan lalu) dikirim terpisah dalam daftar "
        "perbaikan harian.",
        "Checks across reports (e.g. against last month) come separately in the daily fix-list.",
    ),
    "col_severity": ("Tingkat", "Severity"),
    "col_sheet": ("Sheet", "Sheet"),
    "col_row": ("Baris", "Row"),
    "col_column": ("Kolom", "Column"),
    "col_value": ("Isi yang diketik", "Value as typed"),
    "col_problem": ("Masalah", "Problem"),
    "col_fix": ("Yang harus diisi", "What to type"),
    "sev_error": ("wajib diperbaiki", "must fix"),
    "sev_warning": ("periksa", "check"),
    "subject": (
        "[LIPAS] Tanda terima {kode} {period}: {status}",
        "[LIPAS] Receipt {kode} {period}: {status}",
    ),
}


def _t(key: str, lang: str, **values: object) -> str:
    template = _TEXT[key][0 if lang == "id" else 1]
    return template.format(**values) if values else template


@dataclass(frozen=True)
class ReceiptLine:
    """One cell to fix: where, the value as the clerk typed it, the problem and what to type."""

    severity: str
    sheet: str
    row: int | None
    column: str
    value: str
    problem: str
    fix: str


@dataclass(frozen=True)
class Receipt:
    """Everything a receipt says about one file (naive UTC times, as the ledger keeps them)."""

    submission_id: str
    original_name: str
    sha256: str
    received_at: dt.datetime
    kode_bapas: str | None
    nama_bapas: str
    period: str | None
    outcome: str  # accepted | rejected | held | duplicate
    deadline: dt.date | None = None
    version: int | None = None
    replaces_version: int | None = None
    replaces_received_at: dt.datetime | None = None
    resolved_count: int = 0
    problem: str = ""
    hint: str = ""
    lines: tuple[ReceiptLine, ...] = ()

    @property
    def short_hash(self) -> str:
        """First 12 hex digits of the SHA-256: enough to tell two files apart over the phone."""
        return self.sha256[:12]

    @property
    def received_wib(self) -> dt.datetime:
        """Received time on the Jakarta clock."""
        return jakarta_time(self.received_at)

    @property
    def days_late(self) -> int | None:
        """Days after the deadline (0 = on time); None when the period was not read."""
        if self.deadline is None:
            return None
        return max((self.received_wib.date() - self.deadline).days, 0)


def sorted_lines(lines: tuple[ReceiptLine, ...]) -> tuple[ReceiptLine, ...]:
    """Errors first, then warnings; within each, by sheet, row and column."""
    return tuple(
        sorted(
            lines,
            key=lambda x: (_SEVERITY_ORDER.get(x.severity, 9), x.sheet, x.row or 0, x.column),
        )
    )


def _severity(line: ReceiptLine, lang: str) -> str:
    return _t(f"sev_{line.severity}", lang) if line.severity in ("error", "warning") else "catatan"


def _facts(receipt: Receipt, lang: str) -> list[tuple[str, str]]:
    late = receipt.days_late
    if late is None:
        timeliness = _t("no_deadline", lang)
    elif late == 0:
        timeliness = _t("on_time", lang, deadline=f"{receipt.deadline:%d/%m/%Y}")
    else:
        timeliness = _t("late", lang, days=late, deadline=f"{receipt.deadline:%d/%m/%Y}")
    facts = [
        (_t("file", lang), receipt.original_name),
        (_t("hash", lang), receipt.short_hash),
        (_t("received", lang), f"{receipt.received_wib:%d/%m/%Y %H:%M} WIB"),
        (
            _t("bapas", lang),
            f"{receipt.nama_bapas} ({receipt.kode_bapas})"
            if receipt.kode_bapas
            else _t("bapas_unread", lang),
        ),
        (_t("period", lang), receipt.period or _t("period_unread", lang)),
        (_t("timeliness", lang), timeliness),
        (_t("status", lang), _t(f"st_{receipt.outcome}", lang)),
    ]
    if receipt.version is not None:
        facts.append((_t("version", lang), str(receipt.version)))
    return facts


def _notes(receipt: Receipt, lang: str) -> list[str]:
    notes = []
    if receipt.replaces_version is not None:
        when = (
            f"{jakarta_time(receipt.replaces_received_at):%d/%m/%Y %H:%M} WIB"
            if receipt.replaces_received_at
            else "-"
        )
        notes.append(_t("replaces", lang, old=receipt.replaces_version, when=when))
        if receipt.resolved_count:
            notes.append(_t("resolves", lang, n=receipt.resolved_count))
    return notes


def _markdown(receipt: Receipt, lang: str, lines: tuple[ReceiptLine, ...]) -> str:
    out = [f"# {_t('title', lang)}", "", _t("intro", lang), ""]
    out += [f"- **{label}:** {value}" for label, value in _facts(receipt, lang)]
    out.append("")
    out += [*_notes(receipt, lang), ""] if _notes(receipt, lang) else []
    if receipt.problem:
        out += [f"**{_t('problem', lang)}:** {receipt.problem}", ""]
    if receipt.hint:
        out += [f"**{_t('fix', lang)}:** {receipt.hint}", ""]
    if receipt.outcome == "accepted":
        out += [f"## {_t('findings', lang)}", ""]
        if not lines:
            out.append(_t("no_findings", lang))
        for n, line in enumerate(lines, 1):
            row = line.row if line.row is not None else "-"
            out.append(
                f"{n}. [{_severity(line, lang)}] "
                f"{_t('col_sheet', lang)} {line.sheet}, {_t('col_row', lang).lower()} {row}, "
                f"{_t('col_column', lang).lower()} `{line.column}`: "
                f"`{line.value or '–'}`. {line.problem} {_t('col_fix', lang)}: {line.fix}"
            )
        out += ["", _t("findings_note", lang)]
    out += ["", "---", text("footer", lang)]
    return "\n".join(out) + "\n"


def _html(receipt: Receipt, lang: str, lines: tuple[ReceiptLine, ...]) -> str:
    e = html.escape
    facts = "".join(
        f"<tr><th>{e(label)}</th><td>{e(value)}</td></tr>" for label, value in _facts(receipt, lang)
    )
    parts = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(_t('title', lang))}</title>",
        "<style>body{font-family:sans-serif;margin:12px;max-width:720px}"
        "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 6px;"
        "border-bottom:1px solid #ddd;vertical-align:top;overflow-wrap:anywhere}"
        # Labels wrap between words only ("Ketepatan waktu"), values anywhere (long file names).
        "th{overflow-wrap:normal;white-space:nowrap}"
        ".error{color:#a40000;font-weight:bold}.warning{color:#8a5a00}"
        "code{background:#f3f3f3;padding:0 2px}</style></head><body>",
        f"<h1>{e(_t('title', lang))}</h1><p>{e(_t('intro', lang))}</p>",
        f"<table>{facts}</table>",
    ]
    parts += [f"<p>{e(note)}</p>" for note in _notes(receipt, lang)]
    if receipt.problem:
        parts.append(f"<p><strong>{e(_t('problem', lang))}:</strong> {e(receipt.problem)}</p>")
    if receipt.hint:
        parts.append(f"<p><strong>{e(_t('fix', lang))}:</strong> {e(receipt.hint)}</p>")
    if receipt.outcome == "accepted":
        parts.append(f"<h2>{e(_t('findings', lang))}</h2>")
        if not lines:
            parts.append(f"<p>{e(_t('no_findings', lang))}</p>")
        for line in lines:
            severity = _severity(line, lang)
            parts.append(
                f'<p><span class="{e(line.severity)}">{e(severity)}</span> '
                f"{e(_t('col_sheet', lang))} {e(line.sheet)}, "
                f"{e(_t('col_row', lang).lower())} {line.row if line.row is not None else '-'}, "
                f"{e(_t('col_column', lang).lower())} <code>{e(line.column)}</code>: "
                f"<code>{e(line.value or '–')}</code><br>{e(line.problem)}<br>"
                f"<strong>{e(_t('col_fix', lang))}:</strong> {e(line.fix)}</p>"
            )
        parts.append(f"<p><small>{e(_t('findings_note', lang))}</small></p>")
    parts.append(f"<hr><p><small>{e(text('footer', lang))}</small></p></body></html>")
    return "\n".join(parts) + "\n"


def render_receipt(receipt: Receipt, lang: str = "id") -> Rendered:
    """The receipt as Markdown (also the mail's text part), HTML and JSON."""
    safe = dataclasses.replace(
        receipt,
        original_name=redact_text(receipt.original_name),
        problem=redact_text(receipt.problem),
        hint=redact_text(receipt.hint),
        lines=tuple(
            dataclasses.replace(
                x,
                value=redact_text(x.value),
                problem=redact_text(x.problem),
                fix=redact_text(x.fix),
            )
            for x in receipt.lines
        ),
    )
    lines = sorted_lines(safe.lines)
    payload = dataclasses.asdict(safe)
    payload.update(
        short_hash=safe.short_hash,
        received_wib=safe.received_wib.isoformat(),
        days_late=safe.days_late,
        lines=[dataclasses.asdict(x) for x in lines],
    )
    return Rendered(
        name=f"receipt_{receipt.submission_id}",
        subject=_t(
            "subject",
            lang,
            kode=receipt.kode_bapas or "?",
            period=receipt.period or _t("period_unread", lang),
            status=_t(f"st_{receipt.outcome}", lang),
        ),
        html=_html(safe, lang, lines),
        markdown=_markdown(safe, lang, lines),
        json=json.dumps(payload, default=str, ensure_ascii=False, indent=2, sort_keys=True),
        images={},
    )
