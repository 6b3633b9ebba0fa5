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
