"""Cross-sectional outlier rule: an activity's cost per participant against its peers nationally.

Needs no history, so it works from a Bapas's first month (the history rules need 3-6 months).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb

from quality.catalogue import rule
from quality.config import QualityConfig
from quality.model import FindingDraft, SampleRow
from quality.scope import CheckScope
from quality.stats import MAD_SCALE, peer_outliers

SHEET = "KEGIATAN"
COLUMN = "biaya_rp"
# Per-head costs of one kind of activity differ by about +-40% between offices and funders even
# when nothing is wrong; a peer group whose MAD happens to be smaller (few or similar activities)
# must not turn that ordinary spread into an outlier. Floor: MAD of a log-normal with sd 0.4.
LOG_COST_NOISE = 0.4
# The low side is judged only far below the peers (a cost in thousands is 1/1000 of itself) and
# above the amounts CONS_BIAYA_RIBUAN already names, so one mistake gives one finding.
LOW_RATIO = 100.0
LOW_MIN_COST = 10_000.0


@dataclass(frozen=True)
class ActivityCost:
    """One current KEGIATAN row as the rule needs it."""

    submission_id: str
    kode_bapas: str
    period: str
    row_number: int
    kode_kegiatan: str | None
    jenis: str
    biaya: float
    peserta: int

    @property
    def per_head(self) -> float:
        """Cost per participant (an activity without participants counts as one)."""
        return self.biaya / max(self.peserta, 1)


def _load(con: duckdb.DuckDBPyConnection) -> list[ActivityCost]:
    # All offices form the peer groups (national); the Bapas filter applies to findings only.
    rows = con.execute(
        "select submission_id, kode_bapas, _reporting_period, _row_number, kode_kegiatan,"
        " jenis_kegiatan, cast(biaya_rp as double), coalesce(jumlah_peserta, 0)"
        " from q_cur_monthly_kegiatan"
        " where _reporting_period in (select periode from q_scope)"
        " and biaya_rp > 0 and jenis_kegiatan is not null"
        " order by _reporting_period, kode_bapas, _row_number"
    ).fetchall()
    return [ActivityCost(*row) for row in rows]


@dataclass(frozen=True)
class PeerGroup:
    """Activities judged together with the peers they are compared with (judged within peers)."""

    period: str
    label: str
    peers: tuple[ActivityCost, ...]
    judged: tuple[ActivityCost, ...]


def peer_groups(activities: list[ActivityCost], min_peers: int) -> list[PeerGroup]:
    """Peer groups per month and jenis_kegiatan nationally.

    A type with fewer than `min_peers` activities that month is judged against all the month's
    activities (a wider, so more lenient, baseline); a month with fewer is not judged at all.
    """
    by_month: dict[str, dict[str, list[ActivityCost]]] = {}
    for a in activities:
        by_month.setdefault(a.period, {}).setdefault(a.jenis, []).append(a)
    out: list[PeerGroup] = []
    for period, by_type in sorted(by_month.items()):
        month = tuple(a for _jenis, group in sorted(by_type.items()) for a in group)
        if len(month) < min_peers:
            continue
        small: list[ActivityCost] = []
        for jenis, group in sorted(by_type.items()):
            if len(group) >= min_peers:
                out.append(PeerGroup(period, jenis, tuple(group), tuple(group)))
            else:
                small.extend(group)
        if small:
            out.append(PeerGroup(period, "semua jenis / all types", month, tuple(small)))
    return out


def _fmt(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")


def _draft(a: ActivityCost, group: PeerGroup, centre: float, z: float) -> FindingDraft:
    median_cost = math.exp(centre)
    low = z < 0
    params: dict[str, object] = {
        "sheet": SHEET,
        "column": COLUMN,
        "row": a.row_number,
        "kode_kegiatan": a.kode_kegiatan or "-",
        "jenis": a.jenis,
        "peers": group.label,
        "n_peers": len(group.peers),
        "biaya": _fmt(a.biaya),
        "per_head": _fmt(a.per_head),
        "median": _fmt(median_cost),
        "ratio": _fmt(median_cost / a.per_head if low else a.per_head / median_cost),
        "z": f"{z:.1f}",
    }
    return FindingDraft(
        rule=rule("OUT_ACTIVITY_COST_LOW" if low else "OUT_ACTIVITY_COST"),
        kode_bapas=a.kode_bapas,
        period=a.period,
        subject=f"{SHEET}:{a.kode_kegiatan or a.row_number}",
        submission_id=a.submission_id,
        samples=(SampleRow(SHEET, a.row_number, COLUMN, _fmt(a.biaya)),),
        params=params,
    )


def activity_cost_findings(
    con: duckdb.DuckDBPyConnection, scope: CheckScope, config: QualityConfig
) -> list[FindingDraft]:
    """Activities whose log cost per participant is extreme among their peers (warning).

    Both ways: far above (extra zeros) and far below (a cost written in thousands of rupiah).
    """
    scored: list[tuple[float, FindingDraft]] = []
    floor = MAD_SCALE * LOG_COST_NOISE
    for group in peer_groups(_load(con), max(config.outlier_min_peers, 3)):
        values = [math.log(a.per_head) for a in group.peers]
        judged = {id(a) for a in group.judged}
        found = peer_outliers(values, config.outlier_peer_threshold, floor, two_sided=True)
        for index, centre, z in found:
            a = group.peers[index]
            if id(a) not in judged or not scope.includes(a.kode_bapas):
                continue
            too_low = a.per_head * LOW_RATIO < math.exp(centre) and a.biaya >= LOW_MIN_COST
            if z > 0 or too_low:
                scored.append((abs(z), _draft(a, group, centre, z)))
    scored.sort(key=lambda item: -item[0])
    return [d for _z, d in scored]
