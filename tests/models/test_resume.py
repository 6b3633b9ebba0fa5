"""An interrupted training resumes from its last checkpoint instead of starting over; a finished artifact is reused."""

import lightning as L
import numpy as np
import pytest

from emma_pipeline.models import artifacts
from emma_pipeline.models.pipeline import predictions_table, train_or_reuse
from emma_pipeline.models.text_model import train_text_model


class Kill(L.Callback):
    """Dies at the start of the second epoch, after the first epoch's checkpoint was written."""

    def on_train_epoch_start(self, trainer, pl_module):
        if trainer.current_epoch == 1:
            raise SystemExit("killed")


class StartEpoch(L.Callback):
    def __init__(self):
        self.epochs = []

    def on_train_epoch_start(self, trainer, pl_module):
        self.epochs.append(trainer.current_epoch)


def test_training_resumes_from_the_last_checkpoint(prepared, tiny_config, tiny_text_backbone, tmp_path):
    with pytest.raises(SystemExit):
        train_text_model(prepared, tiny_config, tmp_path, backbone=tiny_text_backbone(), callbacks=(Kill(),))
    assert (tmp_path / "checkpoints" / "last.ckpt").exists()
    seen = StartEpoch()
    model = train_text_model(prepared, tiny_config, tmp_path, backbone=tiny_text_backbone(), callbacks=(seen,))
    assert seen.epochs == [1]  # epoch 0 was not trained again
    assert np.isfinite(model.predictions.mass).all()


def test_a_finished_artifact_is_reused_and_round_trips(prepared, tiny_config, tiny_text_backbone, tmp_path):
    calls = []

    def train(work):
        calls.append(work)
        return train_text_model(prepared, tiny_config, work, backbone=tiny_text_backbone())

    snapshots = {"objects": 3}
    one = train_or_reuse("text", train, prepared, tiny_config, snapshots, str(tmp_path), tmp_path / "cache")
    two = train_or_reuse("text", train, prepared, tiny_config, snapshots, str(tmp_path), tmp_path / "cache")
    (first, uri, reused), (again, uri2, reused2) = (one.model, one.uri, one.reused), (two.model, two.uri, two.reused)
    assert (reused, reused2, uri2, len(calls), one.how, two.how) == (False, True, uri, 1, "trained", "reused")
    assert np.allclose(first.predictions.material_probs(), again.predictions.material_probs())
    assert first.predictions.temperature == again.predictions.temperature
    three = train_or_reuse("text", train, prepared, tiny_config, {"objects": 4}, str(tmp_path), tmp_path / "cache")
    assert not three.reused and len(calls) == 2  # a new input snapshot is a new version
    table = predictions_table(again, artifacts.load(uri)[1], prepared)
    assert table.height == len(prepared.asins) and table["material_probs"].list.len().unique().to_list() == [182]
    assert table["category_ids"].null_count() == 0
