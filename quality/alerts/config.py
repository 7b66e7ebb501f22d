"""Mail and reminder settings (declared LIPAS_SMTP_* and LIPAS_MAIL_* variables, read on call)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.settings import ConfigurationError
from core.settings_registry import setting

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
    env: Mapping[str, str] | None,
    name: str,
    kind: type[float] | type[int],
    default: str | None = None,
) -> float:
    """A non-negative number; unset takes `default`, else the registry's default."""
    declared = setting(name)
    raw = declared.raw(env) or (declared.default if default is None else default)
    try:
        value = kind(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from exc
    if value < 0:
        raise ConfigurationError(f"{name} must not be negative, got {raw!r}")
    return value


def load_mail_config(environ: Mapping[str, str] | None = None) -> MailConfig:
    """Read the mail settings; raise ConfigurationError naming the variable that is wrong."""
    env = environ
    security = setting("LIPAS_SMTP_SECURITY").text(env).lower()
    if security not in SECURITY_MODES:
        raise ConfigurationError(
            f"LIPAS_SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, got {security!r}"
        )
    host = setting("LIPAS_SMTP_HOST").raw(env) or None
    user = setting("LIPAS_SMTP_USER").raw(env) or None
    if user and security == "none" and host not in LOOPBACK_HOSTS:
        # Never send a password in clear over the network.
        raise ConfigurationError(
            "LIPAS_SMTP_USER is set but LIPAS_SMTP_SECURITY=none: use starttls or ssl"
        )
    recipients = setting("LIPAS_MAIL_RECIPIENTS").raw(env)
    # An agency mail relay often uses an internal CA: trust it explicitly, never skip checks.
    ca_file = setting("LIPAS_SMTP_CA_FILE").raw(env)
    return MailConfig(
        host=host,
        port=int(_number(env, "LIPAS_SMTP_PORT", int, str(DEFAULT_PORTS[security]))),
        security=security,
        user=user,
        password=setting("LIPAS_SMTP_PASSWORD").value(env) or None,
        sender=setting("LIPAS_MAIL_FROM").text(env),
        timeout_seconds=_number(env, "LIPAS_SMTP_TIMEOUT_SECONDS", float),
        retries=max(1, int(_number(env, "LIPAS_SMTP_RETRIES", int))),
        backoff_seconds=_number(env, "LIPAS_SMTP_BACKOFF_SECONDS", float),
        recipients_path=Path(recipients).expanduser() if recipients else None,
        reminder_days=int(_number(env, "LIPAS_REMINDER_DAYS", int)),
        ca_file=Path(ca_file).expanduser() if ca_file else None,
    )
