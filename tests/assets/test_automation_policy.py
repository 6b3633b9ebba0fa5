"""Every stage's integrity check is blocking, and the automation policy is set once, in definitions.py."""

import re
from pathlib import Path

from dagster import AssetCheckKey, AssetKey

ROOT = Path(__file__).resolve().parents[2]
INTEGRITY_CHECKS = [
    *(f"{s}_listings:rows_accounted_for" for s in ("ucsd", "image2mass", "aspa")),
    "quarantine:rows_accounted_for", "joined_listings:asins_accounted_for", "image_fetches:urls_accounted_for",
    "text_embeddings:covers_joined_listings", "image_embeddings:covers_joined_listings", "objects:rows_accounted_for",
    "material_taxonomy:well_formed_182_nodes", "object_materials:material_ids_in_taxonomy",
    "object_categories:ids_known_and_covers_objects", "splits:covers_objects", "object_embeddings:covers_objects", "product_neighbors:asins_are_objects",
    "dataset:materials_taxonomy_consistent",
]  # fmt: skip


def _graph(monkeypatch, tmp_path):
    monkeypatch.setenv("EMMA_HOME", str(tmp_path))
    from emma_pipeline.definitions import build_definitions

    return build_definitions().get_repository_def().asset_graph


def test_every_integrity_check_exists_and_is_blocking(monkeypatch, tmp_path):
    graph = _graph(monkeypatch, tmp_path)
    for name in INTEGRITY_CHECKS:
        asset, check = name.split(":")
        key = AssetCheckKey(AssetKey(asset), check)
        assert key in graph.asset_check_keys, name
        assert graph.get(key).blocking, f"{name} is not blocking"


def test_one_automation_policy_for_every_automated_asset(monkeypatch, tmp_path):
    from emma_pipeline.definitions import AUTOMATION

    graph = _graph(monkeypatch, tmp_path)
    automated = {k for k in graph.get_all_asset_keys() if graph.get(k).automation_condition is not None}
    assert {"joined_listings", "objects", "splits", "text_model"} <= {k.to_user_string() for k in automated}
    assert all(graph.get(k).automation_condition == AUTOMATION for k in automated)
    assert not {AssetKey("ucsd_listings"), AssetKey("material_taxonomy")} & automated  # driven by batches / a file


def test_no_asset_module_sets_its_own_automation_condition():
    setting = re.compile(r"automation_condition\s*[=:]|AutomationCondition\.")
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "assets").rglob("*.py") if setting.search(p.read_text())]
    assert offenders == []
