"""Build and render every document of one report run (pure: inputs in, rendered documents out)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from quality.alerts.charts import render_heatmap, render_trend
from quality.alerts.compose import cid_sources
from quality.alerts.digest import build_digest
from quality.alerts.directory import Directory
from quality.alerts.fixlist import bapas_needing_fixlist, build_fixlist
from quality.alerts.model import AlertHistory, AlertInputs, LogEntry
from quality.alerts.notices import build_notices
from quality.alerts.privacy import contains_pii, redact_json, redact_text
from quality.alerts.render import Rendered, render_digest, render_fixlist, render_notice

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Document:
    """One rendered document for one audience.

    `file_html` references images by file name (for LIPAS_HOME/reports), `rendered.html` by CID
    (for mail). `mail` is False when nothing new warrants a message (the file is still written).
    """

    audience: str
    kind: str
    path: str
    rendered: Rendered
    file_html: str
    log_entries: tuple[LogEntry, ...]
    mail: bool


def scrub(rendered: Rendered) -> Rendered:
    """Last PII pass over the final text; a hit means an upstream producer leaked, so log it."""
    fields = {
        "subject": rendered.subject,
        "html": rendered.html,
        "markdown": rendered.markdown,
        "json": rendered.json,
    }
    if any(contains_pii(v) for v in fields.values()):
        logger.error("NIK-like number found in %s; redacted before writing", rendered.name)
        return replace(
            rendered,
            subject=redact_text(rendered.subject),
            html=redact_text(rendered.html),
            markdown=redact_text(rendered.markdown),
            json=redact_json(rendered.json),
        )
    return rendered


def _digest_document(
    inputs: AlertInputs,
    history: AlertHistory,
    directory: Directory,
    audience: str,
    lang: str,
    path: str,
) -> Document:
    digest = build_digest(inputs, history, directory, audience=audience, lang=lang)
    images = {
        "trend": render_trend(digest.trend, lang),
        "heatmap": render_heatmap(digest.heatmap, lang),
    }
    stem = path.rsplit("/", 1)[-1]
    files = {name: f"{stem}_{name}.png" for name in images}
    mail = scrub(render_digest(digest, images, cid_sources(images), stem))
    on_disk = scrub(render_digest(digest, images, files, stem))
    return Document(audience, "digest", path, mail, on_disk.html, digest.log_entries, True)


def build_documents(
    inputs: AlertInputs,
    history: AlertHistory,
    directory: Directory,
    *,
    lang: str,
    reminder_days: int,
    kanwil_audiences: tuple[str, ...] = (),
) -> tuple[Document, ...]:
    """The national digest, requested Kanwil digests, fix-lists and notices of today."""
    docs = [_digest_document(inputs, history, directory, "ditjen", lang, "digest")]
    for audience in kanwil_audiences:
        code = audience.split(":", 1)[1]
        docs.append(
            _digest_document(inputs, history, directory, audience, lang, f"kanwil/{code}/digest")
        )
    for kode in bapas_needing_fixlist(inputs):
        fix = build_fixlist(inputs, history, directory, kode, lang)
        if not fix.entries:
            continue
        rendered = scrub(render_fixlist(fix, lang, f"fixlist_{kode}"))
        docs.append(
            Document(
                f"bapas:{kode}",
                "fixlist",
                f"bapas/{kode}/fixlist",
                rendered,
                rendered.html,
                fix.log_entries,
                fix.new_count > 0,
            )
        )
    for notice in build_notices(inputs, history, directory, reminder_days=reminder_days, lang=lang):
        rendered = scrub(render_notice(notice, lang, f"{notice.kind}_{notice.kode_bapas}"))
        docs.append(
            Document(
                notice.audience,
                notice.kind,
                f"bapas/{notice.kode_bapas}/{notice.kind}",
                rendered,
                rendered.html,
                notice.log_entries,
                True,
            )
        )
    return tuple(docs)
