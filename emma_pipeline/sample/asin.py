"""Deterministic, collision-free ASINs: "B0" + 8 base-36 characters, a bijection of (seed, product, slot).

A random-looking ASIN must never repeat across batches, or an incremental update would silently merge two
products. Instead of hashing (which collides after ~10^6 draws) the slot number is put through a seeded
bijection of [0, 36^8): affine map, digit reversal, affine map. Distinct slots therefore give distinct ASINs.
"""

from __future__ import annotations

import hashlib

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = 8
_M = 36**_DIGITS
SLOTS_PER_PRODUCT = 4  # slot 0 is the product's main listing, slots 1..3 its duplicate listings


def _unit(seed: int, label: str) -> tuple[int, int]:
    """A multiplier coprime to 36 (odd, not a multiple of 3) and an offset, both derived from the seed."""
    digest = hashlib.sha256(f"{seed}:{label}".encode()).digest()
    a = int.from_bytes(digest[:8], "big") % _M
    while a % 2 == 0 or a % 3 == 0:
        a = (a + 1) % _M
    return a, int.from_bytes(digest[8:16], "big") % _M


def _reverse_digits(x: int) -> int:
    y = 0
    for _ in range(_DIGITS):
        x, d = divmod(x, 36)
        y = y * 36 + d
    return y


class AsinCodec:
    """Maps (product index, slot) to an ASIN for one seed."""

    def __init__(self, seed: int) -> None:
        self._a1, self._b1 = _unit(seed, "asin-1")
        self._a2, self._b2 = _unit(seed, "asin-2")

    def asin(self, product_index: int, slot: int = 0) -> str:
        if not 0 <= slot < SLOTS_PER_PRODUCT:
            raise ValueError(f"slot must be in [0, {SLOTS_PER_PRODUCT}), got {slot}")
        x = product_index * SLOTS_PER_PRODUCT + slot
        if not 0 <= x < _M:
            raise ValueError(f"product index {product_index} out of range")
        y = (self._a2 * _reverse_digits((self._a1 * x + self._b1) % _M) + self._b2) % _M
        chars = []
        for _ in range(_DIGITS):
            y, d = divmod(y, 36)
            chars.append(_ALPHABET[d])
        return "B0" + "".join(reversed(chars))
