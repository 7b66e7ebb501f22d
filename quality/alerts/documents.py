"""Build and render every document of one report run (pure: inputs in, rendered documents out)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from quality.alerts.charts import render_heatmap, render_trend
from quality.alerts.compose import cid_sources
from quality.alerts.digest import build_digest
from quality.alerts.directory import Directory
from quality.alerts.fixlist import bapas_needing_fixlist, build_fixlist
from quality.alerts.forms import blank_form_files
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
    `variant` (e.g. ".en", ".preview") goes before every file extension, see `report_variant`.
    """

    audience: str
    kind: str
    path: str
    rendered: Rendered
    file_html: str
    log_entries: tuple[LogEntry, ...]
    mail: bool
    variant: str = ""
    # File name -> bytes attached to the mail and written beside the document (blank forms).
    attachments: dict[str, bytes] = field(default_factory=dict)


def report_variant(lang: str, preview: bool) -> str:
    """File-name infix of a language or preview variant ("" for the official Bahasa report).

    Regression (issue 14 item 6): `lipas report --lang en` overwrote the nightly's Bahasa digest
    and every Bapas fix-list in the same folder. The Bahasa report the nightly writes keeps its
    plain names (digest.html, bapas/<kode>/fixlist.md); English adds ".en" and a manual preview
    ".preview" (digest.en.preview.html), so no variant replaces another.
    """
    return ("" if lang == "id" else f".{lang}") + (".preview" if preview else "")


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
    variant: str = "",
    fixlists_sent: frozenset[str] | None = None,
) -> Document:
    digest = build_digest(
        inputs, history, directory, audience=audience, lang=lang, fixlists_sent=fixlists_sent
    )
    images = {
        "trend": render_trend(digest.trend, lang),
        "heatmap": render_heatmap(digest.heatmap, lang),
    }
    stem = path.rsplit("/", 1)[-1]
    files = {name: f"{stem}_{name}{variant}.png" for name in images}
    mail = scrub(render_digest(digest, images, cid_sources(images), stem))
    on_disk = scrub(render_digest(digest, images, files, stem))
    return Document(audience, "digest", path, mail, on_disk.html, digest.log_entries, True, variant)


def digest_documents(
    inputs: AlertInputs,
    history: AlertHistory,
    directory: Directory,
    *,
    lang: str,
    kanwil_audiences: tuple[str, ...] = (),
    variant: str = "",
    fixlists_sent: frozenset[str] | None = None,
) -> tuple[Document, ...]:
    """The national digest, then the requested Kanwil digests.

    `fixlists_sent` is the delivery result of today's fix-lists (None: not sent, a preview).
    """
    docs = [
        _digest_document(
            inputs, history, directory, "ditjen", lang, "digest", variant, fixlists_sent
        )
    ]
    for audience in kanwil_audiences:
        code = audience.split(":", 1)[1]
        path = f"kanwil/{code}/digest"
        docs.append(
            _digest_document(
                inputs, history, directory, audience, lang, path, variant, fixlists_sent
            )
        )
    return tuple(docs)


def build_documents(
    inputs: AlertInputs,
    history: AlertHistory,
    directory: Directory,
    *,
    lang: str,
    reminder_days: int,
    kanwil_audiences: tuple[str, ...] = (),
    variant: str = "",
    template_url: str | None = None,
    form_cache: Path | None = None,
) -> tuple[Document, ...]:
    """The national digest, requested Kanwil digests, fix-lists and notices of today.

    Fix-lists and notices carry their blank forms as attachments unless `template_url` links to
    them; `form_cache` (LIPAS_HOME/cache/forms) keeps each built form for the next nights.
    """
    docs = list(
        digest_documents(
            inputs,
            history,
            directory,
            lang=lang,
            kanwil_audiences=kanwil_audiences,
            variant=variant,
        )
    )
    for kode in bapas_needing_fixlist(inputs):
        fix = build_fixlist(inputs, history, directory, kode, lang, template_url)
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
                variant,
                blank_form_files(fix.kode_bapas, fix.forms, form_cache),
            )
        )
    notices = build_notices(
        inputs,
        history,
        directory,
        reminder_days=reminder_days,
        lang=lang,
        template_url=template_url,
    )
    for notice in notices:
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
                variant,
                blank_form_files(notice.kode_bapas, notice.forms, form_cache),
            )
        )
    return tuple(docs)
