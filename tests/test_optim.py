"""The fused AdamW gives the default implementation's updates (to float rounding)."""

import torch

from emma_pipeline.optim import adamw


def test_fused_adamw_matches_the_default_updates():
    torch.manual_seed(0)
    nets = [torch.nn.Linear(8, 3) for _ in range(2)]
    nets[1].load_state_dict(nets[0].state_dict())
    optimizers = [adamw(nets[0].parameters(), lr=0.01, weight_decay=0.1),
                  torch.optim.AdamW(nets[1].parameters(), lr=0.01, weight_decay=0.1)]
    assert optimizers[0].defaults.get("fused") or optimizers[0].defaults.get("foreach")
    x = torch.randn(16, 8)
    for _ in range(5):
        for net, opt in zip(nets, optimizers):
            opt.zero_grad()
            net(x).pow(2).mean().backward()
            opt.step()
    for a, b in zip(nets[0].parameters(), nets[1].parameters()):
        assert torch.allclose(a, b, atol=1e-6)
        assert not torch.equal(a, torch.zeros_like(a))


def test_a_generator_of_parameters_is_not_lost():
    net = torch.nn.Linear(4, 2)
    opt = adamw(p for p in net.parameters())
    assert sum(len(g["params"]) for g in opt.param_groups) == 2
