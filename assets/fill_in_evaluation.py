"""Mask-and-recover evaluation of the fill-in: hide 30 % of each attribute's observed train values (at random,
and not at random), retrain the fill-in on what is left, and score the filled values against the hidden ones next
to mode / median imputation. It retrains every model once per scenario, so it is not part of the default build:
run the ``evaluate_fill_in`` job, or ``python -m bench.bench_fill_in``."""

import tempfile
from pathlib import Path

import polars as pl
from dagster import AssetExecutionContext, AssetIn, Config, MetadataValue, Output, asset

from assets.models import original_prepared
from emma_pipeline.fill_in.config import FillInConfig
from emma_pipeline.fill_in.recover_report import recover_markdown
from emma_pipeline.fill_in.run import mask_and_recover
from emma_pipeline.models.prepare import TABLES, ModelTables

GROUP = "fill_in_evaluation"


class MaskAndRecoverConfig(Config):
    scenarios: list[str] = ["random", "not_at_random"]
    generations: int = 1  # 2 also scores generation 2 on the hidden values (doubles the cost again)
    share: float = 0.3  # the 30 %
    seed: int = 0


@asset(ins={t: AssetIn(t) for t in TABLES}, group_name=GROUP, kinds={"pytorch", "duckdb"},
       required_resource_keys={"model_training"})  # fmt: skip
def fill_in_evaluation(context: AssetExecutionContext, config: MaskAndRecoverConfig, **inputs):
    """One row per (scenario, generation, attribute): hidden values, metric, filled value's score, imputation's."""
    original_prepared(inputs)  # the same validation as the models (every object has a split)
    training = context.resources.model_training
    with tempfile.TemporaryDirectory(dir=training.cache() if training.cache().exists() else None) as work:
        table = mask_and_recover(ModelTables(*(inputs[t] for t in TABLES)), training.config(), FillInConfig(), Path(work),
                                 tuple(config.scenarios), config.generations, config.share, config.seed, context.log.info)  # fmt: skip
    beats = table.filter(pl.col("generation") == 1)["beats_imputation"]
    return Output(table, metadata={"mask_and_recover": MetadataValue.md(recover_markdown(table)),
                                   "beats_imputation": f"{int(beats.sum())}/{beats.len()}"})  # fmt: skip
