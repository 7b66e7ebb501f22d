"""`run_report`: load, build, write files, queue mail, record the alert log, deliver."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

import duckdb

from core.duckdb_connect import open_duckdb
from core.period import PERIOD_PATTERN
from core.settings import Settings
from quality.alerts.compose import compose_message
from quality.alerts.config import MailConfig, load_mail_config
from quality.alerts.delivery import deliver_pending
from quality.alerts.directory import load_directory
from quality.alerts.documents import (
    Document,
    build_documents,
    digest_documents,
    report_variant,
)
from quality.alerts.i18n import LANGS
from quality.alerts.loader import delivered_today, load_inputs, table_exists
from quality.alerts.model import AlertHistory, LogEntry, ReportResult
from quality.alerts.recipients import Recipients, load_recipients
from quality.alerts.state import (
    enqueue,
    ensure_alert_tables,
    load_history,
    prune_sent,
    record_log,
)
from quality.config import judging_day

logger = logging.getLogger(__name__)


def write_atomic(path: Path, data: str | bytes) -> Path:
    """Write atomically so a half-written report never replaces a good one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    if isinstance(data, bytes):
        tmp.write_bytes(data)
    else:
        tmp.write_text(data, encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_document(report_dir: Path, doc: Document) -> list[Path]:
    """<path><variant>.html, .md, .json and PNGs beside them, under LIPAS_HOME/reports/<date>/.

    Names are built as strings: `with_suffix` would eat a variant's ".en" or ".preview".
    """
    base = report_dir / doc.path
    stem, variant = base.name, doc.variant
    files = [
        write_atomic(base.with_name(f"{stem}{variant}.html"), doc.file_html),
        write_atomic(base.with_name(f"{stem}{variant}.md"), doc.rendered.markdown),
        write_atomic(base.with_name(f"{stem}{variant}.json"), doc.rendered.json),
    ]
    files += [
        write_atomic(base.with_name(f"{stem}_{n}{variant}.png"), png)
        for n, png in doc.rendered.images.items()
    ]
    files += [write_atomic(base.with_name(name), data) for name, data in doc.attachments.items()]
    return files


def _connect(settings: Settings, send: bool) -> duckdb.DuckDBPyConnection:
    """Read-write only when sending (alert state changes); a preview never writes."""
    path = settings.warehouse_path
    if send:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open_duckdb(str(path))
    if path.is_file():
        return open_duckdb(str(path), read_only=True)
    logger.warning("%s does not exist yet; reporting on an empty warehouse", path)
    return open_duckdb()


def run_report(
    settings: Settings,
    period: str,
    as_of: dt.date | None = None,
    lang: str = "id",
    send: bool = False,
    *,
    mail_config: MailConfig | None = None,
    preview: bool = False,
) -> ReportResult:
    """Produce today's summary, Kanwil digests, fix-lists and notices; with `send`, mail them.

    Without `send` this is a preview: files only, no alert state recorded, so a manual run never
    makes tonight's findings look already announced. With `send`, every message goes through
    quality.outbox first, so a delivery failure leaves it queued for the next run.
    `preview` (the `lipas report` default) and a language other than Bahasa write variant file
    names (see `report_variant`) so they never overwrite the nightly's report of the same day.
    """
    if not PERIOD_PATTERN.fullmatch(period):
        raise ValueError(f"period must be YYYY-MM, got {period!r}")
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    as_of = as_of or judging_day(home=settings.home)
    config = mail_config or load_mail_config()
    recipients = load_recipients(config.recipients_path)
    report_dir = settings.reports_dir / as_of.isoformat()
    con = _connect(settings, send)
    try:
        if send:
            ensure_alert_tables(con)
        history = (
            load_history(con, as_of)
            if table_exists(con, "quality", "alert_log")
            else AlertHistory()
        )
        directory = load_directory()
        inputs = load_inputs(
            con, period, as_of, settings.quarantine_dir, settings.reports_dir, directory.bapas
        )
        docs = build_documents(
            inputs,
            history,
            directory,
            lang=lang,
            reminder_days=config.reminder_days,
            kanwil_audiences=recipients.roles("kanwil:"),
            variant=report_variant(lang, preview),
            template_url=recipients.template_url,
            form_cache=settings.home / "cache" / "forms",
        )
        files = [f for doc in docs for f in write_document(report_dir, doc)]
        logger.info("wrote %d report files to %s", len(files), report_dir)
        queued, sent, pending = 0, 0, 0
        errors: tuple[str, ...] = ()
        if send:
            # Bapas messages go first so the digest can say whether their fix-lists were
            # delivered ("sudah dikirim" only on a delivery result, issue 13).
            bapas_docs = tuple(d for d in docs if d.kind != "digest")
            queued, log = _queue(con, bapas_docs, recipients, config, report_dir, as_of)
            today_bapas = f"{as_of.isoformat()}/bapas:"
            first = deliver_pending(con, config, only=lambda key: key.startswith(today_bapas))
            digests = digest_documents(
                inputs,
                history,
                directory,
                lang=lang,
                kanwil_audiences=recipients.roles("kanwil:"),
                variant=report_variant(lang, preview),
                fixlists_sent=delivered_today(con, as_of),
            )
            rewritten = [f for d in digests for f in write_document(report_dir, d)]
            files = list(dict.fromkeys([*files, *rewritten]))
            docs = (*digests, *bapas_docs)
            more, digest_log = _queue(con, digests, recipients, config, report_dir, as_of)
            queued += more
            record_log(con, as_of, [*log, *digest_log])
            rest = deliver_pending(con, config, only=lambda key: not key.startswith(today_bapas))
            prune_sent(con)
            sent, pending = first.sent + rest.sent, first.pending + rest.pending
            errors = first.errors + rest.errors
        digest = docs[0]
        return ReportResult(
            period=period,
            as_of=as_of,
            lang=lang,
            report_dir=report_dir,
            files=tuple(files),
            headline=_headline_numbers(digest),
            queued=queued,
            sent=sent,
            pending=pending,
            errors=errors,
        )
    finally:
        con.close()


def _queue(
    con: duckdb.DuckDBPyConnection,
    docs: tuple[Document, ...],
    recipients: Recipients,
    config: MailConfig,
    report_dir: Path,
    as_of: dt.date,
) -> tuple[int, list[LogEntry]]:
    """Queue the documents that warrant mail; returns (queued, alert_log rows to record)."""
    queued, log = 0, list[LogEntry]()
    for doc in docs:
        addresses = recipients.for_audience(doc.audience)
        if doc.mail and addresses:
            message = compose_message(
                doc.rendered,
                sender=config.sender,
                recipients=addresses,
                attachments=doc.attachments,
            )
            eml = write_atomic(
                report_dir / "mail" / f"{doc.path.replace('/', '_')}{doc.variant}.eml",
                message.as_bytes(),
            )
            queued += enqueue(
                con,
                message_key=f"{as_of.isoformat()}/{doc.audience}/{doc.kind}{doc.variant}",
                audience=doc.audience,
                kind=doc.kind,
                recipients=addresses,
                subject=doc.rendered.subject,
                message=message.as_bytes(),
                eml_path=str(eml),
            )
        elif doc.mail:
            logger.info("no recipients for %s; %s kept on disk only", doc.audience, doc.kind)
        # The national digest is the record of what was announced even without mail.
        if doc.audience == "ditjen" or (doc.mail and addresses):
            log.extend(doc.log_entries)
    return queued, log


def _headline_numbers(doc: Document) -> dict[str, float | int]:
    """Machine-readable headline for Dagster metadata (from the digest's JSON)."""
    import json

    payload = json.loads(doc.rendered.json)
    out: dict[str, float | int] = {}
    national = payload["national"]
    if national["expected"]:
        out["reporting_rate"] = round(national["reported"] / national["expected"], 4)
        out["on_time_rate"] = round(national["on_time"] / national["expected"], 4)
    out["expected"] = national["expected"]
    out["missing_bapas"] = len(payload["missing"])
    out["new_findings"] = len(payload["new_findings"])
    out["rejected"] = len(payload["rejected"])
    out["undelivered"] = len(payload["undelivered"])
    return out
