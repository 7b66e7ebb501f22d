"""`ingest_landing`: every file in landing/ archived, parsed, loaded or quarantined, and ledgered.

Order per file, each step safe to repeat after a crash (docs/ingestion.md):
archive (content-addressed) -> parse + Parquet (worker, deterministic submission id) ->
one DuckDB transaction (raw rows + ledger row + row issues) -> remove from landing.
"""

from __future__ import annotations

import base64
import concurrent.futures as cf
import datetime as dt
import hashlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingestion import ledger
from ingestion.archive import archive_original, clear_staging
from ingestion.discover import Candidate, discover
from ingestion.pseudonymise import resolve_pseudonym_key
from ingestion.settings import Settings
from ingestion.submit import (
    Decision,
    FileResult,
    commit_outcome,
    remove_from_landing,
    unknown_format,
)
from ingestion.worker import ParseJob, ParseOutcome, parse_submission, warm_up, watch_parent

logger = logging.getLogger(__name__)

WORKERS_ENV = "LIPAS_INGEST_WORKERS"
CRASH_ENV = "LIPAS_TEST_CRASH_AT"


@dataclass(frozen=True)
class IngestSummary:
    """Counts for one `ingest_landing` run plus the per-file results, in ingestion order."""

    accepted: int = 0
    rejected: int = 0
    duplicate: int = 0
    superseded: int = 0
    already_ingested: int = 0
    rows_loaded: int = 0
    files: tuple[FileResult, ...] = field(default_factory=tuple)

    @classmethod
    def from_results(cls, results: list[FileResult]) -> IngestSummary:
        """Tally per-file results."""

        def count(status: str) -> int:
            return sum(r.status == status for r in results)

        return cls(
            accepted=count("accepted"),
            rejected=count("rejected"),
            duplicate=count("duplicate"),
            superseded=count("superseded"),
            already_ingested=count("already_ingested"),
            rows_loaded=sum(r.rows_loaded for r in results),
            files=tuple(results),
        )


ProgressCallback = Callable[[int, int, FileResult], None]


def crash_point(step: str) -> None:
    """Test hook: LIPAS_TEST_CRASH_AT=<step>[:<n>] kills the process at the n-th <step>.

    Used by the crash-safety tests to simulate kill -9 between any two steps; it has no effect
    unless the variable is set.
    """
    target = os.environ.get(CRASH_ENV, "")
    if not target:
        return
    name, _, nth = target.partition(":")
    if name != step:
        return
    counter = _CRASH_COUNTS.get(step, 0) + 1
    _CRASH_COUNTS[step] = counter
    if counter >= int(nth or "1"):
        logger.warning("LIPAS_TEST_CRASH_AT=%s: simulating a crash", target)
        os._exit(137)


_CRASH_COUNTS: dict[str, int] = {}


def make_submission_id(sha256: str, rel_path: str, received_at: dt.datetime) -> str:
    """Deterministic id: the same landing file gets the same id when a crashed run is repeated.

    Base32 (no 0, 1, 8, 9) keeps ids free of long digit runs.
    """
    seed = f"{sha256}|{rel_path}|{received_at.isoformat()}".encode()
    return "s" + base64.b32encode(hashlib.sha256(seed).digest()).decode("ascii")[:20].lower()


def _worker_count() -> int:
    value = os.environ.get(WORKERS_ENV, "").strip()
    return max(1, int(value)) if value else min(2, os.cpu_count() or 1)


def _start_pool(workers: int) -> cf.ProcessPoolExecutor | None:
    """A warming-up parse pool, or None to parse in this process.

    Started before the database work so the workers' imports and reference loading overlap
    with archiving; forkserver because a process holding DuckDB threads must never fork.
    """
    if workers > 1 and multiprocessing.current_process().daemon:
        # Daemonic processes (some executors' workers) may not start children: parse in-process.
        logger.warning("ingest: running inside a daemonic process, parsing without a pool")
        return None
    if workers <= 1:
        return None
    context = multiprocessing.get_context("forkserver")
    # Workers fork from a server that already imported the parsing stack: no per-worker import.
    context.set_forkserver_preload(["ingestion.worker"])
    pool = cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=watch_parent,
        initargs=(os.getpid(),),
    )
    for _ in range(workers):
        pool.submit(warm_up)
    return pool


def _run_jobs(jobs: list[ParseJob], pool: cf.ProcessPoolExecutor | None) -> Iterator[ParseOutcome]:
    """Outcomes in job order; with a pool, parsing runs ahead of the single writer."""
    if pool is None:
        for job in jobs:
            yield parse_submission(job)
        return
    futures = [pool.submit(parse_submission, job) for job in jobs]
    for future in futures:
        yield future.result()


def _plan(
    con: duckdb.DuckDBPyConnection, settings: Settings, candidates: list[Candidate], key: bytes
) -> list[Decision]:
    """Archive every candidate and decide what it needs (nothing is parsed yet)."""
    decisions: list[Decision] = []
    seen: dict[str, str] = {}
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for cand in candidates:
        sha, archived = archive_original(cand, settings.archive_dir)
        crash_point("archived")
        sid = make_submission_id(sha, cand.rel_path, cand.received_at)
        decision = Decision(cand, sha, archived, sid, now)
        if ledger.get_entry(con, sid) is not None:
            decision = decision.but(action="already_ingested")
        elif sha in seen or ledger.find_by_sha(con, sha):
            decision = decision.but(action="duplicate")
        elif cand.file_format == "unknown":
            decision = decision.but(action="reject", rejection=unknown_format(cand))
        else:
            decision = decision.but(
                action="parse",
                job=ParseJob(
                    sid, archived, cand.file_format, cand.path.name, sha, settings.raw_dir,
                    settings.max_file_bytes, key, now,
                ),
            )  # fmt: skip
        seen.setdefault(sha, sid)
        decisions.append(decision)
    return decisions


def ingest_landing(
    settings: Settings,
    landing: Path | None = None,
    progress: ProgressCallback | None = None,
    *,
    remove_processed: bool = True,
) -> IngestSummary:
    """Ingest everything under `landing` (default: LIPAS_HOME/landing) into the warehouse.

    Args:
        settings: resolved settings (paths, size limit, environment).
        landing: folder to scan instead of settings.landing_dir.
        progress: called after each file as (done, total, result).
        remove_processed: delete each item from landing once its ledger row is committed (the
            archive keeps the original). False leaves landing untouched (benchmarks); a
            re-run then recognises the files as already ingested.
    """
    settings.ensure_dirs()
    landing = landing or settings.landing_dir
    key = resolve_pseudonym_key()
    candidates = discover(landing)
    logger.info("ingest: %d item(s) found under %s", len(candidates), landing)
    parseable = sum(c.file_format != "unknown" for c in candidates)
    pool = _start_pool(_worker_count() if parseable > 1 else 1)
    try:
        con = duckdb.connect(str(settings.warehouse_path))
    except BaseException:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        raise
    try:
        ledger.ensure_ledger_tables(con)
        ledger.ensure_raw_tables(con)
        clear_staging(settings.archive_dir)
        decisions = _plan(con, settings, candidates, key)
        jobs = [d.job for d in decisions if d.job is not None]
        outcomes = _run_jobs(jobs, pool)
        results: list[FileResult] = []
        for decision in decisions:
            outcome = next(outcomes) if decision.job is not None else None
            if outcome is not None:
                crash_point("parsed")
            result = commit_outcome(con, settings, decision, outcome, crash_point)
            if remove_processed:
                remove_from_landing(decision.candidate, landing)
                crash_point("removed")
            results.append(result)
            logger.info(
                "ingest: %s -> %s%s",
                decision.candidate.rel_path,
                result.status,
                f" ({result.error_code})" if result.error_code else "",
            )
            if progress is not None:
                progress(len(results), len(decisions), result)
    finally:
        con.close()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    summary = IngestSummary.from_results(results)
    logger.info(
        "ingest done: %d accepted, %d superseded, %d rejected, %d duplicate, %d rows",
        summary.accepted,
        summary.superseded,
        summary.rejected,
        summary.duplicate,
        summary.rows_loaded,
    )
    return summary
