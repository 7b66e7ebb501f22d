"""`ingest_landing`: every file in landing/ archived, parsed, loaded or quarantined, and ledgered.

Order per file, each step safe to repeat after a crash (docs/ingestion.md):
archive (content-addressed) -> parse + Parquet (worker, deterministic submission id) ->
one DuckDB transaction per commit group of ready files (raw rows + ledger row + row issues of
each; ingestion/submit.py) -> remove from landing. Files overlap: later files are archived and
parsed while earlier ones are committed.
"""

from __future__ import annotations

import base64
import concurrent.futures as cf
import datetime as dt
import hashlib
import logging
import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import duckdb

from core.duckdb_connect import open_duckdb
from core.redact import mask_long_runs, scrub
from core.settings import Settings
from core.settings_registry import setting
from ingestion import ledger
from ingestion.archive import archive_original
from ingestion.discover import Candidate, discover
from ingestion.orphans import init_worker, prepare_writer, worker_lock_path
from ingestion.pseudonymise import resolve_pseudonym_key
from ingestion.quarantine import Rejection
from ingestion.refusals import landing_refusal, unarchivable
from ingestion.submit import (
    Decision,
    FileResult,
    commit_group,
    remove_from_landing,
    unknown_format,
)
from ingestion.worker import ParseJob, ParseOutcome, parse_submission, warm_up

logger = logging.getLogger(__name__)

WORKERS_ENV = "LIPAS_INGEST_WORKERS"
CRASH_ENV = "LIPAS_TEST_CRASH_AT"
WRITER_MEMORY_LIMIT = "128MB"
# Files per commit group (ingestion/submit.py): at least 8 when that many are coming (a commit
# costs ~10 ms CPU whatever its size), at most 32 (past ~30 the saving is gone and a crash
# would redo more work).
COMMIT_GROUP_MIN_FILES = 8
COMMIT_GROUP_FILES = 32


@dataclass(frozen=True)
class IngestSummary:
    """Counts for one `ingest_landing` run plus the per-file results, in ingestion order."""

    accepted: int = 0
    rejected: int = 0
    duplicate: int = 0
    superseded: int = 0
    held: int = 0
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
            held=count("held"),
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
    target = setting(CRASH_ENV).raw()
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
    # surrogateescape: a name with non-UTF-8 bytes (a Windows en dash, 0x96) is hashed as its
    # exact bytes instead of raising UnicodeEncodeError for the whole run (issue #11 item 2).
    seed = f"{sha256}|{rel_path}|{received_at.isoformat()}".encode("utf-8", "surrogateescape")
    return "s" + base64.b32encode(hashlib.sha256(seed).digest()).decode("ascii")[:20].lower()


def _worker_count() -> int:
    value = setting(WORKERS_ENV).raw()
    return max(1, int(value)) if value else min(2, os.cpu_count() or 1)


def _start_pool(workers: int, lock_path: Path) -> cf.ProcessPoolExecutor | None:
    """A warming-up parse pool, or None to parse in this process.

    Started before the ledger work so the workers' imports and reference loading overlap
    with archiving; forkserver because a process holding DuckDB threads must never fork (the
    server is a fresh process). Each worker holds the worker lock (ingestion/orphans.py).
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
        initializer=init_worker,
        initargs=(os.getpid(), str(lock_path)),
    )
    for _ in range(workers):
        pool.submit(warm_up)
    return pool


_DONE = object()


class _PlanAhead:
    """Archives and plans the candidates in a background thread, in order.

    Each parse job goes to the pool the moment its file is archived, and the writer (the
    calling thread) commits earlier files while later ones are still being archived (copying,
    hashing and fsync release the GIL). The thread never touches the database. Iterating
    yields (decision, parse outcome or None) in candidate order.
    """

    def __init__(self, plan: Iterator[Decision], pool: cf.ProcessPoolExecutor | None) -> None:
        self._pool = pool
        self._queue: queue.Queue[object] = queue.Queue()
        self._stop = threading.Event()
        self._held: object | None = None  # an item taken from the queue but not yet parsed
        self._thread = threading.Thread(
            target=self._run, args=(plan,), name="lipas-plan", daemon=True
        )

    def _run(self, plan: Iterator[Decision]) -> None:
        try:
            for decision in plan:
                future = None
                if self._pool is not None and decision.job is not None:
                    future = self._pool.submit(parse_submission, decision.job)
                self._queue.put((decision, future))
                if self._stop.is_set():
                    break
        except BaseException as exc:  # handed to the writer thread, which re-raises it
            self._queue.put(exc)
        finally:
            self._queue.put(_DONE)

    def groups(
        self, min_files: int, max_files: int
    ) -> Iterator[list[tuple[Decision, ParseOutcome | None]]]:
        """(decision, parse outcome or None) in candidate order, in commit groups.

        A group is the next `min_files` items (waited for; fewer at the end) plus every
        following item that is already parsed, up to `max_files`. The writer keeps up with two
        parse workers, so without a minimum nearly every group was one file, and on two cores
        its per-commit CPU is taken from the workers; a file's commit waits at most for the
        parsing of the few files after it.
        """
        self._thread.start()
        group: list[tuple[Decision, ParseOutcome | None]] = []
        while True:
            waiting = len(group) < min_files
            item = self._take(wait=waiting) if len(group) < max_files else None
            if item is None:  # the group is full, or nothing more is ready: commit it now
                yield group
                group = []
                continue
            if item is _DONE or isinstance(item, BaseException):
                if group:
                    yield group
                if isinstance(item, BaseException):
                    raise item
                return
            decision, future = cast(tuple[Decision, "cf.Future[ParseOutcome] | None"], item)
            if decision.job is None:
                group.append((decision, None))
            elif future is None:
                group.append((decision, parse_submission(decision.job)))
            else:
                group.append((decision, future.result()))

    def _take(self, *, wait: bool) -> object | None:
        """The next queued item; without `wait`, None unless it is there and already parsed."""
        if self._held is not None:
            if not wait and not self._ready(self._held):
                return None
            item, self._held = self._held, None
            return item
        if wait:
            return self._queue.get()
        try:
            item = self._queue.get_nowait()
        except queue.Empty:
            return None
        if not self._ready(item):
            self._held = item
            return None
        return item

    @staticmethod
    def _ready(item: object) -> bool:
        """False only for a parse job still running in the pool."""
        future = item[1] if isinstance(item, tuple) else None
        return future is None or cast("cf.Future[ParseOutcome]", future).done()

    def close(self) -> None:
        """Stop planning after the current file and wait for the thread."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def _refusal(cand: Candidate, archived: Path) -> Rejection:
    """Why a candidate that needs no parsing is refused (unknown_format when nothing better)."""
    evidence = archived.read_bytes() if cand.item_type != "file" else b""
    return landing_refusal(cand, evidence) or unknown_format(cand)


def _unarchived(
    cand: Candidate, exc: Exception, now: dt.datetime, committed_ids: set[str]
) -> Decision:
    """A candidate whose archiving failed: rejected once, and left in landing (no copy exists).

    Its id has no content hash, so a re-run that fails again finds it already ingested, and one
    that succeeds (the cause was fixed) processes it normally under a new id.
    """
    logger.error(
        "ingest: cannot archive %s (%s): %s",
        mask_long_runs(cand.rel_path), type(exc).__name__, scrub(str(exc)),
    )  # fmt: skip
    sid = make_submission_id("", cand.id_path, cand.received_at)
    decision = Decision(cand, "", None, sid, now)
    if sid in committed_ids:
        return decision.but(action="already_ingested")
    return decision.but(action="reject", rejection=unarchivable(cand, exc))


def _plan(
    settings: Settings,
    candidates: list[Candidate],
    key: bytes,
    committed: tuple[set[str], set[str]],
) -> Iterator[Decision]:
    """Archive each candidate and decide what it needs, one at a time.

    `committed` is (submission ids, sha256s) already in the ledger, read once before the run.
    """
    committed_ids, committed_shas = committed
    seen: dict[str, str] = {}
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for cand in candidates:
        try:
            sha, archived = archive_original(cand, settings.archive_dir)
        except Exception as exc:  # one item that cannot be archived never stops the others
            yield _unarchived(cand, exc, now, committed_ids)
            continue
        crash_point("archived")
        sid = make_submission_id(sha, cand.id_path, cand.received_at)
        decision = Decision(cand, sha, archived, sid, now)
        if sid in committed_ids:
            decision = decision.but(action="already_ingested")
        elif sha in seen or sha in committed_shas:
            decision = decision.but(action="duplicate")
        elif cand.file_format == "unknown":
            decision = decision.but(action="reject", rejection=_refusal(cand, archived))
        else:
            job = ParseJob(
                sid, archived, cand.file_format, cand.name, sha, settings.raw_dir,
                settings.max_file_bytes, key, now, cand.rel_path,
                max_rows_per_sheet=settings.max_rows_per_sheet,
            )  # fmt: skip
            decision = decision.but(action="parse", job=job)
        seen.setdefault(sha, sid)
        yield decision


def _after_commit(
    decision: Decision, result: FileResult, landing: Path, remove_processed: bool
) -> None:
    """Remove a committed item from landing and log it."""
    # An item that could not be archived stays in landing: it is the only copy.
    if remove_processed and decision.archived_path is not None:
        try:
            remove_from_landing(decision.candidate, landing)
        except OSError as exc:  # committed and archived: the next run removes it
            logger.warning(
                "ingest: cannot remove %s from landing (%s); a re-run will",
                result.original_path, type(exc).__name__,
            )  # fmt: skip
        crash_point("removed")
    logger.info(
        "ingest: %s -> %s%s",
        result.original_path,
        result.status,
        f" ({result.error_code})" if result.error_code else "",
    )


class WarehouseBusyError(RuntimeError):
    """Another process (an ingestion or the nightly run) holds the warehouse's write lock."""


def connect_writer(settings: Settings) -> duckdb.DuckDBPyConnection:
    """The run's read-write connection; WarehouseBusyError when another writer holds the lock.

    DuckDB allows one read-write process per file; a second `lipas ingest` used to end in
    DuckDB's lock traceback (issue #11 item 9).
    """
    try:
        # Inserts stream from Parquet; without a cap DuckDB kept ~200 MB of written blocks
        # cached in the writer, part of the run's 1.5 GB budget (issue #11 item 7).
        return open_duckdb(settings.warehouse_path, limit=WRITER_MEMORY_LIMIT)
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise
        raise WarehouseBusyError(
            "another ingestion or nightly run is using the warehouse; try again later"
        ) from exc


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
    # The warehouse lock first: a second run stops here, before touching landing or temp files.
    con = connect_writer(settings)
    planner: _PlanAhead | None = None
    pool: cf.ProcessPoolExecutor | None = None
    try:
        prepare_writer(settings)
        candidates = discover(landing, dt.datetime.now(dt.UTC).replace(tzinfo=None))
        logger.info("ingest: %d item(s) found under %s", len(candidates), landing)
        parseable = sum(c.file_format != "unknown" for c in candidates)
        pool = _start_pool(_worker_count() if parseable > 1 else 1, worker_lock_path(settings))
        ledger.ensure_ledger_tables(con)
        ledger.ensure_raw_tables(con)
        committed = ledger.known_submissions(con)
        planner = _PlanAhead(_plan(settings, candidates, key, committed), pool)
        results: list[FileResult] = []
        for group in planner.groups(COMMIT_GROUP_MIN_FILES, COMMIT_GROUP_FILES):
            for _, outcome in group:
                if outcome is not None:
                    crash_point("parsed")
            for (decision, _), result in zip(
                group, commit_group(con, settings, group, crash_point), strict=True
            ):
                _after_commit(decision, result, landing, remove_processed)
                results.append(result)
                if progress is not None:
                    progress(len(results), len(candidates), result)
    finally:
        if planner is not None:
            planner.close()
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
