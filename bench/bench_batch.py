"""What a 1 % batch costs on a whole build, models included: ``emma build`` on a generated sample with images,
then a second batch of 1 % of its listings (a tenth of them relisting earlier products), built again.

Unlike ``bench_scale`` (the cleaning graph at 10k-1M listings, models left out), this runs every asset of the
default build: embeddings, cleaning, the object embedding and search, the text, vision and fusion models of both
generations, the fill-in and ``dataset``. The second build scores the batch's objects with the first build's
models (``models/retrain.py``). Printed per stage: seconds of the full build and of the batch; how each model
asset built its artifact; and, from the lake's two latest versions of ``model_predictions`` and ``objects``,
how many objects that were there before got other predictions and how many of them changed themselves.

    python -m bench.bench_batch --n 3000 --data /tmp/emma_batch   # about 15 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.bench_scale import use_home

MODEL_ASSETS = ("text_model", "vision_model", "fusion_model", "text_model_gen2", "vision_model_gen2", "fusion_model_gen2")


def _generate(home: Path, n: int, seed: int, batch: str, **kwargs) -> dict:
    from emma_pipeline.sample import generate_sample

    summary = generate_sample(home, n_listings=n, seed=seed, batch=batch, progress=False, **kwargs)
    (home / "landing" / batch / "_SUCCESS").touch()
    return summary


def _build(settings):
    from emma_pipeline.build import run_build

    start = time.time()
    times = run_build(settings, echo=lambda line: None)
    seconds = defaultdict(float)
    for stage in times.stages:
        seconds[stage.stage.removeprefix("ingest_") if stage.partition else stage.stage] += stage.seconds
    return time.time() - start, times.steps_seconds, dict(seconds)


def _changed_old(lake, table: str, key: list[str]) -> set[str]:
    """ASINs present in both of ``table``'s two latest versions whose rows differ."""
    import polars as pl

    snapshots = lake.versions(table)["snapshot_id"].to_list()
    before, after = (lake.read(table, version=s) for s in snapshots[-2:])
    both = before.join(after, on=key, how="inner", suffix="__after")
    columns = [c for c in before.columns if c not in key and c in after.columns and not c.endswith("model_version")]
    differs = pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"{c}__after")) for c in columns])
    return set(both.filter(differs)["asin"].to_list())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=3000, help="listings of the first batch")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=None, help="folder for the generated home (must be new)")
    args = parser.parse_args()
    home = (args.data or Path(tempfile.mkdtemp(prefix="emma_batch_"))) / "home"
    if home.exists():
        raise SystemExit(f"{home} exists: give a new --data folder")
    print(f"[{args.n:,}] generating and building under {home} ...", flush=True)
    summary = _generate(home, args.n, args.seed, "batch-0001")
    full_wall, full_steps, full = _build(use_home(home))
    batch_n = max(1, args.n // 100)
    print(f"adding a 1 % batch ({batch_n} listings) ...", flush=True)
    _generate(home, batch_n, args.seed, "batch-0002", first_product=summary["next_product"], relist_fraction=0.1)
    settings = use_home(home)
    batch_wall, batch_steps, batch = _build(settings)

    from emma_pipeline.warehouse.lake import Lake

    lake = Lake(settings.lake_config())
    how = {name: lake.read(name, columns=["model", "how"]) for name in MODEL_ASSETS}
    built = [h for frame in how.values() for h in frame["how"].to_list()]
    predictions_changed = _changed_old(lake, "model_predictions", ["asin", "model"])
    objects_changed = _changed_old(lake, "objects", ["asin"])
    print(f"\n{'stage':<40}{'full s':>10}{'batch s':>10}")
    for stage in full:
        print(f"{stage:<40}{full[stage]:>10.1f}{batch.get(stage, 0.0):>10.1f}")
    print(f"{'all stages':<40}{full_steps:>10.1f}{batch_steps:>10.1f}")
    print(f"{'wall (one process per build)':<40}{full_wall:>10.1f}{batch_wall:>10.1f}")
    print("\nmodel artifacts of the batch build: " + ", ".join(f"{n} {f['how'].to_list()}" for n, f in how.items()))
    print(f"objects there before whose predictions changed: {len(predictions_changed)} "
          f"(of them changed by the batch themselves: {len(predictions_changed & objects_changed)}; objects the batch changed: "
          f"{len(objects_changed)})")  # fmt: skip
    print(f"RESULT one_percent_batch_fraction={batch_steps / full_steps:.3f} wall_fraction={batch_wall / full_wall:.3f} "
          f"full_build_s={full_steps:.1f} one_percent_batch_s={batch_steps:.1f} n={args.n} "
          f"models_extended={built.count('extended')}/{len(built)} old_predictions_changed={len(predictions_changed)} "
          f"unchanged_objects_with_new_predictions={len(predictions_changed - objects_changed)}")


if __name__ == "__main__":
    main()
