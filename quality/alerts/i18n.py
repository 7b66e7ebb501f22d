"""Messages of summaries, fix-lists and notices: Bahasa Indonesia first, then English."""

from __future__ import annotations

LANGS = ("id", "en")

_TEXT: dict[str, tuple[str, str]] = {
    # (Bahasa Indonesia, English)
    "digest_title": ("Ringkasan Mutu Data LIPAS", "LIPAS Data Quality Summary"),
    "kanwil_digest_title": (
        "Ringkasan Mutu Data LIPAS: {scope}",
        "LIPAS Data Quality Summary: {scope}",
    ),
    "subtitle": (
        "Periode {period} · kondisi per {as_of} (WIB)",
        "Period {period} · as of {as_of} (Jakarta time)",
    ),
    "national": ("Nasional", "National"),
    "h_reporting": ("Tingkat pelaporan {period}", "Reporting rate {period}"),
    "h_on_time": ("Tepat waktu {period}", "On time {period}"),
    "h_missing": ("Laporan belum masuk", "Reports missing"),
    "h_missing_note": ("dari {n} Bapas", "from {n} Bapas"),
    "h_new_errors": ("Temuan error baru", "New error findings"),
    "h_new_errors_note": ("{n} masih terbuka", "{n} still open"),
    "h_rejected": ("Berkas ditolak", "Rejected files"),
    "h_rejected_note": ("belum dikirim ulang", "not yet resubmitted"),
    "not_due": ("belum jatuh tempo", "not yet due"),
    "of_expected": ("{received} dari {expected} laporan", "{received} of {expected} reports"),
    "actions": ("Yang perlu dilakukan", "What to do"),
    "a_missing": (
        "Hubungi {n} Bapas yang belum mengirim laporan; paling lama: {name} "
        "({days} hari lewat batas).",
        "Contact the {n} Bapas that have not reported; longest overdue: {name} ({days} days).",
    ),
    "a_inactive": (
        "Periksa {n} Bapas tanpa laporan 6 periode berturut-turut (mungkin tidak aktif): "
        "perbarui daftar Bapas bila sudah tutup.",
        "Check {n} Bapas silent for 6 periods in a row (possibly inactive): update the Bapas "
        "list if they closed.",
    ),
    "a_errors": (
        "{n} temuan error baru di {m} Bapas: daftar perbaikan sudah dikirim ke Bapas; minta Kanwil "
        "memantau pengiriman ulang.",
        "{n} new error findings at {m} Bapas: fix-lists were sent; ask the Kanwil to follow up "
        "on resubmissions.",
    ),
    # "sudah dikirim" only on a delivery result (issue 13): a preview or a failed send says so.
    "a_errors_unsent": (
        "{n} temuan error baru di {m} Bapas: daftar perbaikan terkirim ke {s} Bapas, {u} Bapas "
        "belum menerimanya (alamat belum terdaftar atau pengiriman gagal); minta Kanwil "
        "meneruskannya.",
        "{n} new error findings at {m} Bapas: fix-lists delivered to {s} Bapas, {u} Bapas have "
        "not received theirs (no address or delivery failed); ask the Kanwil to pass them on.",
    ),
    "a_errors_prepared": (
        "{n} temuan error baru di {m} Bapas: daftar perbaikan sudah dibuat tetapi belum dikirim "
        "(pratinjau).",
        "{n} new error findings at {m} Bapas: fix-lists were written but not sent (preview).",
    ),
    "a_rejected": (
        "{n} berkas ditolak belum diganti kiriman yang benar: lihat alasan di bawah.",
        "{n} rejected files have not been replaced by a valid resubmission: see reasons below.",
    ),
    "a_low_kanwil": (
        "Tingkat pelaporan terendah: {name} ({rate}). Minta Kanwil menindaklanjuti.",
        "Lowest reporting rate: {name} ({rate}). Ask the Kanwil to follow up.",
    ),
    "a_undelivered": (
        "{n} email peringatan gagal terkirim: periksa server surat dan daftar penerima.",
        "{n} alert emails could not be delivered: check the mail server and the recipients list.",
    ),
    "a_no_quality": (
        "Tabel mutu data belum tersedia: jalankan pemeriksaan mutu (`lipas check`) dahulu.",
        "Quality tables are not available yet: run the quality checks (`lipas check`) first.",
    ),
    "a_run_failed": (
        "{n} proses malam gagal dalam 2 hari terakhir: angka di bawah mungkin belum mutakhir; "
        "minta operator memeriksa Dagster.",
        "{n} nightly runs failed in the last 2 days: numbers below may be stale; ask the "
        "operators to check Dagster.",
    ),
    "run_failures": ("Proses yang gagal", "Failed runs"),
    "col_job": ("Proses", "Job"),
    "col_time": ("Waktu (UTC)", "Time (UTC)"),
    "a_none": ("Tidak ada tindakan mendesak hari ini.", "Nothing urgent today."),
    "rates": ("Tingkat pelaporan per {group}", "Reporting rate by {group}"),
    "col_kanwil": ("Kanwil", "Kanwil"),
    "col_bapas": ("Bapas", "Bapas"),
    "col_reporting": ("Pelaporan {period}", "Reporting {period}"),
    "col_on_time": ("Tepat waktu {period}", "On time {period}"),
    "missing": ("Laporan belum masuk", "Missing reports"),
    "col_periods": ("Periode", "Periods"),
    "col_period": ("Periode", "Period"),
    "col_overdue": ("Hari lewat batas", "Days overdue"),
    "inactive_flag": ("mungkin tidak aktif", "possibly inactive"),
    "late": ("Laporan terlambat", "Late reports"),
    "col_deadline": ("Batas", "Deadline"),
    "col_received": ("Diterima", "Received"),
    "col_days_late": ("Hari terlambat", "Days late"),
    "rejected": ("Berkas ditolak", "Rejected files"),
    "col_reason": ("Alasan", "Reason"),
    "rejected_fixed": (
        "{n} berkas ditolak lainnya sudah diganti kiriman yang diterima.",
        "{n} other rejected files have since been replaced by an accepted resubmission.",
    ),
    # A held file is not a rejected one: it was loaded and awaits a decision (its own section).
    "held": ("Berkas ditahan", "Held files"),
    "held_note": (
        "Datanya sudah disimpan tetapi belum dipakai, sampai Ditjenpas menerima berkas itu atau "
        "Bapas mengirim perbaikan.",
        "Their data is stored but not in use until Ditjenpas accepts the file or the Bapas "
        "sends a correction.",
    ),
    "a_held": (
        "{n} berkas ditahan menunggu keputusan: periksa alasannya di bawah, lalu terima berkas "
        "yang benar atau minta Bapas memperbaiki sheet IDENTITAS.",
        "{n} held files await a decision: check the reasons below, then accept the right files "
        "or ask the Bapas to correct the IDENTITAS sheet.",
    ),
    "fx_intro_held": (
        "Berkas Anda sudah diterima tetapi ditahan: datanya disimpan, namun belum dipakai. Baca "
        "penjelasan di bawah; kirim ulang hanya bila penjelasan itu memintanya.",
        "Your file was received but is held: its data is stored but not in use yet. Read the "
        "explanation below; resend only if it asks you to.",
    ),
    "fx_held_unknown": (
        "berkas ditahan (disimpan tetapi belum dipakai); Ditjenpas akan menghubungi Anda.",
        "the file is held (stored but not in use); Ditjenpas will contact you.",
    ),
    "unknown_bapas": ("(Bapas tidak dikenali)", "(unknown Bapas)"),
    "findings": ("Temuan mutu data", "Data quality findings"),
    "col_severity": ("Tingkat", "Severity"),
    "col_new": ("Baru", "New"),
    # "Masih terbuka" always means new + earlier, the headline's number (issue 13).
    "col_persisting": ("Lama", "Earlier"),
    "col_open": ("Masih terbuka", "Still open"),
    "col_resolved": ("Selesai", "Resolved"),
    "sev_error": ("Error (menghambat)", "Error (blocking)"),
    "sev_warning": ("Peringatan", "Warning"),
    "sev_info": ("Informasi", "Info"),
    "new_findings": ("Temuan baru sejak ringkasan terakhir", "New since the last summary"),
    "col_rule": ("Aturan", "Rule"),
    "col_message": ("Masalah", "Problem"),
    "col_rows": ("Baris", "Rows"),
    "persisting_by_bapas": (
        "Temuan yang masih terbuka per Bapas (baru dan lama)",
        "Findings still open, by Bapas (new and earlier)",
    ),
    "col_errors": ("Error", "Errors"),
    "col_warnings": ("Peringatan", "Warnings"),
    "resolved_findings": ("Temuan yang sudah selesai", "Findings resolved"),
    "movers": ("Perubahan skor mutu terbesar", "Largest quality-score changes"),
    "col_previous": ("Sebelumnya", "Previous"),
    "col_current": ("Sekarang", "Current"),
    "col_change": ("Perubahan", "Change"),
    "charts": ("Status pengiriman dan tren", "Submission status and trend"),
    "heatmap_alt": (
        "Peta status laporan per Bapas dan bulan, dikelompokkan per Kanwil",
        "Report status by Bapas and month, grouped by Kanwil",
    ),
    "trend_alt": ("Tren tingkat pelaporan nasional", "National reporting-rate trend"),
    "undelivered": ("Email yang gagal terkirim", "Undelivered emails"),
    "col_audience": ("Penerima", "Audience"),
    "col_attempts": ("Percobaan", "Attempts"),
    "col_error": ("Kesalahan terakhir", "Last error"),
    "more": (
        "… dan {n} lainnya (lihat berkas JSON/HTML lengkap).",
        "… and {n} more (see the full JSON/HTML file).",
    ),
    "none": ("Tidak ada.", "None."),
    "footer": (
        "Dibuat otomatis oleh lipas-warehouse. Tidak memuat data pribadi: klien hanya disebut "
        "dengan nomor baris atau kunci samaran.",
        "Generated by lipas-warehouse. No personal data: clients appear only as row numbers or "
        "pseudonymous keys.",
    ),
    "st_on_time": ("Tepat waktu", "On time"),
    "st_late": ("Terlambat", "Late"),
    "st_rejected": ("Ditolak", "Rejected"),
    "st_missing": ("Belum masuk", "Missing"),
    "st_not_yet_due": ("Belum jatuh tempo", "Not yet due"),
    "st_not_owed": ("Tidak wajib", "Not owed"),
    "trend_reporting": ("Tingkat pelaporan", "Reporting rate"),
    "trend_on_time": ("Tepat waktu", "On time"),
    "kind_monthly": ("Laporan bulanan", "Monthly report"),
    "kind_annual_plan": ("Rencana tahunan", "Annual plan"),
    "subject_digest": (
        "[LIPAS] Ringkasan mutu data {scope} · {as_of}",
        "[LIPAS] Data quality summary {scope} · {as_of}",
    ),
    "fixlist_title": ("Daftar perbaikan laporan: {name}", "Report fix-list: {name}"),
    "fixlist_subtitle": (
        "{kode} · {n} hal perlu diperbaiki · per {as_of} (WIB)",
        "{kode} · {n} items to fix · as of {as_of} (Jakarta time)",
    ),
    "fx_intro": (
        "Laporan Anda belum dapat diterima sepenuhnya. Perbaiki sel di bawah ini pada berkas "
        "laporan (nomor baris sesuai tampilan di Excel), lalu kirim ulang berkas lengkap untuk "
        "periode yang sama.",
        "Your report could not be fully accepted. Fix the cells below in the report file (row "
        "numbers as shown in Excel), then resubmit the complete file for the same period.",
    ),
    # Regression (issue #15 item 2): a list holding only warnings opened with "could not be
    # fully accepted" although the report was accepted and counted.
    "fx_intro_warnings": (
        "Laporan Anda sudah diterima dan tercatat. Beberapa isian di bawah ini tampak tidak "
        "biasa: periksa kembali. Bila ada yang salah, perbaiki sel tersebut lalu kirim ulang "
        "berkas lengkap untuk periode yang sama; bila isiannya memang benar, tidak perlu "
        "melakukan apa pun.",
        "Your report was accepted and counted. Some entries below look unusual: please check "
        "them. If one is wrong, fix that cell and resubmit the complete file for the same "
        "period; if the entries are correct, nothing needs to be done.",
    ),
    "fx_rejected_unknown": (
        "berkas tidak dapat diproses; kirim ulang berkas yang disimpan dari formulir terlampir.",
        "the file could not be processed; resend a file saved from the attached form.",
    ),
    "periode_unread": ("periode tidak terbaca", "period could not be read"),
    "fx_form_attached": (
        "Formulir kosong untuk periode {period} terlampir pada email ini ({file}); isian "
        "versi sudah diisi {versi}.",
        "The blank form for period {period} is attached to this email ({file}); its versi "
        "is already set to {versi}.",
    ),
    "fx_form_link": (
        "Unduh formulir kosong untuk periode {period} (versi {versi}): {link}",
        "Download the blank form for period {period} (versi {versi}): {link}",
    ),
    "fx_operator": (
        "Detail teknis (untuk operator, bukan untuk Bapas)",
        "Technical detail (for the operators, not for the Bapas)",
    ),
    "fx_new": ("baru", "new"),
    "fx_owner_inferred": (
        "pengirim dikenali dari nama berkas",
        "sender recognised from the file name",
    ),
    "fx_how": ("Cara memperbaiki", "How to fix"),
    "fx_sheet": ("Sheet", "Sheet"),
    "fx_row": ("Baris", "Row"),
    "fx_column": ("Kolom", "Column"),
    "fx_value": ("Isi saat ini", "Current value"),
    "fx_more_rows": (
        "… dan {n} baris lain dengan masalah yang sama.",
        "… and {n} more rows with the same problem.",
    ),
    "fx_template": ("Formulir kosong untuk kiriman ulang", "Blank form for the resubmission"),
    "nt_form": ("Formulir kosong untuk laporan yang ditunggu", "Blank form for the report due"),
    "fx_resubmit": (
        "Salin isian yang sudah diperbaiki ke formulir ini, atau perbaiki berkas lama dan naikkan "
        "angka versi di sheet IDENTITAS, lalu kirim seperti biasa; versi baru otomatis "
        "menggantikan versi lama.",
        "Copy the corrected entries into this form, or fix the old file and raise versi in "
        "the IDENTITAS sheet, then send it as usual; the new version replaces the old one.",
    ),
    "notice_reminder_title": ("Pengingat batas waktu laporan", "Report deadline reminder"),
    "notice_overdue_title": ("Laporan melewati batas waktu", "Report overdue"),
    "notice_resolution_title": ("Temuan sudah selesai", "Findings resolved"),
    "nt_intro_reminder": (
        "Yth. {name}: laporan berikut belum kami terima dan batas waktunya sudah dekat.",
        "To {name}: we have not yet received the following reports and their deadline is near.",
    ),
    "nt_intro_overdue": (
        "Yth. {name}: laporan berikut sudah melewati batas waktu dan belum kami terima.",
        "To {name}: the following reports are past their deadline and have not been received.",
    ),
    "nt_intro_resolution": (
        "Yth. {name}: terima kasih, perbaikan Anda sudah diterima. Temuan berikut sudah selesai.",
        "To {name}: thank you, your correction was accepted. These findings are resolved.",
    ),
    "nt_rejection_fixed": (
        "Berkas {file} yang ditolak sudah diganti kiriman yang diterima.",
        "The rejected file {file} has been replaced by an accepted submission.",
    ),
    "nt_days_reminder": ("{n} hari lagi", "{n} days left"),
    "nt_days_overdue": ("lewat {n} hari", "{n} days overdue"),
    "nt_days_resolution": ("", ""),
    "subject_fixlist": (
        "[LIPAS] Daftar perbaikan laporan {kode} · {n} hal",
        "[LIPAS] Report fix-list {kode} · {n} items",
    ),
    "subject_notice": ("[LIPAS] {title} · {kode}", "[LIPAS] {title} · {kode}"),
}


def text(key: str, lang: str, **values: object) -> str:
    """The message `key` in `lang` with `{placeholders}` filled; KeyError names a missing key."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    template = _TEXT[key][LANGS.index(lang)]
    return template.format(**values) if values else template


def percent(value: float | None) -> str:
    """0.8512 -> '85%'; None (nothing expected) -> '–'."""
    return "–" if value is None else f"{round(value * 100):d}%"
