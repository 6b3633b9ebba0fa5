"""The labeling tool's engine: store + features + text index + one model per property, retrained lazily.

A property's model is retrained when its label-store version moved since the last fit (a label, feature or
decision changed), i.e. when the person advances a page after labeling. Scoring every object is one matrix-vector
product, so correction, verify and the positive rate always use the current model. Labels made in ``test-set``
mode are held out of training (the uniform test set of the paper's Table 3).
"""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass, field

import numpy as np

from emma_pipeline.labeling import model as lm
from emma_pipeline.labeling.features import FeatureSet
from emma_pipeline.labeling.keywords import keyword_matrix
from emma_pipeline.labeling.sampling import mislabel_order, most_confident, nearest, probability_range, uncertainty
from emma_pipeline.labeling.search import TextIndex
from emma_pipeline.labeling.stopping import StoppingHint, stop_set, stopping_hint
from emma_pipeline.labeling.store import LabelStore

CANDIDATE_SAMPLE = 100_000  # active learning ranks a fresh random sample of this many unlabeled objects
TEST_MODE = "test-set"


@dataclass
class Trained:
    version: int
    model: lm.Model
    x: lm.Design  # all objects: the embedding and this property's keyword features, as blocks
    p: np.ndarray  # current probability of every object
    train_rows: np.ndarray
    train_y: np.ndarray
    labels: dict[str, tuple[int, str]]
    stop_history: list[np.ndarray] = field(default_factory=list)
    _cv: dict | None = None
    _oof: np.ndarray | None = None


class Workbench:
    def __init__(self, store: LabelStore, features: FeatureSet, seed: int = 0):
        self.store, self.features, self.seed = store, features, seed
        self.index = TextIndex(features.object_ids, features.titles, features.texts)
        self._trained: dict[str, Trained] = {}
        self._keywords: dict[tuple, np.ndarray] = {}
        self._stop_rows = stop_set(len(features.object_ids), seed)
        self._lock = threading.RLock()

    # --- model state --------------------------------------------------------------------------------------
    def keyword_columns(self, prop: str) -> np.ndarray:
        patterns = tuple((kind, pattern) for _, kind, pattern in self.store.features(prop))
        if patterns not in self._keywords:
            self._keywords[patterns] = keyword_matrix(self.features.texts, patterns)
        return self._keywords[patterns]

    def trained(self, prop: str) -> Trained:
        """The current model of ``prop``, refitted only if the store changed since the last fit."""
        version = self.store.get_property(prop).version
        with self._lock:
            previous = self._trained.get(prop)
            if previous is not None and previous.version == version:
                return previous
            labels = self.store.current_labels(prop)
            x = lm.design_matrix(self.features.embedding, self.keyword_columns(prop))
            train = [(self.features.row[o], v) for o, (v, mode) in labels.items()
                     if mode != TEST_MODE and o in self.features.row]  # fmt: skip
            rows = np.array([r for r, _ in train], dtype=np.int64)
            y = np.array([v for _, v in train], dtype=np.int8)
            fitted = lm.fit(x[rows], y) if len(rows) else lm.fit(x[:0], y)
            p = fitted.predict_proba(x)
            history = (previous.stop_history if previous else []) + [p[self._stop_rows] >= 0.5]
            state = Trained(version, fitted, x, p, rows, y, labels, history[-10:])
            self._trained[prop] = state
            return state

    def unlabeled(self, state: Trained, sample: int = CANDIDATE_SAMPLE, seed: int = 0) -> np.ndarray:
        labeled = np.array([self.features.row[o] for o in state.labels if o in self.features.row], dtype=np.int64)
        mask = np.ones(len(self.features.object_ids), dtype=bool)
        mask[labeled] = False
        rows = np.flatnonzero(mask)
        if len(rows) > sample:
            rows = np.sort(np.random.default_rng(seed).choice(rows, sample, replace=False))
        return rows

    # --- live figures shown on every page -----------------------------------------------------------------
    def status(self, prop: str) -> dict:
        state = self.trained(prop)
        positives = int((state.train_y == 1).sum())
        negatives = int((state.train_y == 0).sum())
        if state._cv is None:
            state._cv = {"cv": lm.cv_metrics(state.x[state.train_rows], state.train_y, folds=5, seed=self.seed)}
        hint: StoppingHint = stopping_hint(state.stop_history, positives, negatives)
        tests = sum(1 for v, mode in state.labels.values() if mode == TEST_MODE)
        return {"property": prop, "version": state.version, "positives": positives, "negatives": negatives,
                "test_labels": tests, "cv": state._cv["cv"], **lm.positive_rate(state.p),
                "stop": hint.stop, "stop_message": hint.message, "kappas": [round(k, 4) for k in hint.kappas]}  # fmt: skip

    # --- modes --------------------------------------------------------------------------------------------
    def word_search(self, prop: str, query: str, page: int, size: int) -> tuple[list[int], int]:
        return self.index.page(query, page, size, seed=zlib.crc32(f"{self.seed}:{query}".encode()))

    def active(self, prop: str, size: int, page: int = 0) -> list[int]:
        state = self.trained(prop)
        return uncertainty(state.p, self.unlabeled(state, seed=state.version + page), self.features.embedding, size)

    def correction(self, prop: str, low: float, high: float, size: int, page: int) -> tuple[list[int], int]:
        state = self.trained(prop)
        return probability_range(state.p, self.unlabeled(state, sample=len(state.p)), low, high, size, page, self.seed)

    def review(self, prop: str, size: int, page: int) -> tuple[list[tuple[int, float]], int]:
        """Labeled training examples, most likely mislabeled first (20-fold CV), with their scores."""
        state = self.trained(prop)
        if state._oof is None:
            state._oof = lm.out_of_fold(state.x[state.train_rows], state.train_y, folds=20, seed=self.seed)
        if np.isnan(state._oof).any():
            return [], 0
        order, score = mislabel_order(state.train_y, state._oof)
        chosen = slice(page * size, (page + 1) * size)
        return [(int(state.train_rows[i]), float(s)) for i, s in zip(order[chosen], score[chosen])], len(order)

    def similar(self, prop: str, object_ids: list[str], size: int) -> list[int]:
        state = self.trained(prop)
        labeled = {self.features.row[o] for o in state.labels if o in self.features.row}
        return nearest(self.features.embedding, self.features.rows(object_ids), labeled, size)

    def verify(self, prop: str, size: int) -> list[int]:
        state = self.trained(prop)
        return most_confident(state.p, self.unlabeled(state, sample=len(state.p)), self.features.embedding, size)

    def test_set(self, prop: str, size: int) -> list[int]:
        """A uniform random order of all objects (fixed per property); the first ``size`` not yet labeled."""
        state = self.trained(prop)
        order = np.random.default_rng([self.seed, zlib.crc32(prop.encode())]).permutation(len(state.p))
        labeled = {self.features.row[o] for o in state.labels if o in self.features.row}
        return [int(r) for r in order if int(r) not in labeled][:size]
