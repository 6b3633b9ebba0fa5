"""Ingestion throughput: our full parse of a UCSD metadata file vs DuckDB's own read_json of the same fields.

Generates (or reuses) an N-listing sample without images and concatenates its UCSD metadata into one plain
JSON-lines file. Then, each in a fresh subprocess (so each peak RSS is its own), times:

(a) ours: ``iter_source_batch`` on a one-file batch holding it (worker processes, file in chunks), writing every
    chunk's normalized listings and quarantine rows to Parquet as it arrives (the bounded-memory path the ingestion
    assets use), so the listings end in a table on disk;
(b) DuckDB ``CREATE TABLE AS SELECT <the fields we read> FROM read_json(...)`` into an in-memory table;
(c) DuckDB's bare ``count(*)`` over ``read_json``, for reference;
(d) decoding every line with orjson in one process and nothing else: the floor of any parser that decodes lines
    in Python, whatever it does with them afterwards.

Our peak RSS is the parent's peak plus each worker's peak (an upper bound: the peaks need not coincide). CPU seconds
(user + system, workers included) are printed too: on a shared, loaded machine they compare the work done more
fairly than wall time.

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
def _cpu():
    r, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime
from pathlib import Path
import pyarrow.parquet as pq
from emma_pipeline.sources.batch import default_workers, iter_source_batch
from emma_pipeline.sources.records import ParseResult
batch, out = Path(sys.argv[1]), Path(sys.argv[2])
start, cpu0 = time.perf_counter(), _cpu()
writers, n_in, n_ok, n_q, rows = {}, 0, 0, 0, 0
for part in iter_source_batch("ucsd", batch, progress=False):
    for name, frame in (("listings", part.listings), ("quarantine", part.quarantine)):
        table = frame.to_arrow()
        if name not in writers:
            writers[name] = pq.ParquetWriter(out / f"{name}.parquet", table.schema)
        writers[name].write_table(table)
    n_in, n_ok, n_q, rows = n_in + part.records_in, n_ok + part.records_ok, n_q + part.quarantine.height, rows + part.listings.height
for w in writers.values():
    w.close()
elapsed, cpu = time.perf_counter() - start, _cpu() - cpu0
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "rows": n_in, "parsed": n_ok, "quarantined": n_q, "listings": rows,
                  "peak_rss_mb": own + default_workers() * child, "parent_rss_mb": own, "worker_rss_mb": child,
                  "workers": default_workers()}))
"""

_DUCKDB_FULL = """
import json, resource, sys, time
def _cpu():
    r, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime
import duckdb
columns = {"asin": "VARCHAR", "title": "VARCHAR", "feature": "VARCHAR[]", "description": "VARCHAR[]",
           "brand": "VARCHAR", "image": "VARCHAR[]", "imageURL": "VARCHAR[]", "imageURLHighRes": "VARCHAR[]",
           "price": "VARCHAR", "category": "VARCHAR[]", "details": "MAP(VARCHAR, VARCHAR)", "tech1": "VARCHAR",
           "tech2": "VARCHAR"}
con = duckdb.connect()
start, cpu0 = time.perf_counter(), _cpu()
con.execute("CREATE TABLE meta AS SELECT * FROM read_json(?, format='newline_delimited', ignore_errors=true, "
            "columns=?)", [sys.argv[1], columns])
elapsed, cpu = time.perf_counter() - start, _cpu() - cpu0
rows = con.execute("SELECT count(*) FROM meta").fetchone()[0]
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "rows": rows,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_ORJSON_FLOOR = """
import json, resource, sys, time
import orjson
def _cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
start, cpu0 = time.perf_counter(), _cpu()
rows = 0
with open(sys.argv[1], "rb") as handle:
    for line in handle:
        try:
            orjson.loads(line)
            rows += 1
        except orjson.JSONDecodeError:
            pass
elapsed, cpu = time.perf_counter() - start, _cpu() - cpu0
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "rows": rows,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_DUCKDB_COUNT = """
import json, resource, sys, time
def _cpu():
    r, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime
import duckdb
start, cpu0 = time.perf_counter(), _cpu()
rows = duckdb.sql("SELECT count(*) FROM read_json(?, format='newline_delimited', ignore_errors=true)",
                  params=[sys.argv[1]]).fetchone()[0]
elapsed, cpu = time.perf_counter() - start, _cpu() - cpu0
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "rows": rows,
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


def _one_file_batch(data: Path, meta: Path) -> Path:
    batch = data / "one_file_batch"
    link = batch / "ucsd" / meta.name
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(meta.resolve())
    return batch


def _run(code: str, *args: object) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def ingest_vs_duckdb(data: Path, n: int) -> dict:
    """Our full parse and DuckDB's full parse and count of the same N-listing UCSD file (each in a fresh
    subprocess); ``ratio`` is our seconds over DuckDB's full parse."""
    path = _meta_file(data, n)
    with tempfile.TemporaryDirectory(dir=data) as out:
        ours = _run(_OURS, _one_file_batch(data, path), out)
    full, count, floor = _run(_DUCKDB_FULL, path), _run(_DUCKDB_COUNT, path), _run(_ORJSON_FLOOR, path)
    return {"path": path, "ours": ours, "full": full, "count": count, "floor": floor,
            "ratio": ours["seconds"] / full["seconds"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="listings to generate")
    parser.add_argument("--data", type=Path, default=None, help="folder to keep the generated data in (reused)")
    args = parser.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="emma_bench_"))
    data.mkdir(parents=True, exist_ok=True)
    measured = ingest_vs_duckdb(data, args.n)
    path, ours, full, count, floor = (measured[k] for k in ("path", "ours", "full", "count", "floor"))
    size_mb = path.stat().st_size / 1e6
    print(f"file: {path} ({size_mb:,.1f} MB, {ours['rows']:,} lines, {args.n:,} listings generated)")
    print(f"{'':<34}{'seconds':>10}{'CPU s':>10}{'MB/s':>10}{'rows/s':>12}{'peak RSS MB':>14}")
    for name, r in (("emma full parse -> Parquet", ours), ("duckdb read_json -> table", full),
                    ("duckdb read_json count", count), ("orjson decode only, 1 process", floor)):
        print(f"{name:<34}{r['seconds']:>10.2f}{r['cpu_seconds']:>10.1f}{size_mb / r['seconds']:>10.1f}{r['rows'] / r['seconds']:>12,.0f}"
              f"{r['peak_rss_mb']:>14,.0f}")
    print(f"emma: parsed {ours['parsed']:,}, quarantined {ours['quarantined']:,}; parent peak "
          f"{ours['parent_rss_mb']:,.0f} MB + {ours['workers']} workers x {ours['worker_rss_mb']:,.0f} MB; duckdb rows {full['rows']:,}")
    print(f"RESULT ingest_vs_duckdb_full_parse={ours['seconds'] / full['seconds']:.2f} "
          f"ingest_vs_duckdb_count={ours['seconds'] / count['seconds']:.2f} "
          f"ingest_vs_duckdb_full_parse_cpu={ours['cpu_seconds'] / full['cpu_seconds']:.2f} "
          f"ingest_peak_rss_mb={ours['peak_rss_mb']:.0f} duckdb_full_parse_peak_rss_mb={full['peak_rss_mb']:.0f} "
          f"ingest_mb_per_s={size_mb / ours['seconds']:.1f} duckdb_full_parse_mb_per_s={size_mb / full['seconds']:.1f} "
          f"json_decode_floor_vs_duckdb_full_parse={floor['seconds'] / full['seconds']:.2f} listings={args.n}")


if __name__ == "__main__":
    main()
