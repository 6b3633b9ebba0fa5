"""The rating head starts at the trivial baseline: untrained, it predicts the mean distribution whatever its input."""

import torch

from emma_pipeline.models.heads import TaskHeads


PRIOR = torch.log(torch.tensor([0.05, 0.1, 0.2, 0.3, 0.35]))


def test_an_untrained_rating_head_predicts_the_prior_for_every_input():
    heads = TaskHeads(16, ("ratings", "price"), n_materials=3, n_categories=2, hidden=8,
                      init_bias={"ratings": PRIOR, "price": torch.tensor([2.5])}).eval()  # fmt: skip
    out = heads(torch.randn(7, 16) * 3)
    assert torch.equal(out["ratings"], PRIOR.expand(7, 5))
    assert out["price"].std() > 0  # the other tasks keep Linear's random start (they learn faster from it)


def test_a_rating_head_started_at_the_prior_still_learns():
    heads = TaskHeads(4, ("ratings",), n_materials=3, n_categories=2, hidden=8, dropout=0.0, init_bias={"ratings": PRIOR})
    x = torch.randn(64, 4)
    target = torch.softmax(torch.stack([x[:, 0] * k for k in range(5)], dim=1), dim=1)  # depends on the input
    optimizer = torch.optim.Adam(heads.parameters(), lr=1e-2)
    kl = lambda: (target * (target.log() - torch.log_softmax(heads(x)["ratings"], dim=1))).sum(1).mean()  # noqa: E731
    start = kl().item()
    for _ in range(300):
        optimizer.zero_grad()
        loss = kl()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.2 * start
