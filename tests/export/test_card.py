"""The dataset card as a pure function of literal frames: front matter, schema, source mix, coverage, models."""

import polars as pl
import pytest
import yaml

from emma_pipeline.export import LakeSource, dataset_card
from emma_pipeline.export.columns import UNDESCRIBED, meaning
from emma_pipeline.export.coverage import coverage
from emma_pipeline.fill_in.schema import dataset_schema
from tests.export.conftest import TAXONOMY, dataset_frame, metrics_frame


def front_matter(card: str) -> dict:
    assert card.startswith("---\n")
    return yaml.safe_load(card.split("---\n")[1])


def test_front_matter_names_every_split_file_train_first():
    meta = front_matter(dataset_card(dataset_frame()))
    (config,) = meta["configs"]
    assert config["config_name"] == "default"
    assert [f["split"] for f in config["data_files"]] == ["train", "val", "test", "calibration"]
    paths = {f["split"]: f["path"] for f in config["data_files"]}
    assert paths["train"] == ["data/train-00000-of-00001.parquet"]
    assert meta["size_categories"] == ["n<1K"]


def test_huggingface_hub_reads_the_card_metadata():
    repocard = pytest.importorskip("huggingface_hub", reason="huggingface_hub parses cards as the Hub does")
    card = repocard.DatasetCard(dataset_card(dataset_frame()))
    assert [f["split"] for f in card.data.configs[0]["data_files"]] == ["train", "val", "test", "calibration"]


def test_every_contract_column_has_a_meaning():
    columns = list(dataset_schema())
    assert [c for c in columns if meaning(c, columns) == UNDESCRIBED] == []


def test_schema_table_shows_source_mix_of_each_attribute_and_its_satellites():
    card = dataset_card(dataset_frame())
    row = next(line for line in card.splitlines() if line.startswith("| `price` |"))
    assert "original 83.3 %, gen2 16.7 %" in row
    probs = next(line for line in card.splitlines() if line.startswith("| `materials_probs` |"))
    assert "original 83.3 %, gen2 16.7 %" in probs and "follows `materials_source`" in probs
    source = next(line for line in card.splitlines() if line.startswith("| `mass_source` |"))
    assert "provenance of `mass`" in source


def test_coverage_counts_original_synthetic_and_passing():
    table = {r["attribute"]: r for r in coverage(dataset_frame()).iter_rows(named=True)}
    assert (table["mass"]["original"], table["mass"]["gen1"], table["mass"]["synthetic_passing"]) == (5, 1, 0)
    assert (table["price"]["gen2"], table["price"]["synthetic_passing"], table["price"]["usable"]) == (1, 1, 6)
    assert table["ratings"]["usable"] == 5


def test_card_is_generic_over_the_columns_present():
    frame = pl.DataFrame({"asin": ["X1", "X2"], "split": ["train", "test"], "price": [1.0, None],
                          "price_source": ["original", "gen1"], "shine": [0.1, 0.2]})  # fmt: skip
    card = dataset_card(frame)
    assert "| `price` | 1 (50.0 %) | 1 (50.0 %) | 1 (50.0 %) | n/a | n/a | 1 (50.0 %) |" in card
    assert "Columns without a description yet: `shine`" in card
    assert "1 objects have no `price` value" in card


def test_models_section_shows_the_filling_generations_on_test_only():
    card = dataset_card(dataset_frame(), metrics=metrics_frame(), taxonomy=TAXONOMY,
                        source=LakeSource(snapshot=7, dataset_snapshot=6, tables={"objects": 5}))  # fmt: skip
    models = card.split("## Models that filled the values")[1].split("## Known limitations")[0]
    assert "`fusion_attention_gen2`" in models and "`text`" not in models  # generation 3 filled nothing
    assert "Generation 2:\n\n| task | metric | `fusion_attention_gen2` | baseline |" in models
    assert "| mass | mnre_mass | 0.2 | 0.9 |" in models
    assert "`fusion_gen1_v1` | 1 |" in models
    assert "lake snapshot **7**" in card and "`emma export --snapshot 7`" in card
    assert "4 nodes of the material taxonomy" in card


def test_card_has_no_time_of_day():
    card = dataset_card(dataset_frame(), metrics=metrics_frame())
    assert card == dataset_card(dataset_frame().sample(fraction=1.0, shuffle=True, seed=3), metrics=metrics_frame())


def test_generation_metrics_win_over_model_metrics_for_the_same_cell():
    from emma_pipeline.export.card_models import combined_metrics

    generation = metrics_frame().with_columns(pl.col("value") + 100)
    both = combined_metrics([generation, metrics_frame(), None])
    assert both.height == metrics_frame().height and both["value"].min() > 100
    assert combined_metrics([None, pl.DataFrame()]) is None
