"""Bilingual prose shared by docs/contract.md and the template's PETUNJUK sheet.

Kept apart from the renderers so wording can change without touching layout code; every
entry is keyed by a contract type, PII mode or error code and a test checks none is missing.
"""

from __future__ import annotations

import datetime as dt

from ingestion.contract.model import ReportKindSpec, SheetSpec
from ingestion.reference import Bapas, ReportCalendar, load_code_lists

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Fixed example periods so the generated document does not change with the day it is rendered.
EXAMPLE_START = {"period": dt.date(2025, 1, 1), "year": dt.date(2025, 1, 1)}
EXAMPLE_LABEL = {"period": "2025-01", "year": "2025"}

# Accepted value formats per contract column type: (Bahasa Indonesia, English).
VALUE_FORMATS: dict[str, tuple[str, str]] = {
    "text": ("Teks bebas; spasi di awal/akhir dibuang.", "Free text; surrounding spaces trimmed."),
    "code": (
        "Satu kode dari daftar; huruf besar/kecil sama, spasi menjadi `_`.",
        "One code from the list; case-insensitive, spaces become `_`.",
    ),
    "codes": (
        "Nol atau lebih kode dari daftar, dipisah `;` (mis. `KERJA;PENDIDIKAN`).",
        "Zero or more codes from the list, `;`-separated (e.g. `KERJA;PENDIDIKAN`).",
    ),
    "integer": (
        "Bilangan bulat; `1.234` (titik ribuan) dan `3.0` dari Excel diterima.",
        "Whole number; `1.234` (thousands dot) and Excel's `3.0` accepted.",
    ),
    "rupiah": (
        "Rupiah: angka `1500000`, teks `Rp 1.500.000` atau `1.500.000,00`.",
        "Rupiah: number `1500000`, text `Rp 1.500.000` or `1.500.000,00`.",
    ),
    "decimal": (
        "Angka desimal, koma atau titik: `2,5` atau `2.5`.",
        "Decimal number, comma or point: `2,5` or `2.5`.",
    ),
    "date": (
        "Tanggal Excel, nomor seri Excel (mis. `45658`), `dd/mm/yyyy`, `dd-mm-yyyy` atau "
        "`yyyy-mm-dd`.",
        "Excel date, Excel serial number (e.g. `45658`), `dd/mm/yyyy`, "
        "`dd-mm-yyyy` or `yyyy-mm-dd`.",
    ),
    "period": (
        "Bulan laporan `YYYY-MM`; juga `MM/YYYY` atau tanggal Excel mana pun di bulan itu.",
        "Reporting month `YYYY-MM`; also `MM/YYYY` or an Excel date of any day in it.",
    ),
    "year": ("Tahun empat digit, mis. `2025`.", "Four-digit year, e.g. `2025`."),
    "nik": (
        "NIK 16 digit; sebaiknya sel teks. Spasi dibuang; NIK yang tersimpan sebagai angka "
        "diterima tetapi digit nol di depan yang hilang menjadi temuan kualitas.",
        "16-digit NIK; preferably a text cell. Spaces are removed; a NIK stored as a number is "
        "accepted but lost leading zeros become a quality finding.",
    ),
    "yn": (
        "`Y`/`N`; juga `YA`/`TIDAK`, `YES`/`NO`, `1`/`0`.",
        "`Y`/`N`; also `YA`/`TIDAK`, `YES`/`NO`, `1`/`0`.",
    ),
}
PII_TEXT: dict[str, tuple[str, str]] = {
    "none": ("-", "-"),
    "pseudonymise": ("diganti hash berkunci", "replaced by a keyed hash"),
    "drop": ("dibuang saat diterima", "dropped at ingestion"),
    "generalise": ("hanya tahun lahir dan umur", "only birth year and age kept"),
}
# Why each structural error code refuses a whole file: (Bahasa Indonesia, English).
REFUSALS: dict[str, tuple[str, str]] = {
    "unreadable": (
        "Berkas tidak dapat dibaca (rusak atau bukan xlsx/CSV).",
        "File cannot be read (damaged, or not xlsx/CSV).",
    ),
    "encrypted": ("Berkas dilindungi kata sandi.", "File is password-protected."),
    "too_large": ("Berkas melebihi batas ukuran.", "File exceeds the size limit."),
    "zip_bomb": (
        "Isi zip/xlsx mengembang jauh melebihi batas (zip bomb).",
        "Zip/xlsx content expands far beyond the limit (zip bomb).",
    ),
    "malformed_xml": (
        "XML di dalam xlsx rusak atau tidak aman.",
        "The XML inside the xlsx is malformed or unsafe.",
    ),
    "unknown_format": ("Bentuk berkas tidak dikenal.", "Unknown file form."),
    "unknown_bapas": ("Kode Bapas tidak ada dalam daftar.", "Bapas code not in the list."),
    "inactive_bapas": (
        "Bapas tidak aktif pada periode laporan.",
        "Bapas not active in the reporting period.",
    ),
    "bad_period": ("Periode/tahun tidak dapat dibaca.", "Period/year does not parse."),
    "missing_sheet": ("Sheet wajib tidak ada.", "A required sheet is missing."),
    "missing_column": ("Kolom wajib tidak ada.", "A required column is missing."),
    "empty_sheet": (
        "Sheet satu baris (IDENTITAS) tidak berisi data.",
        "A one-row sheet (IDENTITAS) has no data row.",
    ),
}
FINDINGS: tuple[tuple[str, str], ...] = (
    (
        "Nilai yang tidak dapat dibaca (tanggal, angka) disimpan kosong dan dicatat per baris.",
        "A value that does not parse (date, number) is stored as empty and recorded per row.",
    ),
    (
        "Kode di luar daftar disimpan apa adanya (huruf besar) lalu ditandai.",
        "A code outside its list is stored as sent (upper-cased) and flagged.",
    ),
    (
        "Angka di luar rentang, tanggal di luar periode, struktur NIK yang salah.",
        "Numbers out of range, dates outside the period, a NIK with a bad structure.",
    ),
    (
        "Ketidaksesuaian antar sheet (peserta bukan klien terdaftar, jumlah_peserta berbeda, ...).",
        "Inconsistencies between sheets (participant not a registered client, jumlah_peserta "
        "differs, ...).",
    ),
    (
        "Kunci ganda, laporan terlambat, lonjakan dibanding riwayat Bapas sendiri.",
        "Duplicate keys, late reports, jumps against the Bapas's own history.",
    ),
)


def format_date_id(day: dt.date) -> str:
    """'10 Februari 2025': how a deadline is written for Indonesian readers."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def deadline_rule(cal: ReportCalendar) -> tuple[str, str]:
    """The calendar's deadline rule as one sentence in each language."""
    months, day = cal.deadline_months_after_period_start, cal.deadline_day
    if cal.periodicity == "year" and months < 12:
        return (
            f"tanggal {day} {MONTHS_ID[months]} tahun rencana",
            f"{MONTHS_EN[months]} {day} of the plan year",
        )
    if months == 0:
        return f"tanggal {day} bulan yang sama", f"day {day} of the same month"
    if months == 1:
        return f"tanggal {day} bulan berikutnya", f"day {day} of the following month"
    return (
        f"tanggal {day}, {months} bulan setelah bulan awal periode",
        f"day {day} of the month {months} months after the period's first month",
    )


def instruction_lines(
    bapas: Bapas, kind: ReportKindSpec, label: str, deadline: dt.date, sheets: list[SheetSpec]
) -> list[str]:
    """Lines of the template's PETUNJUK sheet (Bahasa Indonesia, for the Bapas operator)."""
    lines = [
        f"{kind.title_id} - {bapas.nama_resmi} ({bapas.kode_bapas}) - {label}",
        "",
        f"Batas waktu pengiriman: {format_date_id(deadline)} (WIB). Laporan yang diterima "
        "setelah tanggal ini dicatat terlambat.",
        "",
        "ISI SHEET:",
    ]
    for sheet in sheets:
        rows = "satu baris" if sheet.single_row else "banyak baris"
        lines.append(f"- {sheet.name} ({rows}): {sheet.description_id}")
    lines += [
        "",
        "CARA MENGISI:",
        "- Jangan mengubah nama sheet atau judul kolom di baris 1. Isi data mulai baris 2.",
        "- Sheet IDENTITAS sudah terisi kode Bapas, periode dan versi. Isi tanggal_laporan.",
        "- Kolom kode: pilih dari daftar pilihan (dropdown). Arti setiap kode ada di bawah.",
        "- Kolom dengan beberapa kode (mis. kebutuhan): pisahkan dengan titik koma, "
        "mis. KERJA;PENDIDIKAN.",
        "- Kolom Y/N: Y = ya, N = tidak.",
        "- Tanggal: format dd/mm/yyyy, mis. 31/01/2025.",
        "- Rupiah: angka saja tanpa titik atau 'Rp', mis. 1500000.",
        "- NIK dan nomor register: ketik sebagai teks (sel sudah berformat teks) agar angka nol "
        "di depan tidak hilang.",
        "- Arahkan kursor ke judul kolom untuk melihat penjelasannya.",
        "",
        "PERBAIKAN: jika laporan perlu diperbaiki, kirim ulang berkas lengkap untuk Bapas dan "
        "periode yang sama dengan versi dinaikkan satu (versi 2, 3, ...). Versi terbaru yang "
        "diterima menggantikan versi sebelumnya.",
        "",
        "PERLINDUNGAN DATA: NIK diganti kode acak berkunci (hash) saat diterima, nama klien dan "
        "petugas tidak disimpan, tanggal lahir hanya disimpan tahunnya (UU 27/2022 tentang "
        "Pelindungan Data Pribadi). Kirim berkas hanya melalui saluran resmi.",
        "",
        "DAFTAR KODE:",
    ]
    lists = load_code_lists()
    used = sorted({c.code_list for s in sheets for c in s.columns if c.code_list})
    for name in used:
        lines.append(f"{name}: " + "; ".join(f"{c.code} = {c.label_id}" for c in lists[name]))
    return lines
