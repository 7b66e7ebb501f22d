"""SMTP delivery of the outbox with bounded retries; the Dagster resource wraps this module."""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from quality.alerts.config import MailConfig
from quality.alerts.state import mark_attempt, pending_messages

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryReport:
    """Outcome of one outbox flush."""

    sent: int
    pending: int
    errors: tuple[str, ...]


def _tls_context(config: MailConfig) -> ssl.SSLContext:
    """Verified TLS (hostname and chain); LIPAS_SMTP_CA_FILE adds an internal CA."""
    return ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)


def _connect(config: MailConfig) -> smtplib.SMTP:
    assert config.host is not None
    if config.security == "ssl":
        return smtplib.SMTP_SSL(
            config.host, config.port, timeout=config.timeout_seconds, context=_tls_context(config)
        )
    smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds)
    if config.security == "starttls":
        smtp.ehlo()
        smtp.starttls(context=_tls_context(config))
        smtp.ehlo()
    return smtp


def send_raw(config: MailConfig, recipients: tuple[str, ...], raw: bytes) -> None:
    """Deliver one message over a fresh connection (timeouts on connect and every command)."""
    smtp = _connect(config)
    try:
        if config.user:
            smtp.login(config.user, config.password or "")
        refused = smtp.sendmail(config.sender, list(recipients), raw)
        if refused:
            logger.warning("some recipients refused: %s", sorted(refused))
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _is_permanent(exc: BaseException) -> bool:
    """5xx replies will not change on retry within this run (bad address, policy)."""
    return isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600


def send_with_retries(
    config: MailConfig,
    recipients: tuple[str, ...],
    raw: bytes,
    *,
    label: str,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[int, str | None]:
    """Up to `config.retries` attempts with exponential backoff; returns (attempts, last error)."""
    error: str | None = None
    for attempt in range(1, config.retries + 1):
        try:
            send_raw(config, recipients, raw)
            return attempt, None
        except (smtplib.SMTPException, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            logger.warning(
                "delivery of %s failed (attempt %d/%d): %s", label, attempt, config.retries, error
            )
            if _is_permanent(exc) or attempt == config.retries:
                return attempt, error
            sleep(config.backoff_seconds * 2 ** (attempt - 1))
    return config.retries, error


def deliver_pending(
    con: duckdb.DuckDBPyConnection,
    config: MailConfig,
    *,
    sleep: Callable[[float], None] = time.sleep,
    only: Callable[[str], bool] | None = None,
) -> DeliveryReport:
    """Try every pending message, up to `config.retries` times each with exponential backoff.

    Failures are logged, recorded in quality.outbox (attempts, last error) and left pending, so
    the next run re-sends them and the next digest lists them. Nothing is ever dropped.
    `only` restricts this flush to the message keys it accepts (the Bapas messages go first, so
    the digest can report their delivery).
    """
    messages = [m for m in pending_messages(con) if only is None or only(m.message_key)]
    if not config.enabled:
        for message in messages:
            mark_attempt(con, message.message_key, attempts=1, error="LIPAS_SMTP_HOST not set")
        if messages:
            logger.error(
                "LIPAS_SMTP_HOST is not set: %d messages wait in the outbox", len(messages)
            )
        return DeliveryReport(
            0, len(messages), tuple(f"{m.message_key}: LIPAS_SMTP_HOST not set" for m in messages)
        )
    sent, errors = 0, []
    for message in messages:
        attempts, error = send_with_retries(
            config, message.recipients, message.message, label=message.message_key, sleep=sleep
        )
        mark_attempt(con, message.message_key, attempts=attempts, error=error)
        if error is None:
            sent += 1
            logger.info("sent %s to %d recipients", message.message_key, len(message.recipients))
        else:
            errors.append(f"{message.message_key}: {error}")
            logger.error("could not deliver %s; it stays in quality.outbox", message.message_key)
    return DeliveryReport(sent=sent, pending=len(messages) - sent, errors=tuple(errors))
