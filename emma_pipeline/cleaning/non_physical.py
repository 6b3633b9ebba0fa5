"""Find listings with no physical form (software downloads, e-gift cards, e-books, warranty plans, ...).

The paper found them with an early Smart Labeling round; here the labels come automatically. Strong keyword
rules on the title and category path seed the positives, confidently physical listings (they list a mass and
dimensions) seed the negatives, and a logistic regression on the text embedding plus weak cue words
generalizes from those seeds to listings no rule names ("Bestselling Novel" without its Kindle category).
The weak cues are deliberately not the rule phrases: a model fed its own labeling rule would learn only that.

A rule hit on a listing that lists a mass or dimensions is contested ("Pill Organizer ... Bonus Gift Card",
"Zipper Bags for Jewelry, Gift Card, Pills" in real UCSD data): it seeds neither class and the model decides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

_GIFT_CARD_GOODS = r"(?!\s*(?:holders?|box(?:es)?|cases?|envelopes?|wallets?|tins?|organizers?|display|stand)\b)"
TITLE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("gift card", r"\be-?gift cards?\b" + _GIFT_CARD_GOODS + r"|\bgift cards?\b" + _GIFT_CARD_GOODS),
        ("digital code", r"\b(?:digital|download|online|activation) code\b"),
        ("download", r"\[?\bdownload(?:able)?\b\]?"),
        ("subscription", r"\bsubscriptions?\b|\bmembership\b"),
        ("protection plan", r"\b(?:protection|service|warranty|replacement) plans?\b"),
        ("warranty", r"\bextended warranty\b|\b\d+[- ]year (?:accident )?protection\b"),
        ("kindle edition", r"\bkindle edition\b"),
        ("ebook", r"\be-?books?\b|\baudiobooks?\b|\baudible\b"),
    )
)
CATEGORY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("software", r"\bsoftware\b"),
        ("gift card", r"\bgift cards?\b"),
        ("ebook", r"\bkindle (?:store|e-?books?)\b|\be-?books?\b|\baudible\b"),
        ("warranty", r"\bwarrant(?:y|ies)\b|\bprotection plans?\b"),
        ("digital", r"\bdigital (?:music|video|games?|content)\b|\bapps\b|\bsubscriptions?\b"),
    )
)
_ANY_TITLE_RULE = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in TITLE_RULES), re.IGNORECASE)
# Weak cues: common on digital goods yet also on physical ones, so they inform the model but never decide.
CUE_WORDS = (
    "digital", "email", "delivery", "online", "license", "edition", "year", "devices", "pc", "mac", "code",
    "plan", "protection", "novel", "instant", "account", "redeem", "activation", "key", "card", "windows",
    "accident", "coverage", "reading", "chapter", "author",
)  # fmt: skip
_CUE_PATTERNS = tuple(re.compile(rf"\b{word}s?\b", re.IGNORECASE) for word in CUE_WORDS)


@dataclass(frozen=True)
class NonPhysicalScores:
    """Per listing: model probability, the rule that fired (or None), and the removal decision."""

    probability: np.ndarray  # float64; the rule indicator when the model could not be fitted
    rule: list[str | None]  # e.g. "title: gift card", "category: software"
    removed_by_rule: np.ndarray  # bool: a rule fired and the listing lists no mass or dimensions
    removed_by_model: np.ndarray  # bool: the rest (unnamed or contested listings) at probability >= threshold
    model_fitted: bool
    model: Pipeline | None = None  # the fitted model (to score later batches with), None when rules decide

    @property
    def removed(self) -> np.ndarray:
        return self.removed_by_rule | self.removed_by_model


def rule_match(title: str | None, category_path: Sequence[str] | None) -> str | None:
    """The first strong rule a listing matches, as ``"title: <rule>"`` or ``"category: <rule>"``."""
    if title and _ANY_TITLE_RULE.search(title):  # one scan rules out most titles; then the first rule in order
        for name, pattern in TITLE_RULES:
            if pattern.search(title):
                return f"title: {name}"
    return _category_rule(" > ".join(category_path or ()))


@lru_cache(maxsize=65_536)
def _category_rule(category: str) -> str | None:
    """Catalogs repeat a few thousand category paths over millions of listings: each is matched once."""
    for name, pattern in CATEGORY_RULES:
        if category and pattern.search(category):
            return f"category: {name}"
    return None


def cue_features(titles: Sequence[str | None], category_paths: Sequence[Sequence[str] | None]) -> np.ndarray:
    """(n, len(CUE_WORDS)) 0/1 presence of each weak cue word in title or category path."""
    texts = [f"{t or ''} {' '.join(c or ())}" for t, c in zip(titles, category_paths, strict=True)]
    return np.array([[bool(p.search(text)) for p in _CUE_PATTERNS] for text in texts], dtype=np.float32).reshape(
        len(texts), len(CUE_WORDS)
    )


def score_non_physical(
    titles: Sequence[str | None],
    category_paths: Sequence[Sequence[str] | None],
    text_emb: np.ndarray,
    has_mass: np.ndarray,
    has_dimensions: np.ndarray,
    threshold: float,
    min_seeds: int = 5,
    regularization: float = 1.0,
    model: Pipeline | None = None,
    known: np.ndarray | None = None,
) -> NonPhysicalScores:
    """Rule seeds -> logistic regression -> removal at ``probability >= threshold``; uncontested rule hits always
    go. The model is fitted only with at least ``min_seeds`` seeds of each class; otherwise rules alone decide
    (contested hits then stay).

    With ``model`` (an earlier run's fitted model) nothing is fitted: listings are scored with it, except those
    whose probability is ``known`` (not nan; an earlier score of an unchanged listing), which keep it."""
    rules = [rule_match(t, c) for t, c in zip(titles, category_paths, strict=True)]
    named = np.array([r is not None for r in rules], dtype=bool)
    has_mass, has_dimensions = np.asarray(has_mass, dtype=bool), np.asarray(has_dimensions, dtype=bool)
    positive = named & ~(has_mass | has_dimensions)
    if model is None:
        negative = has_mass & has_dimensions & ~named
        if positive.sum() < min_seeds or negative.sum() < min_seeds:
            return NonPhysicalScores(positive.astype(np.float64), rules, positive, np.zeros_like(positive), False)
        features = _features(titles, category_paths, text_emb)
        seeds = positive | negative
        # standardized, so the many small embedding coordinates weigh as much as the 0/1 cue words
        classifier = LogisticRegression(C=regularization, class_weight="balanced", max_iter=2000)
        model = make_pipeline(StandardScaler(), classifier)
        model.fit(features[seeds], positive[seeds])
        probability = non_physical_probability(model, features)
    else:
        probability = np.full(len(rules), np.nan) if known is None else np.asarray(known, dtype=np.float64).copy()
        todo = np.flatnonzero(np.isnan(probability))
        if len(todo):
            rows = [titles[i] for i in todo], [category_paths[i] for i in todo]
            probability[todo] = non_physical_probability(model, _features(*rows, np.asarray(text_emb)[todo]))
    return NonPhysicalScores(probability, rules, positive, (probability >= threshold) & ~positive, True, model)


def non_physical_probability(model: Pipeline, features: np.ndarray) -> np.ndarray:
    """The fitted model's probability of having no physical form (the one place the model is applied)."""
    return model.predict_proba(features)[:, 1]


def _features(titles, category_paths, text_emb) -> np.ndarray:
    return np.hstack([np.asarray(text_emb, dtype=np.float32), cue_features(titles, category_paths)])
