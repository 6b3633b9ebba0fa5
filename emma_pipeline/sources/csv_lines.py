"""Text lines for ``csv.reader`` that never let a damaged file's cut row pass for a complete one.

A damaged ``.gz`` (see ``gzip_stream``) ends mid-row. ``CsvLines`` holds back the line the damage cut, and records
that the lines ran out (``ended``): ``csv.reader`` only asks for another line inside a quoted field, so a row it
returns after the lines ran out was cut inside quotes. Either way the cut row is the file's unreadable tail, and
``tail_text`` / ``tail_offset`` describe it for its quarantine row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from emma_pipeline.sources.gzip_stream import Damage

_LINE_ENDS = ("\n", "\r")


class CsvLines:
    """Iterate ``text`` lines; call ``row_done()`` after each row the reader returns."""

    def __init__(self, text: Iterable[str], damage: Callable[[], Damage | None]) -> None:
        self._lines: Iterator[str] = iter(text)
        self._damage = damage
        self.ended = False
        self.pending: list[str] = []  # lines of the row being read
        self._cut = ""  # the line the damage cut

    def __iter__(self) -> CsvLines:
        return self

    def __next__(self) -> str:
        line = next(self._lines, None)
        if line is None or (not line.endswith(_LINE_ENDS) and self._damage() is not None):
            self.ended = True
            self._cut = line or ""
            raise StopIteration
        self.pending.append(line)
        return line

    def row_done(self) -> None:
        self.pending.clear()

    def cut_row(self) -> bool:
        """Whether the row just returned ran into the damage (it must become the tail, not a record)."""
        return self.ended and self._damage() is not None

    def tail_text(self) -> str:
        return "".join(self.pending) + self._cut

    def tail_offset(self, damage: Damage) -> int:
        """Byte offset of the tail in the decoded file (text decoded with surrogateescape re-encodes exactly)."""
        return max(damage.offset - len(self.tail_text().encode("utf-8", errors="surrogateescape")), 0)
