"""Deterministic random streams shared by the generator modules."""

from __future__ import annotations

import zlib

import numpy as np


def _key(part: object) -> int:
    # crc32, not hash(): Python salts str hashes per process, which would break determinism.
    if isinstance(part, int):
        return part
    return zlib.crc32(str(part).encode("utf-8"))


def rng_for(seed: int, *keys: object) -> np.random.Generator:
    """A random stream fixed by (seed, keys), e.g. (seed, 'BP3501', 'activities', 3).

    Streams are keyed per Bapas so a `--bapas N` subset produces the same data for the
    offices it keeps as the national run does.
    """
    return np.random.default_rng(np.random.SeedSequence([seed, *(_key(k) for k in keys)]))
