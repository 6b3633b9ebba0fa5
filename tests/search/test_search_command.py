"""`emma search` as a user runs it: by ASIN, by free text, with filters, and clear errors."""

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from emma_pipeline.cli import main
from emma_pipeline.encoders.text_encoder import TextEncoder
from emma_pipeline.object_embedding import AutoencoderConfig, fit_embedding
from emma_pipeline.object_embedding.features import FeatureBlocks
from emma_pipeline.object_embedding.store import model_path
from emma_pipeline.search import ProductSearch
from emma_pipeline.settings import load_settings
from emma_pipeline.warehouse.lake import Lake

TITLES = ["stainless steel water bottle", "insulated steel travel mug", "oak wood cutting board",
          "bamboo wooden serving tray", "cotton bath towel", "soft cotton hand towel"] * 4  # fmt: skip


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("EMMA_HOME", str(tmp_path_factory.mktemp("home")))
        for var in ("EMMA_LANDING", "EMMA_LAKE_CATALOG", "EMMA_LAKE_DATA", "EMMA_TEXT_MODEL"):
            monkeypatch.delenv(var, raising=False)
        yield _built_home()


def _built_home():
    settings = load_settings()
    asins = [f"B{i:09d}" for i in range(len(TITLES))]
    text = TextEncoder(settings.text_model).encode(TITLES)
    n = len(asins)
    features = FeatureBlocks(asins, {"text": text, "price_usd": np.arange(n, dtype=np.float32)[:, None]},
                             {"text": np.ones(n, bool), "price_usd": np.ones(n, bool)},
                             {"category": np.array([1 + (i % 6) // 2 for i in range(n)])})  # fmt: skip
    fitted = fit_embedding(features, AutoencoderConfig(bottleneck=16, categorical_dim=4, epochs=80, batch_size=8,
                                                       learning_rate=3e-3))  # fmt: skip
    version = "20260101T000000-abcdef12"
    fitted.save(model_path(settings.object_models_dir, version))
    attributes = pl.DataFrame({"asin": asins, "category_ids": [[0, 1 + (i % 6) // 2] for i in range(n)],
                               "material_ids": [None] * n, "price_usd": [float(i) for i in range(n)]},
                              schema_overrides={"material_ids": pl.List(pl.Int64)})  # fmt: skip
    ProductSearch.build(asins, fitted.embed(features), attributes, version).save(settings.index_dir / "search")
    lake = Lake(settings.lake_config())
    lake.write_table("objects", pl.DataFrame({"asin": asins, "title": TITLES, "price_usd": [float(i) for i in range(n)]}))
    lake.write_table("category_tree", pl.DataFrame({"id": [0, 1, 2, 3], "name": ["Home", "Drinkware", "Boards", "Bath"],
                                                    "path": [["Home"], ["Home", "Drinkware"], ["Home", "Boards"], ["Home", "Bath"]]}))
    return asins


def test_search_by_asin_lists_its_neighbours_not_itself(home):
    result = CliRunner().invoke(main, ["search", home[0], "--k", "3"])
    assert result.exit_code == 0, result.output
    header, table = result.output.split("\n", 1)
    assert header == f"objects like {home[0]}:"
    assert table.count("B0000000") == 3 and home[0] not in table


def test_search_by_text_finds_the_matching_kind_of_product(home):
    result = CliRunner().invoke(main, ["search", "a cotton towel for the bathroom", "--k", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.split("\n", 1)[1].count("towel") == 3


def test_filters_narrow_results_and_bad_values_are_clear_errors(home):
    ok = CliRunner().invoke(main, ["search", home[0], "--k", "50", "--category", "Boards", "--max-price", "10"])
    assert ok.exit_code == 0, ok.output
    assert "steel" not in ok.output and "board" in ok.output
    bad = CliRunner().invoke(main, ["search", home[0], "--material", "unobtainium"])
    assert bad.exit_code == 2 and "not a node of the material taxonomy" in bad.output
    none = CliRunner().invoke(main, ["search", home[0], "--min-price", "1000"])
    assert none.exit_code == 1 and "no object passes" in none.output


def test_search_on_another_machine_with_the_lake_on_s3(tmp_path, s3_server, monkeypatch):
    """Lake data, object-embedding model and search index beside each other on S3: a second machine (another
    EMMA_HOME, an empty download cache) given the same lake settings finds them all."""
    lake_env = {"EMMA_LAKE_DATA": f"s3://{s3_server.bucket}/lake/data", "EMMA_LAKE_CATALOG": str(tmp_path / "catalog.sqlite"),
                "EMMA_S3_ENDPOINT": s3_server.endpoint, "EMMA_S3_URL_STYLE": "path", "EMMA_S3_USE_SSL": "false",
                "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
                "AWS_DEFAULT_REGION": "us-east-1"}  # fmt: skip
    for name, value in {**lake_env, "EMMA_HOME": str(tmp_path / "builder"), "EMMA_VERSION_CACHE": str(tmp_path / "c1")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    asins = _built_home()
    keys = s3_server.keys()
    assert any(k.startswith("lake/indexes/search/") for k in keys) and "lake/indexes/search/CURRENT" in keys
    assert any(k.startswith("lake/models/object_embedding/") for k in keys)
    monkeypatch.setenv("EMMA_HOME", str(tmp_path / "other_machine"))
    monkeypatch.setenv("EMMA_VERSION_CACHE", str(tmp_path / "c2"))
    by_text = CliRunner().invoke(main, ["search", "a cotton towel for the bathroom", "--k", "3"])
    assert by_text.exit_code == 0, by_text.output
    assert by_text.output.split("\n", 1)[1].count("towel") == 3
    assert CliRunner().invoke(main, ["search", asins[0], "--k", "3"]).exit_code == 0
