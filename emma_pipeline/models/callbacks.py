"""Fine-tuning schedule: the encoder stays frozen for the first ``freeze_epochs`` epochs, then trains."""

from __future__ import annotations

import lightning as L


class FreezeEncoder(L.Callback):
    def __init__(self, freeze_epochs: int = 1) -> None:
        self.freeze_epochs = freeze_epochs

    def on_train_epoch_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        frozen = trainer.current_epoch < self.freeze_epochs
        for p in getattr(pl_module.net, "encoder_parameters", lambda: [])():
            p.requires_grad_(not frozen)
        pl_module.encoder_frozen = frozen
