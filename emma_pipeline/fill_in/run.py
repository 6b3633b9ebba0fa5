"""The fill-in loop in memory (generation 1 on the given tables, generation k + 1 on generation k's filled table),
for evaluations that retrain on masked tables. The build's own models are versioned assets (assets/models.py);
both call the same training functions."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from emma_pipeline.fill_in.config import FillInConfig
from emma_pipeline.fill_in.crossfit import Fold
from emma_pipeline.fill_in.generation import Filled, fill, original_material_ids
from emma_pipeline.fill_in.masking import masked_tables, not_at_random_mask, random_mask, stated
from emma_pipeline.fill_in.recover import RECOVER_SCHEMA, recover_scores
from emma_pipeline.fill_in.training_data import filled_prepared
from emma_pipeline.models.config import ModelConfig
from emma_pipeline.models.fusion_model import train_fusion_model
from emma_pipeline.models.prepare import ModelTables, prepare
from emma_pipeline.models.text_model import train_text_model
from emma_pipeline.models.vision_model import train_vision_model


def run_generations(tables: ModelTables, config: ModelConfig, generations: int, work: Path, fill_config: FillInConfig,
                    mergers: tuple[str, ...] = ("attention",), log: Callable[[str], None] = print,
                    minutes: dict[int, float] | None = None) -> list[Filled]:  # fmt: skip
    """``minutes``, when given, receives each generation's wall time (training + fill)."""
    minutes = {} if minutes is None else minutes
    original = prepare(tables)
    training, out = original, []
    for g in range(1, generations + 1):
        log(f"generation {g}: text, vision, fusion ({', '.join(mergers)})")
        start = time.perf_counter()
        text = train_text_model(training, config, work / f"gen{g}" / "text")
        vision = train_vision_model(training, config, work / f"gen{g}" / "vision", trunk_cache=work / "vision_trunk")
        models = {"text": text, "vision": vision}
        for m in mergers:
            models[f"fusion_{m}"] = train_fusion_model(original, text, vision, config, work / f"gen{g}" / m, m, features=training)
        out.append(fill(models, original, tables.object_materials, fill_config, g, f"{work.name}-gen{g}"))
        minutes[g] = (time.perf_counter() - start) / 60
        training = filled_prepared(original, out[-1].table)
    return out


def scenario_fold(name: str, prepared, share: float, seed: int) -> Fold:
    if name == "random":
        return random_mask(prepared, share, seed)
    if name == "not_at_random":
        return not_at_random_mask(prepared, share)
    raise ValueError(f"unknown mask scenario {name!r}")


def mask_and_recover(tables: ModelTables, config: ModelConfig, fill_config: FillInConfig, work: Path,
                     scenarios: tuple[str, ...] = ("random", "not_at_random"), generations: int = 1,
                     share: float = 0.3, seed: int = 0, log: Callable[[str], None] = print) -> pl.DataFrame:  # fmt: skip
    """Per scenario: hide values, check they are gone from the training tables, run the fill-in on the masked
    tables, score every generation's filled values at the hidden positions next to the imputation."""
    truth = prepare(tables)
    rows = []
    for scenario in scenarios:
        fold = scenario_fold(scenario, truth, share, seed)
        masked = masked_tables(tables, truth, fold)
        masked_prepared = prepare(masked)
        fold.check(stated(masked_prepared))
        log(f"mask-and-recover {scenario}: hidden " + ", ".join(f"{a} {len(r)}" for a, r in fold.hidden.items()))
        minutes: dict[int, float] = {}
        filled = run_generations(masked, config, generations, work / scenario, fill_config, log=log, minutes=minutes)
        material_ids = original_material_ids(masked_prepared, masked.object_materials)
        for g, result in enumerate(filled, start=1):
            scores = recover_scores(fold, scenario, truth, masked_prepared, result.table, material_ids, g)
            rows += [{**r, "generation_minutes": minutes[g]} for r in scores]
    return pl.DataFrame(rows, schema=RECOVER_SCHEMA)
