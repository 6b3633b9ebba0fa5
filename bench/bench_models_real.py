"""The text model on real listings: the public samples next to the repository (`../shared/data/real`, or --real),
read through the project's own parsers, trained on mass, price, materials and the star distribution (where the
ASIN's reviews are in the folder), and scored on a held-out random 10 % of the listings (by ASIN) next to the
median / prior / mean-rating-distribution baseline.

    python -m bench.bench_models_real --profile cpu --seed 0

Skips (RESULT skipped=1 reason=...) when the folder is absent. Formats per file are configuration below (which
parser reads which file), the same for every source; nothing is tuned to one source's wording.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from emma_pipeline.models.config import profile
from emma_pipeline.models.metrics import mnre
from emma_pipeline.models.real_listings import prepared_from_listings, read_listings
from emma_pipeline.models.tasks import TaskConfig
from emma_pipeline.models.text_model import train_text_model

DEFAULT_REAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "real"
# (glob under the real-data folder, parser format): UCSD meta and reviews, the 2020 product table, catalog records
FORMATS = (("ucsd*/*.json", "ucsd"), ("ucsd*/*.jsonl", "ucsd"), ("*/*.csv", "image2mass"),
           ("*/output_data/*.json", "aspa"), ("abo*/*.json", "aspa"))  # fmt: skip
TASK = TaskConfig("text_real", "text", ("price", "mass", "materials", "ratings"), ("text",))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=DEFAULT_REAL)
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not args.real.is_dir():
        print(f"RESULT skipped=1 reason=no_real_data_folder_at_{args.real.name}")
        return
    files = sorted({(kind, path) for pattern, kind in FORMATS for path in args.real.glob(pattern)})
    frame = read_listings(files, args.real)
    frame = frame.filter(frame["mass_kg"].is_not_null() | frame["price_usd"].is_not_null())
    prepared = prepared_from_listings(frame, seed=args.seed)
    t = prepared.targets
    print(f"{frame.height} real listings with a title and a mass or price, from {frame['origin'].n_unique()} folders; "
          f"mass known {int(np.isfinite(t.mass).sum())}, price known {int(np.isfinite(t.price).sum())}, "
          f"materials labeled {int((t.materials_mask.sum(axis=1) > 0).sum())}, "
          f"rated {int(np.isfinite(t.ratings).all(axis=1).sum())}; "
          + ", ".join(f"{s} {len(prepared.rows(s))}" for s in ("train", "val", "calibration", "test")))  # fmt: skip
    config = profile(args.profile, seed=args.seed)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        model = train_text_model(prepared, config, Path(tmp), task=TASK)
    minutes = (time.perf_counter() - start) / 60
    test, base = model.metrics["test"], model.baseline["test"]
    rated = lambda rows: int(np.isfinite(t.ratings[rows]).all(axis=1).sum())  # noqa: E731
    for metric in ("mnre_mass", "mnre_price", "malde_mass", "malde_price", "f1_materials", "kl_ratings"):
        print(f"{metric:14} text {test.get(metric, np.nan):.3f}   baseline {base.get(metric, np.nan):.3f}")
    print(f"kl_ratings on the {rated(prepared.rows('test'))} rated test listings (lower is better; the baseline is "
          f"the mean distribution of the {rated(prepared.rows('train'))} rated train listings)")
    rows, origins = prepared.rows("test"), np.array(frame["origin"].to_list())
    print("test MnRE per source folder (text / median baseline):")
    train = prepared.rows("train")
    for origin in sorted(set(origins[rows])):
        part = rows[origins[rows] == origin]
        cells = []
        for task in ("mass", "price"):
            truth, pred = getattr(t, task)[part], getattr(model.predictions, task)[part]
            known_train = getattr(t, task)[train]
            med = np.nanmedian(known_train[known_train > 0])
            cells.append(f"{task} n={int(np.isfinite(truth).sum())} {mnre(pred, truth):.3f} / {mnre(np.full(len(part), med), truth):.3f}")
        print(f"  {origin[:40]:40} " + "; ".join(cells))
    print(f"RESULT mnre_mass_text={test['mnre_mass']:.3f} mnre_mass_median={base['mnre_mass']:.3f} "
          f"mnre_price_text={test['mnre_price']:.3f} mnre_price_median={base['mnre_price']:.3f} "
          f"f1_materials_text={test.get('f1_materials', np.nan):.3f} f1_materials_prior={base.get('f1_materials', np.nan):.3f} "
          f"kl_ratings_text={test.get('kl_ratings', np.nan):.3f} kl_ratings_mean={base.get('kl_ratings', np.nan):.3f} "
          f"rated_test={rated(rows)} "
          f"listings={frame.height} test={len(rows)} train_minutes={minutes:.1f} seed={args.seed}")


if __name__ == "__main__":
    main()
