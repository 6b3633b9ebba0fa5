"""Row-indexed arrays as a LightningDataModule: model inputs (token ids, image tensors or cached trunk features,
fusion features) plus the task targets, with seeded shuffling. Images are decoded with PIL when a row is read."""

from __future__ import annotations

from collections.abc import Callable

import lightning as L
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from emma_pipeline.models.targets import Targets


def target_arrays(targets: Targets) -> dict[str, np.ndarray]:
    return {"t_price": targets.price, "t_mass": targets.mass, "t_materials": targets.materials,
            "t_materials_mask": targets.materials_mask, "t_category": targets.category, "t_ratings": targets.ratings,
            "t_review_count": targets.review_count}  # fmt: skip


def _as_float32(batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v.float() if v.dtype in (torch.float16, torch.float64) else v for k, v in batch.items()}


class ArrayDataset(Dataset):
    """Rows of ``arrays`` (plus ``loader(row)``'s per-row inputs). The data loaders fetch a whole batch at once
    (``__getitems__``: one fancy index per array instead of a tensor per row and key, then a stack): per-row
    fetching and collation had been a third of the fusion models' training time."""

    def __init__(self, arrays: dict[str, np.ndarray], rows: np.ndarray, loader: Callable[[int], dict] | None = None):
        self.arrays = {k: v if isinstance(v, np.ndarray) else np.asarray(v) for k, v in arrays.items()}
        self.rows, self.loader = np.asarray(rows, dtype=np.int64), loader

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        row = int(self.rows[i])
        item = {k: torch.as_tensor(np.asarray(v[row])) for k, v in self.arrays.items()}
        if self.loader is not None:
            item.update({k: torch.as_tensor(v) for k, v in self.loader(row).items()})
        return _as_float32(item)

    def __getitems__(self, indices: list[int]) -> dict[str, torch.Tensor]:
        rows = self.rows[np.asarray(indices, dtype=np.int64)]
        batch = {k: torch.from_numpy(np.ascontiguousarray(v[rows])) for k, v in self.arrays.items()}
        if self.loader is not None:
            loaded = [self.loader(int(r)) for r in rows]
            batch.update({k: torch.as_tensor(np.stack([item[k] for item in loaded])) for k in loaded[0]} if loaded else {})
        return _as_float32(batch)


def _whole_batch(batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The collate function for ``__getitems__``: the batch is already stacked."""
    return batch


class MultiTaskData(L.LightningDataModule):
    def __init__(self, arrays: dict[str, np.ndarray], train_rows: np.ndarray, val_rows: np.ndarray,
                 batch_size: int, seed: int = 0, num_workers: int = 0, loader: Callable[[int], dict] | None = None):
        super().__init__()
        self.arrays, self.train_rows, self.val_rows, self.loader = arrays, train_rows, val_rows, loader
        self.batch_size, self.seed, self.num_workers = batch_size, seed, num_workers

    def train_dataloader(self) -> DataLoader:
        generator = torch.Generator().manual_seed(self.seed)
        return DataLoader(ArrayDataset(self.arrays, self.train_rows, self.loader), batch_size=self.batch_size,
                          shuffle=True, generator=generator, num_workers=self.num_workers, drop_last=len(self.train_rows) > self.batch_size,
                          collate_fn=_whole_batch)  # fmt: skip

    def val_dataloader(self) -> DataLoader:
        return self.loader_for(self.val_rows)

    def loader_for(self, rows: np.ndarray) -> DataLoader:
        return DataLoader(ArrayDataset(self.arrays, rows, self.loader), batch_size=self.batch_size,
                          num_workers=self.num_workers, collate_fn=_whole_batch)
