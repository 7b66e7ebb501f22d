"""Continuity (clients active last month reappear) and cross-Bapas (one client, two Bapas) rules."""

from __future__ import annotations

from collections import defaultdict

import duckdb

from quality.catalogue import rule
from quality.model import MAX_SAMPLE_ROWS, FindingDraft, SampleRow
from quality.scope import CheckScope, period_filter, previous_periods


def continuity_findings(con: duckdb.DuckDBPyConnection, scope: CheckScope) -> list[FindingDraft]:
    """Clients AKTIF at the end of month m-1 that are absent from month m (same Bapas).

    Only judged when both months have an accepted report: a missing month is a completeness
    finding, not a continuity one. Rows point at last month's KLIEN sheet, where the client is.
    """
    # The window's periods as constants on both KLIEN reads (quality.scope.period_filter):
    # DuckDB then reads their row groups only, not ten years of clients (issue 16).
    before = previous_periods(scope.periods)
    last_month = f" and {period_filter('p', before)}" if before else ""
    rows = con.execute(
        "select cur.kode_bapas, cur.periode, cur.submission_id, p._reporting_period,"
        " p._row_number, p.no_register"
        " from q_ledger_submissions cur"
        " join q_cur_monthly_klien p on p.kode_bapas = cur.kode_bapas"
        "  and p._reporting_period ="
        "   strftime(cast(cur.periode || '-01' as date) - interval 1 month, '%Y-%m')"
        f"{last_month}"
        " where cur.is_current and cur.report_kind = 'monthly'"
        " and cur.periode in (select periode from q_scope)"
        " and p.status_akhir_bulan = 'AKTIF' and p.no_register is not null"
        " and not exists (select 1 from q_cur_monthly_klien c"
        "   where c.submission_id = cur.submission_id and c.no_register = p.no_register"
        f"   and {period_filter('c', scope.periods)})"
        " order by cur.kode_bapas, cur.periode, p._row_number"
    ).fetchall()
    grouped: dict[tuple[str, str, str, str], list[tuple[int, str]]] = defaultdict(list)
    for kode_bapas, period, submission_id, prev, row_number, register in rows:
        grouped[(kode_bapas, period, submission_id, prev)].append((row_number, register))
    drafts = []
    for (kode_bapas, period, submission_id, prev), hits in grouped.items():
        if not scope.includes(kode_bapas):
            continue
        registers = ", ".join(reg for _row, reg in hits[:10])
        drafts.append(
            FindingDraft(
                rule=rule("CONT_CLIENT_VANISHED"),
                kode_bapas=kode_bapas,
                period=period,
                subject="KLIEN",
                submission_id=submission_id,
                affected_rows=len(hits),
                samples=tuple(
                    SampleRow("KLIEN", row, "no_register", reg)
                    for row, reg in hits[:MAX_SAMPLE_ROWS]
                ),
                params={"prev_periode": prev, "registers": registers},
            )
        )
    return drafts + revived_client_findings(con, scope)


ENDED = ("SELESAI", "DICABUT", "MENINGGAL")


def revived_client_findings(
    con: duckdb.DuckDBPyConnection, scope: CheckScope
) -> list[FindingDraft]:
    """Clients whose supervision ended last month reported AKTIF again this month (same Bapas).

    A new supervision of the same person (tanggal_mulai after last month's tanggal_status) is
    legitimate and not reported.
    """
    before = previous_periods(scope.periods)
    ended_in = period_filter("k", before) if before else "false"
    rows = con.execute(
        # The few rows that ended, in the months before the scope's, first: joining every
        # client-month of the window on a computed month cost ~1 s a night (issue 16).
        "with ended as (select kode_bapas, no_register, _reporting_period, status_akhir_bulan,"
        " tanggal_status,"
        " strftime(cast(_reporting_period || '-01' as date) + interval 1 month, '%Y-%m')"
        "  as next_period"
        " from q_cur_monthly_klien k where list_contains(?, status_akhir_bulan)"
        f" and {ended_in})"
        " select c.kode_bapas, c._reporting_period, c.submission_id, p._reporting_period,"
        " c._row_number, c.no_register, p.status_akhir_bulan"
        " from ended p join q_cur_monthly_klien c"
        "  on p.kode_bapas = c.kode_bapas and p.no_register = c.no_register"
        "  and c._reporting_period = p.next_period"
        f" where {period_filter('c', scope.periods)}"
        " and c.status_akhir_bulan = 'AKTIF'"
        " and not coalesce(c.tanggal_mulai > p.tanggal_status, false)"
        " order by c.kode_bapas, c._reporting_period, c._row_number",
        [list(ENDED)],
    ).fetchall()
    grouped: dict[tuple[str, str, str, str], list[tuple[int, str, str]]] = defaultdict(list)
    for kode_bapas, period, submission_id, prev, row_number, register, status in rows:
        grouped[(kode_bapas, period, submission_id, prev)].append((row_number, register, status))
    drafts = []
    for (kode_bapas, period, submission_id, prev), hits in grouped.items():
        if not scope.includes(kode_bapas):
            continue
        drafts.append(
            FindingDraft(
                rule=rule("CONT_STATUS_REVIVED"),
                kode_bapas=kode_bapas,
                period=period,
                subject="KLIEN:revived",
                submission_id=submission_id,
                affected_rows=len(hits),
                samples=tuple(
                    SampleRow("KLIEN", row, "status_akhir_bulan", "AKTIF")
                    for row, _reg, _status in hits[:MAX_SAMPLE_ROWS]
                ),
                params={
                    "prev_periode": prev,
                    "prev_status": "/".join(sorted({s for _r, _g, s in hits})),
                    "registers": ", ".join(reg for _row, reg, _s in hits[:10]),
                },
            )
        )
    return drafts


def pokmas_two_bapas_findings(
    con: duckdb.DuckDBPyConnection, scope: CheckScope
) -> list[FindingDraft]:
    """The same partner group (kode_pokmas or no_pks) in POKMAS of two Bapas in one period."""
    rows = con.execute(
        # Two equi-joins (same code, same PKS number), not one join on `a or b`: that is a
        # nested loop over every pair of groups in a month (issue 16: ~1.3 s -> 0.02 s).
        "with p as (select kode_bapas, _reporting_period, submission_id, _row_number,"
        " kode_pokmas, upper(trim(kode_pokmas)) as pokmas_key,"
        " upper(replace(no_pks, ' ', '')) as pks_key from q_cur_monthly_pokmas"
        " where _reporting_period in (select periode from q_scope)),"
        " pairs as (select a.*, b.kode_bapas as other from p a join p b"
        "  on a._reporting_period = b._reporting_period and a.kode_bapas <> b.kode_bapas"
        "  and a.pokmas_key = b.pokmas_key"
        " union select a.*, b.kode_bapas as other from p a join p b"
        "  on a._reporting_period = b._reporting_period and a.kode_bapas <> b.kode_bapas"
        "  and a.pks_key = b.pks_key)"
        " select kode_bapas, _reporting_period, submission_id, _row_number, kode_pokmas,"
        " string_agg(distinct other, ', ' order by other) from pairs"
        " group by kode_bapas, _reporting_period, submission_id, _row_number, kode_pokmas"
        " order by kode_bapas, _reporting_period, _row_number"
    ).fetchall()
    grouped: dict[tuple[str, str, str], list[tuple[int, str, str]]] = defaultdict(list)
    for kode_bapas, period, submission_id, row_number, pokmas, others in rows:
        grouped[(kode_bapas, period, submission_id)].append((row_number, pokmas, others))
    drafts = []
    for (kode_bapas, period, submission_id), hits in grouped.items():
        if not scope.includes(kode_bapas):
            continue
        others = sorted({o for _r, _p, group in hits for o in group.split(", ")})
        drafts.append(
            FindingDraft(
                rule=rule("XB_POKMAS_TWO_BAPAS"),
                kode_bapas=kode_bapas,
                period=period,
                subject="POKMAS",
                submission_id=submission_id,
                affected_rows=len(hits),
                samples=tuple(
                    SampleRow("POKMAS", row, "kode_pokmas", pokmas)
                    for row, pokmas, _o in hits[:MAX_SAMPLE_ROWS]
                ),
                params={
                    "sheet": "POKMAS",
                    "pokmas": ", ".join(p or "-" for _r, p, _o in hits[:5]),
                    "others": ", ".join(others),
                },
            )
        )
    return drafts


def cross_bapas_findings(con: duckdb.DuckDBPyConnection, scope: CheckScope) -> list[FindingDraft]:
    """The same client_key AKTIF at month end in two Bapas: one finding per Bapas and month.

    A transfer is legitimate when one side reports PINDAH, so only AKTIF/AKTIF pairs count.
    """
    rows = con.execute(
        "select a.kode_bapas, a._reporting_period, a.submission_id, a._row_number,"
        " string_agg(distinct b.kode_bapas, ', ' order by b.kode_bapas)"
        " from q_cur_monthly_klien a join q_cur_monthly_klien b"
        "  on a.client_key = b.client_key and a._reporting_period = b._reporting_period"
        "  and a.kode_bapas <> b.kode_bapas"
        " where a.client_key is not null and a.status_akhir_bulan = 'AKTIF'"
        " and b.status_akhir_bulan = 'AKTIF'"
        " and a._reporting_period in (select periode from q_scope)"
        " group by all order by a.kode_bapas, a._reporting_period, a._row_number"
    ).fetchall()
    grouped: dict[tuple[str, str, str], list[tuple[int, str]]] = defaultdict(list)
    for kode_bapas, period, submission_id, row_number, others in rows:
        grouped[(kode_bapas, period, submission_id)].append((row_number, others))
    drafts = []
    for (kode_bapas, period, submission_id), hits in grouped.items():
        if not scope.includes(kode_bapas):
            continue
        others = sorted({o for _row, group in hits for o in group.split(", ")})
        drafts.append(
            FindingDraft(
                rule=rule("XB_ACTIVE_TWO_BAPAS"),
                kode_bapas=kode_bapas,
                period=period,
                subject="KLIEN",
                submission_id=submission_id,
                affected_rows=len(hits),
                # client_key is pseudonymous but linkable: only the row is shown.
                samples=tuple(
                    SampleRow("KLIEN", row, "client_key", None)
                    for row, _o in hits[:MAX_SAMPLE_ROWS]
                ),
                params={"others": ", ".join(others)},
            )
        )
    return drafts + pokmas_two_bapas_findings(con, scope)
