"""The paper's losses on hand-computed cases, including every masking rule."""

import math

import numpy as np
import polars as pl
import pytest
import torch

from emma_pipeline.models.hierarchy import CategoryHierarchy
from emma_pipeline.models.losses import alde_loss, category_loss, combine, conditional_log_probs, material_loss, rating_loss
from emma_pipeline.models.targets import MaterialIndex, material_targets

# material taxonomy: 0 plastic > 1 thermoplastic > 2 acrylic; 3 metal > 4 steel
TAXONOMY = pl.DataFrame({"id": [10, 11, 12, 13, 14], "parent_id": [None, 10, 11, None, 13]})
# category tree: 0 Home > 1 Kitchen, 2 Bath; 3 Auto > 4 Parts; 1 Kitchen > 5 Pans
TREE = pl.DataFrame({"id": [0, 1, 2, 3, 4, 5], "parent_id": [None, 0, 0, None, 3, 1], "depth": [0, 1, 1, 0, 1, 2]})


def test_alde_is_mean_absolute_log_difference_over_known_targets():
    log_pred = torch.tensor([math.log(2.0), math.log(1.0), 5.0])
    target = torch.tensor([1.0, 4.0, float("nan")])
    assert alde_loss(log_pred, target).item() == pytest.approx((math.log(2) + math.log(4)) / 2)


def test_missing_targets_contribute_nothing_but_keep_the_graph():
    log_pred = torch.zeros(2, requires_grad=True)
    loss = alde_loss(log_pred, torch.tensor([float("nan"), float("nan")]))
    assert loss.item() == 0.0
    loss.backward()
    assert log_pred.grad is not None and log_pred.grad.abs().sum() == 0


def test_material_targets_label_at_internal_node_masks_its_descendants():
    index = MaterialIndex.from_taxonomy(TAXONOMY)
    target, mask = material_targets([[10], [12], None], index)
    # labeled "plastic": plastic positive, thermoplastic/acrylic excluded, metal branch negative
    assert target[0].tolist() == [1, 0, 0, 0, 0] and mask[0].tolist() == [1, 0, 0, 1, 1]
    # labeled "acrylic": its ancestors are positive too, nothing masked
    assert target[1].tolist() == [1, 1, 1, 0, 0] and mask[1].tolist() == [1, 1, 1, 1, 1]
    assert mask[2].sum() == 0


def test_material_loss_ignores_descendants_of_an_internal_label():
    index = MaterialIndex.from_taxonomy(TAXONOMY)
    target, mask = material_targets([[10]], index)
    base = torch.tensor([[3.0, 0.0, 0.0, -3.0, -3.0]])
    specific = base.clone()
    specific[0, 1:3] = torch.tensor([9.0, -9.0])  # confident about thermoplastic / acrylic either way
    t, m = torch.tensor(target), torch.tensor(mask)
    assert material_loss(base, t, m).item() == pytest.approx(material_loss(specific, t, m).item())
    expected = -math.log(1 / (1 + math.exp(-3.0)))  # three counted nodes, each BCE = softplus(-3)
    assert material_loss(base, t, m).item() == pytest.approx(expected, rel=1e-5)


def test_material_loss_averages_per_object_then_over_labeled_objects_only():
    logits = torch.zeros(3, 2)
    target = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 0.0]])
    mask = torch.tensor([[1.0, 1.0], [1.0, 0.0], [0.0, 0.0]])
    assert material_loss(logits, target, mask).item() == pytest.approx(math.log(2))


def test_category_softmax_runs_among_siblings_only():
    hierarchy = CategoryHierarchy.from_tree(TREE)
    logits = torch.tensor([[1.0, 2.0, 0.0, 1.0, 7.0, 3.0]])
    log_p = conditional_log_probs(logits, torch.tensor(hierarchy.group))
    p = log_p.exp()[0]
    assert p[0].item() == pytest.approx(0.5) and p[3].item() == pytest.approx(0.5)  # roots Home, Auto
    assert p[1].item() == pytest.approx(math.exp(2) / (math.exp(2) + 1))  # Kitchen among Home's children
    assert p[4].item() == pytest.approx(1.0) and p[5].item() == pytest.approx(1.0)  # only children


def test_category_loss_ignores_other_branches_and_weights_levels_toward_the_top():
    hierarchy = CategoryHierarchy.from_tree(TREE)
    group = torch.tensor(hierarchy.group)
    paths = torch.tensor(hierarchy.paths_to_indices([[0, 1, 5]]))
    logits = torch.zeros(1, 6)
    other_branch = logits.clone()
    other_branch[0, 4] = 50.0  # Auto > Parts: not a sibling of anything on the true path
    assert category_loss(logits, paths, group).item() == pytest.approx(category_loss(other_branch, paths, group).item())
    # levels: root ln2, Kitchen-vs-Bath ln2, Pans alone 0; weights 1, .5, .25
    assert category_loss(logits, paths, group, decay=0.5).item() == pytest.approx((math.log(2) * 1.5) / 1.75)


def test_category_loss_skips_objects_without_a_category():
    hierarchy = CategoryHierarchy.from_tree(TREE)
    group = torch.tensor(hierarchy.group)
    paths = torch.tensor(hierarchy.paths_to_indices([[3], None]))
    logits = torch.zeros(2, 6)
    logits[1, 0] = 10.0
    assert category_loss(logits, paths, group).item() == pytest.approx(math.log(2))


def test_rating_kl_is_weighted_by_log_review_count():
    target = torch.tensor([[0, 0, 0, 0, 1.0], [0.2] * 5, [float("nan")] * 5])
    logits = torch.zeros(3, 5)
    counts = torch.tensor([math.e - 1, 100.0, 7.0])
    kl_first, kl_second = math.log(5), 0.0
    w1, w2 = 1.0, math.log1p(100.0)
    assert rating_loss(logits, target, counts).item() == pytest.approx((w1 * kl_first + w2 * kl_second) / (w1 + w2), rel=1e-5)


def test_combine_is_the_weighted_average_with_paper_weights():
    losses = {"price": torch.tensor(1.0), "materials": torch.tensor(0.5)}
    assert combine(losses).item() == pytest.approx((5 * 1 + 140 * 0.5) / 145)
    assert np.isclose(combine({"ratings": torch.tensor(2.0)}).item(), 2.0)
