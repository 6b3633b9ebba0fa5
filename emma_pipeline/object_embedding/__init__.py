"""The object embedding: a bottleneck autoencoder over everything known about an object (paper appendix)."""

from emma_pipeline.object_embedding.autoencoder import AutoencoderConfig
from emma_pipeline.object_embedding.features import FeatureBlocks, object_blocks
from emma_pipeline.object_embedding.probes import PAPER, recovery_report
from emma_pipeline.object_embedding.train import FittedEmbedding, fit_embedding

__all__ = ["PAPER", "AutoencoderConfig", "FeatureBlocks", "FittedEmbedding", "fit_embedding", "object_blocks",
           "recovery_report"]
