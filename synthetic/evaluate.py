"""Score the checks against a generator fault manifest: planted vs flagged, per rule family."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import duckdb

from core.period import Period, month_range, shift_month
from core.reference import load_calendar
from quality.model import FAMILIES
from quality.rules.spec import load_consistency_rules, uses_previous_period
from synthetic.mistakes import load_mistakes

MANIFEST_NAME = "_manifest.json"


@dataclass(frozen=True)
class ManifestScope:
    """What run_checks must cover to judge a manifest."""

    months: list[str]
    as_of: dt.date
    bapas: frozenset[str]


@dataclass(frozen=True)
class FamilyScore:
    """One row of the confusion table."""

    family: str
    planted: int
    detected: int
    fixed: int
    fixed_still_open: int
    flagged: int
    false_alarms: int

    @property
    def recall(self) -> float | None:
        """Detected / planted (faults fixed by a resubmission are judged separately)."""
        return self.detected / self.planted if self.planted else None


@dataclass(frozen=True)
class MistakeScore:
    """Recall of one clerk-mistake class (synthetic/mistakes.yaml) or other fault."""

    mistake: str
    family: str
    planted: int
    detected: int
    rule_ids: tuple[str, ...]

    @property
    def recall(self) -> float | None:
        """Detected / planted."""
        return self.detected / self.planted if self.planted else None


@dataclass(frozen=True)
class Evaluation:
    """The confusion table plus the unmatched items, for the CLI to print."""

    families: tuple[FamilyScore, ...]
    missed: tuple[dict[str, Any], ...]
    false_alarms: tuple[dict[str, Any], ...]
    mistakes: tuple[MistakeScore, ...] = ()

    @property
    def perfect(self) -> bool:
        """100% recall in every family and no false alarm."""
        return not self.missed and not self.false_alarms


def load_manifest(path: Path) -> dict[str, Any]:
    """Read DIR/_manifest.json."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def manifest_scope(manifest: dict[str, Any], directory: Path) -> ManifestScope:
    """Months of the manifest, its Bapas, and an as-of date after the last deadline.

    The as-of date is the day after the last monthly deadline, so a report planted as missing
    in the last month is overdue and not merely 'not yet due'.
    """
    first = str(manifest["start"])
    months = month_range(first, shift_month(first, int(manifest["months"]) - 1))
    deadline = Period.parse(months[-1]).deadline(load_calendar()["monthly"])
    # `lipas ingest` moves processed files out of DIR, so the manifest's own list comes first.
    bapas = set(manifest.get("bapas") or ())
    bapas.update(p.name for p in directory.iterdir() if p.is_dir() and p.name.startswith("BP"))
    bapas.update(f["kode_bapas"] for f in manifest.get("faults", []) if f.get("kode_bapas"))
    return ManifestScope(months, deadline + dt.timedelta(days=1), frozenset(bapas))


def _finding_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cols = ["rule_family", "severity", "kode_bapas", "periode", "sample_rows", "status",
            "affected_rows", "rule_id", "message_en"]  # fmt: skip
    rows = con.execute(f"select {', '.join(cols)} from quality.findings").fetchall()
    out = []
    for row in rows:
        item = dict(zip(cols, row, strict=True))
        item["samples"] = json.loads(item.pop("sample_rows") or "[]")
        out.append(item)
    return out


def _matches(fault: dict[str, Any], finding: dict[str, Any]) -> bool:
    if finding["rule_family"] != fault["family"]:
        return False
    files = {str(s.get("value")) for s in finding["samples"] if s.get("column") == "file"}
    if fault.get("file") and PurePosixPath(fault["file"]).name in {
        PurePosixPath(f).name for f in files
    }:
        return True
    if finding["periode"] != fault.get("periode"):
        return False
    if finding["kode_bapas"] != fault.get("kode_bapas"):
        # The other office of a cross-Bapas pair is named in the fault's value; its rows are
        # in the other office's file, so they cannot be compared.
        return bool(
            fault["family"] == "cross_bapas" and finding["kode_bapas"] == fault.get("value")
        )
    rows = set(fault.get("rows") or [])
    sampled = [
        s
        for s in finding["samples"]
        if s.get("sheet") == fault.get("sheet") and s.get("row") is not None
    ]
    if not rows or not sampled or finding["affected_rows"] > len(finding["samples"]):
        return True
    return bool(rows & {s.get("row") for s in sampled})


def _carry_over_rules() -> set[str]:
    return {r.id for r in load_consistency_rules() if uses_previous_period(r)}


def _explained_otherwise(finding: dict[str, Any], manifest: dict[str, Any]) -> bool:
    """Findings that are right although no fault of their own family was planted.

    A rejected file leaves its report owed, so the completeness rule rightly reports it missing;
    the manifest itself is a file in DIR that ingestion rightly refuses; a carry-over rule
    (this month's opening = last month's closing) rightly fires the month after a fault planted
    in that sheet, because the two reports now disagree.
    """
    files = {str(s.get("value")) for s in finding["samples"] if s.get("column") == "file"}
    if finding["rule_family"] == "rejected_file" and files == {MANIFEST_NAME}:
        return True
    if any(_knock_on(fault, finding) for fault in manifest.get("faults", [])):
        return True
    if finding["rule_id"] in _carry_over_rules():
        sheets = {s.get("sheet") for s in finding["samples"]}
        previous = shift_month(str(finding["periode"]), -1)
        return any(
            f.get("kode_bapas") == finding["kode_bapas"]
            and f.get("periode") == previous
            and f.get("sheet") in sheets
            for f in manifest.get("faults", [])
        )
    if finding["rule_family"] != "completeness":
        return False
    return any(
        f["family"] == "rejected_file"
        and f.get("kode_bapas") == finding["kode_bapas"]
        and f.get("periode") == finding["periode"]
        for f in manifest.get("faults", [])
    )


def _knock_on(fault: dict[str, Any], finding: dict[str, Any]) -> bool:
    """A finding the fault's `explains` list (set by the generator's planter) accounts for.

    same_file: anything else in the same report (a TOTAL row also leaves empty required cells;
    a copied workbook carries last month's dates). next_month: continuity and carry-over
    findings of the same office a month later (a client left AKTIF must vanish next month).
    cross_bapas: a cross-Bapas finding that month naming this office.
    """
    explains = fault.get("explains") or ()
    period, kode = fault.get("periode"), fault.get("kode_bapas")
    if not explains or not period or len(str(period)) != len("YYYY-MM"):
        return False
    if "same_file" in explains and (finding["kode_bapas"], finding["periode"]) == (kode, period):
        return True
    if (
        "next_month" in explains
        and finding["kode_bapas"] == kode
        and finding["periode"] == shift_month(str(period), 1)
        and (finding["rule_family"] == "continuity" or finding["rule_id"] in _carry_over_rules())
    ):
        return True
    return bool(
        "cross_bapas" in explains
        and finding["rule_family"] == "cross_bapas"
        and finding["periode"] == period
        and (finding["kode_bapas"] == kode or str(kode) in str(finding.get("message_en") or ""))
    )


def _mistake_scores(
    faults: list[dict[str, Any]], detected: list[bool], alarms: list[dict[str, Any]]
) -> tuple[MistakeScore, ...]:
    """Recall per clerk-mistake class, in catalogue order (planted faults only)."""
    order = {f"{m.id} {m.name}": i for i, m in enumerate(load_mistakes())}
    planted: dict[str, list[bool]] = defaultdict(list)
    family: dict[str, str] = {}
    rules: dict[str, set[str]] = defaultdict(set)
    for fault, hit in zip(faults, detected, strict=True):
        key = str(fault.get("mistake") or fault.get("fault") or fault["family"])
        planted[key].append(hit)
        family[key] = fault["family"]
        rules[key].update(a["rule_id"] for a in alarms if _matches(fault, a))
    return tuple(
        MistakeScore(key, family[key], len(hits), sum(hits), tuple(sorted(rules[key])))
        for key, hits in sorted(planted.items(), key=lambda kv: (order.get(kv[0], 999), kv[0]))
    )


def evaluate(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any]) -> Evaluation:
    """Compare planted faults with the findings table (after run_checks over the manifest)."""
    findings = _finding_rows(con)
    # Recall counts a finding of any severity (info findings are reported too); false alarms
    # count only error and warning findings, the ones that demand action.
    alarms = [f for f in findings if f["status"] != "resolved"]
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    missed = []
    explained: set[int] = set()
    scored: list[dict[str, Any]] = []
    detected: list[bool] = []
    for fault in manifest.get("faults", []):
        family = counts[fault["family"]]
        hits = [i for i, f in enumerate(alarms) if _matches(fault, f)]
        explained.update(hits)
        if fault.get("fixed_by"):
            family["fixed"] += 1
            family["fixed_still_open"] += bool(hits)
            continue
        family["planted"] += 1
        scored.append(fault)
        detected.append(bool(hits))
        if hits:
            family["detected"] += 1
        else:
            missed.append(fault)
    for i, f in enumerate(alarms):
        if _explained_otherwise(f, manifest):
            explained.add(i)
    false_alarms = [
        f
        for i, f in enumerate(alarms)
        if i not in explained and f["severity"] in ("error", "warning")
    ]
    for f in alarms:
        if f["severity"] in ("error", "warning"):
            counts[f["rule_family"]]["flagged"] += 1
    for f in false_alarms:
        counts[f["rule_family"]]["false_alarms"] += 1
    families = tuple(
        FamilyScore(
            family=name,
            planted=counts[name]["planted"],
            detected=counts[name]["detected"],
            fixed=counts[name]["fixed"],
            fixed_still_open=counts[name]["fixed_still_open"],
            flagged=counts[name]["flagged"],
            false_alarms=counts[name]["false_alarms"],
        )
        for name in FAMILIES
    )
    mistakes = _mistake_scores(scored, detected, alarms)
    return Evaluation(families, tuple(missed), tuple(false_alarms), mistakes)
