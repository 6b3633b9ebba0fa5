"""The per-stage time table of a build: one row per executed step (its assets, wall seconds from the step's start
and end events), the table ``emma build`` prints, and ``build_times.json``, which a bench can read."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

TIMES_FILE = "build_times.json"


@dataclass(frozen=True)
class StageTime:
    job: str
    partition: str  # the ingest batch, "" for unpartitioned runs
    stage: str  # the step key (one op; a multi-asset writes several assets in one step)
    assets: tuple[str, ...]
    seconds: float
    status: str  # success / failure


@dataclass(frozen=True)
class RunTime:
    job: str
    partition: str
    run_id: str
    seconds: float  # run start to run end: the steps plus Dagster's own work between them
    success: bool


@dataclass
class BuildTimes:
    stages: list[StageTime] = field(default_factory=list)
    runs: list[RunTime] = field(default_factory=list)

    @property
    def steps_seconds(self) -> float:
        return sum(s.seconds for s in self.stages)

    @property
    def wall_seconds(self) -> float:
        return sum(r.seconds for r in self.runs)

    def table(self) -> str:
        """Stages in the order they ran, then the totals."""
        width = max([len(s.stage) for s in self.stages] + [24])
        lines = [f"  {'stage':<{width}} {'batch':<12} {'seconds':>9}  assets", "  " + "-" * (width + 40)]
        for s in self.stages:
            note = "" if s.status == "success" else f" [{s.status}]"
            lines.append(f"  {s.stage:<{width}} {s.partition:<12} {s.seconds:>9.1f}  {', '.join(s.assets)}{note}")
        lines.append("  " + "-" * (width + 40))
        lines.append(f"  {'all stages':<{width}} {'':<12} {self.steps_seconds:>9.1f}")
        lines.append(f"  {'runs, start to end':<{width}} {'':<12} {self.wall_seconds:>9.1f}  "
                     f"({len(self.runs)} runs; the rest is Dagster between steps)")  # fmt: skip
        return "\n".join(lines)

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / TIMES_FILE
        payload = {
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "wall_seconds": round(self.wall_seconds, 3),
            "steps_seconds": round(self.steps_seconds, 3),
            "runs": [asdict(r) for r in self.runs],
            "stages": [{**asdict(s), "assets": list(s.assets)} for s in self.stages],
        }
        path.write_text(json.dumps(payload, indent=1) + "\n")
        return path


def read_build_times(folder: Path) -> dict | None:
    """The last build's ``build_times.json`` in ``folder`` (the reports folder), or None."""
    path = Path(folder) / TIMES_FILE
    return json.loads(path.read_text()) if path.exists() else None
