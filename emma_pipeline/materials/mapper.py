"""Map seller-entered material strings onto nodes of the material taxonomy.

``MaterialMapper.map("60% Cotton, 40% Polyester")`` splits the string at list separators, drops percentages,
grades and qualifiers, and matches the longest known phrase first ("stainless steel" before "steel", "food
grade" before "food"). Each part ends up mapped, ignored (only colours, "n/a", "other", qualifiers: see
``_vocabulary``) or unmapped (it has words the vocabulary does not know; these are what a person reads in
``unmapped_report`` to extend the synonyms in ``taxonomy.csv``).

Results hold the most specific nodes named: "plastic, polypropylene" gives polypropylene only, because the
taxonomy implies its ancestors. Internal nodes are kept when nothing more specific is said ("metal" -> metal).

A few words mean different materials in textiles and in hard goods ("nylon", "poly", "acrylic", "bamboo",
"synthetic"; ``_vocabulary.CONTEXT_READINGS``). The optional ``context`` (product title, category, or the name
of the field the string came from, e.g. "Fabric Type") decides when it holds textile or hard-goods cue words;
otherwise the other materials in the same string decide ("nylon, abs" -> nylon plastic); otherwise the word's
default in taxonomy.csv applies ("nylon" -> nylon fabric).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from emma_pipeline.materials import _vocabulary as vocab
from emma_pipeline.materials._text import normalize_phrase, split_parts
from emma_pipeline.materials.taxonomy import MaterialTaxonomy, load_taxonomy

_TYPO_MIN_LEN = 5  # shorter words are too easily another real word ("silk" vs "silky")
_TYPO_CUTOFF = 0.85  # difflib ratio: one missing or doubled letter in a word of 7+ letters passes
_HARD_ROOTS = ("plastic", "metal", "wood", "glass", "ceramic", "stone", "composite")
_SKIP = object()  # a phrase that names no material


@dataclass(frozen=True)
class MappingResult:
    """Most specific node ids named (in order of appearance), parts with unknown words, and parts that
    were recognisably not materials (colours, "n/a", qualifiers only)."""

    node_ids: tuple[int, ...]
    unmapped: tuple[str, ...]
    ignored: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Reading:
    default: int
    textile: int
    hard: int


class MaterialMapper:
    """Seller strings -> taxonomy nodes; build once, then call ``map`` (results are cached per string)."""

    def __init__(self, taxonomy: MaterialTaxonomy | None = None, cache_size: int = 100_000) -> None:
        self.taxonomy = taxonomy or load_taxonomy()
        self._phrases = self._build_phrases()
        self._max_len = max(len(key) for key in self._phrases)
        words = {word for key in self._phrases for word in key}
        self._words = frozenset(words)
        self._typo_targets: dict[str, list[str]] = {}
        for word in sorted(w for w in words if len(w) >= _TYPO_MIN_LEN):
            self._typo_targets.setdefault(word[0], []).append(word)
        self._ancestors = {i: frozenset(self.taxonomy.ancestors(i)) for i in self.taxonomy.ids}
        self._textile_ids = self._subtrees(("fabric",))
        self._hard_ids = self._subtrees(_HARD_ROOTS)
        self._canonical = lru_cache(maxsize=cache_size)(self._canonical_uncached)
        self._map_cached = lru_cache(maxsize=cache_size)(self._map_uncached)

    def map(self, raw: str | None, context: str | None = None) -> MappingResult:
        """Map one seller string; ``context`` (title, category or field name) only breaks textile/hard ties."""
        if raw is None:
            return MappingResult((), ())
        return self._map_cached(str(raw), context or "")

    def map_many(self, raws: Sequence[str | None], contexts: Sequence[str | None] | None = None) -> list[MappingResult]:
        if contexts is not None and len(contexts) != len(raws):
            raise ValueError(f"map_many got {len(raws)} strings but {len(contexts)} contexts")
        return [self.map(raw, None if contexts is None else contexts[k]) for k, raw in enumerate(raws)]

    def names(self, result: MappingResult) -> tuple[str, ...]:
        return tuple(self.taxonomy.name_of(i) for i in result.node_ids)

    def _build_phrases(self) -> dict[tuple[str, ...], object]:
        phrases: dict[tuple[str, ...], object] = {}
        for word in vocab.QUALIFIERS | vocab.NON_MATERIALS:
            phrases[tuple(normalize_phrase(word).split())] = _SKIP
        for node in self.taxonomy.nodes:
            for spelling in (node.name, *node.synonyms):
                phrases[tuple(vocab.SPELLING.get(t, t) for t in normalize_phrase(spelling).split())] = node.id
        names = set(self.taxonomy.names)
        for word, (textile, hard) in vocab.CONTEXT_READINGS.items():
            default = phrases.get((word,))
            if isinstance(default, int) and textile in names and hard in names:
                phrases[(word,)] = _Reading(default, self.taxonomy.id_of(textile), self.taxonomy.id_of(hard))
        return phrases

    def _subtrees(self, roots: Iterable[str]) -> frozenset[int]:
        ids = [self.taxonomy.id_of(r) for r in roots if r in self.taxonomy.names]
        return frozenset(ids).union(*(self.taxonomy.descendants(i) for i in ids))

    def _canonical_uncached(self, token: str) -> str:
        """The vocabulary word a token stands for: spelling variants, plurals and small typos folded."""
        token = vocab.SPELLING.get(token, token)
        if token in self._words:
            return token
        for singular in (token[:-3] + "y" if token.endswith("ies") else "", token[:-2], token[:-1]):
            if singular and token.endswith("s") and singular in self._words:
                return singular
        if len(token) >= _TYPO_MIN_LEN:
            close = difflib.get_close_matches(token, self._typo_targets.get(token[0], ()), n=1, cutoff=_TYPO_CUTOFF)
            if close:
                return close[0]
        return token

    def _longest(self, tokens: list[str], start: int) -> tuple[object | None, int]:
        for length in range(min(self._max_len, len(tokens) - start), 0, -1):
            hit = self._phrases.get(tuple(tokens[start : start + length]))
            if hit is not None:
                return hit, length
        return (_SKIP, 1) if len(tokens[start]) == 1 and tokens[start].isascii() else (None, 1)

    def _match_part(self, tokens: list[str]) -> tuple[list[object], bool]:
        """Phrases named in one part, and whether the part has words that are neither known nor filler."""
        found: list[object] = []
        unknown = False
        i = 0
        while i < len(tokens):
            hit, length = self._longest(tokens, i)
            after = tokens[i + length] if i + length < len(tokens) else None
            if hit is None:
                unknown = True
            elif hit is not _SKIP:
                if after in vocab.ABSENCE_SUFFIXES or after in vocab.APPEARANCE_SUFFIXES:
                    length += 1  # "lead free", "gold tone": the material is not there
                elif i > 0 and tokens[i - 1] in vocab.IMITATION_PREFIXES:
                    unknown = True  # "faux wood" is some other material
                else:
                    found.append(hit)
            i += length
        return found, unknown

    def _map_uncached(self, raw: str, context: str) -> MappingResult:
        hits: list[object] = []
        unmapped: list[str] = []
        ignored: list[str] = []
        for part in split_parts(raw):
            found, unknown = self._match_part([self._canonical(t) for t in part])
            hits.extend(found)
            if not found:
                (unmapped if unknown else ignored).append(" ".join(part))
        resolved = [h for h in hits if isinstance(h, int)]
        side = self._cue_side(context) or self._evidence_side(resolved)
        ids = [h if isinstance(h, int) else getattr(h, side or "default") for h in hits]
        return MappingResult(self._most_specific(ids), tuple(dict.fromkeys(unmapped)), tuple(dict.fromkeys(ignored)))

    def _cue_side(self, context: str) -> str | None:
        words = set(normalize_phrase(context).split())
        textile, hard = len(words & vocab.TEXTILE_CUES), len(words & vocab.HARD_CUES)
        return "textile" if textile > hard else "hard" if hard > textile else None

    def _evidence_side(self, ids: list[int]) -> str | None:
        textile = any(i in self._textile_ids for i in ids)
        hard = any(i in self._hard_ids for i in ids)
        return "textile" if textile and not hard else "hard" if hard and not textile else None

    def _most_specific(self, ids: list[int]) -> tuple[int, ...]:
        unique = list(dict.fromkeys(ids))
        implied = set().union(*(self._ancestors[i] for i in unique))
        return tuple(i for i in unique if i not in implied)


@lru_cache(maxsize=1)
def default_mapper() -> MaterialMapper:
    """The mapper over the packaged taxonomy, built once per process."""
    return MaterialMapper(load_taxonomy())


def unmapped_report(strings: Iterable[str | None], mapper: MaterialMapper | None = None) -> pl.DataFrame:
    """Unmapped parts of ``strings`` with how often each occurs, most frequent first: the to-do list for
    extending taxonomy synonyms."""
    mapper = mapper or default_mapper()
    counts = Counter(part for s in strings for part in mapper.map(s).unmapped)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return pl.DataFrame(rows, schema={"raw": pl.Utf8, "count": pl.Int64}, orient="row")
