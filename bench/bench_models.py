"""Table 1 on the built sample: text / vision / fusion-concat / fusion-attention, mean ± std over seeds, on the
test split, next to the trivial baseline; plus the issue's checks (fusion vs best single modality, KL on/off,
30 % of images hidden, all images vs the first, ECE after temperature scaling).

Reads the tables of the current EMMA_HOME lake (run `emma build` first) and trains fresh models per seed in a
temporary folder (the build's artifacts are not touched).

    python bench/bench_models.py --seeds 0 1 2 --profile cpu    # build_minutes: the last `emma build`'s runs
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from emma_pipeline.build_times import read_build_times
from emma_pipeline.models import vision_model
from emma_pipeline.models.bootstrap import paired_gaps
from emma_pipeline.models.config import profile
from emma_pipeline.models.fusion_model import train_fusion_model
from emma_pipeline.models.metrics import HIGHER_IS_BETTER
from emma_pipeline.models.prepare import TABLES, ModelTables, prepare
from emma_pipeline.models.report import ROW_ORDER, TABLE1_METRICS, collapsed_share
from emma_pipeline.models.text_model import train_text_model
from emma_pipeline.models.trained import split_metrics
from emma_pipeline.models.vision_model import train_vision_model
from emma_pipeline.settings import load_settings
from emma_pipeline.warehouse.lake import Lake


def better(metric: str, a: float, b: float) -> bool:
    """a at least as good as b."""
    return a >= b - 1e-9 if HIGHER_IS_BETTER[metric] else a <= b + 1e-9


def reuse_trunk_features() -> None:
    """The frozen pretrained image trunk gives the same features whatever the seed (it runs in eval mode): decode
    the images and run it once per bench run, not once per seed."""
    compute, memo = vision_model.cached_trunk_features, {}

    def once(net, image_lists, size, max_images, **kwargs):
        key = (net.split, size, max_images, len(image_lists))
        if key not in memo:
            memo[key] = compute(net, image_lists, size, max_images, **kwargs)
        return memo[key]

    vision_model.cached_trunk_features = once


def run_seed(prepared, config, work: Path) -> dict:
    t0 = time.perf_counter()
    text = train_text_model(prepared, config, work / "text")
    vision = train_vision_model(prepared, config, work / "vision")
    fusion = {m: train_fusion_model(prepared, text, vision, config, work / m, m) for m in ("concat", "attention")}
    no_kl = train_fusion_model(prepared, text, vision, config.with_(kl_lambda=0.0), work / "attention_l0", "attention")
    models = {"text": text, "vision": vision, "fusion_concat": fusion["concat"], "fusion_attention": fusion["attention"]}
    test = {name: m.metrics["test"] for name, m in models.items()}
    test_rows = prepared.rows("test")
    urls = prepared.objects["image_urls"].to_list()
    multi = np.array([i for i in test_rows if len(urls[i] or []) > 1], dtype=np.int64)
    sub = lambda p: split_metrics(p, _only(prepared, multi), ("all",))["all"]  # noqa: E731
    return {
        "test": test, "baseline": text.baseline["test"], "minutes": (time.perf_counter() - t0) / 60,
        "dropped": fusion["attention"].variants["images_dropped_30"],
        "dropped_metrics": split_metrics(fusion["attention"].variants["images_dropped_30"], prepared, ("test",))["test"],
        "vision_all_multi": sub(vision.predictions), "vision_first_multi": sub(vision.variants["first_image_only"]),
        "weights": fusion["attention"].predictions.modality_weights[test_rows],
        "weights_l0": no_kl.predictions.modality_weights[test_rows], "test_l0": no_kl.metrics["test"],
        "modalities": fusion["attention"].info["modalities"],
        "predictions": {name: m.predictions for name, m in models.items()},
    }


def _only(prepared, rows):
    split = np.array(["other"] * len(prepared.asins), dtype=object)
    split[rows] = "all"
    return type(prepared)(prepared.asins, prepared.objects, split, prepared.targets, prepared.hierarchy, prepared.materials)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--build-minutes", type=float, default=None,
                        help="measured `emma build` time (default: the last build's runs, from reports/build_times.json)")
    args = parser.parse_args()
    settings = load_settings()
    if args.build_minutes is None:
        last = read_build_times(settings.reports_dir)
        args.build_minutes = last["wall_seconds"] / 60 if last else float("nan")
    lake = Lake(settings.lake_config())
    prepared = prepare(ModelTables(*(lake.read(t) for t in TABLES)))
    print(f"{len(prepared.asins)} objects; " + ", ".join(f"{s} {int((prepared.split == s).sum())}" for s in ("train", "val", "test", "calibration")))
    reuse_trunk_features()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            runs.append(run_seed(prepared, profile(args.profile, seed=seed), Path(tmp) / f"seed{seed}"))
            print(f"seed {seed}: {runs[-1]['minutes']:.1f} min")
            if seed != args.seeds[-1]:  # an interrupted run still leaves the summary of the seeds done
                print(f"\n--- summary of seeds {args.seeds[: len(runs)]} so far ---")
                summarize(runs, args.seeds[: len(runs)], args, prepared, final=False)
    summarize(runs, args.seeds, args, prepared)


def _gaps(runs: list[dict], prepared, best_single: dict[str, float]) -> int:
    """Print fusion-attention's gap to the best single model per metric with its paired-bootstrap 95 % interval
    over the test objects; returns how many gaps are surely negative (the interval below 0)."""
    text_mean = {m: np.nanmean([r["test"]["text"].get(m, np.nan) for r in runs]) for m in TABLE1_METRICS}
    opponent = {m: "text" if np.isclose(text_mean[m], best_single[m]) else "vision" for m in TABLE1_METRICS}
    fused = [r["predictions"]["fusion_attention"] for r in runs]
    gaps = {}
    for single in sorted(set(opponent.values())):
        metrics = [m for m in TABLE1_METRICS if opponent[m] == single]
        gaps |= paired_gaps(fused, [r["predictions"][single] for r in runs], prepared.targets, prepared.hierarchy,
                            prepared.rows("test"), metrics)  # fmt: skip
    print("fusion-attention vs the best single model, test split (+ = fusion better; paired bootstrap over test objects, 95 %):")
    for metric in TABLE1_METRICS:
        gap, low, high = gaps[metric]
        print(f"  {metric:18} vs {opponent[metric]:6} {gap:+.4f} [{low:+.4f}, {high:+.4f}]" + ("  within noise" if low <= 0 <= high and low < high else ""))
    return sum(high < 0 for _, _, high in gaps.values())


def _lost(flags: list[bool]) -> str:
    lost = [m for m, ok in zip(TABLE1_METRICS, flags, strict=True) if not ok]
    return f" (not on {', '.join(lost)})" if lost else ""


def summarize(runs: list[dict], seeds: list[int], args, prepared, final: bool = True) -> None:
    """Table 1 and the checks over ``runs``; a partial summary prints PARTIAL instead of the RESULT line."""
    mean = lambda key, model, metric: np.nanmean([r[key][model].get(metric, np.nan) for r in runs])  # noqa: E731
    std = lambda key, model, metric: np.nanstd([r[key][model].get(metric, np.nan) for r in runs])  # noqa: E731
    base = {m: np.nanmean([r["baseline"][m] for r in runs]) for m in TABLE1_METRICS}
    print(f"\nTable 1 (test split, mean ± std over seeds {seeds}; ↑ higher better except kl_ratings ↓)")
    print(f"{'':18}" + "".join(f"{m:>22}" for m in TABLE1_METRICS))
    for model in ROW_ORDER:
        print(f"{model:18}" + "".join(f"{mean('test', model, m):>13.3f} ± {std('test', model, m):<6.3f}" for m in TABLE1_METRICS))
    print(f"{'baseline':18}" + "".join(f"{base[m]:>22.3f}" for m in TABLE1_METRICS))
    print(f"\nMarkdown (test split, {len(prepared.rows('test'))} test objects of {len(prepared.asins)}, seeds {seeds}, "
          f"profile {args.profile}):\n\n| model | " + " | ".join(TABLE1_METRICS) + " |\n" + "|---" * (len(TABLE1_METRICS) + 1) + "|")
    for model in ROW_ORDER:
        print(f"| {model} | " + " | ".join(f"{mean('test', model, m):.3f} ± {std('test', model, m):.3f}" for m in TABLE1_METRICS) + " |")
    print("| baseline | " + " | ".join(f"{base[m]:.3f}" for m in TABLE1_METRICS) + " |\n")
    beats = [better(m, mean("test", model, m), base[m]) and mean("test", model, m) != base[m] for model in ROW_ORDER for m in TABLE1_METRICS]
    best_single = {m: max(mean("test", "text", m), mean("test", "vision", m)) if HIGHER_IS_BETTER[m]
                   else min(mean("test", "text", m), mean("test", "vision", m)) for m in TABLE1_METRICS}  # fmt: skip
    ge = {merger: [better(m, mean("test", merger, m), best_single[m]) for m in TABLE1_METRICS] for merger in ("fusion_attention", "fusion_concat")}
    for merger, flags in ge.items():
        lost = [m for m, ok in zip(TABLE1_METRICS, flags) if not ok]
        print(f"{merger} >= best single modality: {sum(flags)}/{len(flags)}" + (f" (not on {', '.join(lost)})" if lost else ""))
    dropped = [better(m, np.nanmean([r["dropped_metrics"][m] for r in runs]), mean("test", "text", m)) for m in TABLE1_METRICS]
    print(f"30 % of images hidden, fusion-attention >= text: {sum(dropped)}/{len(dropped)}{_lost(dropped)}")
    vision_tasks = [m for m in TABLE1_METRICS]
    summed = [better(m, np.nanmean([r["vision_all_multi"][m] for r in runs]), np.nanmean([r["vision_first_multi"][m] for r in runs])) for m in vision_tasks]
    print(f"vision, all images vs first only (test objects with >1 image): all >= first on {sum(summed)}/{len(summed)}{_lost(summed)}")
    collapsed = np.mean([collapsed_share(r["weights"]) for r in runs])
    collapsed_l0 = np.mean([collapsed_share(r["weights_l0"]) for r in runs])
    no_drop = [better(m, np.nanmean([r["test"]["fusion_attention"][m] for r in runs]), np.nanmean([r["test_l0"][m] for r in runs])) for m in TABLE1_METRICS]
    mean_w = np.mean([r["weights"].mean(axis=0) for r in runs], axis=0)
    print(f"modality weights {dict(zip(runs[0]['modalities'], mean_w.round(3)))}; collapsed share {collapsed:.3f} (λ=0: {collapsed_l0:.3f}); "
          f"KL on >= λ=0 on {sum(no_drop)}/{len(no_drop)} metrics{_lost(no_drop)}")
    worse = _gaps(runs, prepared, best_single) if final else 0
    ece = np.nanmean([r["test"]["fusion_attention"]["ece_materials"] for r in runs])
    ece_text = np.nanmean([r["test"]["text"]["ece_materials"] for r in runs])
    print(f"ECE materials after temperature scaling: fusion-attention {ece:.4f}, text {ece_text:.4f}")
    print(f"{'RESULT' if final else 'PARTIAL'} fusion_ge_best_single={sum(ge['fusion_attention'])}/{len(TABLE1_METRICS)} "
          f"concat_ge_best_single={sum(ge['fusion_concat'])}/{len(TABLE1_METRICS)} beats_baseline={sum(beats)}/{len(beats)} "
          f"ece_materials={ece:.4f} collapsed_share={collapsed:.3f} collapsed_share_lambda0={collapsed_l0:.3f} "
          f"kl_no_drop={sum(no_drop)}/{len(no_drop)} dropped_images_ge_text={sum(dropped)}/{len(dropped)} "
          f"sum_ge_first_image={sum(summed)}/{len(summed)} fusion_worse_significant={worse}/{len(TABLE1_METRICS)} seeds={len(runs)} "
          f"model_minutes_per_seed={np.mean([r['minutes'] for r in runs]):.1f} build_minutes={args.build_minutes:.1f}")


if __name__ == "__main__":
    main()
