"""Mail and reminder settings from LIPAS_* environment variables (read on call, never at import)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.settings import ConfigurationError

SECURITY_MODES = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class MailConfig:
    """SMTP connection, sender, recipients file and alert timing; documented in docs/alerts.md."""

    host: str | None
    port: int
    security: str
    user: str | None
    password: str | None = field(repr=False)
    sender: str
    timeout_seconds: float
    retries: int
    backoff_seconds: float
    recipients_path: Path | None
    reminder_days: int
    ca_file: Path | None = None

    @property
    def enabled(self) -> bool:
        """Delivery needs a host; without one messages wait in the outbox."""
        return bool(self.host)


def _number(
    env: Mapping[str, str], name: str, default: str, kind: type[float] | type[int]
) -> float:
    raw = env.get(name, "").strip() or default
    try:
        value = kind(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from exc
    if value < 0:
        raise ConfigurationError(f"{name} must not be negative, got {raw!r}")
    return value


def load_mail_config(environ: Mapping[str, str] | None = None) -> MailConfig:
    """Read the mail settings; raise ConfigurationError naming the variable that is wrong."""
    env = os.environ if environ is None else environ
    security = env.get("LIPAS_SMTP_SECURITY", "starttls").strip().lower() or "starttls"
    if security not in SECURITY_MODES:
        raise ConfigurationError(
            f"LIPAS_SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, got {security!r}"
        )
    host = env.get("LIPAS_SMTP_HOST", "").strip() or None
    user = env.get("LIPAS_SMTP_USER", "").strip() or None
    if user and security == "none" and host not in LOOPBACK_HOSTS:
        # Never send a password in clear over the network.
        raise ConfigurationError(
            "LIPAS_SMTP_USER is set but LIPAS_SMTP_SECURITY=none: use starttls or ssl"
        )
    recipients = env.get("LIPAS_MAIL_RECIPIENTS", "").strip()
    # An agency mail relay often uses an internal CA: trust it explicitly, never skip checks.
    ca_file = env.get("LIPAS_SMTP_CA_FILE", "").strip()
    return MailConfig(
        host=host,
        port=int(_number(env, "LIPAS_SMTP_PORT", str(DEFAULT_PORTS[security]), int)),
        security=security,
        user=user,
        password=env.get("LIPAS_SMTP_PASSWORD") or None,
        sender=env.get("LIPAS_MAIL_FROM", "").strip() or "lipas-noreply@localhost",
        timeout_seconds=_number(env, "LIPAS_SMTP_TIMEOUT_SECONDS", "30", float),
        retries=max(1, int(_number(env, "LIPAS_SMTP_RETRIES", "3", int))),
        backoff_seconds=_number(env, "LIPAS_SMTP_BACKOFF_SECONDS", "5", float),
        recipients_path=Path(recipients).expanduser() if recipients else None,
        reminder_days=int(_number(env, "LIPAS_REMINDER_DAYS", "3", int)),
        ca_file=Path(ca_file).expanduser() if ca_file else None,
    )
