"""What a declared setting is, and its typed accessors that read the environment at call time.

The declarations themselves live in `core.settings_registry`; an accessor reads the process
environment, or the mapping a test passes, when it is called and never at import.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Kind = Literal["path", "text", "secret", "int", "number", "flag", "choice", "date", "cron"]
# How `.env.example` shows a setting: `NAME=default`, `# NAME=default` (optional; unset means
# the computed default the README describes), or not at all (set by CI, by lipas itself for a
# child process, by a tool, or a test hook; the README still lists it).
EnvFile = Literal["set", "commented", "omit"]
TRUE_WORDS = ("1", "true", "yes", "on")


class ConfigurationError(RuntimeError):
    """A setting is missing or invalid; the message says which variable to set."""


@dataclass(frozen=True)
class Setting:
    """One environment variable. `default` is the text used when it is unset or blank."""

    name: str
    kind: Kind
    default: str
    meaning: str
    read_by: str
    section: str
    shown_default: str = ""
    choices: tuple[str, ...] = ()
    env_file: EnvFile = "set"
    example: str = ""

    def value(self, environ: Mapping[str, str] | None = None) -> str:
        """The variable exactly as set ("" when unset); secrets are read with this."""
        env = os.environ if environ is None else environ
        return env.get(self.name, "")

    def raw(self, environ: Mapping[str, str] | None = None) -> str:
        """The variable stripped of blanks ("" when unset or blank)."""
        return self.value(environ).strip()

    def is_set(self, environ: Mapping[str, str] | None = None) -> bool:
        """True when the variable holds a non-blank value."""
        return bool(self.raw(environ))

    def text(self, environ: Mapping[str, str] | None = None) -> str:
        """The stripped value, else the declared default."""
        return self.raw(environ) or self.default

    def integer(self, environ: Mapping[str, str] | None = None, *, minimum: int = 0) -> int:
        """A whole number (underscores allowed) of at least `minimum`, named when wrong."""
        raw = self.text(environ).replace("_", "")
        try:
            value = int(raw)
        except ValueError as exc:
            raise ConfigurationError(f"{self.name} must be a whole number, got {raw!r}") from exc
        if value < minimum:
            raise ConfigurationError(f"{self.name} must be at least {minimum}, got {value}")
        return value

    def number(self, environ: Mapping[str, str] | None = None, *, minimum: float = 0.0) -> float:
        """A number of at least `minimum`, named when wrong."""
        raw = self.text(environ)
        try:
            value = float(raw)
        except ValueError as exc:
            raise ConfigurationError(f"{self.name} must be a number, got {raw!r}") from exc
        if value < minimum:
            raise ConfigurationError(f"{self.name} must not be below {minimum}, got {raw!r}")
        return value

    def flag(self, environ: Mapping[str, str] | None = None) -> bool:
        """On for 1/true/yes/on (any case), else off."""
        return self.text(environ).lower() in TRUE_WORDS

    def choice(self, environ: Mapping[str, str] | None = None) -> str:
        """One of `choices` (lower-cased), named when it is not."""
        value = self.text(environ).lower()
        if value not in self.choices:
            raise ConfigurationError(
                f"{self.name} must be one of {', '.join(self.choices)}, got {value!r}"
            )
        return value
