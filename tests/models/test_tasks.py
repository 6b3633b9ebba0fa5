"""Task configurations: any attribute as input or output, never both; the named configs are the paper's models."""

import pytest

from emma_pipeline.models.config import profile
from emma_pipeline.models.tasks import TASKS, TaskConfig, named


def test_paper_models():
    assert named("text")[0].outputs == TASKS and named("vision")[0].inputs == ("image",)
    everything = named("everything")
    assert [c.outputs for c in everything] == [(t,) for t in TASKS]
    assert all(c.outputs[0] not in c.inputs and "text" in c.inputs and "image" in c.inputs for c in everything)
    assert named("mass_price_from_images")[0].outputs == ("price", "mass")


def test_invalid_configs_fail_with_a_reason():
    with pytest.raises(ValueError, match="both input and output"):
        TaskConfig("leak", "fusion", ("mass",), ("text", "mass"))
    with pytest.raises(ValueError, match="text models read only"):
        TaskConfig("bad", "text", ("mass",), ("image",))
    with pytest.raises(KeyError, match="known"):
        named("nope")


def test_compute_is_configuration_and_versions_follow_it():
    gpu = profile("gpu", devices=8)
    assert (gpu.strategy, gpu.devices, gpu.precision) == ("ddp", 8, "16-mixed")
    cpu = profile("cpu")
    assert cpu.fingerprint({"objects": 1}) == profile("cpu").fingerprint({"objects": 1})
    assert cpu.fingerprint({"objects": 1}) != cpu.with_(seed=1).fingerprint({"objects": 1})
    assert cpu.task_weights == {"price": 5.0, "mass": 5.0, "materials": 140.0, "category": 1.0, "ratings": 1.0}
