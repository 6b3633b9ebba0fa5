"""Where assets write files beside the lake tables: figures, persisted indexes, fitted object-embedding models."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource


class OutputFolders(ConfigurableResource):
    """``reports``: figures (PNG); ``indexes``: persisted ANN indexes (``dedup/``, ``search/``);
    ``object_models``: one fitted object-embedding model per version. Set once in ``build_resources``."""

    reports: str
    indexes: str
    object_models: str

    @property
    def reports_dir(self) -> Path:
        return Path(self.reports)

    @property
    def index_dir(self) -> Path:
        return Path(self.indexes)

    @property
    def object_models_dir(self) -> Path:
        return Path(self.object_models)
