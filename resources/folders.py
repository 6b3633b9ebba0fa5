"""Where assets write files beside the lake tables: figures, persisted indexes, fitted object-embedding models."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource

from emma_pipeline.warehouse.storage import storage_path


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
        """A ``Path``, or a ``UPath`` for an fsspec URL (``s3://...``)."""
        return storage_path(self.indexes)

    @property
    def object_models_dir(self) -> Path:
        return storage_path(self.object_models)
