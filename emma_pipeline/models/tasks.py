"""Which attributes a model reads and which it predicts. Any attribute can be an input or an output (the paper's
combinatorial task configurations); the named configurations reproduce the paper's three models."""

from __future__ import annotations

from dataclasses import dataclass

TASKS = ("price", "mass", "materials", "category", "ratings")
MODALITIES = ("text", "vision", "fusion")
# what a fusion model may read: the two fine-tuned embeddings and every other attribute
FUSION_INPUTS = ("text", "image", "price", "mass", "package_weight", "dimensions", "product_type", "category",
                 "materials", "ratings")  # fmt: skip


@dataclass(frozen=True)
class TaskConfig:
    name: str
    modality: str
    outputs: tuple[str, ...]
    inputs: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.modality not in MODALITIES:
            raise ValueError(f"task config {self.name!r}: modality must be one of {MODALITIES}, got {self.modality!r}")
        unknown = [t for t in self.outputs if t not in TASKS]
        if unknown or not self.outputs:
            raise ValueError(f"task config {self.name!r}: outputs must be a non-empty subset of {TASKS}, got {self.outputs}")
        allowed = FUSION_INPUTS if self.modality == "fusion" else ({"text": ("text",), "vision": ("image",)}[self.modality])
        bad = [i for i in self.inputs if i not in allowed]
        if bad:
            raise ValueError(f"task config {self.name!r}: {self.modality} models read only {allowed}, not {bad}")
        leaked = set(self.inputs) & set(self.outputs)
        if leaked:
            raise ValueError(f"task config {self.name!r}: {sorted(leaked)} cannot be both input and output")


def everything(task: str) -> TaskConfig:
    """The paper's "Everything" model for one task: both embeddings plus all other attributes."""
    return TaskConfig(f"everything_{task}", "fusion", (task,), tuple(i for i in FUSION_INPUTS if i != task))


NAMED: dict[str, tuple[TaskConfig, ...]] = {
    "text": (TaskConfig("text", "text", TASKS, ("text",)),),
    "vision": (TaskConfig("vision", "vision", TASKS, ("image",)),),
    "everything": tuple(everything(task) for task in TASKS),
    "category_from_text": (TaskConfig("category_from_text", "text", ("category",), ("text",)),),
    "mass_price_from_images": (TaskConfig("mass_price_from_images", "vision", ("price", "mass"), ("image",)),),
    "fusion_embeddings_only": (TaskConfig("fusion_embeddings_only", "fusion", TASKS, ("text", "image")),),
}


def named(name: str) -> tuple[TaskConfig, ...]:
    try:
        return NAMED[name]
    except KeyError:
        raise KeyError(f"unknown task configuration {name!r}; known: {sorted(NAMED)}") from None
