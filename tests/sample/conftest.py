"""Shared generated samples: each is written once per test session (generation is the slow part)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from emma_pipeline.sample import generate_sample


class Sample:
    def __init__(self, root: Path, summary: dict) -> None:
        self.root, self.summary = root, summary
        self.landing = root / "landing" / summary["batch"]
        self.truth = pl.read_parquet(root / "ground_truth" / f"{summary['batch']}.parquet")


@pytest.fixture(scope="session")
def with_images(tmp_path_factory) -> Sample:
    """300 listings with rendered images."""
    root = tmp_path_factory.mktemp("with_images")
    return Sample(root, generate_sample(root, n_listings=300, seed=7, progress=False))


@pytest.fixture(scope="session")
def coverage_sample(tmp_path_factory) -> Sample:
    """2,000 listings without images: enough to measure coverage and defect rates."""
    root = tmp_path_factory.mktemp("coverage")
    return Sample(root, generate_sample(root, n_listings=2000, seed=11, images=False, progress=False))
