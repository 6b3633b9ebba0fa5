"""The dedup stage's thresholds in one place (``find_duplicates`` and its report read them; the cleaning asset
passes the defaults)."""

from __future__ import annotations

from dataclasses import dataclass, field

from emma_pipeline.cleaning.ann_index import IndexParams


@dataclass(frozen=True)
class DedupConfig:
    """Defaults chosen on the generated sample (seed 7, batch 1: 1,971 joined objects, 80 true duplicate listings
    in 62 groups; MiniLM text, EfficientNet-Lite0 images), scored with ``evaluate_dedup``:

    - text: different products reach cosine 0.924 (two chef knives of one brand); 0.95 keeps a margin. This
      embedding rule alone finds 62/80 at precision 1.0: a twin whose sources gave only a title sits at
      0.73-0.91 from its full-text twin, inside the range of different products.
    - title: those twins are mutual nearest text neighbours with near-identical titles. Titles of one brand
      sharing >= 0.7 of their words at text cosine >= 0.7 add them: 80/80 found, 1 wrong removal.
    - image: pictures of different products reach 0.993 on batch 1 and 0.9956 across batches (rendered shots
      on white); the same picture scores 1.0, so 0.998 matches the same photo only.

    Result: batch 1 precision 0.988 / recall 1.0; batch 2 (986 objects, 32 duplicates) 1.0 / 0.969; both in
    one run 0.982 / 0.991; batch 2 checked against batch 1's saved index 0.991 / 0.991. On a sample never
    used for tuning (seed 11: 1,967 objects, 66 duplicates): 0.985 / 0.970.
    """

    text_threshold: float = 0.95
    image_threshold: float = 0.998
    k: int = 5  # mutual top-k: at most k near-duplicate partners per listing and embedding
    title_threshold: float = 0.7  # word Jaccard of titles, for mutual text neighbours of one brand ...
    title_text_threshold: float = 0.7  # ... whose text cosine still reaches this
    max_exact_group: int = 20  # a text or picture shared by more listings is boilerplate, not identity
    index_params: IndexParams = field(default_factory=IndexParams)
