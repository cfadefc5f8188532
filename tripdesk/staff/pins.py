"""PINs as scrypt hashes: slow and salted, so a copied database does not give the PINs away.

A PIN is short, so the hash must be expensive to try in bulk; the cost parameters are stored
with each hash, so they can be raised later without making older PINs unreadable.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

# About 0.2 s and 32 MB per try on the project's laptop: nothing for one approval, ruinous
# for guessing every 4- to 6-digit PIN.
COST = 2**15
BLOCK_SIZE = 8
PARALLEL = 1
SALT_BYTES = 16
KEY_BYTES = 32
MIN_LENGTH = 4
MAX_LENGTH = 64


@dataclass(frozen=True)
class PinHash:
    salt: bytes
    key: bytes
    cost: int = COST
    block_size: int = BLOCK_SIZE
    parallel: int = PARALLEL


def problem(pin: str) -> str | None:
    """Why a new PIN is not acceptable, in one sentence; None when it is."""
    if len(pin) < MIN_LENGTH:
        return f"A PIN needs at least {MIN_LENGTH} characters."
    if len(pin) > MAX_LENGTH:
        return f"A PIN may have at most {MAX_LENGTH} characters."
    if any(not ch.isprintable() for ch in pin):
        return "A PIN may not contain tabs, line breaks or other invisible characters."
    return None


def make(pin: str) -> PinHash:
    salt = os.urandom(SALT_BYTES)
    return PinHash(salt=salt, key=_derive(pin, salt, COST, BLOCK_SIZE, PARALLEL))


def matches(pin: str, kept: PinHash) -> bool:
    """True when `pin` gives the kept hash; compared in constant time."""
    key = _derive(pin, kept.salt, kept.cost, kept.block_size, kept.parallel)
    return hmac.compare_digest(key, kept.key)


def _derive(pin: str, salt: bytes, cost: int, block_size: int, parallel: int) -> bytes:
    return hashlib.scrypt(
        pin.encode("utf-8"),
        salt=salt,
        n=cost,
        r=block_size,
        p=parallel,
        maxmem=4 * 128 * block_size * cost,
        dklen=KEY_BYTES,
    )
