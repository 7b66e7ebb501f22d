"""Recipients by role (ditjen, operators, kanwil:<KODE>, bapas:<KODE>) from a CSV or YAML file."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from core.settings import ConfigurationError

ROLE_RE = re.compile(r"^(ditjen|operators|kanwil:[A-Z0-9]+|bapas:[A-Z0-9]+)$")
# Deliberately strict: an address goes into a mail header, so no spaces, commas or newlines.
ADDRESS_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+$")
TEMPLATE_URL_KEY = "template_url"
_URL_RE = re.compile(r"^https?://[^\s<>\"]+$")


def _template_url(value: str, source: Path) -> str:
    value = value.strip()
    if not _URL_RE.match(value):
        raise ConfigurationError(f"{source}: template_url {value!r} must be an http(s) address")
    return value


@dataclass(frozen=True)
class Recipients:
    """Addresses per role; a role with no entry simply receives nothing (files stay on disk)."""

    by_role: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Where clerks download a blank form (`template_url` in the file), with {kode}, {periode}
    # and {versi} filled per fix-list; without it the form is attached to the mail instead.
    template_url: str | None = None

    def for_audience(self, audience: str) -> tuple[str, ...]:
        """Addresses of one audience, in file order, without duplicates."""
        return self.by_role.get(audience, ())

    def roles(self, prefix: str) -> tuple[str, ...]:
        """Configured roles starting with `prefix` ('kanwil:'), sorted."""
        return tuple(sorted(r for r in self.by_role if r.startswith(prefix)))


def _add(pairs: dict[str, list[str]], role: str, address: str, source: Path) -> None:
    role, address = role.strip(), address.strip()
    role = role.split(":", 1)[0].lower() + (
        ":" + role.split(":", 1)[1].upper() if ":" in role else ""
    )
    if not ROLE_RE.match(role):
        raise ConfigurationError(
            f"{source}: role {role!r} must be ditjen, operators, kanwil:<KODE> or bapas:<KODE>"
        )
    if not ADDRESS_RE.match(address):
        raise ConfigurationError(f"{source}: {address!r} ({role}) is not an email address")
    if address not in pairs.setdefault(role, []):
        pairs[role].append(address)


def load_recipients(path: Path | None) -> Recipients:
    """Read the recipients file.

    CSV: header `role,email`, one address per line. YAML: a mapping of role to an address or a
    list of addresses. The optional `template_url` entry (role `template_url` in a CSV) is the
    blank-form download link fix-lists show instead of attaching the form. Errors name the file
    and the bad line's role or address.
    """
    if path is None:
        return Recipients()
    if not path.is_file():
        raise ConfigurationError(f"LIPAS_MAIL_RECIPIENTS: {path} does not exist")
    pairs: dict[str, list[str]] = {}
    url: str | None = None
    if path.suffix.lower() in (".yaml", ".yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ConfigurationError(f"{path}: expected a mapping of role to addresses")
        for role, value in data.items():
            if str(role).strip().lower() == TEMPLATE_URL_KEY:
                url = _template_url(str(value), path)
                continue
            for address in [value] if isinstance(value, str) else list(value or []):
                _add(pairs, str(role), str(address), path)
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or not {"role", "email"} <= set(reader.fieldnames):
                raise ConfigurationError(f"{path}: CSV header must contain role,email")
            for row in reader:
                if (row.get("role") or "").strip().lower() == TEMPLATE_URL_KEY:
                    url = _template_url(row.get("email") or "", path)
                elif (row.get("role") or "").strip():
                    _add(pairs, row["role"], row.get("email") or "", path)
    return Recipients({role: tuple(addresses) for role, addresses in pairs.items()}, url)
