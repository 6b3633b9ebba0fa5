"""Text model: the sentence encoder (MiniLM by default) with mean pooling, fine-tuned end to end, plus decoders.

With ``trainable_layers`` >= 0 the embeddings and the bottom transformer blocks stay frozen for the whole run: a
*trunk*. For BERT-like encoders its outputs can be computed once and cached (``trunk_features``), so each epoch
runs only the fine-tuned top blocks, as the vision model does with its frozen image trunk."""

from __future__ import annotations

import torch
from torch import nn

from emma_pipeline.encoders.torch_imports import ensure_torchvision_importable


TINY_BERT = "tiny-random-bert"


def load_text_backbone(spec: str) -> tuple[nn.Module, object]:
    """(transformers AutoModel, its tokenizer) from a packaged name or a local directory, offline.
    ``tiny-random-bert``: a 2-layer 16-wide randomly initialised BERT with MiniLM's tokenizer (tests, smoke runs)."""
    ensure_torchvision_importable()
    from transformers import AutoModel, AutoTokenizer, BertConfig, BertModel

    from emma_pipeline.encoders.text_encoder import resolve_text_model

    location = resolve_text_model("all-MiniLM-L6-v2" if spec == TINY_BERT else spec)
    if spec == TINY_BERT:
        tokenizer = AutoTokenizer.from_pretrained(str(location), local_files_only=True)
        config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                            intermediate_size=32, max_position_embeddings=128)  # fmt: skip
        return BertModel(config), tokenizer
    return AutoModel.from_pretrained(str(location), local_files_only=True), AutoTokenizer.from_pretrained(str(location), local_files_only=True)


def encoder_layers(backbone: nn.Module) -> list[nn.Module]:
    """The transformer blocks of a BERT-like (``encoder.layer``) or MPNet-like backbone, bottom first."""
    encoder = getattr(backbone, "encoder", None)
    layers = getattr(encoder, "layer", None)
    if layers is None:
        raise TypeError(f"{type(backbone).__name__}: no encoder.layer blocks to fine-tune selectively")
    return list(layers)


def _bidirectional_mask(backbone: nn.Module, hidden: torch.Tensor, attention_mask: torch.Tensor):
    """The attention mask the backbone's layers expect for (B, L) padding masks, built the way BertModel does."""
    from transformers.masking_utils import create_bidirectional_mask

    return create_bidirectional_mask(config=backbone.config, inputs_embeds=hidden, attention_mask=attention_mask)


class TextNet(nn.Module):
    """``trainable_layers``: how many top transformer blocks are fine-tuned (-1: all, embeddings included); the
    rest stay frozen for the whole run (in eval mode: no dropout), which on CPU saves their backward pass, and for
    BERT-like backbones (``cacheable``) their forward pass too once the data module feeds ``trunk_features``."""

    def __init__(self, backbone: nn.Module, heads: nn.Module, trainable_layers: int = -1) -> None:
        super().__init__()
        self.backbone, self.heads = backbone, heads
        layers = encoder_layers(backbone)
        self.frozen_trunk = trainable_layers >= 0
        self.split = max(len(layers) - trainable_layers, 0) if self.frozen_trunk else 0
        # the cache path calls embeddings and blocks directly, which is only verified for BERT's layer signature
        self.cacheable = self.frozen_trunk and getattr(backbone.config, "model_type", "") == "bert"
        self.inputs_are_trunk_features = False  # set when the data module feeds cached trunk outputs (``hidden``)
        self.fine_tuned = list(backbone.parameters()) if trainable_layers < 0 else [
            p for layer in layers[len(layers) - trainable_layers:] for p in layer.parameters()
        ]  # fmt: skip
        keep = {id(p) for p in self.fine_tuned}
        for p in backbone.parameters():
            p.requires_grad_(id(p) in keep)

    @property
    def dim(self) -> int:
        return int(self.backbone.config.hidden_size)

    def encoder_parameters(self) -> list[nn.Parameter]:
        return self.fine_tuned

    def _trunk_modules(self) -> list[nn.Module]:
        return [self.backbone.embeddings, *encoder_layers(self.backbone)[: self.split]] if self.frozen_trunk else []

    def train(self, mode: bool = True) -> TextNet:
        super().train(mode)
        for module in self._trunk_modules():
            module.eval()  # frozen for the whole run: deterministic features, the same as a cached trunk's
        return self

    def trunk_features(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """(B, L, H) hidden states after the frozen embeddings and bottom blocks (``cacheable`` backbones only)."""
        if not self.cacheable:
            raise TypeError(f"{type(self.backbone).__name__}: the frozen trunk of this backbone cannot be cached")
        with torch.no_grad():
            hidden = self.backbone.embeddings(input_ids=input_ids)
            mask = _bidirectional_mask(self.backbone, hidden, attention_mask)
            for layer in encoder_layers(self.backbone)[: self.split]:
                hidden = layer(hidden, mask)
        return hidden

    def _top(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        mask = _bidirectional_mask(self.backbone, hidden, attention_mask)
        for layer in encoder_layers(self.backbone)[self.split :]:
            hidden = layer(hidden, mask)
        return hidden

    def embed(self, batch: dict) -> torch.Tensor:
        mask = batch["attention_mask"]
        if self.inputs_are_trunk_features:
            hidden = self._top(batch["hidden"], mask)
        else:
            hidden = self.backbone(input_ids=batch["input_ids"], attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)

    def forward(self, batch: dict) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        embedding = self.embed(batch)
        return self.heads(embedding), {"embedding": embedding}
