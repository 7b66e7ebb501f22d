"""Bilingual prose shared by docs/contract.md and the template's PETUNJUK sheet.

Kept apart from the renderers so wording can change without touching layout code; every
entry is keyed by a contract type, PII mode or error code and a test checks none is missing.
"""

from __future__ import annotations

import datetime as dt

from core.contract.model import ReportKindSpec, SheetSpec
from core.reference import Bapas, ReportCalendar, load_code_lists

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
        "`yyyy-mm-dd`. Tanggal teks bulan/hari/tahun (CSV dari komputer berbahasa Inggris AS) "
        "dikenali per kolom, dibaca sebagai bulan/hari dan dilaporkan sekali; tahun dua digit: "
        "00-29 = 2000-an, 30-99 = 1900-an.",
        "Excel date, Excel serial number (e.g. `45658`), `dd/mm/yyyy`, "
        "`dd-mm-yyyy` or `yyyy-mm-dd`. Month/day/year text (a CSV from a US-English computer) "
        "is recognised per column, read as month/day and reported once; two-digit years: "
        "00-29 = 2000s, 30-99 = 1900s.",
    ),
    "period": (
        "Bulan laporan `YYYY-MM`; juga `MM/YYYY` atau tanggal Excel mana pun di bulan itu.",
        "Reporting month `YYYY-MM`; also `MM/YYYY` or an Excel date of any day in it.",
    ),
    "year": ("Tahun empat digit, mis. `2025`.", "Four-digit year, e.g. `2025`."),
    "nik": (
        "NIK 16 digit dalam sel teks. Spasi dibuang. Sel angka Excel hanya menyimpan 15 digit: "
        "NIK yang terpotong (digit ke-16 menjadi 0, atau tampil `3,20101E+15`) dimuat tanpa "
        "kunci klien (`nik_status` ROUNDED) dan dilaporkan dengan perbaikannya: format kolom NIK "
        "sebagai Teks, lalu ketik ulang NIK lengkap.",
        "16-digit NIK in a text cell. Spaces are removed. An Excel number cell keeps only 15 "
        "digits: a cut NIK (16th digit turned 0, or shown as `3,20101E+15`) is loaded without a "
        "client key (`nik_status` ROUNDED) and reported with its fix: format the NIK column as "
        "Text and type the full NIKs again.",
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
    "too_many_rows": (
        "Satu sheet berisi lebih banyak baris data daripada batas per sheet "
        "(`LIPAS_MAX_ROWS_PER_SHEET`, bawaan 200.000).",
        "One sheet holds more data rows than the per-sheet limit "
        "(`LIPAS_MAX_ROWS_PER_SHEET`, default 200,000).",
    ),
    "zip_bomb": (
        "Isi zip/xlsx mengembang jauh melebihi batas (zip bomb).",
        "Zip/xlsx content expands far beyond the limit (zip bomb).",
    ),
    "malformed_xml": (
        "XML di dalam xlsx rusak atau tidak aman.",
        "The XML inside the xlsx is malformed or unsafe.",
    ),
    "unknown_format": ("Bentuk berkas tidak dikenal.", "Unknown file form."),
    "not_a_regular_file": (
        "Pintasan (tautan) atau objek sistem, bukan berkas laporan.",
        "A shortcut (link) or system object, not a report file.",
    ),
    "csv_without_identitas": (
        "Berkas CSV tanpa IDENTITAS.csv di folder/zip yang sama.",
        "A CSV file without IDENTITAS.csv in the same folder/zip.",
    ),
    "unknown_bapas": ("Kode Bapas tidak ada dalam daftar.", "Bapas code not in the list."),
    "inactive_bapas": (
        "Bapas tidak aktif pada periode laporan.",
        "Bapas not active in the reporting period.",
    ),
    "bad_period": ("Periode/tahun tidak dapat dibaca.", "Period/year does not parse."),
    "missing_sheet": (
        "Sheet wajib tidak ada, atau hanya ada sebagai sheet tersembunyi.",
        "A required sheet is missing, or exists only as a hidden sheet.",
    ),
    "missing_column": ("Kolom wajib tidak ada.", "A required column is missing."),
    "empty_sheet": (
        "Sheet satu baris (IDENTITAS) tidak berisi data.",
        "A one-row sheet (IDENTITAS) has no data row.",
    ),
    "ambiguous_identity": (
        "IDENTITAS berisi beberapa baris dengan kode_bapas, periode/tahun atau versi berbeda.",
        "IDENTITAS has several rows with different kode_bapas, periode/tahun or versi.",
    ),
    "duplicate_sheet": (
        "Dua sheet berisi data untuk satu sheet kontrak (mis. `PESERTA` dan `PESERTA (2)`, atau "
        "`KLIEN` dan `CLIENTS`).",
        "Two sheets with data for one contract sheet (e.g. `PESERTA` and `PESERTA (2)`, or "
        "`KLIEN` and `CLIENTS`).",
    ),
    "formula_no_value": (
        "Rumus tanpa nilai tersimpan di IDENTITAS atau di kolom kunci (berkas disimpan oleh "
        "program yang tidak menghitung rumus).",
        "A formula without a stored value in IDENTITAS or in a key column (the file was saved "
        "by a program that does not calculate formulas).",
    ),
}
# Which sheets of a workbook are read (ingestion/sheets.py): (Bahasa Indonesia, English).
SHEET_RULES: tuple[tuple[str, str], ...] = (
    (
        "Hanya sheet yang terlihat yang dibaca. Sheet tersembunyi tidak pernah menjadi data: jika "
        "ada sheet terlihat dengan nama yang sama, sheet tersembunyi diabaikan dan dicatat; jika "
        "satu-satunya sheet bernama KLIEN (misalnya) tersembunyi, berkas ditolak "
        "(`missing_sheet`) dengan petunjuk untuk menampilkannya (unhide).",
        "Only visible sheets are read. A hidden sheet is never data: when a visible sheet of "
        "the same name exists, the hidden one is ignored and noted; when the only KLIEN (for "
        "example) is hidden, the file is refused (`missing_sheet`) with a hint to unhide it.",
    ),
    (
        "Salinan sheet (`PESERTA (2)` dari Excel, `PESERTA_2` dari LibreOffice) dan nama lain "
        "(`PARTICIPANTS`) dihitung sebagai sheet yang sama. Dua sheet berisi data untuk satu "
        "sheet ditolak (`duplicate_sheet`): gabungkan ke satu sheet. Salinan kosong diabaikan dan "
        "dicatat; salinan satu-satunya dibaca dan dicatat.",
        "Sheet copies (`PESERTA (2)` from Excel, `PESERTA_2` from LibreOffice) and aliases "
        "(`PARTICIPANTS`) count as the same sheet. Two sheets with data for one sheet are "
        "refused (`duplicate_sheet`): merge them into one. An empty copy is ignored and noted; "
        "a lone copy is read and noted.",
    ),
    (
        "Sheet lain yang terlihat dan berisi data dicatat (menurut urutannya) lalu diabaikan; "
        "PETUNJUK dan KODE dari templat selalu diabaikan.",
        "Other visible sheets holding data are noted (by position) and ignored; the template's "
        "PETUNJUK and KODE are always ignored.",
    ),
    (
        "Rumus tanpa nilai tersimpan (berkas disimpan oleh program yang tidak menghitung rumus) "
        "dibaca kosong dan dilaporkan per sel dengan perbaikannya: buka dan simpan ulang di "
        "Excel/LibreOffice. Di IDENTITAS atau di kolom kunci berkas ditolak "
        "(`formula_no_value`).",
        "Formulas without a stored value (the file was saved by a program that does not "
        "calculate) read as empty and are reported per cell with the fix: open and save again in "
        "Excel/LibreOffice. In IDENTITAS or a key column the file is refused "
        "(`formula_no_value`).",
    ),
)
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
        "- Setiap sheet data punya dua baris judul: baris 1 judul kolom untuk dibaca, baris 2 "
        "nama kolom untuk sistem (huruf kecil, mis. no_register). Jangan mengubah nama sheet "
        "atau baris 2. Isi data mulai baris 3.",
        "- Sheet IDENTITAS sudah terisi kode Bapas, periode dan versi. Isi tanggal laporan.",
        *(
            [
                "- Kode Pokmas di KEGIATAN, kode kegiatan dan nomor register di PESERTA: pilih "
                "dari daftar, yang diambil dari sheet POKMAS, KEGIATAN dan KLIEN. Isi sheet-sheet "
                "itu lebih dulu."
            ]
            if any(s.name == "PESERTA" for s in sheets)
            else []
        ),
        "- Kolom kode: pilih dari daftar pilihan (dropdown). Arti setiap kode ada di bawah.",
        "- Kolom dengan beberapa kode (mis. kebutuhan): pisahkan dengan titik koma, "
        "mis. KERJA;PENDIDIKAN.",
        "- Kolom Y/N: Y = ya, N = tidak.",
        "- Tanggal: format dd/mm/yyyy, mis. 31/01/2025.",
        "- Rupiah: angka saja tanpa titik atau 'Rp', mis. 1500000.",
        "- NIK dan nomor register: ketik sebagai teks (sel sudah berformat teks) agar tidak ada "
        "digit yang hilang; jangan mengubah format kolom NIK menjadi angka (Excel hanya "
        "menyimpan 15 digit).",
        "- Hanya sheet yang terlihat yang dibaca. Jangan menyimpan salinan sheet (mis. "
        "'KLIEN (2)') atau sheet tersembunyi berisi data lama: hapus sebelum mengirim.",
        "- Jika memakai rumus, simpan berkas dari Excel/LibreOffice agar nilainya ikut tersimpan.",
        "- Arahkan kursor ke judul kolom (baris 1) untuk melihat penjelasannya.",
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
