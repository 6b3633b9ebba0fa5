"""The vision model on a tiny random timm backbone: summed image features, masked listings without an image."""

import numpy as np
import torch

from emma_pipeline.models.heads import TaskHeads
from emma_pipeline.models.vision_model import train_vision_model
from emma_pipeline.models.vision_net import VisionNet, load_vision_backbone


def test_listing_embedding_is_the_sum_of_its_images():
    net = VisionNet(load_vision_backbone("test_efficientnet"), TaskHeads(256, ("mass",), 3, 2), trainable_blocks=-1).eval()
    images = torch.randn(2, 3, 3, 32, 32)
    mask = torch.tensor([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    with torch.no_grad():
        summed = net.embed({"images": images, "image_mask": mask})
        one = net.embed({"images": images[:, :1], "image_mask": mask[:, :1]})
        two = net.embed({"images": images[:, 1:2], "image_mask": mask[:, 1:2]})
    assert torch.allclose(summed[0], one[0] + two[0], atol=1e-5)
    assert torch.all(summed[1] == 0)  # no image: no features (and the data module masks the row)


def test_vision_model_trains_with_a_cached_frozen_trunk(prepared, tiny_config, tmp_path):
    model = train_vision_model(prepared, tiny_config, tmp_path, backbone=load_vision_backbone("test_efficientnet"))
    no_image = prepared.asins.index("A005")
    assert not model.predictions.available[no_image] and model.predictions.available.sum() == len(prepared.asins) - 1
    assert model.info["listings_without_readable_image"] == 1
    assert np.isfinite(model.predictions.mass).all()
    assert "first_image_only" in model.variants
    assert {"mnre_mass", "f1_materials", "top5_category"} <= set(model.metrics["test"])


def test_trunk_features_are_kept_on_disk_and_invalidated_by_changed_images(prepared, tmp_path, monkeypatch):
    """A second model on the same images and trunk (the next generation) reads the cached features instead of
    decoding and running the trunk again; a changed image file, or other trunk weights, computes afresh."""
    import os

    from emma_pipeline.models import inputs

    torch.manual_seed(0)
    net = VisionNet(load_vision_backbone("test_efficientnet"), None, trainable_blocks=1)
    lists = [paths or [] for paths in prepared.objects["image_urls"].to_list()]
    first = inputs.cached_trunk_features(net, lists, 32, 2, cache_dir=tmp_path)
    entries = [p.name for p in tmp_path.glob("*.npz")]
    assert len(entries) == 1

    def no_decoding(*args, **kwargs):
        raise AssertionError("images decoded again despite a cached copy")

    monkeypatch.setattr(inputs, "listing_pixels", no_decoding)
    again = inputs.cached_trunk_features(net, lists, 32, 2, cache_dir=tmp_path)
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1]) and first[2] == again[2]
    monkeypatch.undo()

    touched = next(p for paths in lists for p in paths if os.path.exists(p))
    stat = os.stat(touched)
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    other = VisionNet(load_vision_backbone("test_efficientnet"), None, trainable_blocks=1)  # other random weights
    for trunk in (net, other):
        inputs.cached_trunk_features(trunk, lists, 32, 2, cache_dir=tmp_path)
        now = [p.name for p in tmp_path.glob("*.npz")]
        assert len(now) == 1 and now[0] not in entries  # computed afresh under a new key; the stale entry is gone
        entries.append(now[0])
