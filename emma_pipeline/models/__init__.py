"""Generation-1 multi-task models (paper section 4): text, vision and fusion networks with the paper's losses and
metrics. Losses (``losses``) and metrics (``metrics``) are pure functions; ``training`` runs Lightning."""
