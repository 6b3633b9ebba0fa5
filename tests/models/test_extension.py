"""A later batch scored with a stored model: the stored network, scaling statistics and calibration reproduce
the model's own predictions; only new and changed objects are run; the retraining policy says why it trains."""

import json
import shutil
from dataclasses import replace

import fsspec
import numpy as np
import polars as pl
import pytest
from PIL import Image

from emma_pipeline.models import artifacts
from emma_pipeline.models.extension import calibrated_like, extended
from emma_pipeline.models.fusion_model import fusion_input_keys, score_fusion_model, train_fusion_model
from emma_pipeline.models.input_keys import image_keys, text_keys
from emma_pipeline.models.pipeline import Extension, train_or_reuse
from emma_pipeline.models.predictions import Predictions
from emma_pipeline.models.prepare import ModelTables, prepare
from emma_pipeline.models.retrain import retrain_reason
from emma_pipeline.models.text_model import score_text_model, train_text_model
from emma_pipeline.models.trained import TrainedModel, taxonomy_state
from emma_pipeline.models.vision_model import score_vision_model, train_vision_model
from emma_pipeline.models.vision_net import load_vision_backbone

NEW = ["A002", "A017", "A021"]  # a train, a val and a calibration object arrive in the second batch


def _tables(tables: ModelTables, drop=(), text: dict | None = None) -> ModelTables:
    keep = lambda f: f.filter(~pl.col("asin").is_in(list(drop)))  # noqa: E731
    objects = keep(tables.objects)
    if text:
        objects = objects.with_columns(pl.col("asin").replace_strict(text, default=pl.col("text")).alias("text"))
    return ModelTables(objects, keep(tables.object_materials), keep(tables.object_categories), tables.material_taxonomy,
                       tables.category_tree, keep(tables.splits))  # fmt: skip


def _same_predictions(a: Predictions, b: Predictions, rows_a=None, rows_b=None, atol=1e-5):
    a = a.subset(np.asarray(rows_a)) if rows_a is not None else a
    b = b.subset(np.asarray(rows_b)) if rows_b is not None else b
    assert np.array_equal(a.available, b.available)
    ok = a.available
    for task in a.tasks:
        name = {"materials": "material_logits", "category": "category_log_probs"}.get(task, task)
        x, y = getattr(a, name)[ok], getattr(b, name)[ok]
        assert np.allclose(x, y, rtol=1e-4, atol=atol), f"{task}: max difference {np.abs(x - y).max()}"
    assert (a.temperature, a.material_threshold, a.rating_prior_weight) == (b.temperature, b.material_threshold, b.rating_prior_weight)


def _everything_rescored(model: TrainedModel, prepared, score):
    """The model extended to its own objects with every key changed: every row goes through the stored network."""
    calls = []

    def counted(rows):
        calls.append(len(rows))
        return score(rows)

    again = extended(model, prepared.asins, prepared, model.state["input_key"] + np.uint64(1), counted)
    assert calls == [len(prepared.asins)]
    return again


def test_the_stored_text_network_reproduces_its_predictions(prepared, tiny_config, tiny_text_backbone, tmp_path):
    model = train_text_model(prepared, tiny_config, tmp_path, backbone=tiny_text_backbone())
    again = _everything_rescored(model, prepared, lambda rows: score_text_model(tmp_path, prepared, rows, tiny_config, model.state, backbone=tiny_text_backbone()))
    _same_predictions(model.predictions, again.predictions)
    assert np.allclose(model.embedding, again.embedding, atol=1e-5)


def test_the_stored_vision_network_reproduces_its_predictions(prepared, tiny_config, tmp_path):
    backbone = lambda: load_vision_backbone("test_efficientnet")  # noqa: E731
    model = train_vision_model(prepared, tiny_config, tmp_path, backbone=backbone())
    again = _everything_rescored(model, prepared, lambda rows: score_vision_model(tmp_path, prepared, rows, tiny_config, model.state, backbone=backbone()))
    _same_predictions(model.predictions, again.predictions, atol=1e-3)  # the cached trunk features are float16
    assert not again.predictions.available[prepared.asins.index("A005")]


def _fake_encoder(prepared, name, dim, seed):
    rng = np.random.default_rng(seed)
    heavy = np.array([int(a[1:]) % 2 == 0 for a in prepared.asins], dtype=float)[:, None]
    available = np.array([a != "A005" for a in prepared.asins])
    return TrainedModel(name, name, None, Predictions(available=available), heavy + rng.normal(0, 0.1, (len(heavy), dim)))


def _rows(model: TrainedModel, rows) -> TrainedModel:
    return TrainedModel(model.name, model.modality, model.merger, model.predictions.subset(rows), model.embedding[rows])


def test_a_batch_scores_only_its_new_objects_with_the_stored_fusion_networks(tiny_tables, tiny_config, tmp_path):
    """Trained on the first batch, the fusion model scores the second batch's objects (one of them in a category
    node added since) with its stored scaling statistics; the other objects keep their predictions exactly, and
    the new ones get what the stored networks give when every object is run through them."""
    first, grown = prepare(_tables(tiny_tables, drop=NEW)), prepare(_grown(tiny_tables))
    text, vision = _fake_encoder(grown, "text", 4, 0), _fake_encoder(grown, "vision", 6, 1)
    old = np.array([grown.asins.index(a) for a in first.asins])
    tasks = ("mass", "materials", "ratings", "category")
    model = train_fusion_model(first, _rows(text, old), _rows(vision, old), tiny_config, tmp_path, "attention", tasks=tasks)

    def score(rows):
        return score_fusion_model(tmp_path, model.state, grown, text, vision, rows, tiny_config, "attention", tasks)

    scored = []
    bigger = extended(model, first.asins, grown, fusion_input_keys(grown, text, vision),
                      lambda rows: scored.append(rows) or score(rows))  # fmt: skip
    assert [[grown.asins[r] for r in rows] for rows in scored] == [sorted([*NEW, "A024"])]
    for field in ("mass", "material_logits", "ratings", "modality_weights"):  # copied, not recomputed
        assert np.array_equal(getattr(bigger.predictions, field)[old], getattr(model.predictions, field))
    known = first.hierarchy.size
    assert np.array_equal(bigger.predictions.category_log_probs[old, :known], model.predictions.category_log_probs)
    assert (grown.hierarchy.marginals(bigger.predictions.category_log_probs)[:, known:] == 0).all()
    every = _everything_rescored(bigger, grown, score)
    _same_predictions(bigger.predictions, every.predictions)
    own = _everything_rescored(model, first, lambda rows: score_fusion_model(
        tmp_path, model.state, first, _rows(text, old), _rows(vision, old), rows, tiny_config, "attention", tasks))  # fmt: skip
    _same_predictions(model.predictions, own.predictions)
    assert bigger.info["scored_objects"] == 4 and set(bigger.metrics) == {"val", "test"}


def test_a_changed_text_or_picture_changes_the_objects_key(tiny_tables, tmp_path):
    before = prepare(tiny_tables)
    after = prepare(_tables(tiny_tables, text={"A004": "a different listing"}))
    changed = np.flatnonzero(text_keys(before) != text_keys(after))
    assert [after.asins[r] for r in changed] == ["A004"]
    assert np.array_equal(image_keys(before), image_keys(after))
    picture = tmp_path / "p.png"  # a picture written under the same path later (or one that appears) is new input
    objects = tiny_tables.objects.with_columns(image_urls=pl.when(pl.col("asin") == "A007").then([str(picture)]).otherwise(pl.col("image_urls")))
    tables = replace(tiny_tables, objects=objects)
    missing = image_keys(prepare(tables))
    Image.new("RGB", (8, 8)).save(picture)
    appeared = image_keys(prepare(tables))
    assert [before.asins[r] for r in np.flatnonzero(missing != appeared)] == ["A007"]


def test_train_or_reuse_extends_the_previous_artifact_until_it_is_due(tiny_tables, tiny_config, tiny_text_backbone, tmp_path):
    first, full = prepare(_tables(tiny_tables, drop=NEW)), prepare(tiny_tables)
    trained = []

    def build(prepared, snapshot, previous, days=7.0):
        def train(work):
            trained.append(snapshot)
            return train_text_model(prepared, tiny_config, work, backbone=tiny_text_backbone())

        score = lambda folder, state, rows: score_text_model(folder, prepared, rows, tiny_config, state, backbone=tiny_text_backbone())  # noqa: E731
        extension = Extension(previous, lambda: text_keys(prepared), score, days)
        return train_or_reuse("text", train, prepared, tiny_config, {"objects": snapshot}, str(tmp_path), tmp_path / "cache",
                              extension=extension)  # fmt: skip

    one = build(first, 1, None)
    two = build(full, 2, one.uri)
    changed = prepare(_tables(tiny_tables, text={"A004": "a different listing"}))
    three = build(changed, 3, two.uri)
    assert [b.how for b in (one, two, three)] == ["trained", "extended", "extended"] and trained == [1]
    assert (two.model.info["scored_objects"], three.model.info["scored_objects"]) == (3, 1)
    again = build(changed, 3, three.uri)  # the same inputs again: the extension is reused, nothing is scored
    assert (again.how, again.uri, trained) == ("reused", three.uri, [1])
    now = build(changed, 3, three.uri, days=0)  # retrain on demand with unchanged inputs: trained, not the extension
    assert now.how == "trained" and now.uri != three.uri and trained == [1, 3]
    lineage = json.loads((tmp_path / "text" / three.uri.rsplit("/", 1)[1] / "config.json").read_text())
    assert (lineage["base"], lineage["extends"]) == (one.uri, two.uri)
    model, asins = artifacts.load(three.uri)
    assert asins == full.asins and model.info["scored_objects"] == 1
    due = build(full, 4, three.uri, days=0)
    assert due.how == "trained" and "retrain_after_days <= 0" in due.reason and trained == [1, 3, 4]
    shutil.rmtree(tmp_path / "text" / due.uri.rsplit("/", 1)[1] / "checkpoints")  # its network is gone: train
    gone = build(changed, 5, due.uri)
    assert gone.how == "trained" and "cannot score" in gone.reason and trained == [1, 3, 4, 5]


def _grown(tables: ModelTables) -> ModelTables:
    """A later batch: one more object, in a category node added to the tree after the models were trained."""
    row = tables.objects.filter(pl.col("asin") == "A000").with_columns(asin=pl.lit("A024"), text=pl.lit("steel hammer item 24"))
    tree = pl.concat([tables.category_tree, pl.DataFrame({"id": [4], "name": ["Hammers"], "parent_id": [0], "depth": [1]})],
                     how="vertical_relaxed")  # fmt: skip
    categories = pl.concat([tables.object_categories, pl.DataFrame({"asin": ["A024"], "category_ids": [[0, 4]], "product_type_id": [1]})],
                           how="vertical_relaxed")  # fmt: skip
    materials = pl.concat([tables.object_materials, tables.object_materials.filter(pl.col("asin") == "A000").with_columns(asin=pl.lit("A024"))])
    splits = pl.concat([tables.splits, pl.DataFrame({"asin": ["A024"], "split": ["test"]})])
    return ModelTables(pl.concat([tables.objects, row]), materials, categories, tables.material_taxonomy, tree, splits)


def test_a_category_node_added_later_is_unreachable_until_retraining(tiny_tables, prepared, tiny_config, tiny_text_backbone, tmp_path):
    model = train_text_model(prepared, tiny_config, tmp_path, backbone=tiny_text_backbone())
    grown = prepare(_grown(tiny_tables))
    resolved = {**tiny_config.as_dict(), "trained_at": 1e9, "upstream_bases": []}
    assert retrain_reason(resolved, model, tiny_config, grown, [], 7, now=1e9 + 60) is None  # a new node is no reason
    moved = _grown(tiny_tables)  # a node the model knew moved under another parent: train again
    moved = replace(moved, category_tree=moved.category_tree.with_columns(
        parent_id=pl.when(pl.col("id") == 1).then(2).otherwise(pl.col("parent_id"))))  # fmt: skip
    assert "category taxonomy" in retrain_reason(resolved, model, tiny_config, prepare(moved), [], 7, now=1e9 + 60)
    score = lambda rows: score_text_model(tmp_path, grown, rows, tiny_config, model.state, backbone=tiny_text_backbone())  # noqa: E731
    bigger = extended(model, prepared.asins, grown, text_keys(grown), score)
    assert bigger.info["scored_objects"] == 1 and bigger.predictions.category_log_probs.shape[1] == prepared.hierarchy.size + 1
    marginals = grown.hierarchy.marginals(bigger.predictions.category_log_probs)
    new_node = grown.hierarchy.index_of[4]
    assert (marginals[:, new_node] == 0).all()
    paths = grown.hierarchy.greedy_paths(marginals)
    assert not (paths == new_node).any()  # the path stops where only unknown nodes are left, never enters one
    old = [grown.asins.index(a) for a in prepared.asins]
    assert np.array_equal(bigger.predictions.category_log_probs[old, : prepared.hierarchy.size], model.predictions.category_log_probs)
    assert set(bigger.metrics["test"]) >= {"accuracy_category", "top1_category"}


def test_the_retraining_policy_names_its_reason(prepared, tiny_config):
    model = TrainedModel("text", "text", None, Predictions(available=np.ones(len(prepared.asins), bool)), None)
    model.state.update(taxonomy_state(prepared), input_key=np.zeros(len(prepared.asins), np.uint64))
    resolved = {**tiny_config.as_dict(), "model": "text", "upstream": [], "base": "b", "trained_at": 1_000_000.0, "upstream_bases": []}
    now = 1_000_000.0 + 86400
    assert retrain_reason(resolved, model, tiny_config, prepared, [], 7, now) is None
    assert retrain_reason(resolved, model, tiny_config.with_(devices=4), prepared, [], 7, now) is None  # compute only
    assert "8.0 days old" in retrain_reason(resolved, model, tiny_config, prepared, [], 7, now + 7 * 86400)
    assert "lr_head" in retrain_reason(resolved, model, tiny_config.with_(lr_head=1.0), prepared, [], 7, now)
    assert "upstream" in retrain_reason(resolved, model, tiny_config, prepared, ["other"], 7, now)
    nodes = model.state["category_nodes"]
    model.state["category_nodes"] = nodes[:-1]  # the tree grew by a node since: no reason
    assert retrain_reason(resolved, model, tiny_config, prepared, [], 7, now) is None
    model.state["category_nodes"] = np.concatenate([nodes, [99]])  # a node the model knew is gone
    assert "category taxonomy" in retrain_reason(resolved, model, tiny_config, prepared, [], 7, now)
    model.state["category_nodes"] = nodes
    model.state["material_nodes"] = model.state["material_nodes"][:-1]  # the packaged taxonomy changed
    assert "material taxonomy" in retrain_reason(resolved, model, tiny_config, prepared, [], 7, now)
    model.state["material_nodes"] = taxonomy_state(prepared)["material_nodes"]
    assert "predates" in retrain_reason({k: v for k, v in resolved.items() if k != "trained_at"}, model, tiny_config, prepared, [], 7, now)


def test_calibration_is_the_stored_models(prepared):
    raw = {"materials": np.zeros((2, 3)), "ratings": np.zeros((2, 5))}
    stored = Predictions(available=np.ones(2, bool), temperature=2.0, material_threshold=0.3, rating_prior_weight=0.5)
    prior = np.array([0.0, 0.0, 0.0, 0.0, 1.0])
    p = calibrated_like(raw, np.ones(2, bool), stored, prior)
    assert (p.temperature, p.material_threshold, p.rating_prior_weight) == (2.0, 0.3, 0.5)
    assert np.allclose(p.ratings[0], [0.1, 0.1, 0.1, 0.1, 0.6])
    with pytest.raises(ValueError, match="rating prior"):
        calibrated_like(raw, np.ones(2, bool), stored, None)


def test_a_remote_artifact_scores_a_batch_on_another_machine(tiny_tables, tiny_config, tiny_text_backbone, tmp_path):
    """Artifacts under a remote root (fsspec's memory filesystem here): a second machine, with its own empty cache,
    downloads the trained artifact whole and scores the batch with it."""
    root = f"memory://emma-test-{tmp_path.name}/models"
    first, full = prepare(_tables(tiny_tables, drop=NEW)), prepare(tiny_tables)

    def build(prepared, snapshot, previous, cache):
        train = lambda work: train_text_model(prepared, tiny_config, work, backbone=tiny_text_backbone())  # noqa: E731
        score = lambda folder, state, rows: score_text_model(folder, prepared, rows, tiny_config, state, backbone=tiny_text_backbone())  # noqa: E731
        return train_or_reuse("text", train, prepared, tiny_config, {"objects": snapshot}, root, cache,
                              extension=Extension(previous, lambda: text_keys(prepared), score, 7.0))  # fmt: skip

    one = build(first, 1, None, tmp_path / "machine_a")
    two = build(full, 2, one.uri, tmp_path / "machine_b")
    assert (one.how, two.how, two.model.info["scored_objects"]) == ("trained", "extended", 3)
    downloaded = list((tmp_path / "machine_b").rglob("*.ckpt"))
    assert downloaded and not list((tmp_path / "machine_b").rglob("*.partial"))
    assert artifacts.load(two.uri)[1] == full.asins
    fsspec.filesystem("memory").rm(f"emma-test-{tmp_path.name}", recursive=True)


def _edited(tables: ModelTables, table: str, column: str, value) -> ModelTables:
    frame = getattr(tables, table)
    edited = frame.with_columns(pl.when(pl.col("asin") == "A006").then(pl.lit(value, dtype=frame.schema[column]))
                                .otherwise(pl.col(column)).alias(column))  # fmt: skip
    return replace(tables, **{table: edited})


@pytest.mark.parametrize("table, column, value", [
    ("objects", "price_usd", 7.5), ("objects", "mass_kg", 2.0), ("objects", "package_weight_kg", 3.0),
    ("objects", "dimensions_cm", [9.0, 8.0, 7.0]), ("objects", "rating_hist", [5, 0, 0, 0, 0]),
    ("object_categories", "product_type_id", 2),  # (review counts are the rating histogram's sum)
    ("object_categories", "category_ids", [2, 3]), ("object_materials", "material_ids", [1]),
])  # fmt: skip
def test_every_fusion_input_is_in_the_objects_key(tiny_tables, table, column, value):
    """An object whose attribute changed (any the fusion networks read) gets a new key, so it is scored again."""
    before = prepare(tiny_tables)
    after = prepare(_edited(tiny_tables, table, column, value))
    text, vision = _fake_encoder(before, "text", 4, 0), _fake_encoder(before, "vision", 6, 1)
    changed = np.flatnonzero(fusion_input_keys(before, text, vision) != fusion_input_keys(after, text, vision))
    assert [before.asins[r] for r in changed] == ["A006"]


def test_the_fusion_key_follows_the_upstream_embeddings(prepared):
    text, vision = _fake_encoder(prepared, "text", 4, 0), _fake_encoder(prepared, "vision", 6, 1)
    moved = TrainedModel("text", "text", None, text.predictions, text.embedding.copy())
    moved.embedding[3] += 1.0
    changed = np.flatnonzero(fusion_input_keys(prepared, text, vision) != fusion_input_keys(prepared, moved, vision))
    assert changed.tolist() == [3]
