"""Compose a MIME message: text/plain (Markdown) + text/html with PNGs inline as CID parts."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

from quality.alerts.render import Rendered

CID_DOMAIN = "lipas.ditjenpas"


def content_id(image: str) -> str:
    """The Content-ID of an inline image, without angle brackets (HTML uses cid:<this>)."""
    return f"{image}@{CID_DOMAIN}"


def cid_sources(images: dict[str, bytes]) -> dict[str, str]:
    """Image name -> 'cid:...' source for the HTML part."""
    return {name: f"cid:{content_id(name)}" for name in images}


XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def compose_message(
    rendered: Rendered,
    *,
    sender: str,
    recipients: tuple[str, ...],
    attachments: dict[str, bytes] | None = None,
) -> EmailMessage:
    """One multipart/alternative message; images become multipart/related parts of the HTML.

    `rendered.html` must reference the images with `cid_sources(...)` so a plain mail client shows
    the text part and an HTML client shows the charts without fetching anything remote.
    """
    message = EmailMessage(policy=SMTP)
    message["Subject"] = rendered.subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=CID_DOMAIN)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.markdown, subtype="plain", charset="utf-8")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8")
    html_part = next(p for p in message.iter_parts() if p.get_content_type() == "text/html")
    for name, png in sorted(rendered.images.items()):
        html_part.add_related(
            png,
            maintype="image",
            subtype="png",
            cid=f"<{content_id(name)}>",
            filename=f"{name}.png",
            disposition="inline",
        )
    for name, data in sorted((attachments or {}).items()):  # blank forms of a fix-list
        message.add_attachment(data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=name)
    return message
