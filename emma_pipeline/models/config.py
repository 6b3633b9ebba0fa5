"""Training and compute settings as one frozen config; named profiles for CPU tests, the sample, and GPUs."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

from emma_pipeline.models.losses import TASK_WEIGHTS


@dataclass(frozen=True)
class ModelConfig:
    seed: int = 0
    # compute (Lightning Trainer arguments; a GPU machine changes only these)
    accelerator: str = "cpu"
    devices: int | str = 1
    strategy: str = "auto"  # "ddp" for multi-GPU
    precision: str = "32-true"  # "16-mixed" / "bf16-mixed" on GPUs
    batch_size: int = 32
    num_workers: int = 0
    # optimization (paper: AdamW, clip 32, encoder frozen in epoch 1, warmup then decay)
    epochs: int = 3
    freeze_epochs: int = 1
    lr_encoder: float = 5e-5
    lr_head: float = 2e-3
    weight_decay: float = 0.01
    warmup_fraction: float = 0.1
    gradient_clip: float = 32.0
    # Stop when val/loss has not improved for this many epochs (0: never); the best epoch is kept either way. On
    # the sample the fusion models' materials, price and ratings losses bottom out by epoch 5 of 30 and only rise
    # after, while category and mass improve to the end: stopping leaves those two as they were.
    early_stopping_patience: int = 5
    task_weights: dict = field(default_factory=lambda: dict(TASK_WEIGHTS))
    category_level_decay: float = 0.5
    hidden: int = 256
    dropout: float = 0.1
    # text encoder
    text_model: str = "all-MiniLM-L6-v2"
    max_seq_len: int = 64
    text_trainable_layers: int = -1  # top transformer layers fine-tuned after the frozen epoch; -1 = all
    # the frozen text blocks' outputs are cached in memory (float32, objects x tokens x width) up to this size;
    # beyond it they run in every step (the 3,000-listing sample needs ~0.2 GB)
    trunk_cache_max_gb: float = 2.0
    # vision encoder
    image_model: str = "tf_efficientnet_lite0"
    image_size: int = 128
    max_images: int = 4
    vision_trainable_blocks: int = -1  # top timm blocks fine-tuned; -1 = all (no feature cache)
    # fusion
    fusion_epochs: int = 30
    kl_lambda: float = 0.1
    # the KL-to-uniform penalty counts only beyond the KL of weights (0.9, rest even), short of the 0.95 that counts
    # as collapse: balanced weights are left alone, collapse onto one modality is pushed back; 0 = the plain KL
    kl_free_max_weight: float = 0.9
    modality_dropout: float = 0.15  # training-time share of objects whose image input is masked out
    limit_batches: int | None = None  # fast_dev_run-like cap on batches per epoch (tests)

    def with_(self, **changes) -> ModelConfig:
        unknown = sorted(set(changes) - set(self.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown model config field(s) {unknown}; known: {sorted(self.__dataclass_fields__)}")
        return replace(self, **changes)

    def as_dict(self) -> dict:
        return asdict(self)

    def fingerprint(self, *extra: object) -> str:
        """A short stable hash of the config and ``extra`` (input snapshots): the artifact version."""
        payload = json.dumps([self.as_dict(), [str(e) for e in extra]], sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]


PROFILES: dict[str, ModelConfig] = {
    # the embedded sample on 2 CPU cores: short sequences, top layers only, cached frozen image trunk
    "cpu": ModelConfig(epochs=3, max_seq_len=48, text_trainable_layers=2, vision_trainable_blocks=1, batch_size=32),
    # tests: few batches, tiny sequences
    "tiny": ModelConfig(epochs=2, max_seq_len=16, text_model="tiny-random-bert", image_model="test_efficientnet", text_trainable_layers=1, vision_trainable_blocks=1, batch_size=8,
                        max_images=2, image_size=64, fusion_epochs=2, hidden=32, limit_batches=2),
    # the paper's scale on GPUs: everything fine-tuned, DDP, mixed precision
    "gpu": ModelConfig(accelerator="gpu", devices="auto", strategy="ddp", precision="16-mixed", batch_size=512,
                       epochs=10, max_seq_len=384, image_size=224, max_images=8, text_model="all-mpnet-base-v2",
                       num_workers=8),
}  # fmt: skip


def profile(name: str, **overrides) -> ModelConfig:
    try:
        return PROFILES[name].with_(**overrides)
    except KeyError:
        raise KeyError(f"unknown model profile {name!r}; known: {sorted(PROFILES)}") from None
