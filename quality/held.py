"""Findings for held files: loaded but not in force until an operator or a resend decides.

A held file (ledger status `held`) used to leave no row in quality.findings, so `lipas check`,
the scores and the finding history never showed it; the digest listed it as "ditolak". Each
hold cause gets its own rule (HELD_IDENTITY, HELD_OLDER_VERSION) saying what to do.
"""

from __future__ import annotations

import duckdb

from quality.catalogue import rule
from quality.model import FindingDraft, SampleRow
from quality.scope import CheckScope

HOLD_RULES = {"identity_mismatch": "HELD_IDENTITY", "older_version": "HELD_OLDER_VERSION"}

_HELD_SQL = """
select h.submission_id, h.kode_bapas, h.periode, h.report_kind, h.original_name, h.error_code,
       h.path_kode_bapas, h.path_periode, coalesce(h.versi, 1),
       (select max(coalesce(c.versi, 1)) from q_ledger_submissions c
         where c.is_current and c.kode_bapas = h.kode_bapas and c.periode = h.periode
           and c.report_kind = h.report_kind)
from q_ledger_submissions h
where h.status = 'held'
  and cast(h.received_at + interval 7 hour as date) <= ?
  and (h.periode is null or h.periode in (select periode from q_scope))
order by h.received_at, h.submission_id
"""


def held_findings(con: duckdb.DuckDBPyConnection, scope: CheckScope) -> list[FindingDraft]:
    """One finding per held file, for the Bapas and period its IDENTITAS sheet names."""
    drafts = []
    for row in con.execute(_HELD_SQL, [scope.as_of]).fetchall():
        sid, kode, period, kind, name, code, path_kode, path_period, versi, current = row
        if kode is not None and not scope.includes(kode):
            continue
        stem = "rencana_tahunan" if period and len(period) == 4 else "laporan_bulanan"
        rule_id = HOLD_RULES.get(code or "", "HELD_IDENTITY")
        current_versi = int(current) if current is not None else int(versi)
        drafts.append(
            FindingDraft(
                rule=rule(rule_id),
                kode_bapas=kode,
                period=period,
                subject=sid,
                report_kind=kind,
                submission_id=sid,
                samples=(SampleRow(None, None, "file", name),),
                params={
                    "file": name,
                    "submission_id": sid,
                    "path_kode_bapas": path_kode or kode or "?",
                    "path_periode": path_period or period or "?",
                    "suggested_name": f"{stem}_{kode}_{period}.xlsx",
                    "versi": int(versi),
                    "current_versi": current_versi,
                    "next_versi": current_versi + 1,
                },
            )
        )
    return drafts
