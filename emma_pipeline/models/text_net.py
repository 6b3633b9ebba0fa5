"""Text model: the sentence encoder (MiniLM by default) with mean pooling, fine-tuned end to end, plus decoders."""

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


class TextNet(nn.Module):
    """``trainable_layers``: how many top transformer blocks are fine-tuned (-1: all, embeddings included); the
    rest stay frozen for the whole run, which on CPU saves their backward pass."""

    def __init__(self, backbone: nn.Module, heads: nn.Module, trainable_layers: int = -1) -> None:
        super().__init__()
        self.backbone, self.heads = backbone, heads
        layers = encoder_layers(backbone)
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

    def embed(self, batch: dict) -> torch.Tensor:
        mask = batch["attention_mask"]
        hidden = self.backbone(input_ids=batch["input_ids"], attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)

    def forward(self, batch: dict) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        embedding = self.embed(batch)
        return self.heads(embedding), {"embedding": embedding}
