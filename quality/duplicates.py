"""Duplicates a key check cannot see: one person under two register numbers, last month resent.

Both are clerk mistakes with a recognisable cause (docs/clerk-mistakes.md): a client registered
again instead of found in the list, and last month's workbook sent again with only the period
changed. Each gets one finding that names that cause.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb

from quality.catalogue import rule
from quality.model import MAX_SAMPLE_ROWS, FindingDraft, SampleRow
from quality.scope import CheckScope
from quality.tables import check_column

PREVIOUS = "strftime(cast({p} || '-01' as date) - interval 1 month, '%Y-%m')"
# Columns whose content fingerprints a sheet. Dates and counts that change every month for a
# real report are included; umur_akhir_periode is not (it moves with the period, not the clerk).
FINGERPRINTS: dict[str, tuple[str, ...]] = {
    "KLIEN": (
        "no_register", "client_key", "kategori", "jenis_program", "tanggal_mulai",
        "tanggal_selesai_rencana", "status_akhir_bulan", "tanggal_status", "kebutuhan",
        "wajib_lapor_jadwal", "wajib_lapor_hadir", "tindak_pidana_baru",
    ),
    # Without tanggal: a copy whose activity dates were moved on by a month is still a copy.
    "KEGIATAN": (
        "kode_kegiatan", "kode_pokmas", "jenis_kegiatan", "kebutuhan_sasaran", "lokasi",
        "sumber_dana", "biaya_rp", "jumlah_peserta",
    ),
    "PESERTA": ("kode_kegiatan", "no_register", "hadir", "selesai", "hasil"),
}  # fmt: skip
# A roster or participant list this small can repeat by chance (no intake, no exits, every
# check-in kept; one recurring activity with the same few participants).
MIN_COPIED_ROWS = 5


def _fingerprint_cte(sheet: str) -> str:
    """Row count and an order-free hash of one sheet's rows, per submission compared.

    The hash is the sum of the rows' hashes: equal multisets of rows give equal sums whatever
    the row order (a resent workbook sorted differently is still a copy). One grouped pass,
    not a sorted string per submission (issue 16: that cost 3.4 s a night at national scale).
    """
    cols = [check_column("monthly", sheet, c) for c in FINGERPRINTS[sheet]]
    row = ", ".join(f"coalesce(cast({c} as varchar), '')" for c in cols)
    name = sheet.lower()
    return (
        f"fp_{name} as (select submission_id, count(*) as n,"
        f" sum(hash(concat_ws('|', {row}))) as h from q_cur_monthly_{name}"
        " where submission_id in (select submission_id from compared) group by submission_id)"
    )


def copy_of_last_month_findings(
    con: duckdb.DuckDBPyConnection, scope: CheckScope
) -> list[FindingDraft]:
    """A month whose KLIEN, or KEGIATAN and PESERTA, equal last month's current report.

    A real month always moves on: check-ins attended, statuses, new clients, new activities.
    Identical client rows, or identical activities with an identical participant list, (at least
    MIN_COPIED_ROWS rows) mean the clerk sent last month's workbook again with the period changed.
    """
    names = [sheet.lower() for sheet in FINGERPRINTS]
    query = (
        "with compared as (select s.submission_id, s.kode_bapas, s.periode"
        " from q_ledger_submissions s where s.is_current and s.report_kind = 'monthly'"
        # Only the months compared (scope and the month before each month; the scope also
        # lists annual-plan years, skipped there): fingerprinting every
        # month of the history made this check grow with the years (issue 16: 11 s at 3 years).
        " and (s.periode in (select periode from q_scope)"
        f" or s.periode in (select {PREVIOUS.format(p='periode')} from q_scope"
        "  where length(periode) = 7))), "
        + ", ".join(_fingerprint_cte(sheet) for sheet in FINGERPRINTS)
        + ", fp as (select compared.*, "
        + ", ".join(f"coalesce(fp_{n}.n, 0) as n_{n}, fp_{n}.h as h_{n}" for n in names)
        + " from compared "
        + " ".join(f"left join fp_{n} using (submission_id)" for n in names)
        + ") select c.kode_bapas, c.periode, c.submission_id, p.periode,"
        " c.n_klien >= ? and c.h_klien = p.h_klien,"
        " c.n_kegiatan > 0 and c.h_kegiatan = p.h_kegiatan and c.n_peserta >= ?"
        " and c.h_peserta = p.h_peserta"
        " from fp c join fp p on p.kode_bapas = c.kode_bapas"
        f" and p.periode = {PREVIOUS.format(p='c.periode')}"
        " where c.periode in (select periode from q_scope)"
        " order by c.kode_bapas, c.periode"
    )
    rows = con.execute(query, [MIN_COPIED_ROWS, MIN_COPIED_ROWS]).fetchall()
    drafts = []
    for kode_bapas, period, submission_id, prev, same_klien, same_activities in rows:
        if not (same_klien or same_activities) or not scope.includes(kode_bapas):
            continue
        sheets = [s for s, same in (("KLIEN", same_klien), ("KEGIATAN", same_activities)) if same]
        if same_activities:
            sheets.append("PESERTA")
        drafts.append(
            FindingDraft(
                rule=rule("DUP_COPY_LAST_MONTH"),
                kode_bapas=kode_bapas,
                period=period,
                subject="IDENTITAS",
                submission_id=submission_id,
                samples=tuple(SampleRow(sheet, None, None, None) for sheet in sheets),
                params={"prev_periode": prev, "sheets": ", ".join(sheets)},
            )
        )
    return drafts


def client_two_registers_findings(
    con: duckdb.DuckDBPyConnection, scope: CheckScope
) -> list[FindingDraft]:
    """The same client_key (same NIK) on two KLIEN rows of one report with different no_register.

    A person who finished one supervision and started another in the same month legitimately
    has two registrations; rows whose periods do not overlap (one ended before the other
    started) are therefore not reported.
    """
    rows = con.execute(
        # Only keys on two rows or more are paired: the self-join of every row in the window
        # cost ~1.3 s a night at national scale (issue 16), for a handful of pairs.
        "with k as (select submission_id, kode_bapas, _reporting_period, _row_number,"
        " no_register, client_key, tanggal_status, tanggal_mulai from q_cur_monthly_klien"
        " where client_key is not null and _reporting_period in (select periode from q_scope)),"
        " twice as (select * from k where (submission_id, client_key) in"
        "  (select submission_id, client_key from k group by all having count(*) > 1))"
        " select a.submission_id, a.kode_bapas, a._reporting_period,"
        " a._row_number, a.no_register, b._row_number, b.no_register"
        " from twice a join twice b"
        "  on a.submission_id = b.submission_id and a.client_key = b.client_key"
        "  and a._row_number < b._row_number and a.no_register <> b.no_register"
        " where not coalesce(a.tanggal_status < b.tanggal_mulai, false)"
        " and not coalesce(b.tanggal_status < a.tanggal_mulai, false)"
        " order by a.submission_id, a._row_number, b._row_number"
    ).fetchall()
    grouped: dict[tuple[str, str, str], list[tuple[int, str, int, str]]] = defaultdict(list)
    for submission_id, kode_bapas, period, row_a, reg_a, row_b, reg_b in rows:
        grouped[(submission_id, kode_bapas, period)].append((row_a, reg_a, row_b, reg_b))
    drafts = []
    for (submission_id, kode_bapas, period), pairs in grouped.items():
        if not scope.includes(kode_bapas):
            continue
        samples = [
            SampleRow("KLIEN", row, "no_register", reg)
            for row_a, reg_a, row_b, reg_b in pairs
            for row, reg in ((row_a, reg_a), (row_b, reg_b))
        ]
        registers = "; ".join(f"{a} = {b}" for _ra, a, _rb, b in pairs[:5])
        drafts.append(
            FindingDraft(
                rule=rule("DUP_CLIENT_TWO_REGISTERS"),
                kode_bapas=kode_bapas,
                period=period,
                subject="KLIEN",
                submission_id=submission_id,
                affected_rows=len(samples),
                samples=tuple(samples[:MAX_SAMPLE_ROWS]),
                params={"sheet": "KLIEN", "registers": registers, "pairs": len(pairs)},
            )
        )
    return drafts
