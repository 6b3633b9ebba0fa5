"""``emma label``: open the label store beside the lake, load the objects' features, start the web tool."""

from __future__ import annotations

import os
from pathlib import Path

from emma_pipeline.labeling.features import FeatureSet, load_feature_set
from emma_pipeline.labeling.store import LabelStore
from emma_pipeline.settings import Settings
from emma_pipeline.warehouse.lake import Lake


def label_store_path(settings: Settings) -> Path:
    """``EMMA_LABEL_STORE`` or ``<EMMA_HOME>/labels/labels.sqlite`` (a local file: SQLite needs a real disk)."""
    return Path(os.environ.get("EMMA_LABEL_STORE") or settings.home / "labels" / "labels.sqlite")


def lake_features(settings: Settings) -> FeatureSet:
    lake = Lake(settings.lake_config())
    tables = set(lake.tables()) if Path(settings.lake_catalog).exists() or settings.lake_catalog.startswith("postgres:") else set()
    return load_feature_set(lake.read, lambda name: name in tables)


def serve(settings: Settings, host: str, port: int, token: str | None, echo=print) -> None:
    from emma_pipeline.labeling.web.app import LabelServer
    from emma_pipeline.labeling.workbench import Workbench

    features = lake_features(settings)
    store = LabelStore(label_store_path(settings))
    echo(f"{len(features.object_ids):,} objects ({features.source}); label store {store.path}")
    server = LabelServer(Workbench(store, features), host=host, port=port, token=token)
    echo(f"Smart Labeling at {server.url}  (Ctrl+C stops)")
    server.run()
