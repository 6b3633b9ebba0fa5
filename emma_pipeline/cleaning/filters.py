"""The filter chain of the cleaning stage: drop objects that cannot become useful dataset entries.

Filters run in a fixed order and each object is removed at most once, with the first reason that applies:
``no_title``, ``no_image`` (no image reference at all, or none readable), ``images_not_fetched`` /
``image_fetch_failed`` (the listing has image URLs but none was fetched: fetching disabled, or every fetch
failed; it comes back once a fetch succeeds), ``no_core_attributes`` (none of mass, materials, category), ``non_physical``,
``generic_image``, ``text_image_mismatch``. The learned filters fit on the objects still in the chain at
their turn, so a gift card or a placeholder picture never teaches the text-image matcher. With
``require_images`` off (a text-only dataset) the three image reasons do not apply, and the image-based filters
judge only the listings that have a readable picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl
from sklearn.pipeline import Pipeline

from emma_pipeline.cleaning.generic_images import find_generic_images
from emma_pipeline.cleaning.non_physical import NonPhysicalScores, score_non_physical
from emma_pipeline.cleaning.text_image_match import MatcherConfig, TextImageMatcher, cross_fit_agreement
from emma_pipeline.images.resolve import FETCH_REASONS, fetch_reason_code
from emma_pipeline.materials import MaterialMapper, default_mapper
from emma_pipeline.removals import REMOVALS_SCHEMA

STAGE = "filters"
REASONS = ("no_title", "no_image", *FETCH_REASONS, "no_core_attributes", "non_physical", "generic_image", "text_image_mismatch")


@dataclass(frozen=True)
class FilterConfig:
    """Thresholds; defaults chosen on the generated 3,000-listing sample (seed 7), numbers from that sample."""

    # Rules seed ~80 positives, mass + dimensions ~1,400 negatives. Holding one digital kind out of the seeds,
    # the model still scored >= 0.5 for 91 % of software, ~50 % of gift cards and warranty plans, 5 % of
    # e-books, with at most 1 of ~2,800 physical listings >= 0.5 (the highest, a card wallet, at 0.60).
    non_physical_threshold: float = 0.5
    non_physical_min_seeds: int = 5  # fewer seeds of either class: rules alone decide
    non_physical_regularization: float = 1.0  # scikit-learn's C, on standardized features
    # A picture in >= 3 listings whose texts have mean pairwise cosine < 0.5: random listing texts have
    # median cosine 0.17 (95th percentile 0.36), duplicate listings of one product 0.99 (5th percentile 0.75).
    generic_min_listings: int = 3
    generic_max_text_similarity: float = 0.5
    # Agreement margin (text_image_match): planted mismatches had median 0.2 and 90th percentile 1.0 (about
    # N(0, 1), as for unrelated pairs), matching listings 1st percentile 1.6, median 3.9.
    mismatch_threshold: float = 1.0
    mismatch_folds: int = 3  # cross-fitting: each listing is scored by a matcher that never saw it
    mismatch_min_listings: int = 60  # fewer objects: too little to learn a projection from; stage skipped
    matcher: MatcherConfig = field(default_factory=MatcherConfig)
    seed: int = 0
    # False: a text-only dataset; listings without a readable image stay, and the image-based filters judge
    # only the listings that have one
    require_images: bool = True


@dataclass(frozen=True)
class FilterResult:
    kept: pl.DataFrame
    removals: pl.DataFrame  # REMOVALS_SCHEMA, stage "filters"
    scores: pl.DataFrame  # per asin: non-physical probability and rule, generic-image group, text-image agreement
    summary: dict[str, object]  # removal counts per reason, non-physical by rule vs model, how agreement was got
    matcher: TextImageMatcher | None  # the matcher given, or one fitted on the kept objects (to reuse later)
    non_physical_model: Pipeline | None = None  # the model given, or the one fitted here (None: rules decided)


@dataclass(frozen=True)
class KnownScores:
    """Scores of an earlier run for listings whose inputs did not change, aligned with the objects (nan where
    unknown): they are kept as they are instead of being computed again."""

    non_physical_probability: np.ndarray
    text_image_agreement: np.ndarray


def apply_filters(
    objects: pl.DataFrame,
    text_emb: np.ndarray,
    image_emb: np.ndarray,
    image_ok: np.ndarray,
    config: FilterConfig = FilterConfig(),
    matcher: TextImageMatcher | None = None,
    mapper: MaterialMapper | None = None,
    image_reasons: list[str | None] | None = None,
    non_physical_model: Pipeline | None = None,
    known: KnownScores | None = None,
) -> FilterResult:
    """Run the chain over joined objects; array rows align with ``objects`` rows.

    ``image_ok``: whether at least one of a listing's images could be read; ``image_reasons``: the image
    embedding's reason per row (tells listings whose images were not fetched from those with none). With ``matcher`` (an earlier
    run's), agreement comes from it; otherwise from matchers cross-fitted on these objects. Likewise with
    ``non_physical_model`` nothing is fitted. With both, an incremental run: only listings without a ``known``
    score are scored (the decisions of all are taken again from the scores, so a changed threshold applies to
    every listing).
    """
    n = objects.height
    for name, array in (("text_emb", text_emb), ("image_emb", image_emb), ("image_ok", image_ok)):
        if len(array) != n:
            raise ValueError(f"{name} has {len(array)} rows but objects has {n}: arrays must align with objects")
    text_emb, image_emb = np.asarray(text_emb), np.asarray(image_emb)
    chain = _Chain(n)
    titles = objects["title"].to_list()
    chain.remove(np.array([not (t or "").strip() for t in titles], dtype=bool), "no_title", "title missing or blank")
    urls = objects["image_urls"].to_list()
    image_ok = np.asarray(image_ok, dtype=bool)
    if config.require_images:
        chain.remove(np.array([not u for u in urls], dtype=bool), "no_image", "no image URL")
        reasons = list(image_reasons) if image_reasons is not None else [None] * n
        for code in FETCH_REASONS:
            unfetched = np.array([fetch_reason_code(r) == code for r in reasons], dtype=bool)
            chain.remove(~image_ok & unfetched, code, [r or "" for r in reasons])
        chain.remove(~image_ok, "no_image", "none of the listing's images could be read")
    has_mass = objects["mass_kg"].is_not_null().to_numpy()
    has_category = (objects["category_path"].list.len().fill_null(0) > 0).to_numpy()
    has_materials = _has_materials(objects["materials_raw"].to_list(), mapper or default_mapper())
    chain.remove(~(has_mass | has_category | has_materials), "no_core_attributes", "no mass, materials or category")
    summary: dict[str, object] = {}
    nan = np.full(n, np.nan)
    probability, rules, non_physical_model = _non_physical(
        objects, text_emb, has_mass, chain, config, summary, non_physical_model,
        known.non_physical_probability if known else nan,
    )  # fmt: skip
    generic = _generic_images(urls, image_emb, text_emb, chain, config)
    agreement, matcher = _mismatch(text_emb, image_emb, image_ok, chain, config, matcher, summary,
                                   known.text_image_agreement if known else nan)  # fmt: skip
    scores = pl.DataFrame(
        {
            "asin": objects["asin"],
            "non_physical_probability": probability,
            "non_physical_rule": rules,
            "generic_image_group": generic,
            "text_image_agreement": agreement,
        },
        schema_overrides={"non_physical_rule": pl.Utf8, "generic_image_group": pl.Int64},
    ).with_columns(pl.col("non_physical_probability", "text_image_agreement").fill_nan(None))
    summary.update({f"removed_{r}": chain.count(r) for r in REASONS}, objects_in=n, kept=int(chain.alive.sum()))
    return FilterResult(
        kept=objects.filter(pl.Series(chain.alive)),
        removals=chain.removals(objects["asin"]),
        scores=scores,
        summary=summary,
        matcher=matcher,
        non_physical_model=non_physical_model,
    )


class _Chain:
    """Which objects are still in, and the first reason each removed one got."""

    def __init__(self, n: int) -> None:
        self.alive = np.ones(n, dtype=bool)
        self.reason: list[str | None] = [None] * n
        self.detail: list[str | None] = [None] * n

    def remove(self, mask: np.ndarray, reason: str, detail: str | list[str]) -> None:
        for row in np.flatnonzero(self.alive & mask):
            self.reason[row] = reason
            self.detail[row] = detail if isinstance(detail, str) else detail[row]
        self.alive &= ~mask

    def count(self, reason: str) -> int:
        return sum(r == reason for r in self.reason)

    def removals(self, asins: pl.Series) -> pl.DataFrame:
        rows = np.flatnonzero(~self.alive)
        return pl.DataFrame(
            {
                "asin": asins.gather(rows),
                "stage": [STAGE] * len(rows),
                "reason": [self.reason[r] for r in rows],
                "detail": [self.detail[r] for r in rows],
                "kept_twin": [None] * len(rows),
            },
            schema=REMOVALS_SCHEMA,
        )


def _has_materials(materials_raw: list[list[str] | None], mapper: MaterialMapper) -> np.ndarray:
    """Whether any of an object's seller material strings maps to at least one taxonomy node."""
    return np.array([any(mapper.map(s).node_ids for s in (raws or ())) for raws in materials_raw], dtype=bool)


def _non_physical(
    objects: pl.DataFrame,
    text_emb: np.ndarray,
    has_mass: np.ndarray,
    chain: _Chain,
    config: FilterConfig,
    summary: dict,
    model: Pipeline | None,
    known: np.ndarray,
) -> tuple[np.ndarray, list[str | None], Pipeline | None]:
    """Per object: the model's probability and the rule that fired (nan / None where not scored), and the model
    (the one given, else the one fitted here)."""
    rows = np.flatnonzero(chain.alive)
    has_dims = (objects["dimensions_cm"].list.len().fill_null(0) > 0).to_numpy()
    titles, categories = objects["title"].to_list(), objects["category_path"].to_list()
    result = score_non_physical(
        [titles[r] for r in rows],
        [categories[r] for r in rows],
        text_emb[rows],
        has_mass[rows],
        has_dims[rows],
        threshold=config.non_physical_threshold,
        min_seeds=config.non_physical_min_seeds,
        regularization=config.non_physical_regularization,
        model=model,
        known=known[rows],
    )
    probability, rules = np.full(len(chain.alive), np.nan), [None] * len(chain.alive)
    probability[rows] = result.probability
    mask, detail = np.zeros(len(chain.alive), dtype=bool), [""] * len(chain.alive)
    for i, row in enumerate(rows):
        rules[row] = result.rule[i]
        mask[row] = result.removed[i]
        detail[row] = _non_physical_detail(result, i)
    chain.remove(mask, "non_physical", detail)
    summary.update(
        non_physical_by_rule=int(result.removed_by_rule.sum()),
        non_physical_by_model=int(result.removed_by_model.sum()),
        non_physical_model_fitted=result.model_fitted,
    )
    return probability, rules, result.model


def _non_physical_detail(result: NonPhysicalScores, i: int) -> str:
    if result.removed_by_rule[i]:
        return f"rule {result.rule[i]}"
    contested = f" (contested rule {result.rule[i]}: lists mass or dimensions)" if result.rule[i] else ""
    return f"model probability {result.probability[i]:.2f}{contested}"


def _generic_images(
    urls: list, image_emb: np.ndarray, text_emb: np.ndarray, chain: _Chain, config: FilterConfig
) -> list[int | None]:
    found = find_generic_images(
        urls, image_emb, text_emb, chain.alive, config.generic_min_listings, config.generic_max_text_similarity
    )
    detail = [
        f"picture shared by {size} listings with unrelated texts (mean cosine {sim:.2f})"
        for size, sim in zip(found.group_size, found.group_text_similarity)
    ]
    chain.remove(found.flagged, "generic_image", detail)
    return [int(s) if s else None for s in found.group_size]


def _mismatch(
    text_emb: np.ndarray,
    image_emb: np.ndarray,
    image_ok: np.ndarray,
    chain: _Chain,
    config: FilterConfig,
    matcher: TextImageMatcher | None,
    summary: dict,
    known: np.ndarray,
) -> tuple[np.ndarray, TextImageMatcher | None]:
    """Scores the objects still in that have a picture (all of them, unless images are optional)."""
    judged = chain.alive & image_ok
    rows = np.flatnonzero(judged)
    agreement = np.full(len(chain.alive), np.nan)
    if matcher is not None:
        # listings scored earlier keep their score; new ones are compared with texts of all objects still in
        agreement[rows] = known[rows]
        todo = rows[np.isnan(known[rows])]
        if len(todo):
            agreement[todo] = matcher.score(text_emb[todo], image_emb[todo], seed=config.seed,
                                            reference_text=text_emb[rows] if len(todo) < len(rows) else None)  # fmt: skip
        mode = "given_matcher"
    elif len(rows) >= config.mismatch_min_listings:
        agreement[rows] = cross_fit_agreement(
            text_emb[rows], image_emb[rows], config.mismatch_folds, config.matcher, config.seed
        )
        mode = f"cross_fit_{config.mismatch_folds}_folds"
    else:
        mode = f"skipped: {len(rows)} objects left"
    low = agreement < config.mismatch_threshold  # nan compares False: unscored objects stay
    detail = [f"text-image agreement {a:.2f} < {config.mismatch_threshold}" for a in agreement]
    chain.remove(low, "text_image_mismatch", detail)
    if mode.startswith("cross_fit"):
        kept = np.flatnonzero(chain.alive & image_ok)
        matcher = TextImageMatcher(config.matcher).fit(text_emb[kept], image_emb[kept], seed=config.seed)
    summary["text_image_agreement_from"] = mode
    return agreement, matcher
