"""The block-balanced reconstruction loss weighs each block equally, whatever its width; the contrastive term
pairs each object with its own view."""

import pytest
import torch

from emma_pipeline.object_embedding.autoencoder import reconstruction_loss


def test_balanced_weights_make_a_narrow_block_count_as_much_as_a_wide_one():
    values = torch.zeros(1, 5)
    recon = torch.tensor([[1.0, 0.0, 0.0, 0.0, 0.0]])  # error only in the 1-wide block; the 4-wide block is exact
    mask = torch.ones(1, 5)
    assert reconstruction_loss(recon, values, mask).item() == pytest.approx(0.2)
    weight = torch.tensor([1.0, 0.25, 0.25, 0.25, 0.25])
    assert reconstruction_loss(recon, values, mask, weight).item() == 0.5


def test_absent_entries_never_count():
    values, recon = torch.zeros(2, 2), torch.tensor([[9.0, 9.0], [1.0, 0.0]])
    mask = torch.tensor([[0.0, 0.0], [1.0, 1.0]])
    assert reconstruction_loss(recon, values, mask).item() == 0.5


def test_contrastive_loss_is_low_when_each_row_is_paired_with_its_own_view():
    from emma_pipeline.object_embedding.autoencoder import contrastive_loss

    torch.manual_seed(0)
    hidden = torch.randn(32, 16)
    own_view = hidden + 0.05 * torch.randn(32, 16)
    strangers = own_view[torch.randperm(32)]
    assert contrastive_loss(hidden, own_view, 0.1) < 0.1 < contrastive_loss(hidden, strangers, 0.1)
