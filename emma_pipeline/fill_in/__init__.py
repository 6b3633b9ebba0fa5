"""Generation-k fill-in: original values kept, missing ones filled by the fusion models with provenance."""
