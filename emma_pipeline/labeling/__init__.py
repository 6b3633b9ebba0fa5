"""Smart Labeling (paper section 5): a label store, features, full-text search, active learning and the web tool
that adds a binary property to every object."""
