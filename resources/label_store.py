"""The Smart Labeling label store (a SQLite file beside the lake) as a resource."""

from __future__ import annotations

from dagster import ConfigurableResource

from emma_pipeline.labeling.store import LabelStore


class LabelStoreResource(ConfigurableResource):
    path: str

    def store(self) -> LabelStore:
        return LabelStore(self.path)
