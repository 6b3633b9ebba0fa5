"""Generation-1 multi-task models (paper section 4): text, vision and fusion networks with the paper's losses and
metrics. Losses (``losses``) and metrics (``metrics``) are pure functions; ``training`` runs Lightning.

Lightning imports torchmetrics, which imports torchvision: the stand-in for torchvision's missing compiled ops
must be in place before any submodule here imports lightning, timm or transformers."""

from emma_pipeline.encoders.torch_imports import ensure_torchvision_importable

ensure_torchvision_importable()
