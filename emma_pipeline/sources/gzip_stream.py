"""Gunzip that hands out every byte decoded before damage, then ends and says where the damage is.

``gzip.GzipFile`` raises on a truncated or corrupt member (``EOFError``, ``zlib.error``, ``BadGzipFile``) and drops
what it was decoding, so a file cut 20 bytes short gave no records at all. ``GzipReader`` decodes with ``zlib``
itself: when decoding fails it re-feeds the failing chunk one byte at a time from a copy of the decoder taken before
it, so the output ends exactly where zlib noticed the damage. The stream then ends (``read`` returns ``b""``) and
``damage`` says what happened and where. Multi-member files and zero padding after a member read as ``gzip`` reads
them; an empty file is an empty stream.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from typing import BinaryIO

_CHUNK = 1 << 16
_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS


@dataclass(frozen=True)
class Damage:
    """Why a stored file could not be decoded to its end.

    ``code``: ``not_gzip`` (no gzip signature), ``truncated_gzip`` (the file ends inside a member) or ``corrupt_gzip``
    (zlib rejected the data: bad block, checksum or length mismatch, bytes after the last member that are not gzip).
    ``offset`` is the number of decoded bytes before the damage (where the unreadable tail begins in the decoded
    file); ``stored_offset`` the byte of the stored (compressed) file where decoding failed.
    """

    code: str
    detail: str
    offset: int
    stored_offset: int

    @property
    def reason(self) -> str:
        return f"{self.code}: {self.detail} (stored byte {self.stored_offset:,})"


class GzipReader(io.RawIOBase):
    """A raw binary stream of the decoded bytes of the gzip data in ``stored``; never raises on bad data."""

    def __init__(self, stored: BinaryIO) -> None:
        self._stored = stored
        self._decoder = None  # zlib decoder of the member being read; None between members
        self._input = b""  # stored bytes read but not yet consumed
        self._consumed = 0  # stored bytes consumed before ``_input``
        self._output = b""  # decoded bytes not yet handed out
        self._delivered = 0
        self._ended = False
        self.damage: Damage | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while not self._output and not self._ended:
            self._step(len(buffer))
        n = min(len(buffer), len(self._output))
        buffer[:n] = self._output[:n]
        self._output = self._output[n:]
        self._delivered += n
        return n

    def readall(self) -> bytes:
        parts = []
        while part := self.read(1 << 20):
            parts.append(part)
        return b"".join(parts)

    def _fail(self, code: str, detail: str, stored_offset: int, salvaged: int = 0) -> None:
        self.damage = Damage(code, detail, self._delivered + salvaged, stored_offset)
        self._ended = True

    def _refill(self) -> bool:
        more = self._stored.read(_CHUNK)
        self._input += more
        return bool(more)

    def _step(self, size: int) -> None:
        if not self._input and not self._refill():
            self._end_of_file()
            return
        if self._decoder is None:
            self._start_member()
        else:
            self._decode(size)

    def _end_of_file(self) -> None:
        """No stored bytes left: the end, once the decoder's pending output is out; inside a member, damage."""
        decoder, self._decoder = self._decoder, None
        if decoder is None:
            self._ended = True
            return
        try:
            self._output = decoder.flush()
        except zlib.error as err:  # pragma: no cover - flush reports errors only on data decompress accepted
            self._fail("corrupt_gzip", str(err), self._consumed)
            return
        if not decoder.eof:
            self._fail("truncated_gzip", "the file ends inside a gzip member", self._consumed, len(self._output))

    def _start_member(self) -> None:
        """At the file start or after a member: zero padding, the next member's signature, or damage."""
        stripped = self._input.lstrip(b"\x00")
        self._consumed += len(self._input) - len(stripped)
        self._input = stripped
        if not stripped:
            return
        if len(stripped) < len(_MAGIC) and self._refill():
            return
        if self._input.startswith(_MAGIC):
            self._decoder = zlib.decompressobj(_GZIP_WBITS)
        elif self._consumed == 0 and self._delivered == 0:
            self._fail("not_gzip", "the file does not start with the gzip signature", 0)
        elif _MAGIC.startswith(self._input):
            self._fail("truncated_gzip", "the file ends inside a gzip header", self._consumed)
        else:
            self._fail("corrupt_gzip", "bytes after a gzip member are not gzip", self._consumed)

    def _decode(self, size: int) -> None:
        decoder, chunk = self._decoder, self._input
        saved = decoder.copy()
        try:
            self._output = decoder.decompress(chunk, size)
        except zlib.error as err:
            self._salvage(saved, chunk, err)
            return
        self._input = decoder.unused_data if decoder.eof else decoder.unconsumed_tail
        self._consumed += len(chunk) - len(self._input)
        if decoder.eof:
            self._decoder = None

    def _salvage(self, decoder, chunk: bytes, err: zlib.error) -> None:
        """Re-decode ``chunk`` byte by byte from the state before it, keeping the output up to the failing byte."""
        parts, failed_at = [], len(chunk)
        for i in range(len(chunk)):
            try:
                parts.append(decoder.decompress(chunk[i : i + 1]))
            except zlib.error:
                failed_at = i
                break
        self._output = b"".join(parts)
        detail = str(err).removeprefix("Error -3 while decompressing data: ")
        self._fail("corrupt_gzip", detail, self._consumed + failed_at, salvaged=len(self._output))
