"""A tiny generated sample in a throwaway EMMA_HOME, shared by the Dagster-level tests of this folder."""

import pytest

from emma_pipeline.sample import generate_sample
from emma_pipeline.settings import load_settings

BATCH = "batch-0001"


@pytest.fixture(scope="package")
def sample_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("emma_home")
    summary = generate_sample(home, n_listings=300, seed=7, batch=BATCH, progress=False)
    (home / "landing" / BATCH / "_SUCCESS").touch()
    return home, summary


@pytest.fixture
def settings(sample_home, monkeypatch):
    home, _ = sample_home
    monkeypatch.setenv("EMMA_HOME", str(home))
    for var in ("EMMA_LANDING", "EMMA_LAKE_CATALOG", "EMMA_LAKE_DATA", "EMMA_MODELS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("EMMA_MODEL_PROFILE", "tiny")  # tiny random encoders: the graph test covers wiring, not accuracy
    return load_settings()
