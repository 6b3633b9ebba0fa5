"""The embedded sample marketplace: a seeded generator of raw UCSD, ASPA and image2mass dumps with images and
a hidden ground-truth table, the default dataset of the pipeline (no downloads needed)."""

from .generator import generate_sample

__all__ = ["generate_sample"]
