"""The fill-in's figures on the built sample: generation 1 vs 2 (vs 3) per task on the test split, mask-and-recover
per attribute next to mode / median imputation (random and not-at-random masks, retrained in this run), coverage at
95 % precision per attribute, and material-consistency violations in the published ``dataset``.

Reads the tables of the current EMMA_HOME lake (run `emma build` first); the mask-and-recover models are trained in
a temporary folder with the EMMA_MODEL_PROFILE profile (the build's artifacts are not touched).

    python -m bench.bench_fill_in --generations 2
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from emma_pipeline.fill_in.config import FillInConfig
from emma_pipeline.fill_in.recover_report import recover_markdown
from emma_pipeline.fill_in.report import generations_markdown, generations_summary
from emma_pipeline.fill_in.run import mask_and_recover
from emma_pipeline.fill_in.schema import ATTRIBUTES
from emma_pipeline.materials.consistency import Forest, violations
from emma_pipeline.models.config import profile
from emma_pipeline.models.prepare import TABLES, ModelTables
from emma_pipeline.settings import load_settings
from emma_pipeline.warehouse.lake import Lake


def consistency_violations(dataset: pl.DataFrame, taxonomy: pl.DataFrame) -> int:
    taxonomy = taxonomy.sort("id")
    column = {int(i): j for j, i in enumerate(taxonomy["id"].to_list())}
    forest = Forest(tuple(-1 if p is None else column[int(p)] for p in taxonomy["parent_id"].to_list()))
    return violations(np.array(dataset["materials_probs"].to_list(), dtype=np.float64), forest)


def coverage(dataset: pl.DataFrame) -> dict[str, float]:
    out = {}
    for attr in ATTRIBUTES:
        synthetic = dataset.filter(pl.col(f"{attr}_source") != "original")
        out[attr] = float(synthetic[f"{attr}_passes_threshold"].mean()) if synthetic.height else float("nan")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generations", type=int, default=1, help="generations of the masked runs (2 scores gen 2 too)")
    parser.add_argument("--scenarios", nargs="+", default=["random", "not_at_random"])
    parser.add_argument("--share", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    settings = load_settings()
    lake = Lake(settings.lake_config())
    dataset, metrics = lake.read("dataset"), lake.read("generation_metrics")
    tables = ModelTables(*(lake.read(t) for t in TABLES))
    print(f"{dataset.height} objects in `dataset`; profile {settings.model_profile}\n")
    print(generations_markdown(metrics), "\n")
    cover = coverage(dataset)
    print("| attribute | synthetic share | coverage at 95 % precision |\n| --- | --- | --- |")
    for attr in ATTRIBUTES:
        print(f"| {attr} | {(dataset[f'{attr}_source'] != 'original').mean():.1%} | {cover[attr]:.1%} |")
    broken = consistency_violations(dataset, tables.material_taxonomy)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        recovered = mask_and_recover(tables, profile(settings.model_profile), FillInConfig(), Path(work), tuple(args.scenarios),
                                     args.generations, args.share, args.seed, log=lambda m: print(f"  {m}", flush=True))  # fmt: skip
    print(f"\nmask-and-recover ({time.perf_counter() - start:.0f} s)\n" + recover_markdown(recovered))
    for (scenario, g), part in recovered.group_by(["scenario", "generation"], maintain_order=True):
        print(f"wall time of generation {g} ({scenario} mask): {part['generation_minutes'][0]:.1f} min")
    summary = generations_summary(metrics)
    figures = [f"{k}={v}" for k, v in summary.items()] + [f"consistency_violations={broken}"]
    for r in recovered.iter_rows(named=True):
        key = f"mar_{r['scenario']}_gen{r['generation']}_{r['attribute']}_{r['metric']}"
        figures += [f"{key}={r['filled']:.3f}", f"{key}_imputation={r['imputation']:.3f}"]
    beats = recovered.filter(pl.col("generation") == 1)["beats_imputation"]
    figures.append(f"mar_beats_imputation={int(beats.sum())}/{beats.len()}")
    figures += [f"coverage95_{a}={cover[a]:.3f}" for a in ATTRIBUTES]
    print("RESULT " + " ".join(figures))


if __name__ == "__main__":
    main()
