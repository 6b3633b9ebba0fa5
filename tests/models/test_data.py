"""Whole-batch fetching gives exactly the batches per-row fetching and default collation gave."""

import numpy as np
import torch
from torch.utils.data import default_collate

from emma_pipeline.models.data import ArrayDataset, MultiTaskData


def _arrays(n: int = 10) -> dict:
    rng = np.random.default_rng(0)
    return {"hidden": rng.normal(size=(n, 3, 4)).astype(np.float16), "ids": np.arange(n, dtype=np.int64),
            "t_price": rng.normal(size=n), "present": rng.random(n) > 0.5, "as_list": list(range(n))}  # fmt: skip


def test_batch_fetch_equals_per_row_fetch_and_collate():
    def loader(row: int) -> dict:
        return {"images": np.full((2, 3), row, dtype=np.float32), "image_mask": np.array([1.0, row % 2], dtype=np.float32)}

    data = ArrayDataset(_arrays(), np.array([7, 2, 5, 0, 9]), loader)
    fast = data.__getitems__([4, 1, 3])
    slow = default_collate([data[i] for i in (4, 1, 3)])
    assert fast.keys() == slow.keys()
    for key in fast:
        assert fast[key].dtype == slow[key].dtype and torch.equal(fast[key], slow[key]), key
    assert fast["hidden"].dtype == torch.float32 and fast["t_price"].dtype == torch.float32
    assert fast["ids"].tolist() == [9, 2, 0]


def test_loaders_yield_every_row_once_in_the_seeded_order():
    arrays = _arrays(10)
    data = MultiTaskData(arrays, np.arange(7), np.arange(7, 10), batch_size=3, seed=1)
    seen = torch.cat([b["ids"] for b in data.train_dataloader()]).tolist()
    assert len(seen) == 6 and len(set(seen)) == 6 and set(seen) <= set(range(7))  # drop_last: 7 rows, batches of 3
    assert seen == torch.cat([b["ids"] for b in data.train_dataloader()]).tolist()  # the same seed, the same order

    class PerRow(torch.utils.data.Dataset):  # the per-row fetching the loaders did before
        def __init__(self, inner):
            self.inner = inner

        def __len__(self):
            return len(self.inner)

        def __getitem__(self, i):
            return self.inner[i]

    before = torch.utils.data.DataLoader(PerRow(ArrayDataset(arrays, np.arange(7))), batch_size=3, shuffle=True,
                                         generator=torch.Generator().manual_seed(1), drop_last=True)  # fmt: skip
    assert seen == torch.cat([b["ids"] for b in before]).tolist()  # batching changed nothing of the order
    assert torch.cat([b["ids"] for b in data.val_dataloader()]).tolist() == [7, 8, 9]
