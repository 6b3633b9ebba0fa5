"""Ingestion throughput: our UCSD metadata parser vs DuckDB's bare read_json count over the same file.

Generates (or reuses) an N-listing sample without images, concatenates its UCSD metadata into one plain JSON-lines
file, then in separate processes times (a) ``parse_ucsd_file`` (full parse to normalized listings + quarantine)
and (b) ``SELECT count(*) FROM read_json(...)``, printing MB/s, rows/s, their ratio and each process's peak RSS.

    python bench/bench_ingest.py --n 1000000          # the issue's size (generation takes a few minutes)
    python bench/bench_ingest.py --n 100000 --data /tmp/emma_bench
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_OURS = """
import json, resource, sys, time
from emma_pipeline.sources.ucsd import parse_ucsd_file
start = time.perf_counter()
result = parse_ucsd_file(sys.argv[1])
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "rows": result.records_in, "parsed": result.records_ok,
                  "quarantined": result.quarantine.height,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_DUCKDB = """
import json, resource, sys, time
import duckdb
start = time.perf_counter()
rows = duckdb.sql("SELECT count(*) FROM read_json(?, format='newline_delimited', ignore_errors=true)",
                  params=[sys.argv[1]]).fetchone()[0]
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "rows": rows,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _meta_file(data: Path, n: int) -> Path:
    target = data / f"meta_All_{n}.json"
    if target.exists():
        return target
    from emma_pipeline.sample import generate_sample

    if not (data / "landing" / "bench").exists():
        print(f"generating {n:,} listings without images under {data} ...", flush=True)
        generate_sample(data, n_listings=n, seed=1, batch="bench", images=False)
    with open(target, "wb") as out:
        for part in sorted((data / "landing" / "bench" / "ucsd").glob("meta_*.json.gz")):
            with gzip.open(part, "rb") as handle:
                shutil.copyfileobj(handle, out)
    return target


def _run(code: str, path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="listings to generate")
    parser.add_argument("--data", type=Path, default=None, help="folder to keep the generated data in (reused)")
    args = parser.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="emma_bench_"))
    data.mkdir(parents=True, exist_ok=True)
    path = _meta_file(data, args.n)
    size_mb = path.stat().st_size / 1e6
    ours, duck = _run(_OURS, path), _run(_DUCKDB, path)
    print(f"file: {path} ({size_mb:,.1f} MB, {ours['rows']:,} lines)")
    print(f"{'':<22}{'seconds':>10}{'MB/s':>10}{'rows/s':>12}{'peak RSS MB':>14}")
    for name, r in (("emma parse_ucsd_file", ours), ("duckdb read_json count", duck)):
        print(f"{name:<22}{r['seconds']:>10.2f}{size_mb / r['seconds']:>10.1f}{r['rows'] / r['seconds']:>12,.0f}{r['peak_rss_mb']:>14,.0f}")
    print(f"ratio (emma time / duckdb time): {ours['seconds'] / duck['seconds']:.2f}x; "
          f"emma parsed {ours['parsed']:,} and quarantined {ours['quarantined']:,}; duckdb counted {duck['rows']:,}")


if __name__ == "__main__":
    main()
