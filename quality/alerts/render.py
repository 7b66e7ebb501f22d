"""Render digests, fix-lists and notices to HTML, Markdown (also the text/plain part) and JSON."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from quality.alerts.digest import Digest
from quality.alerts.fixlist import FixList
from quality.alerts.i18n import percent, text
from quality.alerts.json_text import plain, pretty
from quality.alerts.notices import Notice

TEMPLATES_DIR = Path(__file__).with_name("templates")
TABLE_LIMIT = 25


@dataclass(frozen=True)
class Rendered:
    """One document in every format; `images` maps a name to PNG bytes to embed or write."""

    name: str
    subject: str
    html: str
    markdown: str
    json: str
    images: dict[str, bytes]


@lru_cache(maxsize=2)
def _environment(html: bool) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _render(template: str, lang: str, **context: Any) -> str:
    env = _environment(template.endswith(".html.j2"))

    def t(key: str, **values: object) -> str:
        return text(key, lang, **values)

    return env.get_template(template).render(
        t=t, pct=percent, lang=lang, limit=TABLE_LIMIT, **context
    )


def to_json(document: object) -> str:
    """Stable JSON (sorted keys) of a digest, fix-list or notice dataclass."""
    assert dataclasses.is_dataclass(document) and not isinstance(document, type)
    return pretty(document)


def render_digest(
    digest: Digest, images: dict[str, bytes], image_src: dict[str, str], name: str
) -> Rendered:
    """Digest as HTML (images referenced by `image_src`, e.g. cid: or file names) and Markdown."""
    prev_period = digest.trend[-2].period if len(digest.trend) > 1 else digest.period
    not_due = any(h.note == text("not_due", digest.lang) for h in digest.headline)
    context = {
        "digest": digest,
        "title": digest.title,
        "subtitle": digest.subtitle,
        "prev_period": prev_period,
        "not_due": not_due,
    }
    scope = (
        digest.title.split(": ", 1)[1] if ": " in digest.title else text("national", digest.lang)
    )
    payload = plain(digest)
    assert isinstance(payload, dict)
    payload.pop("heatmap", None)  # the matrix is large and already in the PNG; trend stays
    return Rendered(
        name=name,
        subject=text("subject_digest", digest.lang, scope=scope, as_of=digest.as_of.isoformat()),
        html=_render("digest.html.j2", digest.lang, images=image_src, **context),
        markdown=_render("digest.md.j2", digest.lang, images=image_src, **context),
        json=pretty(payload),
        images=images,
    )


def render_fixlist(fix: FixList, lang: str, name: str) -> Rendered:
    """A Bapas fix-list as HTML, Markdown and JSON."""
    context = {
        "fix": fix,
        "title": text("fixlist_title", lang, name=fix.nama_bapas),
        "subtitle": text(
            "fixlist_subtitle",
            lang,
            kode=fix.kode_bapas,
            n=len(fix.entries),
            as_of=fix.as_of.isoformat(),
        ),
    }
    return Rendered(
        name=name,
        subject=text("subject_fixlist", lang, kode=fix.kode_bapas, n=len(fix.entries)),
        html=_render("fixlist.html.j2", lang, **context),
        markdown=_render("fixlist.md.j2", lang, **context),
        json=to_json(fix),
        images={},
    )


def render_notice(notice: Notice, lang: str, name: str) -> Rendered:
    """A reminder, overdue or resolution notice as HTML, Markdown and JSON."""
    title = text(f"notice_{notice.kind}_title", lang)
    context = {
        "notice": notice,
        "title": f"{title}: {notice.nama_bapas}",
        "subtitle": text(
            "subtitle",
            lang,
            period=", ".join(sorted({i.period for i in notice.items})),
            as_of=notice.as_of.isoformat(),
        ),
    }
    return Rendered(
        name=name,
        subject=text("subject_notice", lang, title=title, kode=notice.kode_bapas),
        html=_render("notice.html.j2", lang, **context),
        markdown=_render("notice.md.j2", lang, **context),
        json=to_json(notice),
        images={},
    )
