"""Scale: wall time and peak memory per stage at several sample sizes, and what a 1 % batch costs.

For each size a fresh EMMA_HOME gets one generated batch without images (the generator's pictures and their
embedding dominate the time otherwise). The build is a text-only one (``CleaningResource(require_images=False)``,
image fetching off): listings without a picture stay, so dedup, the non-physical filter, materials, categories
and splits judge every listing; the image-based filters have nothing to judge. ``run_build`` ingests the batch
and builds the cleaning part of the graph (join, image fetches, text and image embeddings, dedup and filters,
materials, categories, splits; the trained models are left out, as their retraining is scheduled, not per
batch). Per Dagster step it reports wall seconds (from the run's step events) and the peak RSS of this process
while the step ran (sampled every 50 ms; the process holds earlier stages' memory too, so "+MB" is the rise over
the RSS at the step's start). The growth per 10x is each stage's time ratio between sizes 10x apart.

What the images would cost is extrapolated, and the output says so: the image encoder's seconds per image are
measured on ``--image-sample`` synthetic product photos, times the image references the largest build joined.

Then a second batch of 1 % of the largest size (new listings, a tenth of them relisting earlier products, about
half changed) is added to the largest build: ``one_percent_batch_fraction`` is that ingest + rebuild's wall time
over the full build's. ``ingest_vs_duckdb_full_parse`` is bench_ingest's ratio at the largest size.

    python -m bench.bench_scale --sizes 10000 100000 --data /tmp/emma_scale
    python -m bench.bench_scale --sizes 10000 100000 1000000   # the issue's sizes (hours on a laptop)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

from bench.bench_ingest import ingest_vs_duckdb

JOB = "bench_scale_downstream"


class RssSampler:
    """This process's resident set size every ``interval`` seconds, with timestamps, until stopped."""

    def __init__(self, interval: float = 0.05) -> None:
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), _rss_mb()))
            time.sleep(interval)

    def window(self, start: float, end: float) -> tuple[float, float]:
        """Peak RSS within [start, end] and its rise over the RSS at start (MB)."""
        inside = [rss for t, rss in self.samples if start <= t <= end] or [_rss_mb()]
        before = [rss for t, rss in self.samples if t <= start]
        first = before[-1] if before else inside[0]
        return max(inside), max(inside) - first


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _definitions(settings):
    from dagster import AssetSelection, Definitions, define_asset_job

    from assets.categories import categories
    from assets.cleaning import clean_objects
    from assets.embeddings import image_embeddings, text_embeddings
    from assets.images import image_fetches
    from assets.ingestion import ingest_assets
    from assets.jobs import INGESTION, ingest_job
    from assets.join import asin_join
    from assets.materials import map_materials
    from assets.splits import splits
    from resources import CleaningResource, ImageStoreResource, build_resources

    stages = [asin_join, image_fetches, text_embeddings, image_embeddings, clean_objects, map_materials, categories,
              splits]  # fmt: skip
    job = define_asset_job(JOB, selection=AssetSelection.all() - INGESTION)
    resources = build_resources(settings)
    # the generator's image URLs without images point at a real image host: request nothing
    resources["image_store"] = ImageStoreResource(root=resources["image_store"].root, fetch_enabled=False)
    resources["cleaning"] = CleaningResource(require_images=False)
    return Definitions(assets=[*ingest_assets, *stages], jobs=[ingest_job, job], resources=resources)


def use_home(home: Path):
    """Point the settings and the Dagster instance at ``home`` (a fresh build's own folders, nothing inherited)."""
    from emma_pipeline.instance import use_instance
    from emma_pipeline.settings import load_settings

    os.environ["EMMA_HOME"] = str(home)
    for var in ("EMMA_LANDING", "EMMA_LAKE_CATALOG", "EMMA_LAKE_DATA", "EMMA_MODELS", "DAGSTER_HOME", "EMMA_RETRAIN_AFTER_DAYS"):
        os.environ.pop(var, None)
    settings = load_settings()
    use_instance(settings.home)
    return settings


def _build(settings, sampler: RssSampler) -> tuple[float, list[dict]]:
    """Run the build; its wall seconds and, per step, seconds and peak / rise of RSS."""
    from dagster import DagsterEventType, DagsterInstance

    from emma_pipeline.build import run_build

    start = time.time()
    times = run_build(settings, echo=lambda line: None, definitions=_definitions(settings), downstream_job=JOB)
    wall = time.time() - start
    rows = []
    with DagsterInstance.get() as instance:
        for run in times.runs:
            kinds = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE}
            began: dict[str, float] = {}
            for entry in instance.all_logs(run.run_id, of_type=kinds):
                if entry.dagster_event.event_type == DagsterEventType.STEP_START:
                    began[entry.step_key] = entry.timestamp
                elif entry.step_key in began:
                    peak, rise = sampler.window(began[entry.step_key], entry.timestamp)
                    rows.append({"stage": entry.step_key, "seconds": entry.timestamp - began[entry.step_key],
                                 "peak_mb": peak, "rise_mb": rise})  # fmt: skip
    return wall, _merge(rows)


def _merge(rows: list[dict]) -> list[dict]:
    """One row per stage (the three ingest steps run once per batch): seconds summed, memory maxed."""
    merged: dict[str, dict] = {}
    for row in rows:
        into = merged.setdefault(row["stage"], {"stage": row["stage"], "seconds": 0.0, "peak_mb": 0.0, "rise_mb": 0.0})
        into["seconds"] += row["seconds"]
        into["peak_mb"], into["rise_mb"] = max(into["peak_mb"], row["peak_mb"]), max(into["rise_mb"], row["rise_mb"])
    return list(merged.values())


def _generate(home: Path, n: int, batch: str, **kwargs) -> dict:
    from emma_pipeline.sample import generate_sample

    summary = generate_sample(home, n_listings=n, seed=1, batch=batch, images=False, progress=False, **kwargs)
    (home / "landing" / batch / "_SUCCESS").touch()
    return summary


def _seconds_per_image(n: int, folder: Path) -> float:
    """The image encoder's wall seconds per image (decode + forward) on ``n`` synthetic product photos."""
    from bench.bench_embedding_throughput import synthetic_jpegs
    from emma_pipeline.encoders.image_encoder import ImageEncoder

    folder.mkdir(parents=True, exist_ok=True)
    paths = synthetic_jpegs(n, folder, seed=0)
    encoder = ImageEncoder()
    encoder.encode_files(paths[:16])  # warm-up: the first batch pays one-off allocation costs
    start = time.perf_counter()
    encoder.encode_files(paths)
    return (time.perf_counter() - start) / n


def _image_references(settings) -> int:
    """Image references (URLs) of the joined listings in a built lake: what a full build would embed."""
    from emma_pipeline.warehouse.lake import Lake

    sql = "SELECT coalesce(sum(len(image_urls)), 0) AS n FROM joined_listings"
    return int(Lake(settings.lake_config()).query(sql)["n"][0])


def _table(sizes: list[int], stages: dict[int, list[dict]], walls: dict[int, float]) -> str:
    names = [row["stage"] for row in stages[sizes[-1]]]
    header = f"{'stage':<22}" + "".join(f"{f'{n:,} s':>12}{'peak MB':>9}{'+MB':>7}" for n in sizes)
    growth = [(a, b) for a in sizes for b in sizes if b == 10 * a]
    header += "".join(f"{f'x{b // a} growth':>12}" for a, b in growth)
    lines = [header]
    for name in names:
        by_size = {n: next((r for r in stages[n] if r["stage"] == name), None) for n in sizes}
        cells = "".join(f"{r['seconds']:>12.1f}{r['peak_mb']:>9.0f}{r['rise_mb']:>7.0f}" if r else f"{'-':>28}"
                        for r in by_size.values())  # fmt: skip
        cells += "".join(f"{by_size[b]['seconds'] / max(by_size[a]['seconds'], 1e-9):>12.1f}" for a, b in growth)
        lines.append(f"{name:<22}{cells}")
    lines.append(f"{'whole build (wall)':<22}" + "".join(f"{walls[n]:>12.1f}{'':>16}" for n in sizes))
    return "\n".join(lines)


def _plot(sizes: list[int], stages: dict[int, list[dict]], walls: dict[int, float], batch_wall: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name in [row["stage"] for row in stages[sizes[-1]]]:
        points = [(n, r["seconds"]) for n in sizes for r in stages[n] if r["stage"] == name]
        ax.plot(*zip(*points), marker="o", label=name)
    ax.plot(sizes, [walls[n] for n in sizes], marker="s", color="black", linewidth=2, label="whole build")
    ax.scatter([sizes[-1]], [batch_wall], marker="*", s=160, color="red", zorder=5, label="+1 % batch (incremental)")
    ax.set(xscale="log", yscale="log", xlabel="listings", ylabel="wall seconds", title="Build cost against size")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--data", type=Path, default=None, help="folder for the generated homes (kept)")
    parser.add_argument("--plot", type=Path, default=None, help="where to save the plot (default: under --data)")
    parser.add_argument("--image-sample", type=int, default=512, help="synthetic photos the image cost is timed on")
    args = parser.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="emma_scale_"))
    sizes = sorted(args.sizes)
    stages, walls = {}, {}
    with RssSampler() as sampler:
        for n in sizes:
            home = data / f"n{n}"
            print(f"[{n:,}] generating and building under {home} ...", flush=True)
            summary = _generate(home, n, "batch-0001")
            settings = use_home(home)
            walls[n], stages[n] = _build(settings, sampler)
        largest = sizes[-1]
        references = _image_references(settings)  # the largest full build, before the 1 % batch joins
        home = data / f"n{largest}"
        batch_n = max(1, largest // 100)
        print(f"[{largest:,}] adding a 1 % batch ({batch_n:,} listings) ...", flush=True)
        _generate(home, batch_n, "batch-0002", first_product=summary["next_product"], relist_fraction=0.1)
        batch_wall, batch_stages = _build(use_home(home), sampler)
    per_image = _seconds_per_image(args.image_sample, data / "photos")
    ingest = ingest_vs_duckdb(data / "ingest", largest)
    plot = args.plot or data / "bench_scale.png"
    _plot(sizes, stages, walls, batch_wall, plot)

    print("\nfull builds (no images; model training not part of the graph measured):")
    print(_table(sizes, stages, walls))
    print(f"\n+1 % batch on the {largest:,}-listing build ({batch_n:,} listings, incremental):")
    for row in batch_stages:
        print(f"  {row['stage']:<22}{row['seconds']:>8.1f} s")
    print(f"  {'whole batch (wall)':<22}{batch_wall:>8.1f} s   vs full build {walls[largest]:.1f} s")
    print(f"ingest: ours {ingest['ours']['seconds']:.2f} s, duckdb read_json -> table {ingest['full']['seconds']:.2f} s "
          f"on {ingest['path'].name}")
    print(f"images (extrapolated, not run): {per_image * 1000:.1f} s per 1k images (decode + forward, "
          f"{args.image_sample} synthetic photos); the {largest:,}-listing build joined {references:,} image references: "
          f"about {per_image * references:,.0f} s of image embedding in a full build, "
          f"{per_image * references / 100:,.0f} s in a 1 % batch")
    print(f"plot: {plot}")
    print(f"RESULT one_percent_batch_fraction={batch_wall / walls[largest]:.3f} "
          f"ingest_vs_duckdb_full_parse={ingest['ratio']:.2f} largest={largest} full_build_s={walls[largest]:.1f} "
          f"one_percent_batch_s={batch_wall:.1f} images=0 image_s_per_1k={per_image * 1000:.1f} "
          f"image_s_extrapolated={per_image * references:.0f}")


if __name__ == "__main__":
    main()
