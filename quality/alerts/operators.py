"""Out-of-band notice to the pipeline operators (a failed run), for the run-failure sensor."""

from __future__ import annotations

import datetime as dt
import logging
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

from core.settings import Settings
from quality.alerts.compose import CID_DOMAIN
from quality.alerts.config import MailConfig, load_mail_config
from quality.alerts.delivery import send_with_retries
from quality.alerts.privacy import redact_text
from quality.alerts.recipients import load_recipients

logger = logging.getLogger(__name__)


def notify_operators(
    settings: Settings, *, subject: str, body: str, mail_config: MailConfig | None = None
) -> bool:
    """Mail role `operators` (or `ditjen` when none is configured); never raises on SMTP errors.

    The message is also written under reports/<date>/mail/ so it survives a mail outage; the
    failure itself is already in reports/run_failures.jsonl, which the next digest lists.
    Returns True when delivered.
    """
    config = mail_config or load_mail_config()
    recipients = load_recipients(config.recipients_path)
    addresses = recipients.for_audience("operators") or recipients.for_audience("ditjen")
    message = EmailMessage(policy=SMTP)
    message["Subject"] = redact_text(subject)
    message["From"] = config.sender
    message["To"] = ", ".join(addresses) or "undisclosed-recipients:;"
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=CID_DOMAIN)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(redact_text(body), charset="utf-8")
    now = dt.datetime.now(dt.UTC)
    folder = settings.reports_dir / now.date().isoformat() / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"operators_{now:%H%M%S}.eml").write_bytes(message.as_bytes())
    if not addresses or not config.enabled:
        logger.error("operators not mailed (no recipients or LIPAS_SMTP_HOST): %s", subject)
        return False
    _, error = send_with_retries(config, addresses, message.as_bytes(), label="operators")
    if error:
        logger.error("could not mail the operators: %s", error)
    return error is None
