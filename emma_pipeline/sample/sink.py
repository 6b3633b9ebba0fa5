"""One raw output file, written in chunks with bounded memory.

Records are buffered per chunk, shuffled within the chunk (real dumps are not grouped by product, so
duplicate listings do not sit next to each other), interleaved with injected malformed lines, and appended.
gzip output uses mtime 0 and no embedded file name, so the same input gives byte-identical files.
"""

from __future__ import annotations

import gzip
import random
from pathlib import Path

from . import noise

GZIP_LEVEL = 5  # a speed/size compromise: millions of records must stream in minutes


class LineSink:
    def __init__(self, path: Path, fmt: str, seed_label: str, header: bytes | None = None) -> None:
        self.path, self.fmt = path, fmt
        self.records, self.lines = 0, 0
        self.malformed: dict[str, int] = {}
        self._rng = random.Random(seed_label)
        self._kinds = noise.JSON_KINDS if fmt == "json" else noise.CSV_KINDS
        self._buf: list[bytes] = []
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = open(path, "wb")
        self._fh = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=GZIP_LEVEL) \
            if path.suffix == ".gz" else raw
        self._raw = raw
        if header is not None:
            self._fh.write(header + b"\n")

    def add(self, line: bytes) -> None:
        self._buf.append(line)

    def flush(self) -> None:
        rng, out = self._rng, []
        rng.shuffle(self._buf)
        for line in self._buf:
            out.append(line)
            if rng.random() < noise.P_MALFORMED:
                kind = rng.choice(self._kinds)
                out.append(noise.corrupt(line, kind, self.fmt, rng))
                self.malformed[kind] = self.malformed.get(kind, 0) + 1
        self.records += len(self._buf)
        self.lines += len(out)
        if out:
            self._fh.write(b"\n".join(out) + b"\n")
        self._buf = []

    def close(self) -> None:
        self.flush()
        self._fh.close()
        self._raw.close()

    def summary(self) -> dict:
        return {"records": self.records, "lines": self.lines,
                "malformed": dict(sorted(self.malformed.items())), "malformed_total": sum(self.malformed.values())}
